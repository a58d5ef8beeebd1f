package dev.tokenverify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LifetimeTest {
  @Test
  void closeTwiceAndUseAfterClose() {
    Verifier v = Verifier.create(Support.hs256Config());
    Claims c = v.verify(Support.hs256Token(""));
    assertFalse(v.isClosed());
    v.close();
    v.close();
    assertTrue(v.isClosed());
    String token = Support.hs256Token("");
    assertThrows(IllegalStateException.class, () -> v.verify(token));
    assertThrows(IllegalStateException.class, () -> v.verifyOnly(token));
    assertThrows(IllegalStateException.class, () -> v.stats());
    assertThrows(IllegalStateException.class, () -> v.revoke("j", 1));
    assertThrows(IllegalStateException.class, () -> v.authenticate(Request.builder("GET", "/").build()));
    assertThrows(IllegalStateException.class, () -> v.verifyBatch(List.of(token), 1));
    // Claims do not reference the verifier: they outlive it.
    assertEquals("alice", c.getString("sub"));
    c.close();
    c.close();
    assertTrue(c.isClosed());
    assertThrows(IllegalStateException.class, () -> c.getString("sub"));
    assertThrows(IllegalStateException.class, c::json);
  }

  @Test
  void closeWaitsForCallsInFlight() throws Exception {
    String token = Support.hs256Token("");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 20; round++) {
        Verifier v = Verifier.create(Support.hs256Config());
        CountDownLatch started = new CountDownLatch(4);
        AtomicLong ok = new AtomicLong();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          futures.add(pool.submit(() -> {
            started.countDown();
            for (int i = 0; i < 100_000; i++) {
              try {
                v.verifyOnly(token);
                ok.incrementAndGet();
              } catch (IllegalStateException closed) {
                return;  // the only failure allowed: the verifier was closed
              }
            }
          }));
        }
        started.await();
        v.close();
        for (Future<?> f : futures) f.get(60, TimeUnit.SECONDS);
        assertTrue(v.isClosed());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void claimsReadWhileClosedFromAnotherThread() throws Exception {
    try (Verifier v = Verifier.create(Support.hs256Config())) {
      String token = Support.hs256Token("");
      for (int round = 0; round < 50; round++) {
        Claims c = v.verify(token);
        Thread reader = new Thread(() -> {
          for (int i = 0; i < 10_000; i++) {
            try {
              assertEquals("alice", c.getString("sub"));
            } catch (IllegalStateException closed) {
              return;
            }
          }
        });
        reader.start();
        c.close();
        reader.join(30_000);
        assertFalse(reader.isAlive());
      }
    }
  }

  /** A forgotten verifier is freed by the cleaner: its key-set thread goes away. */
  @Test
  void cleanerFreesForgottenVerifiers() throws Exception {
    String config = "{\"providers\":[{\"name\":\"kgateway\",\"issuer\":\"solo.io\",\"jwks\":{\"local\":{\"file\":\""
        + Support.ROOT.resolve("examples/kgateway/jwks.json") + "\",\"checkInterval\":\"1s\"}}}]}";
    String token = Support.read("examples/kgateway/token.jwt");
    Verifier.create(config).close();  // starts whatever the library shares between verifiers
    int before = Support.nativeThreads();
    forget(config, token, 5);
    int during = Support.nativeThreads();
    assertTrue(during >= before + 5, "each verifier has its key-set thread: " + before + " -> " + during);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (Support.nativeThreads() > before && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(50);
    }
    assertTrue(Support.nativeThreads() <= before,
        "threads before " + before + ", with 5 forgotten verifiers " + during + ", after GC " + Support.nativeThreads());
    // Forgotten claims are freed too (no crash, nothing to observe but the absence of a leak).
    for (int i = 0; i < 10_000; i++) TokenVerify.inspectUnverified(token);
    System.gc();
  }

  private static void forget(String config, String token, int n) {
    for (int i = 0; i < n; i++) {
      Verifier v = Verifier.create(config);
      v.verify(token);  // claims forgotten too
    }
  }
}
