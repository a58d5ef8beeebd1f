/*
 * TokenverifyPeer: the "tokenverify (Java)" row of the peer harness: the Java package
 * (bindings/java, FFM downcalls over the C ABI) verifying the harness's token set.
 *
 *   java --enable-native-access=ALL-UNNAMED -Dtokenverify.library.dir=BUILD \
 *        [-Dtokenverify.peer.cloop=libtv_peer_cloop.so] -cp tokenverify.jar:CLASSES \
 *        TokenverifyPeer TOKENS_DIR [SECONDS [REPEATS]]
 *
 * Per algorithm: a verifier built once from <alg>.tv.json (signature, exp, iss, aud checked,
 * as the C row), the good token must pass and every negative token must fail, then
 * verifier.verifyOnly(String) is timed like the other runners (batches growing to 5 ms, a
 * budget of SECONDS per repeat, the median of REPEATS; process CPU time, JIT and GC threads
 * included), after a warm-up that lasts until the JIT has settled (at most 15 s). No claims
 * object is asked for (like the C row "tokenverify"); the String -> UTF-8 byte[] conversion
 * is included.
 *
 * Then, for HS256 and RS256, the paired overhead (one "kind":"paired_overhead" line each;
 * the protocol every runtime's runner follows, see report.py's PAIRED_PROTOCOL): in this
 * process, blocks of verifyOnly alternating with blocks of tv_verify looped in C (cloop.c,
 * a test-only helper library given by -Dtokenverify.peer.cloop=FILE and called through FFM
 * directly, on a native verifier of the same configuration). Comparing with the C row timed
 * by another process is noisier (a few %) than the overhead itself. Without the helper the
 * other lines are printed as ever and stderr says why the paired ones are missing.
 */
import dev.tokenverify.Status;
import dev.tokenverify.TokenVerify;
import dev.tokenverify.Verifier;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

  /** cloop.c's functions, downcalls through FFM. */
  record Helper(MethodHandle verifierNew, MethodHandle verifierFree, MethodHandle cloop, MethodHandle cpuNs) {
    // tv_verifier_new/free are found through the helper's handle too (dlsym searches its
    // dependencies): the libtokenverify the helper links, the one tv_peer_cloop calls.
    static Helper load(SymbolLookup lib) {
      return new Helper(
          fn(lib, "tv_verifier_new", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
              ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS)),
          fn(lib, "tv_verifier_free", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS)),
          fn(lib, "tv_peer_cloop", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
              ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG)),
          fn(lib, "tv_peer_cpu_ns", FunctionDescriptor.of(ValueLayout.JAVA_LONG)));
    }

    static MethodHandle fn(SymbolLookup lib, String name, FunctionDescriptor d) {
      MemorySegment symbol = lib.find(name).orElseThrow(() -> new IllegalArgumentException("no symbol " + name));
      return Linker.nativeLinker().downcallHandle(symbol, d);
    }

    /** Process CPU time (all threads) in ns; OS.getProcessCpuTime() has 10 ms steps on Linux. */
    long cpu() {
      try {
        return (long) cpuNs.invokeExact();
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    }

    /** CPU ns of n tv_verify calls in C, -1 unless all n returned TV_OK. */
    long cloopCpu(MemorySegment v, MemorySegment token, long n) {
      try {
        long t = cpu();
        int ok = (int) cloop.invokeExact(v, token, token.byteSize(), n);
        long b = cpu() - t;
        return ok == n ? b : -1;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    }
  }

  /** CPU ns of n calls of op, as timedRun makes them (verifyOnly throws on a refusal). */
  static long pkgCpu(Helper h, Op op, long n) {
    long t = h.cpu();
    for (long i = 0; i < n; i++) op.run();
    return h.cpu() - t;
  }

  static double pct(List<Double> xs, double p) {
    Double[] s = xs.toArray(new Double[0]);
    Arrays.sort(s);
    return s[(int) (p * (s.length - 1))];
  }

  /**
   * The paired overhead line of one algorithm: verifyOnly against tv_verify looped in C, in
   * alternating blocks of about 2 ms of CPU for SECONDS of wall time (at least 20 pairs), the
   * first side swapped every pair so that drift cancels. Returns why not, or null.
   */
  static String paired(Helper h, Arena arena, Path dir, String peer, String version, String alg, double seconds)
      throws Throwable {
    String low = alg.toLowerCase(Locale.ROOT);
    String config = Files.readString(dir.resolve(low + ".tv.json"));
    String token = read(dir, low + ".jwt");
    byte[] cfg = config.getBytes(StandardCharsets.UTF_8);
    MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
    int s = (int) h.verifierNew().invokeExact(out, arena.allocateFrom(ValueLayout.JAVA_BYTE, cfg), (long) cfg.length,
        MemorySegment.NULL);
    MemorySegment raw = out.get(ValueLayout.ADDRESS, 0);
    if (s != 0 || raw.equals(MemorySegment.NULL)) return "tv_verifier_new refused the configuration (status " + s + ")";
    try (Verifier v = Verifier.create(config)) {
      // Token bytes prepared once for C; the package gets the String, as in the timed runs.
      MemorySegment bytes = arena.allocateFrom(ValueLayout.JAVA_BYTE, token.getBytes(StandardCharsets.UTF_8));
      Op op = () -> v.verifyOnly(token);
      // Block size from one warm-up of k0 calls, timed on this thread's clock: a JIT
      // compilation or GC on another thread during it would otherwise shrink every block,
      // and in short blocks the clock reads weigh on both sides, pulling the ratio to 1.
      h.cpu();
      long k0 = 1024, own = THREADS.getCurrentThreadCpuTime();
      for (long i = 0; i < k0; i++) op.run();
      own = Math.max(1, THREADS.getCurrentThreadCpuTime() - own);
      long block = Math.max(1, (long) (2e6 * k0 / own));
      List<Double> ratios = new ArrayList<>(), pkgNs = new ArrayList<>(), cNs = new ArrayList<>();
      long budget = (long) (seconds * 1e9), start = System.nanoTime();
      for (int i = 0; i < 20 || System.nanoTime() - start < budget; i++) {
        long a, b;
        if (i % 2 == 0) {
          a = pkgCpu(h, op, block);
          b = h.cloopCpu(raw, bytes, block);
        } else {
          b = h.cloopCpu(raw, bytes, block);
          a = pkgCpu(h, op, block);
        }
        if (b < 0) return "tv_verify looped in C did not return TV_OK every time";
        if (b == 0) continue;
        ratios.add((double) a / b);
        pkgNs.add((double) a / block);
        cNs.add((double) b / block);
      }
      System.out.println(head(peer, version, alg) + String.format(Locale.ROOT,
          ",\"kind\":\"paired_overhead\",\"ratio\":%.4f,\"low\":%.4f,\"high\":%.4f,\"pairs\":%d,\"block\":%d,"
              + "\"package_ns\":%.1f,\"c_ns\":%.1f,\"baseline\":%s}",
          pct(ratios, 0.5), pct(ratios, 0.1), pct(ratios, 0.9), ratios.size(), block, pct(pkgNs, 0.5), pct(cNs, 0.5),
          q("tv_verify looped in C (a test-only helper library, one FFM downcall a block), same process, "
              + "a native verifier of the same configuration")));
      System.out.flush();
      return null;
    } finally {
      h.verifierFree().invokeExact(raw);
    }
  }

  /** The paired lines after all the timed runs; a missing helper only costs those lines. */
  static void pairedOverheads(Path dir, String peer, String version, double seconds) {
    String file = System.getProperty("tokenverify.peer.cloop", "");
    if (file.isEmpty()) {
      System.err.println("no paired overhead lines: no -Dtokenverify.peer.cloop (cloop.c's helper library) given");
      return;
    }
    try (Arena arena = Arena.ofConfined()) {
      Helper h;
      try {
        h = Helper.load(SymbolLookup.libraryLookup(Path.of(file), arena));
      } catch (RuntimeException e) {
        System.err.println("no paired overhead lines: helper library " + file + " unusable (did run.sh fail to build "
            + "it from cloop.c?): " + e.getMessage());
        return;
      }
      for (String alg : new String[] {"HS256", "RS256"}) {
        String why;
        try {
          why = paired(h, arena, dir, peer, version, alg, seconds);
        } catch (Throwable t) {
          why = t.toString();
        }
        if (why != null) System.err.println(alg + ": no paired overhead line: " + why);
      }
    }
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
    pairedOverheads(dir, peer, version, seconds);
  }
}
