package dev.tokenverify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthenticateTest {
  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void kgatewayRequests() {
    String token = Support.read("examples/kgateway/token.jwt");
    try (Verifier v = Verifier.create(Support.read("examples/requests/kgateway.json"))) {
      try (Decision d = v.authenticate(Request.builder("GET", "/api").host("example.com")
          .header("x-jwt", "Bearer " + token).build())) {
        assertTrue(d.allowed());
        assertEquals(Status.OK, d.status());
        assertNull(d.error());
        assertEquals(200, d.httpStatus());
        assertEquals(AuthMethod.JWT, d.method());
        assertEquals("alice", d.principal());
        assertEquals(List.of(Map.entry("x-team", "dev"), Map.entry("x-org", "solo.io")), d.setHeaders());
        assertEquals(List.of("x-team", "x-org", "x-jwt"), d.removeHeaders());
        assertEquals("dev", d.claims().getString("team"));
        assertEquals("kgateway", d.claims().provider());
        assertTrue(d.json().contains("\"provider\":\"kgateway\""), d.json());
      }
      // Strict: no token is a 401 with the Bearer challenge.
      Decision missing = v.authenticate(Request.builder("GET", "/api").build());
      assertFalse(missing.allowed());
      assertEquals(401, missing.httpStatus());
      assertEquals(Status.ERR_CREDENTIAL_MISSING, missing.status());
      assertTrue(missing.wwwAuthenticate().startsWith("Bearer"), missing.wwwAuthenticate());
      assertNull(missing.claims());
      assertNull(missing.principal());
      // A tampered token: 401, and the decision says why.
      Decision bad = v.authenticate(Request.builder("GET", "/api").header("x-jwt", "Bearer " + token + "x").build());
      assertEquals(401, bad.httpStatus());
      assertFalse(bad.allowed());
      assertTrue(bad.wwwAuthenticate().contains("invalid_token"), bad.wwwAuthenticate());
    }
  }

  @Test
  void basicApiKeyAndJwtRules() {
    String config = "{\"providers\":[{\"name\":\"hs\",\"issuer\":\"example.tokenverify.dev\",\"audiences\":[\"my-api\"],"
        + "\"algorithms\":[\"HS256\"],\"secret\":{\"base64url\":\"" + Support.HS256_SECRET_B64U + "\"}}],"
        + "\"rules\":[{\"name\":\"site\",\"host\":\"example.com\","
        + "\"auth\":{\"type\":\"basic\",\"basic\":{\"realm\":\"admin\",\"users\":[{\"username\":\"ops\",\"password\":\"plain text\"}]}},"
        + "\"paths\":[{\"path\":\"/api\",\"auth\":{\"type\":\"jwt\"}},"
        + "{\"path\":\"/keys\",\"auth\":{\"type\":\"apiKey\",\"apiKey\":{\"keys\":[{\"name\":\"acme\",\"key\":\"k-123\"}]}}},"
        + "{\"exact\":\"/health\",\"auth\":{\"enabled\":false}}]}]}";
    try (Verifier v = Verifier.create(config)) {
      Decision ok = v.authenticate(Request.builder("GET", "/admin").host("example.com")
          .header("Authorization", basic("ops", "plain text")).build());
      assertTrue(ok.allowed(), ok.json());
      assertEquals(AuthMethod.BASIC, ok.method());
      assertEquals("ops", ok.principal());
      Decision wrong = v.authenticate(Request.builder("GET", "/admin").host("example.com")
          .header("Authorization", basic("ops", "nope")).build());
      assertEquals(Status.ERR_BAD_CREDENTIALS, wrong.status());
      assertEquals(401, wrong.httpStatus());
      assertEquals("Basic realm=\"admin\", charset=\"UTF-8\"", wrong.wwwAuthenticate());
      assertEquals(RequestException.class, wrong.error().getClass());

      Decision key = v.authenticate(Request.builder("GET", "/keys/1").host("example.com").header("X-Api-Key", "k-123").build());
      assertTrue(key.allowed(), key.json());
      assertEquals(AuthMethod.API_KEY, key.method());
      assertEquals("acme", key.principal());

      try (Decision jwt = v.authenticate(Request.builder("GET", "/api/x?y=1").host("example.com")
          .header("Authorization", "Bearer " + Support.hs256Token("")).build())) {
        assertTrue(jwt.allowed(), jwt.json());
        assertEquals(AuthMethod.JWT, jwt.method());
        assertEquals("alice", jwt.principal());
        assertEquals("hs", jwt.claims().provider());
      }
      Decision open = v.authenticate(Request.builder("GET", "/health").host("example.com").build());
      assertTrue(open.allowed());
      assertEquals(AuthMethod.NONE, open.method());

      Decision otherHost = v.authenticate(Request.builder("GET", "/").host("other.org").build());
      assertEquals(403, otherHost.httpStatus());
      assertEquals(Status.ERR_NO_MATCHING_RULE, otherHost.status());
      Decision malformed = v.authenticate(Request.builder("GET", "http://example.com/").host("example.com").build());
      assertEquals(400, malformed.httpStatus());
      assertEquals(Status.ERR_MALFORMED_REQUEST, malformed.status());
    }
  }
}
