package dev.tokenverify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One verifier shared by several threads while its remote key set rotates: a JWKS served from
 * 127.0.0.1 goes from key A to A+B to B; tokens are signed with the JDK's RSA.
 */
class RotationTest {
  static final int THREADS = 4;
  static KeyPair a;
  static KeyPair b;
  static HttpServer server;
  static volatile String jwks;
  static final AtomicInteger fetches = new AtomicInteger();
  static ExecutorService pool;

  static String jwk(KeyPair k, String kid) {
    RSAPublicKey pub = (RSAPublicKey) k.getPublic();
    return "{\"kty\":\"RSA\",\"kid\":\"" + kid + "\",\"alg\":\"RS256\",\"use\":\"sig\",\"n\":\"" + unsigned(pub.getModulus())
        + "\",\"e\":\"" + unsigned(pub.getPublicExponent()) + "\"}";
  }

  static String unsigned(BigInteger i) {
    byte[] bytes = i.toByteArray();
    if (bytes[0] == 0) bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    return Support.b64u(bytes);
  }

  @BeforeAll
  static void start() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    a = g.generateKeyPair();
    b = g.generateKeyPair();
    jwks = "{\"keys\":[" + jwk(a, "A") + "]}";
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/jwks.json", exchange -> {
      fetches.incrementAndGet();
      byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (var out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    pool = Executors.newFixedThreadPool(THREADS);
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
    server.stop(0);
  }

  static String token(KeyPair k, String kid, String sub) {
    long now = Support.now();
    return Support.rs256(k.getPrivate(), kid,
        "{\"iss\":\"rotation\",\"sub\":\"" + sub + "\",\"iat\":" + now + ",\"exp\":" + (now + 600) + "}");
  }

  /** Runs {@code body(thread, i)} on every thread, {@code count} times each, within 60 s. */
  static void everywhere(int count, Check body) throws Exception {
    List<Future<Void>> futures = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      Callable<Void> task = () -> {
        for (int i = 0; i < count && System.nanoTime() < deadline; i++) body.run(thread, i);
        return null;
      };
      futures.add(pool.submit(task));
    }
    for (Future<Void> f : futures) f.get(90, TimeUnit.SECONDS);
  }

  interface Check {
    void run(int thread, int i) throws Exception;
  }

  @Test
  void verifiesConcurrentlyWhileTheKeySetRotates() throws Exception {
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json";
    String config = "{\"providers\":[{\"name\":\"rotating\",\"issuer\":\"rotation\",\"algorithms\":[\"RS256\"],"
        + "\"jwks\":{\"remote\":{\"url\":\"" + url + "\",\"initialFetchWait\":\"5s\",\"requireInitialKeys\":true,"
        + "\"unknownKidWait\":\"5s\",\"unknownKidCooldown\":\"10ms\"}}}]}";
    String[] withA = {token(a, "A", "a0"), token(a, "A", "a1"), token(a, "A", "a2"), token(a, "A", "a3")};
    String[] withB = {token(b, "B", "b0"), token(b, "B", "b1"), token(b, "B", "b2"), token(b, "B", "b3")};
    String unknownKid = token(b, "C", "c");
    try (Verifier v = Verifier.create(config)) {
      // 1. Key A only: every A token verifies, on every thread.
      everywhere(2000, (t, i) -> {
        if (i % 100 == 0) {
          try (Claims c = v.verify(withA[t])) {
            assertEquals("a" + t, c.getString("sub"));
            assertEquals("rotating", c.provider());
          }
        } else {
          v.verifyOnly(withA[(t + i) % withA.length]);
        }
      });
      // 2. The issuer publishes A+B: B's unknown kid asks for one early refresh, which every
      //    thread waits for; A keeps verifying throughout.
      jwks = "{\"keys\":[" + jwk(a, "A") + "," + jwk(b, "B") + "]}";
      everywhere(1000, (t, i) -> {
        v.verifyOnly(withB[(t + i) % withB.length]);
        v.verifyOnly(withA[(t + i) % withA.length]);
      });
      // 3. A is retired: once a refresh lands (an unknown kid asks for one), A tokens are refused
      //    with TV_ERR_KID_NOT_FOUND, and B tokens keep verifying.
      jwks = "{\"keys\":[" + jwk(b, "B") + "]}";
      assertEquals(Status.ERR_KID_NOT_FOUND, v.check(unknownKid));
      everywhere(500, (t, i) -> {
        if (i % 10 == 0) {
          assertEquals(Status.ERR_KID_NOT_FOUND, v.check(withA[t]));
          KeyException e = org.junit.jupiter.api.Assertions.assertThrows(KeyException.class, () -> v.verify(withA[t]));
          assertEquals(500, e.code());
          assertEquals("TV_ERR_KID_NOT_FOUND", e.name());
        }
        try (Claims c = v.verify(withB[t])) {
          assertEquals("b" + t, c.getString("sub"));
        }
      });
      String stats = v.stats(true);
      assertTrue(stats.contains("\"keyCount\":1"), stats);
      assertTrue(stats.contains("\"kid\":\"B\"") && !stats.contains("\"kid\":\"A\""), stats);
      assertTrue(fetches.get() >= 3, "fetches: " + fetches.get());
    }
  }

  /** Many threads on one verifier with local keys (the critical downcall path), with claims. */
  @Test
  void sharedVerifierManyThreads() throws Exception {
    String token = Support.read("examples/kgateway/token.jwt");
    try (Verifier v = Verifier.create(Support.read("examples/kgateway/config.json"))) {
      AtomicInteger verified = new AtomicInteger();
      everywhere(3000, (t, i) -> {
        if (i % 3 == 0) {
          try (Claims c = v.verify(token)) {
            assertEquals("dev", c.getString("team"));
          }
        } else {
          v.verifyOnly(token);
        }
        assertEquals(Status.ERR_MALFORMED_TOKEN, v.check("x" + i));
        verified.incrementAndGet();
      });
      assertEquals(THREADS * 3000, verified.get());
      assertTrue(v.stats().contains("\"TV_OK\":" + (THREADS * 3000)), v.stats());
    }
  }
}
