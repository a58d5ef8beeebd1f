package dev.tokenverify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VerifierTest {
  static Verifier kgateway;
  static String kgatewayToken;

  @BeforeAll
  static void setUp() {
    // examples/kgateway/config.json names its key set relative to the repository root,
    // where surefire runs the tests.
    kgateway = Verifier.create(Support.read("examples/kgateway/config.json"));
    kgatewayToken = Support.read("examples/kgateway/token.jwt");
  }

  @AfterAll
  static void tearDown() {
    kgateway.close();
  }

  @Test
  void kgatewayExample() {
    try (Claims c = kgateway.verify(kgatewayToken)) {
      assertEquals("alice", c.getString("sub"));
      assertEquals("dev", c.getString("team"));
      assertEquals("solo.io", c.getString("iss"));
      assertEquals(2074274884L, c.getLong("exp"));
      assertEquals("\"dev\"", c.getRaw("team"));
      assertEquals("{\"openai\":[\"gpt-3.5-turbo\"]}", c.getRaw("llms"));
      assertEquals("kgateway", c.provider());
      assertTrue(c.json().startsWith("{\"iss\":\"solo.io\""));
      assertEquals("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"solo-public-key-001\"}", c.headerJson());
      assertEquals("RS256", c.header().get("alg"));
      Map<String, Object> m = c.toMap();
      assertEquals("alice", m.get("sub"));
      assertEquals(2074274884L, m.get("exp"));
      assertEquals(Map.of("openai", List.of("gpt-3.5-turbo")), m.get("llms"));
      assertEquals(m, c.toMap());
      assertNull(c.getString("absent"));
      assertNull(c.getLong("absent"));
      assertNull(c.getRaw("absent"));
      assertTrue(c.has("org"));
      MisuseException wrong = assertThrows(MisuseException.class, () -> c.getString("exp"));
      assertEquals(Status.ERR_WRONG_TYPE.code(), wrong.code());
      assertEquals("TV_ERR_WRONG_TYPE", wrong.name());
      assertThrows(MisuseException.class, () -> c.getLong("sub"));
    }
    kgateway.verifyOnly(kgatewayToken);
    kgateway.verifyOnly(kgatewayToken.getBytes(StandardCharsets.US_ASCII));
    try (Claims c = kgateway.verify(kgatewayToken.getBytes(StandardCharsets.US_ASCII))) {
      assertEquals("alice", c.getString("sub"));
    }
    assertEquals(Status.OK, kgateway.check(kgatewayToken));
  }

  @Test
  void tamperedTokenIsRefusedWithItsExactStatus() {
    int dot = kgatewayToken.lastIndexOf('.');
    // Flip one bit of the signature's first byte.
    byte[] sig = Support.unb64u(kgatewayToken.substring(dot + 1));
    sig[0] ^= 1;
    String tampered = kgatewayToken.substring(0, dot + 1) + Support.b64u(sig);
    SignatureException e = assertThrows(SignatureException.class, () -> kgateway.verify(tampered));
    assertEquals(300, e.code());
    assertEquals("TV_ERR_SIGNATURE_INVALID", e.name());
    assertEquals(Status.ERR_SIGNATURE_INVALID, e.status());
    assertEquals(StatusClass.SIGNATURE, e.statusClass());
    // A changed payload under the old signature too.
    String[] parts = kgatewayToken.split("\\.");
    String payload = new String(Support.unb64u(parts[1]), StandardCharsets.UTF_8).replace("\"dev\"", "\"ops\"");
    String forged = parts[0] + "." + Support.b64u(payload) + "." + parts[2];
    assertEquals(300, assertThrows(SignatureException.class, () -> kgateway.verifyOnly(forged)).code());
  }

  @Test
  void oneStatusOfEveryClass() {
    // 1xx
    MalformedTokenException m = assertThrows(MalformedTokenException.class, () -> kgateway.verifyOnly("not-a-token"));
    assertEquals(Status.ERR_MALFORMED_TOKEN, m.status());
    // 2xx: an HS256 token where only RS256 is allowed.
    String hs = Support.hs256(new byte[32], "{\"alg\":\"HS256\",\"kid\":\"solo-public-key-001\"}",
        "{\"iss\":\"solo.io\",\"sub\":\"alice\"}");
    HeaderException h = assertThrows(HeaderException.class, () -> kgateway.verifyOnly(hs));
    assertEquals(Status.ERR_ALG_NOT_ALLOWED, h.status());
    assertEquals(203, h.code());
    // 3xx
    String[] parts = kgatewayToken.split("\\.");
    SignatureException s = assertThrows(SignatureException.class,
        () -> kgateway.verifyOnly(parts[0] + "." + parts[1] + "." + parts[2].substring(0, 40)));
    assertEquals(StatusClass.SIGNATURE, s.statusClass());
    // 5xx: a kid the key set does not have.
    String header = Support.b64u("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"no-such-kid\"}");
    KeyException k = assertThrows(KeyException.class, () -> kgateway.verifyOnly(header + "." + parts[1] + "." + parts[2]));
    assertEquals(Status.ERR_KID_NOT_FOUND, k.status());
    assertEquals("TV_ERR_KID_NOT_FOUND", k.name());
    // 4xx: expired and wrong audience, signed with the JDK.
    try (Verifier v = Verifier.create(Support.hs256Config())) {
      long now = Support.now();
      String expired = Support.hs256(Support.HS256_SECRET, "{\"alg\":\"HS256\"}",
          "{\"iss\":\"example.tokenverify.dev\",\"aud\":\"my-api\",\"sub\":\"a\",\"exp\":" + (now - 3600) + "}");
      ClaimsException c = assertThrows(ClaimsException.class, () -> v.verify(expired));
      assertEquals(Status.ERR_EXPIRED, c.status());
      assertEquals(400, c.code());
      String otherAud = Support.hs256(Support.HS256_SECRET, "{\"alg\":\"HS256\"}",
          "{\"iss\":\"example.tokenverify.dev\",\"aud\":\"other\",\"sub\":\"a\",\"exp\":" + (now + 3600) + "}");
      assertEquals(Status.ERR_AUDIENCE_MISMATCH, assertThrows(ClaimsException.class, () -> v.verify(otherAud)).status());
      try (Claims ok = v.verify(Support.hs256Token(""))) {
        assertEquals("hs", ok.provider());
      }
    }
    // 6xx: an unknown API key (a decision, and its error).
    try (Verifier v = Verifier.create(Support.read("examples/requests/gofr.json"))) {
      Decision d = v.authenticate(Request.builder("GET", "/orders").header("X-Api-Key", "nope").build());
      assertEquals(Status.ERR_UNKNOWN_KEY, d.status());
      RequestException r = assertInstanceOf(RequestException.class, d.error());
      assertEquals(603, r.code());
    }
    // 9xx: a configuration error carries the field at fault.
    MisuseException cfg = assertThrows(MisuseException.class,
        () -> Verifier.create("{\"providers\":[{\"isser\":\"y\"}]}"));
    assertEquals(Status.ERR_CONFIG, cfg.status());
    assertEquals(901, cfg.code());
    assertEquals("providers[0].isser", cfg.field());
    assertTrue(cfg.detail().contains("isser"), cfg.detail());
    assertTrue(cfg.getMessage().contains("providers[0].isser"), cfg.getMessage());
    MisuseException notJson = assertThrows(MisuseException.class, () -> Verifier.create("{"));
    assertEquals(Status.ERR_CONFIG, notJson.status());
  }

  @Test
  void revocation() {
    try (Verifier v = Verifier.create(Support.hs256Config())) {
      String token = Support.hs256Token("\"jti\":\"t-1\"");
      v.verifyOnly(token);
      v.revoke("t-1", Support.now() + 600);
      ClaimsException e = assertThrows(ClaimsException.class, () -> v.verifyOnly(token));
      assertEquals(Status.ERR_REVOKED, e.status());
      String other = Support.hs256Token("\"jti\":\"t-2\"");
      v.verifyOnly(other);
      v.revokeSubject("alice", Support.now() + 1);
      assertEquals(Status.ERR_REVOKED, v.check(other));
      MisuseException bad = assertThrows(MisuseException.class, () -> v.revoke("", 1));
      assertEquals(Status.ERR_INVALID_ARGUMENT, bad.status());
      assertTrue(v.stats().contains("\"revocation\":{\"tokens\":1,\"subjects\":1"), v.stats());
    }
  }

  @Test
  void statsBatchInspectAndVersion() {
    String stats = kgateway.stats(true);
    assertTrue(stats.contains("\"name\":\"kgateway\""), stats);
    assertTrue(stats.contains("\"kid\":\"solo-public-key-001\""), stats);
    Status[] statuses = kgateway.verifyBatch(List.of(kgatewayToken, "junk", kgatewayToken), 2);
    assertArrayEquals(new Status[] {Status.OK, Status.ERR_MALFORMED_TOKEN, Status.OK}, statuses);
    assertEquals(0, kgateway.verifyBatch(List.of(), 0).length);
    try (Claims c = TokenVerify.inspectUnverified(kgatewayToken)) {
      assertEquals("alice", c.getString("sub"));
      assertEquals("", c.provider());
    }
    assertThrows(MalformedTokenException.class, () -> TokenVerify.inspectUnverified("a.b"));
    assertTrue(TokenVerify.version().matches("\\d+\\.\\d+\\.\\d+.*"), TokenVerify.version());
    String[] v = TokenVerify.version().split("[.-]");
    assertEquals(Integer.parseInt(v[0]) * 10000 + Integer.parseInt(v[1]) * 100 + Integer.parseInt(v[2]),
        TokenVerify.versionNumber());
    assertTrue(List.of("fallback", "haswell", "icelake", "westmere", "arm64").contains(TokenVerify.base64urlImplementation()));
  }
}
