/*
 * TokenverifyPeer: the "tokenverify (Java)" row of the peer harness: the Java package
 * (bindings/java, FFM downcalls over the C ABI) verifying the harness's token set.
 *
 *   java --enable-native-access=ALL-UNNAMED -Dtokenverify.library.dir=BUILD \
 *        -cp tokenverify.jar:CLASSES TokenverifyPeer TOKENS_DIR [SECONDS [REPEATS]]
 *
 * Per algorithm: a verifier built once from <alg>.tv.json (signature, exp, iss, aud checked,
 * as the C row), the good token must pass and every negative token must fail, then
 * verifier.verifyOnly(String) is timed like the other runners (batches growing to 5 ms, a
 * budget of SECONDS per repeat, the median of REPEATS; process CPU time, JIT and GC threads
 * included), after a warm-up that lasts until the JIT has settled (at most 15 s). No claims
 * object is asked for (like the C row "tokenverify"); the String -> UTF-8 byte[] conversion
 * is included.
 */
import dev.tokenverify.Status;
import dev.tokenverify.TokenVerify;
import dev.tokenverify.Verifier;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

public final class TokenverifyPeer {
  static final String[] ALGS = {"HS256", "RS256", "PS256", "ES256", "EdDSA"};
  static final String[] NEGATIVES = {"bad_signature", "expired", "wrong_issuer", "wrong_audience"};
  static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  interface Op {
    void run();
  }

  /** CPU ns/op, wall ns/op, ops of one timed run of about {@code seconds}. */
  static double[] timedRun(Op op, double seconds) {
    long budget = (long) (seconds * 1e9);
    long batch = 1, done = 0;
    long cpu0 = OS.getProcessCpuTime(), own0 = THREADS.getCurrentThreadCpuTime();
    long start = System.nanoTime(), elapsed = 0;
    while (elapsed < budget) {
      for (long i = 0; i < batch; i++) op.run();
      done += batch;
      elapsed = System.nanoTime() - start;
      if (elapsed < 5_000_000L && batch < (1 << 24)) batch *= 2;
    }
    long cpu = OS.getProcessCpuTime() - cpu0, own = THREADS.getCurrentThreadCpuTime() - own0;
    return new double[] {(double) cpu / done, (double) elapsed / done, done, (double) own / done};
  }

  static String q(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }

  static String head(String peer, String version, String alg) {
    return "{\"peer\":" + q(peer) + ",\"language\":\"Java\",\"version\":" + q(version) + ",\"alg\":" + q(alg);
  }

  static void unavailable(String peer, String version, String alg, String why) {
    System.out.println(head(peer, version, alg) + ",\"unavailable\":" + q(why) + "}");
    System.out.flush();
  }

  static void measure(String peer, String version, String alg, Op op, double seconds, int repeats, String note) {
    // Warm-up: a tenth of the budget as the other runners, then rounds of half a second until
    // the JIT has settled: two rounds in a row where the threads other than this one (the JIT
    // compilers, GC) took under 5% of the process's CPU time; at most 15 s.
    timedRun(op, seconds / 10);
    for (int round = 0, quiet = 0; round < 30 && quiet < 2; round++) {
      double[] w = timedRun(op, 0.5);
      quiet = w[3] >= 0.95 * w[0] ? quiet + 1 : 0;
    }
    double[][] runs = new double[repeats][];
    for (int r = 0; r < repeats; r++) runs[r] = timedRun(op, seconds);
    double[] cpu = new double[repeats];
    for (int r = 0; r < repeats; r++) cpu[r] = runs[r][0];
    double[] sorted = cpu.clone();
    Arrays.sort(sorted);
    double median = sorted[(repeats - 1) / 2];
    double[] chosen = runs[0];
    for (double[] run : runs) if (run[0] == median) chosen = run;
    StringBuilder list = new StringBuilder();
    for (int r = 0; r < repeats; r++) list.append(r == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.1f", cpu[r]));
    System.out.println(head(peer, version, alg) + String.format(Locale.ROOT,
        ",\"ns_per_op\":%.1f,\"wall_ns_per_op\":%.1f,\"ops\":%d,\"runs_ns\":[%s],\"checks\":\"ok\",\"note\":%s}",
        median, chosen[1], (long) chosen[2], list, q(note)));
    System.out.flush();
  }

  static String read(Path dir, String name) throws Exception {
    return Files.readString(dir.resolve(name)).replaceAll("[\r\n]+$", "");
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 3) {
      System.err.println("usage: TokenverifyPeer TOKENS_DIR [SECONDS [REPEATS]]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
    int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    if (seconds <= 0) seconds = 1.0;
    repeats = Math.max(1, Math.min(15, repeats));
    String peer = "tokenverify (Java)";
    String version = TokenVerify.version();
    String note = "Java package (FFM, critical downcall) " + System.getProperty("java.version")
        + "; verifier.verifyOnly(String): no claims object, String -> UTF-8 per call; base64url kernel "
        + TokenVerify.base64urlImplementation();
    for (String alg : ALGS) {
      String low = alg.toLowerCase(Locale.ROOT);
      Verifier v;
      try {
        v = Verifier.create(Files.readString(dir.resolve(low + ".tv.json")));
      } catch (RuntimeException e) {
        unavailable(peer, version, alg, "configuration rejected: " + e);
        continue;
      }
      try (v) {
        String token = read(dir, low + ".jwt");
        String why = null;
        Status s = v.check(token);
        if (s != Status.OK) why = "good token rejected: " + s.cName();
        for (String neg : NEGATIVES) {
          if (why == null && v.check(read(dir, low + "." + neg + ".jwt")) == Status.OK) why = neg + " token accepted";
        }
        if (why != null) {
          unavailable(peer, version, alg, why);
          continue;
        }
        measure(peer, version, alg, () -> v.verifyOnly(token), seconds, repeats, note);
      }
    }
  }
}
