/*
 * JavaPeers: the Java peers of the peer harness: jjwt and nimbus-jose-jwt.
 *
 *   java -cp CLASSES:DEPENDENCIES peers.JavaPeers TOKENS_DIR [SECONDS [REPEATS]]
 *
 * Keys are parsed once from the token set (<alg>.pub.pem, hs256.secret); each library
 * checks signature, exp, iss and aud, the way a service would use it:
 *  - jjwt: one JwtParser per algorithm (verifyWith(key), requireIssuer, requireAudience),
 *    parseSignedClaims(token).getPayload();
 *  - nimbus-jose-jwt: one DefaultJWTProcessor per algorithm with a SingleKeyJWSKeySelector
 *    (that algorithm only) and a DefaultJWTClaimsVerifier (audience, exact iss, exp
 *    required), process(token, null).
 * Before timing, the good token must pass and every negative token must fail. Timing as the
 * other runners (process CPU time, median of repeats), after a warm-up that lasts until
 * the JIT has settled (at most 15 s): jjwt and nimbus are pure Java and need it most.
 */
package peers;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.proc.SingleKeyJWSKeySelector;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

public final class JavaPeers {
  static final String[] ALGS = {"HS256", "RS256", "PS256", "ES256", "EdDSA"};
  static final String[] NEGATIVES = {"bad_signature", "expired", "wrong_issuer", "wrong_audience"};
  static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  interface Verify {
    void run(String token) throws Exception;
  }

  static double[] timedRun(Verify op, String token, double seconds) throws Exception {
    long budget = (long) (seconds * 1e9);
    long batch = 1, done = 0;
    long cpu0 = OS.getProcessCpuTime(), own0 = THREADS.getCurrentThreadCpuTime();
    long start = System.nanoTime(), elapsed = 0;
    while (elapsed < budget) {
      for (long i = 0; i < batch; i++) op.run(token);
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

  static void measure(String peer, String version, String alg, Verify op, String token, double seconds, int repeats,
      String note) throws Exception {
    // Warm-up: a tenth of the budget as the other runners, then rounds of half a second until
    // the JIT has settled: two rounds in a row where the threads other than this one (the JIT
    // compilers, GC) took under 5% of the process's CPU time; at most 15 s.
    timedRun(op, token, seconds / 10);
    for (int round = 0, quiet = 0; round < 30 && quiet < 2; round++) {
      double[] w = timedRun(op, token, 0.5);
      quiet = w[3] >= 0.95 * w[0] ? quiet + 1 : 0;
    }
    double[][] runs = new double[repeats][];
    for (int r = 0; r < repeats; r++) runs[r] = timedRun(op, token, seconds);
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

  /** The verification key: the HMAC secret, or the public key of <alg>.pub.pem. */
  static Key key(Path dir, String alg) throws Exception {
    if (alg.equals("HS256")) return new SecretKeySpec(Files.readAllBytes(dir.resolve("hs256.secret")), "HmacSHA256");
    String pem = Files.readString(dir.resolve(alg.toLowerCase(Locale.ROOT) + ".pub.pem"));
    byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    String kty = switch (alg) {
      case "RS256", "PS256" -> "RSA";
      case "ES256" -> "EC";
      default -> "Ed25519";
    };
    return KeyFactory.getInstance(kty).generatePublic(new X509EncodedKeySpec(der));
  }

  static String version(Class<?> c, String fallback) {
    String v = c.getPackage().getImplementationVersion();
    return v != null ? v : fallback;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 3) {
      System.err.println("usage: peers.JavaPeers TOKENS_DIR [SECONDS [REPEATS]]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
    int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    if (seconds <= 0) seconds = 1.0;
    repeats = Math.max(1, Math.min(15, repeats));
    Map<String, Object> manifest = JSONObjectUtils.parse(Files.readString(dir.resolve("manifest.json")));
    String issuer = (String) manifest.get("issuer");
    String audience = (String) manifest.get("audience");
    String jvm = "Java " + System.getProperty("java.version");
    String jjwtVersion = version(Jwts.class, System.getProperty("jjwt.version", "?"));
    String nimbusVersion = version(DefaultJWTProcessor.class, System.getProperty("nimbus.version", "?"));

    for (String alg : ALGS) {
      String low = alg.toLowerCase(Locale.ROOT);
      String token = read(dir, low + ".jwt");
      Key key;
      try {
        key = key(dir, alg);
      } catch (Exception e) {
        unavailable("jjwt", jjwtVersion, alg, "key setup failed: " + e);
        unavailable("nimbus-jose-jwt", nimbusVersion, alg, "key setup failed: " + e);
        continue;
      }
      // jjwt
      run("jjwt", jjwtVersion, alg, dir, low, token, seconds, repeats,
          jvm + "; Jwts.parser().verifyWith(key).requireIssuer().requireAudience(), parseSignedClaims().getPayload()",
          () -> {
            JwtParser parser = buildJjwt(key, issuer, audience);
            return t -> parser.parseSignedClaims(t).getPayload();
          });
      // nimbus-jose-jwt
      run("nimbus-jose-jwt", nimbusVersion, alg, dir, low, token, seconds, repeats,
          jvm + "; DefaultJWTProcessor, SingleKeyJWSKeySelector(" + alg + "), DefaultJWTClaimsVerifier(aud, iss, exp required)",
          () -> {
            DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
            p.setJWSKeySelector(new SingleKeyJWSKeySelector<>(JWSAlgorithm.parse(alg), key));
            p.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audience,
                new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("exp")));
            return t -> p.process(t, null);
          });
    }
  }

  static JwtParser buildJjwt(Key key, String issuer, String audience) {
    var b = Jwts.parser().requireIssuer(issuer).requireAudience(audience);
    if (key instanceof javax.crypto.SecretKey s) return b.verifyWith(s).build();
    return b.verifyWith((java.security.PublicKey) key).build();
  }

  interface Setup {
    Verify make() throws Exception;
  }

  static void run(String peer, String version, String alg, Path dir, String low, String token, double seconds,
      int repeats, String note, Setup setup) {
    try {
      Verify op = setup.make();
      try {
        op.run(token);
      } catch (Exception e) {
        unavailable(peer, version, alg, "good token rejected: " + e);
        return;
      }
      for (String neg : NEGATIVES) {
        boolean accepted;
        try {
          op.run(read(dir, low + "." + neg + ".jwt"));
          accepted = true;
        } catch (Exception e) {
          accepted = false;
        }
        if (accepted) {
          unavailable(peer, version, alg, neg + " token accepted");
          return;
        }
      }
      measure(peer, version, alg, op, token, seconds, repeats, note);
    } catch (Exception | LinkageError e) {
      unavailable(peer, version, alg, "setup failed: " + e);
    }
  }
}
