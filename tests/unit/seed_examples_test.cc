// The configurations of the systems tokenverify replaces, each asserting the
// exact decision: go-zoox ingress's path-level rules (the issue's document,
// with its "..." filled in), GoFr's API keys with /.well-known/ left open,
// kgateway's providers (Strict, AllowMissing, x-jwt, claimsToHeaders,
// forwardToken) and AuthGate's HMAC request signatures by its own algorithm.
#include <gtest/gtest.h>

#include <string>

#include "support/request_helpers.h"
#include "support/signer.h"

namespace tokenverify {
namespace {

using testing::BasicHeader;
using testing::Decide;
using testing::JsonQuote;
using testing::Jwks;
using testing::MakeKey;
using testing::MakeVerifier;
using testing::Req;
using testing::SignJwt;
using testing::TestKey;

const TestKey& Key() {
  static const TestKey key = MakeKey("RS256", "solo-key");
  return key;
}

std::string Token(std::string_view claims = R"("team":"dev")") {
  return SignJwt(Key(), R"({"iss":"solo.io","sub":"alice","exp":1800003600,)" + std::string(claims) + "}");
}

// The decision document with the members every decision has, in order.
std::string Expect(bool allow, int http, std::string_view status, std::string_view method, std::string_view rule,
                   std::string_view principal, std::string_view provider, std::string_view set_headers,
                   std::string_view remove_headers, std::string_view www, std::string_view message,
                   std::string_view remove_query = "[]") {
  auto str = [](std::string_view s) { return s.empty() ? std::string("null") : JsonQuote(s); };
  return std::string("{\"allow\":") + (allow ? "true" : "false") + ",\"httpStatus\":" + std::to_string(http) +
         ",\"status\":\"" + std::string(status) + "\",\"method\":\"" + std::string(method) +
         "\",\"rule\":" + str(rule) + ",\"principal\":" + str(principal) + ",\"provider\":" + str(provider) +
         ",\"setHeaders\":" + std::string(set_headers) + ",\"removeHeaders\":" + std::string(remove_headers) +
         ",\"removeQueryParameters\":" + std::string(remove_query) +
         ",\"removeCookies\":[],\"omittedHeaders\":[],\"wwwAuthenticate\":" + str(www) + ",\"message\":\"" +
         std::string(message) + "\"}";
}

constexpr std::string_view kAllowed = "allowed";
constexpr std::string_view kMissing = "the request carries no credential where its rule looks for one";
constexpr std::string_view kBadPassword = "unknown user or wrong password";

// ---------------------------------------------------------------- go-zoox ingress, path-level rules

std::string IngressConfig() {
  return R"({
  "now": 1800000000,
  "providers": [ { "name": "kgateway", "issuer": "solo.io", "jwks": {"local": {"inline": )" +
         JsonQuote(Jwks({&Key()})) + R"(}},
                   "claimsToHeaders": [{"name": "team", "header": "x-team"}],
                   "tokenSource": {"header": {"header": "x-jwt", "prefix": "Bearer "}},
                   "forwardToken": false } ],
  "validationMode": "Strict",
  "rules": [
    { "name": "site", "host": "example.com",
      "auth": {"type": "basic", "basic": {"users": [{"username": "default", "password": "default123"}]}},
      "paths": [
        {"path": "/admin", "auth": {"type": "basic", "basic": {"realm": "admin", "users": [
            {"username": "admin", "password": "$2y$10$abcdefghijklmnopqrstuuUPHqxSCJDY9Pz1spI48NucJpoxdW09i"},
            {"username": "superadmin", "password": "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$H3+DbAHjDlqdBE2zKu7l9Qunk+fFiYO2IjF0Xv8+HN0"}]}}},
        {"path": "/api", "auth": {"type": "bearer", "bearer": {"tokens": ["api-token-1", {"name": "ci", "sha256": "948b8c2427cd29047839b8e4a27a08763f8befbafa86be5cce8e46217d75e58a"}]}}},
        {"path": "/jwt", "auth": {"type": "jwt", "providers": ["kgateway"]}},
        {"path": "/keys", "auth": {"type": "apiKey", "apiKey": {"header": "X-Api-Key", "keys": [{"name": "acme", "key": "acme-key"}]}}},
        {"path": "/hooks", "auth": {"type": "hmac", "hmac": {"scheme": "authgate", "secrets": [{"name": "authgate", "secret": "hook-secret"}], "window": "5m"}}},
        {"path": "/.well-known/", "auth": {"enabled": false}},
        {"path": "/either", "auth": {"anyOf": [{"type": "jwt"}, {"type": "apiKey", "apiKey": {"keys": [{"name": "k", "key": "either-key"}]}}]}}
      ] }
  ]
})";
}

TEST(SeedIngress, ThePathLevelExample) {
  auto v = MakeVerifier(IngressConfig());
  ASSERT_TRUE(v);
  const std::string no_spoof = R"(["x-team"])";
  auto json = [&](const Req& r) { return Decide(*v, r)->Json(); };

  EXPECT_EQ(json({.target = "/", .headers = {{"Authorization", BasicHeader("default", "default123")}}}),
            Expect(true, 200, "TV_OK", "basic", "site", "default", "", "[]", no_spoof, "", kAllowed));
  EXPECT_EQ(json({.target = "/docs", .headers = {{"Authorization", BasicHeader("default", "wrong")}}}),
            Expect(false, 401, "TV_ERR_BAD_CREDENTIALS", "basic", "site", "", "", "[]", no_spoof,
                   R"(Basic realm="tokenverify", charset="UTF-8")", kBadPassword));
  // /admin: bcrypt and argon2id users; the site's user is not one of them.
  EXPECT_EQ(json({.target = "/admin/users", .headers = {{"Authorization", BasicHeader("admin", "admin-pass")}}}),
            Expect(true, 200, "TV_OK", "basic", "site", "admin", "", "[]", no_spoof, "", kAllowed));
  EXPECT_EQ(json({.target = "/admin", .headers = {{"Authorization", BasicHeader("superadmin", "super-pass")}}}),
            Expect(true, 200, "TV_OK", "basic", "site", "superadmin", "", "[]", no_spoof, "", kAllowed));
  EXPECT_EQ(json({.target = "/admin", .headers = {{"Authorization", BasicHeader("default", "default123")}}}),
            Expect(false, 401, "TV_ERR_BAD_CREDENTIALS", "basic", "site", "", "", "[]", no_spoof,
                   R"(Basic realm="admin", charset="UTF-8")", kBadPassword));
  EXPECT_EQ(json({.target = "/x/../%61dmin"}),
            Expect(false, 401, "TV_ERR_CREDENTIAL_MISSING", "basic", "site", "", "", "[]", no_spoof,
                   R"(Basic realm="admin", charset="UTF-8")", kMissing));
  // /api: a token as text and one given by its SHA-256.
  EXPECT_EQ(json({.target = "/api/v1", .headers = {{"Authorization", "Bearer api-token-1"}}}),
            Expect(true, 200, "TV_OK", "bearer", "site", "tokens[0]", "", "[]", no_spoof, "", kAllowed));
  EXPECT_EQ(json({.target = "/api", .headers = {{"Authorization", "Bearer ci-token"}}}),
            Expect(true, 200, "TV_OK", "bearer", "site", "ci", "", "[]", no_spoof, "", kAllowed));
  // /jwt: kgateway's token source, claims to headers, the token not forwarded.
  EXPECT_EQ(json({.target = "/jwt", .headers = {{"x-jwt", "Bearer " + Token()}, {"X-Team", "spoofed"}}}),
            Expect(true, 200, "TV_OK", "jwt", "site", "alice", "kgateway", R"([["x-team","dev"]])",
                   R"(["x-team","x-jwt"])", "", kAllowed));
  EXPECT_EQ(json({.target = "/keys", .headers = {{"X-Api-Key", "acme-key"}}}),
            Expect(true, 200, "TV_OK", "apiKey", "site", "acme", "", "[]", no_spoof, "", kAllowed));
  const std::string body = R"({"event":"push"})";
  const std::string ts = "1799999990";
  EXPECT_EQ(json({.method = "POST",
                  .target = "/hooks/github",
                  .headers = {{"X-Timestamp", ts},
                              {"X-Signature", testing::HmacSha256Hex("hook-secret", ts + "POST/hooks/github" + body)},
                              {"X-Nonce", "n-1"}},
                  .body = body}),
            Expect(true, 200, "TV_OK", "hmac", "site", "authgate", "", "[]", no_spoof, "", kAllowed));
  EXPECT_EQ(json({.target = "/.well-known/openid-configuration"}),
            Expect(true, 200, "TV_OK", "none", "site", "", "", "[]", no_spoof, "", kAllowed));
  EXPECT_EQ(json({.target = "/either", .headers = {{"X-Api-Key", "either-key"}}}),
            Expect(true, 200, "TV_OK", "apiKey", "site", "k", "", "[]", no_spoof, "", kAllowed));
  EXPECT_EQ(json({.host = "other.example", .target = "/"}),
            Expect(false, 403, "TV_ERR_NO_MATCHING_RULE", "none", "", "", "", "[]", no_spoof, "",
                   "no rule matches the request's host"));
}

// ---------------------------------------------------------------- GoFr: X-Api-Key, /.well-known/ open

TEST(SeedGoFr, ApiKeysWithWellKnownLeftOpen) {
  auto v = MakeVerifier(R"({"rules":[{"name":"gofr",
    "auth":{"type":"apiKey","apiKey":{"keys":[{"name":"orders-service","key":"9221e451-451f-4cd6-a23d-2b2d3adea9cf"}]}},
    "paths":[{"path":"/.well-known/","auth":{"enabled":false}}]}]})");
  ASSERT_TRUE(v);
  auto json = [&](const Req& r) { return Decide(*v, r)->Json(); };
  EXPECT_EQ(json({.target = "/orders", .headers = {{"X-Api-Key", "9221e451-451f-4cd6-a23d-2b2d3adea9cf"}}}),
            Expect(true, 200, "TV_OK", "apiKey", "gofr", "orders-service", "", "[]", "[]", "", kAllowed));
  EXPECT_EQ(json({.target = "/orders"}), Expect(false, 401, "TV_ERR_CREDENTIAL_MISSING", "apiKey", "gofr", "", "", "[]",
                                                "[]", R"(ApiKey realm="tokenverify", header="X-Api-Key")", kMissing));
  EXPECT_EQ(json({.target = "/orders", .headers = {{"X-API-KEY", "guess"}}}),
            Expect(false, 401, "TV_ERR_UNKNOWN_KEY", "apiKey", "gofr", "", "", "[]", "[]",
                   R"(ApiKey realm="tokenverify", header="X-Api-Key")",
                   "the API key or bearer token is not one of the configured ones"));
  EXPECT_EQ(json({.target = "/.well-known/alive"}),
            Expect(true, 200, "TV_OK", "none", "gofr", "", "", "[]", "[]", "", kAllowed));
  EXPECT_EQ(json({.target = "/.well-known/health"}),
            Expect(true, 200, "TV_OK", "none", "gofr", "", "", "[]", "[]", "", kAllowed));
  // Dot segments cannot walk out of the open path.
  EXPECT_EQ(Decide(*v, {.target = "/.well-known/../orders"})->status, Status::ERR_CREDENTIAL_MISSING);
}

// ---------------------------------------------------------------- kgateway: the providers decide

std::string KgatewayConfig(std::string_view mode, bool forward_token) {
  return R"({"now":1800000000,"validationMode":")" + std::string(mode) +
         R"(","providers":[{"name":"kgateway","issuer":"solo.io","jwks":{"local":{"inline":)" +
         JsonQuote(Jwks({&Key()})) +
         R"(}},"claimsToHeaders":[{"name":"team","header":"x-team"}],"tokenSource":{"header":{"header":"x-jwt","prefix":"Bearer "}},"forwardToken":)" +
         (forward_token ? "true" : "false") + "}]}";
}

TEST(SeedKgateway, StrictAllowMissingTokenSourceClaimsToHeadersForwardToken) {
  auto strict = MakeVerifier(KgatewayConfig("Strict", false));
  auto allow_missing = MakeVerifier(KgatewayConfig("AllowMissing", true));
  ASSERT_TRUE(strict && allow_missing);
  const Req with_token{.target = "/api", .headers = {{"x-jwt", "Bearer " + Token()}, {"x-team", "spoofed"}}};
  EXPECT_EQ(Decide(*strict, with_token)->Json(),
            Expect(true, 200, "TV_OK", "jwt", "", "alice", "kgateway", R"([["x-team","dev"]])", R"(["x-team","x-jwt"])",
                   "", kAllowed));
  // forwardToken: true keeps the token for the upstream; the spoofed header still goes.
  EXPECT_EQ(Decide(*allow_missing, with_token)->Json(), Expect(true, 200, "TV_OK", "jwt", "", "alice", "kgateway",
                                                               R"([["x-team","dev"]])", R"(["x-team"])", "", kAllowed));
  // The token only counts in x-jwt.
  EXPECT_EQ(Decide(*strict, {.target = "/api", .headers = {{"Authorization", "Bearer " + Token()}}})->Json(),
            Expect(false, 401, "TV_ERR_CREDENTIAL_MISSING", "jwt", "", "", "", "[]", R"(["x-team"])",
                   R"(Bearer realm="tokenverify")", kMissing));
  EXPECT_EQ(Decide(*allow_missing, {.target = "/api", .headers = {{"x-team", "spoofed"}}})->Json(),
            Expect(true, 200, "TV_OK", "none", "", "", "", "[]", R"(["x-team"])", "", kAllowed));
  // AllowMissing still refuses a token that does not verify.
  const std::string expired = SignJwt(Key(), R"({"iss":"solo.io","sub":"alice","exp":1700000000,"team":"dev"})");
  EXPECT_EQ(Decide(*allow_missing, {.target = "/api", .headers = {{"x-jwt", "Bearer " + expired}}})->Json(),
            Expect(false, 401, "TV_ERR_EXPIRED", "jwt", "", "", "", "[]", R"(["x-team"])",
                   R"(Bearer realm="tokenverify", error="invalid_token", error_description="the token is not valid")",
                   std::string(StatusMessage(Status::ERR_EXPIRED))));
  // A claim that would split the header is left out, and the decision says so.
  auto evil =
      Decide(*strict, {.target = "/api", .headers = {{"x-jwt", "Bearer " + Token(R"("team":"dev\r\nx-admin: 1")")}}});
  EXPECT_TRUE(evil->allowed());
  EXPECT_TRUE(evil->set_headers.empty());
  EXPECT_NE(
      evil->Json().find(
          R"j("omittedHeaders":[{"header":"x-team","claim":"team","reason":"the claim's value holds control characters (CR, LF, NUL, ...)"}])j"),
      std::string::npos)
      << evil->Json();
}

// ---------------------------------------------------------------- AuthGate: service-to-service HMAC

TEST(SeedAuthGate, TheSignatureOfItsOwnClient) {
  // appleboy/go-httpclient signs ts ‖ METHOD ‖ path?query ‖ body (no delimiters):
  // printf '1700000000POST/api/v1/tokens?scope=read{"client":"svc"}' | openssl dgst -sha256 -hmac
  // authgate-shared-secret
  auto v = MakeVerifier(R"({"now":1700000299,"rules":[{"name":"s2s","paths":[{"path":"/api/v1",
    "auth":{"type":"hmac","hmac":{"scheme":"authgate","secrets":[{"name":"billing","secret":"authgate-shared-secret"}]}}}]}]})");
  ASSERT_TRUE(v);
  const Req signed_request{
      .method = "POST",
      .target = "/api/v1/tokens?scope=read",
      .headers = {{"X-Signature", "408208fe7de43b470cc550ed87f190bf9cd838ba16650e2292285f4f75d8fc82"},
                  {"X-Timestamp", "1700000000"},
                  {"X-Nonce", "5f1c0e0a-2f7e-4d6b-9b1a-0c9f6b2b7d11"}},
      .body = R"({"client":"svc"})"};
  EXPECT_EQ(Decide(*v, signed_request)->Json(),
            Expect(true, 200, "TV_OK", "hmac", "s2s", "billing", "", "[]", "[]", "", kAllowed));
  const std::string challenge = R"(Signature realm="tokenverify", scheme="authgate")";
  EXPECT_EQ(Decide(*v, signed_request)->Json(),
            Expect(false, 401, "TV_ERR_REPLAYED_REQUEST", "hmac", "s2s", "", "", "[]", "[]", challenge,
                   "the request signature was already used inside its window"));
  Req other_query = signed_request;
  other_query.target = "/api/v1/tokens?scope=write";
  EXPECT_EQ(Decide(*v, other_query)->status, Status::ERR_REQUEST_SIGNATURE_INVALID);
}

}  // namespace
}  // namespace tokenverify
