package dev.tokenverify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class CallbacksTest {
  static final String CONFIG = "{\"rules\":[{\"name\":\"admin\",\"auth\":{\"type\":\"basic\",\"basic\":{\"validator\":true}},"
      + "\"paths\":[{\"path\":\"/keys\",\"auth\":{\"type\":\"apiKey\",\"apiKey\":{\"validator\":true}}}]}]}";

  static Request basic(String target, String user, String password) {
    String b = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return Request.builder("GET", target).header("Authorization", "Basic " + b).build();
  }

  @Test
  void validatorDecidesBasicAndApiKeyCredentials() {
    List<Validator.Credential> seen = new CopyOnWriteArrayList<>();
    Validator validator = c -> {
      seen.add(c);
      if (c.user().equals("boom")) throw new IllegalStateException("a validator that throws refuses");
      return c.method() == AuthMethod.BASIC ? c.user().equals("u") && c.password().equals("p") : c.user().equals("k1");
    };
    try (Verifier v = Verifier.builder(CONFIG).validator(validator).build()) {
      Decision ok = v.authenticate(basic("/admin", "u", "p"));
      assertTrue(ok.allowed(), ok.json());
      assertEquals("u", ok.principal());
      assertEquals(Status.ERR_BAD_CREDENTIALS, v.authenticate(basic("/admin", "u", "x")).status());
      assertEquals(Status.ERR_BAD_CREDENTIALS, v.authenticate(basic("/admin", "boom", "p")).status());
      assertTrue(v.authenticate(Request.builder("GET", "/keys/1").header("X-Api-Key", "k1").build()).allowed());
      assertFalse(v.authenticate(Request.builder("GET", "/keys/1").header("X-Api-Key", "k2").build()).allowed());
      assertEquals(new Validator.Credential("admin", AuthMethod.BASIC, "u", "p"), seen.get(0));
      assertEquals(new Validator.Credential("admin", AuthMethod.API_KEY, "k1", ""), seen.get(3));
    }
    // Without a validator such a configuration is refused.
    assertThrows(MisuseException.class, () -> Verifier.create(CONFIG));
  }

  @Test
  void keySetEventsReachTheListener() throws Exception {
    String jwks = Support.read("examples/kgateway/jwks.json");
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/jwks.json", exchange -> {
      byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (var out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    try {
      List<KeyEvent> events = new CopyOnWriteArrayList<>();
      String config = "{\"providers\":[{\"name\":\"remote\",\"issuer\":\"solo.io\",\"jwks\":{\"remote\":{\"url\":"
          + "\"http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json\",\"initialFetchWait\":\"5s\"}}}]}";
      try (Verifier v = Verifier.builder(config).onKeyEvent(e -> {
        events.add(e);
        throw new RuntimeException("ignored");
      }).build()) {
        try (Claims c = v.verify(Support.read("examples/kgateway/token.jwt"))) {
          assertEquals("remote", c.provider());
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (events.isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);
      }
      KeyEvent first = events.get(0);
      assertEquals(KeyEvent.Kind.KEYS_UPDATED, first.kind());
      assertEquals("remote", first.provider());
      assertEquals(1, first.keyCount());
      assertEquals(200, first.httpStatus());
      assertTrue(first.generation() >= 1);
    } finally {
      server.stop(0);
    }
  }
}
