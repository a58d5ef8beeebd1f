// Request authentication end to end through Verifier::Authenticate: rules,
// every credential type, the decision's exact members, and the gateway
// semantics (token sources, validation modes, claims to headers, forwardToken).
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/request_helpers.h"
#include "support/signer.h"
#include "tokenverify/request.h"
#include "tokenverify/verifier.h"

namespace tokenverify {
namespace {

using testing::B64;
using testing::JsonQuote;
using testing::Jwks;
using testing::MakeKey;
using testing::SignJwt;
using testing::TestKey;

constexpr int64_t kNow = 1800000000;
using testing::BasicHeader;
using testing::Decide;
using testing::Headers;
using testing::Req;

std::unique_ptr<Verifier> Make(const std::string& config, CredentialValidator validator = {}) {
  return testing::MakeVerifier(config, std::move(validator));
}

Error ConfigError(const std::string& config) {
  Error err;
  auto v = Verifier::Create(config, &err);
  EXPECT_FALSE(v.ok()) << config;
  return err;
}

std::string Json(const Verifier& v, const Req& r) { return Decide(v, r)->Json(); }

const TestKey& Key() {
  static const TestKey key = MakeKey("ES256", "k1");
  return key;
}

std::string Token(std::string_view extra = "") {
  std::string payload = R"({"iss":"solo.io","sub":"alice","exp":1800003600)";
  if (!extra.empty()) payload += "," + std::string(extra);
  return SignJwt(Key(), payload + "}");
}

std::string Provider(std::string_view extra = "") {
  std::string s =
      R"({"name":"kgateway","issuer":"solo.io","jwks":{"local":{"inline":)" + JsonQuote(Jwks({&Key()})) + "}}";
  if (!extra.empty()) s += "," + std::string(extra);
  return s + "}";
}

std::string Config(std::string_view providers, std::string_view top_extra = "") {
  std::string s = R"({"now":)" + std::to_string(kNow);
  if (!providers.empty()) s += R"(,"providers":[)" + std::string(providers) + "]";
  if (!top_extra.empty()) s += "," + std::string(top_extra);
  return s + "}";
}

// ---------------------------------------------------------------- kgateway: no rules, the providers decide

TEST(Authenticate, WithoutRulesEveryRequestNeedsAToken) {
  auto v = Make(Config(Provider()));
  ASSERT_TRUE(v);
  EXPECT_EQ(Json(*v, {.headers = {{"Authorization", "Bearer " + Token()}}}),
            R"({"allow":true,"httpStatus":200,"status":"TV_OK","method":"jwt","rule":null,"principal":"alice",)"
            R"("provider":"kgateway","setHeaders":[],"removeHeaders":["authorization"],"removeQueryParameters":[],)"
            R"("removeCookies":[],"omittedHeaders":[],"wwwAuthenticate":null,"message":"allowed"})");
  EXPECT_EQ(Json(*v, {}),
            R"({"allow":false,"httpStatus":401,"status":"TV_ERR_CREDENTIAL_MISSING","method":"jwt","rule":null,)"
            R"("principal":null,"provider":null,"setHeaders":[],"removeHeaders":[],"removeQueryParameters":[],)"
            R"("removeCookies":[],"omittedHeaders":[],"wwwAuthenticate":"Bearer realm=\"tokenverify\"",)"
            R"("message":"the request carries no credential where its rule looks for one"})");
  std::string forged = Token();
  forged[forged.size() - 10] = forged[forged.size() - 10] == 'A' ? 'B' : 'A';
  auto d = Decide(*v, {.headers = {{"authorization", "Bearer " + forged}}});
  EXPECT_EQ(d->status, Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(d->http_status, 401);
  EXPECT_EQ(*d->www_authenticate,
            R"(Bearer realm="tokenverify", error="invalid_token", error_description="the token is not valid")");
  EXPECT_EQ(d->principal, "");
}

TEST(Authenticate, TheDecisionKeepsTheVerifiedClaims) {
  auto v = Make(Config(Provider()));
  ASSERT_TRUE(v);
  auto d = Decide(*v, {.headers = {{"Authorization", "bearer   " + Token(R"("team":"dev")")}}});
  ASSERT_TRUE(d->allowed());
  ASSERT_TRUE(d->claims);
  ASSERT_NE(d->claims->Find("team"), nullptr);
  EXPECT_EQ(d->claims->Find("team")->string_value, "dev");
}

TEST(Authenticate, AllowMissingLetsATokenlessRequestThroughButNotABadToken) {
  auto v = Make(Config(Provider(), R"("validationMode":"AllowMissing")"));
  ASSERT_TRUE(v);
  auto none = Decide(*v, {});
  EXPECT_TRUE(none->allowed());
  EXPECT_EQ(none->method, AuthMethod::kNone);
  EXPECT_EQ(none->http_status, 200);
  EXPECT_FALSE(none->claims);
  auto bad = Decide(*v, {.headers = {{"Authorization", "Bearer not.a.token"}}});
  EXPECT_EQ(bad->http_status, 401);
  EXPECT_EQ(bad->method, AuthMethod::kJwt);
  // Another scheme in Authorization is no token for a Bearer source.
  EXPECT_TRUE(Decide(*v, {.headers = {{"Authorization", "Basic Zm9vOmJhcg=="}}})->allowed());
}

TEST(Authenticate, ATokenGivenTwiceIsABadRequest) {
  auto v = Make(Config(Provider()));
  ASSERT_TRUE(v);
  auto d = Decide(*v, {.headers = {{"Authorization", "Bearer " + Token()}, {"AUTHORIZATION", "Bearer " + Token()}}});
  EXPECT_EQ(d->status, Status::ERR_DUPLICATE_CREDENTIAL);
  EXPECT_EQ(d->http_status, 400);
  EXPECT_EQ(*d->www_authenticate,
            R"(Bearer realm="tokenverify", error="invalid_request", error_description="token given more than once")");
}

TEST(Authenticate, TokenSourcesHeaderQueryAndCookie) {
  auto header = Make(Config(Provider(R"("tokenSource":{"header":{"header":"x-jwt","prefix":"Bearer "}})")));
  ASSERT_TRUE(header);
  EXPECT_EQ(Decide(*header, {.headers = {{"Authorization", "Bearer " + Token()}}})->status,
            Status::ERR_CREDENTIAL_MISSING);
  auto d = Decide(*header, {.headers = {{"X-JWT", "Bearer " + Token()}}});
  EXPECT_TRUE(d->allowed());
  EXPECT_EQ(d->remove_headers, std::vector<std::string>{"x-jwt"});

  auto query = Make(Config(Provider(R"("tokenSource":{"queryParameter":"access_token"})")));
  ASSERT_TRUE(query);
  d = Decide(*query, {.target = "/x?a=1&access_token=" + Token()});
  EXPECT_TRUE(d->allowed());
  EXPECT_EQ(d->remove_query_parameters, std::vector<std::string>{"access_token"});
  EXPECT_TRUE(d->remove_headers.empty());
  EXPECT_EQ(Decide(*query, {.target = "/x?access_token=" + Token() + "&access_token=" + Token()})->http_status, 400);

  auto cookie = Make(Config(Provider(R"("tokenSource":{"cookie":"session"})")));
  ASSERT_TRUE(cookie);
  d = Decide(*cookie, {.headers = {{"Cookie", "a=b; session=\"" + Token() + "\""}}});
  EXPECT_TRUE(d->allowed());
  EXPECT_EQ(d->remove_cookies, std::vector<std::string>{"session"});
}

TEST(Authenticate, ForwardTokenKeepsTheTokenHeader) {
  auto v = Make(Config(Provider(R"("forwardToken":true)")));
  ASSERT_TRUE(v);
  auto d = Decide(*v, {.headers = {{"Authorization", "Bearer " + Token()}}});
  EXPECT_TRUE(d->allowed());
  EXPECT_TRUE(d->remove_headers.empty());
}

TEST(Authenticate, ClaimsToHeadersAreSetAndSpoofedCopiesAlwaysRemoved) {
  auto v = Make(Config(Provider(
      R"("claimsToHeaders":[{"name":"team","header":"X-Team"},{"name":"org.unit","header":"x-unit"},)"
      R"({"name":"roles","header":"x-roles"},{"name":"evil","header":"x-evil"},{"name":"absent","header":"x-absent"}])")));
  ASSERT_TRUE(v);
  auto d = Decide(
      *v, {.headers = {{"Authorization", "Bearer " + Token(R"("team":"dev","org":{"unit":7},)"
                                                           R"("roles":["a","b",3],"evil":"x\r\nSet-Cookie: y")")},
                       {"x-team", "spoofed"}}});
  ASSERT_TRUE(d->allowed());
  EXPECT_EQ(d->set_headers, (std::vector<std::pair<std::string, std::string>>{
                                {"x-team", "dev"}, {"x-unit", "7"}, {"x-roles", "a,b,3"}}));
  ASSERT_EQ(d->omitted_headers.size(), 1u);
  EXPECT_EQ(d->omitted_headers[0].header, "x-evil");
  EXPECT_EQ(d->omitted_headers[0].claim, "evil");
  EXPECT_EQ(d->remove_headers,
            (std::vector<std::string>{"x-team", "x-unit", "x-roles", "x-evil", "x-absent", "authorization"}));
  // Refused, or let through without a token: the spoofed names are still listed.
  EXPECT_EQ(Decide(*v, {.headers = {{"x-team", "spoofed"}}})->remove_headers.size(), 5u);
}

// ---------------------------------------------------------------- rules

std::string RulesConfig(std::string_view rules, std::string_view providers = "") {
  return Config(providers, R"("rules":)" + std::string(rules));
}

TEST(Authenticate, RulesMatchHostsAndPathsAfterNormalisation) {
  auto v = Make(RulesConfig(
      R"([{"name":"site","host":"example.com","auth":{"type":"bearer","bearer":{"tokens":["site-token"]}},)"
      R"("paths":[{"path":"/admin","auth":{"type":"bearer","bearer":{"tokens":[{"name":"root","token":"admin-token"}]}}},)"
      R"({"path":"/public/","auth":{"enabled":false}},{"exact":"/health","auth":{"type":"none"}},{"path":"/inherit"}]},)"
      R"({"name":"wild","host":"*.example.com"}])"));
  ASSERT_TRUE(v);
  auto bearer = [](const char* t) { return Headers{{"Authorization", std::string("Bearer ") + t}}; };
  auto d = Decide(*v, {.target = "/admin/x", .headers = bearer("admin-token")});
  EXPECT_TRUE(d->allowed());
  EXPECT_EQ(d->rule, "site");
  EXPECT_EQ(d->principal, "root");
  EXPECT_EQ(d->method, AuthMethod::kBearer);
  EXPECT_EQ(Decide(*v, {.target = "/admin", .headers = bearer("site-token")})->status, Status::ERR_UNKNOWN_KEY);
  EXPECT_EQ(Decide(*v, {.target = "/x/../admin", .headers = bearer("site-token")})->status, Status::ERR_UNKNOWN_KEY);
  EXPECT_EQ(Decide(*v, {.target = "/%61dmin", .headers = bearer("site-token")})->status, Status::ERR_UNKNOWN_KEY);
  EXPECT_EQ(Decide(*v, {.target = "/administrator", .headers = bearer("site-token")})->principal, "tokens[0]");
  EXPECT_EQ(Decide(*v, {.target = "/inherit/a", .headers = bearer("site-token")})->status, Status::OK);
  EXPECT_EQ(Decide(*v, {.target = "/inherit/a", .headers = bearer("admin-token")})->status, Status::ERR_UNKNOWN_KEY);
  auto open = Decide(*v, {.target = "/public/x"});
  EXPECT_TRUE(open->allowed());
  EXPECT_EQ(open->method, AuthMethod::kNone);
  EXPECT_EQ(Decide(*v, {.target = "/public"})->status, Status::ERR_CREDENTIAL_MISSING);  // "/public/" means under
  EXPECT_TRUE(Decide(*v, {.target = "/health"})->allowed());
  EXPECT_EQ(Decide(*v, {.target = "/health/x"})->status, Status::ERR_CREDENTIAL_MISSING);
  // A rule without auth lets everything in; a host no rule names is refused.
  auto wild = Decide(*v, {.host = "API.Example.com:8443", .target = "/admin"});
  EXPECT_TRUE(wild->allowed());
  EXPECT_EQ(wild->rule, "wild");
  auto other = Decide(*v, {.host = "other.org"});
  EXPECT_EQ(other->status, Status::ERR_NO_MATCHING_RULE);
  EXPECT_EQ(other->http_status, 403);
  EXPECT_EQ(other->rule, "");
}

TEST(Authenticate, WithoutRulesTheTargetIsReadOnlyByAQueryTokenSource) {
  auto header = Make(Config(Provider()));
  auto query = Make(Config(Provider(R"("tokenSource":{"queryParameter":"access_token"})")));
  ASSERT_TRUE(header && query);
  EXPECT_TRUE(Decide(*header, {.target = "*", .headers = {{"Authorization", "Bearer " + Token()}}})->allowed());
  EXPECT_EQ(Decide(*query, {.target = "*"})->status, Status::ERR_MALFORMED_REQUEST);
  EXPECT_EQ(Decide(*header, {.method = "G T", .headers = {{"Authorization", "Bearer " + Token()}}})->status,
            Status::ERR_MALFORMED_REQUEST);
}

TEST(Authenticate, RequestsThatAreNotWellFormedAreRefusedWith400) {
  auto v = Make(RulesConfig(R"([{"auth":{"enabled":false}}])"));
  ASSERT_TRUE(v);
  EXPECT_TRUE(Decide(*v, {})->allowed());
  for (const Req& r :
       {Req{.target = "http://example.com/"}, Req{.target = "*"}, Req{.target = "/a#b"}, Req{.target = "/a%2Fb"},
        Req{.target = ""}, Req{.method = ""}, Req{.method = "GE T"}, Req{.host = "a b"}, Req{.headers = {{"x:y", "a"}}},
        Req{.headers = {{"bad name", "a"}}}, Req{.headers = {{"", "a"}}}}) {
    auto d = Decide(*v, r);
    EXPECT_EQ(d->status, Status::ERR_MALFORMED_REQUEST) << r.method << " " << r.target;
    EXPECT_EQ(d->http_status, 400);
  }
}

TEST(Authenticate, ApiKeysInAHeaderOrAQueryParameter) {
  auto v = Make(RulesConfig(
      R"([{"paths":[{"path":"/h","auth":{"type":"apiKey","apiKey":{"keys":[{"name":"acme","key":"key-1"},)"
      R"({"name":"hashed","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}]}}},)"
      R"({"path":"/q","auth":{"type":"apiKey","apiKey":{"query":"api_key","keys":["key-2"]}}}]}])"));
  ASSERT_TRUE(v);
  auto d = Decide(*v, {.target = "/h", .headers = {{"x-api-key", "key-1"}}});
  EXPECT_TRUE(d->allowed());
  EXPECT_EQ(d->principal, "acme");
  EXPECT_EQ(d->method, AuthMethod::kApiKey);
  EXPECT_EQ(Decide(*v, {.target = "/h", .headers = {{"X-Api-Key", "abc"}}})->principal, "hashed");  // by its SHA-256
  EXPECT_EQ(Decide(*v, {.target = "/h", .headers = {{"X-Api-Key", "key-2"}}})->status, Status::ERR_UNKNOWN_KEY);
  EXPECT_EQ(Decide(*v, {.target = "/h", .headers = {{"X-Api-Key", "key-1"}, {"X-Api-Key", "key-1"}}})->http_status,
            400);
  auto missing = Decide(*v, {.target = "/h"});
  EXPECT_EQ(missing->http_status, 401);
  EXPECT_EQ(*missing->www_authenticate, R"(ApiKey realm="tokenverify", header="X-Api-Key")");
  EXPECT_EQ(Decide(*v, {.target = "/q?api_key=key-2"})->status, Status::OK);
  EXPECT_EQ(Decide(*v, {.target = "/q?api_key=key-1"})->status, Status::ERR_UNKNOWN_KEY);
}

TEST(Authenticate, AnyOfAcceptsTheFirstThatVerifiesAndReportsTheMostTellingFailure) {
  auto v = Make(
      RulesConfig(R"([{"auth":{"anyOf":[{"type":"jwt"},{"type":"apiKey","apiKey":{"keys":["k"]}}]}}])", Provider()));
  ASSERT_TRUE(v);
  EXPECT_EQ(Decide(*v, {.headers = {{"X-Api-Key", "k"}}})->method, AuthMethod::kApiKey);
  EXPECT_TRUE(Decide(*v, {.headers = {{"X-Api-Key", "k"}}})->allowed());
  auto jwt = Decide(*v, {.headers = {{"Authorization", "Bearer " + Token()}}});
  EXPECT_TRUE(jwt->allowed());
  EXPECT_EQ(jwt->method, AuthMethod::kJwt);
  auto none = Decide(*v, {});
  EXPECT_EQ(none->status, Status::ERR_CREDENTIAL_MISSING);
  EXPECT_EQ(*none->www_authenticate, R"(Bearer realm="tokenverify", ApiKey realm="tokenverify", header="X-Api-Key")");
  auto wrong = Decide(*v, {.headers = {{"X-Api-Key", "nope"}}});
  EXPECT_EQ(wrong->status, Status::ERR_UNKNOWN_KEY);
  EXPECT_EQ(wrong->method, AuthMethod::kApiKey);
}

TEST(Authenticate, AJwtRuleAcceptsOnlyItsProviders) {
  const TestKey other = MakeKey("ES256", "k2");
  const std::string second =
      R"({"name":"other","issuer":"other.io","jwks":{"local":{"inline":)" + JsonQuote(Jwks({&other})) + "}}}";
  auto v = Make(RulesConfig(R"([{"auth":{"type":"jwt","providers":["kgateway"]}}])", Provider() + "," + second));
  ASSERT_TRUE(v);
  EXPECT_TRUE(Decide(*v, {.headers = {{"Authorization", "Bearer " + Token()}}})->allowed());
  const std::string foreign = SignJwt(other, R"({"iss":"other.io","sub":"bob","exp":1800003600})");
  auto d = Decide(*v, {.headers = {{"Authorization", "Bearer " + foreign}}});
  EXPECT_EQ(d->status, Status::ERR_PROVIDER_NOT_ALLOWED);
  EXPECT_EQ(d->http_status, 401);
}

TEST(Authenticate, HmacSignaturesWindowBodyCapAndReplays) {
  const std::string config = R"({"now":1700000010,"rules":[{"auth":{"type":"hmac","hmac":{"scheme":"authgate",)"
                             R"("secrets":[{"name":"old","secret":"s0"},{"name":"authgate","secret":"s1"}],)"
                             R"("maxBodyBytes":64}}}]})";
  auto v = Make(config);
  ASSERT_TRUE(v);
  auto signed_request = [](std::string ts, std::string body) {
    Req r{.method = "POST", .target = "/hooks?x=1", .body = body};
    r.headers = {{"X-Timestamp", ts}, {"X-Signature", testing::HmacSha256Hex("s1", ts + "POST/hooks?x=1" + body)}};
    return r;
  };
  auto d = Decide(*v, signed_request("1700000000", "{}"));
  EXPECT_TRUE(d->allowed());
  EXPECT_EQ(d->principal, "authgate");
  EXPECT_EQ(d->method, AuthMethod::kHmac);
  auto again = Decide(*v, signed_request("1700000000", "{}"));
  EXPECT_EQ(again->status, Status::ERR_REPLAYED_REQUEST);
  EXPECT_EQ(again->http_status, 401);
  EXPECT_EQ(Decide(*v, signed_request("1699999000", "{}"))->status, Status::ERR_TIMESTAMP_OUT_OF_WINDOW);
  EXPECT_EQ(Decide(*v, signed_request("1700000001", std::string(65, 'x')))->status, Status::ERR_BODY_TOO_LARGE);
  EXPECT_EQ(Decide(*v, signed_request("1700000001", std::string(65, 'x')))->http_status, 400);
  Req tampered = signed_request("1700000002", "{}");
  tampered.body = "{ }";
  EXPECT_EQ(Decide(*v, tampered)->status, Status::ERR_REQUEST_SIGNATURE_INVALID);
  EXPECT_EQ(Decide(*v, {.method = "POST", .target = "/hooks"})->status, Status::ERR_CREDENTIAL_MISSING);
}

TEST(Authenticate, ValidatorsDecideForBasicAndApiKeyRules) {
  const std::string config =
      R"({"rules":[{"name":"v","paths":[{"path":"/b","auth":{"type":"basic","basic":{"validator":true}}},)"
      R"({"path":"/k","auth":{"type":"apiKey","apiKey":{"validator":true}}}]}]})";
  EXPECT_EQ(ConfigError(config).status, Status::ERR_CONFIG);
  std::vector<std::string> seen;
  std::mutex mu;
  auto v = Make(config, [&](const CredentialCheck& c) {
    std::lock_guard lock(mu);
    seen.push_back(std::string(c.rule) + "/" + std::string(AuthMethodName(c.method)) + "/" + std::string(c.user) + "/" +
                   std::string(c.password));
    return c.user == "good" || c.password == "good";
  });
  ASSERT_TRUE(v);
  auto d = Decide(*v, {.target = "/b", .headers = {{"Authorization", BasicHeader("ann", "good")}}});
  EXPECT_TRUE(d->allowed());
  EXPECT_EQ(d->principal, "ann");
  EXPECT_EQ(Decide(*v, {.target = "/b", .headers = {{"Authorization", BasicHeader("ann", "bad")}}})->status,
            Status::ERR_BAD_CREDENTIALS);
  EXPECT_TRUE(Decide(*v, {.target = "/k", .headers = {{"X-Api-Key", "good"}}})->allowed());
  EXPECT_EQ(seen, (std::vector<std::string>{"v/basic/ann/good", "v/basic/ann/bad", "v/apiKey/good/"}));
}

TEST(Authenticate, BasicUsersWithHashesAndPlainText) {
  auto v = Make(RulesConfig(
      R"([{"auth":{"type":"basic","basic":{"realm":"admin","users":[{"username":"plain","password":"pw-1"},)"
      R"({"username":"bc","password":"$2y$05$abcdefghijklmnopqrstuuedAVMeivF.WMN1NuIlRdqtxdbU1i4VG"}]}}}])"));
  ASSERT_TRUE(v);
  auto d = Decide(*v, {.headers = {{"Authorization", BasicHeader("plain", "pw-1")}}});
  EXPECT_TRUE(d->allowed());
  EXPECT_EQ(d->principal, "plain");
  EXPECT_EQ(d->method, AuthMethod::kBasic);
  EXPECT_TRUE(Decide(*v, {.headers = {{"Authorization", BasicHeader("bc", "admin-pass")}}})->allowed());
  for (const auto& [user, password] : std::vector<std::pair<std::string, std::string>>{
           {"bc", "admin-pasS"}, {"nobody", "admin-pass"}, {"plain", "pw-2"}, {"plain", ""}}) {
    auto refused = Decide(*v, {.headers = {{"Authorization", BasicHeader(user, password)}}});
    EXPECT_EQ(refused->status, Status::ERR_BAD_CREDENTIALS) << user;
    EXPECT_EQ(refused->http_status, 401);
    EXPECT_EQ(*refused->www_authenticate, R"(Basic realm="admin", charset="UTF-8")");
    EXPECT_EQ(refused->principal, "");
  }
  EXPECT_EQ(Decide(*v, {.headers = {{"Authorization", "Basic !!!!"}}})->status, Status::ERR_MALFORMED_CREDENTIAL);
  EXPECT_EQ(Decide(*v, {.headers = {{"Authorization", "Basic bm9jb2xvbg=="}}})->status,
            Status::ERR_MALFORMED_CREDENTIAL);  // "nocolon"
  EXPECT_EQ(Decide(*v, {.headers = {{"Authorization", "Bearer x"}}})->status, Status::ERR_CREDENTIAL_MISSING);
  // Control characters in the user or password (RFC 7617 §2).
  EXPECT_EQ(Decide(*v, {.headers = {{"Authorization", BasicHeader("pla\nin", "pw-1")}}})->status,
            Status::ERR_MALFORMED_CREDENTIAL);
}

// ---------------------------------------------------------------- configuration errors

TEST(Authenticate, ConfigurationErrorsNameTheField) {
  struct Case {
    std::string rules;
    std::string field;
  };
  for (const Case& c : std::vector<Case>{
           {R"([{"auth":{"type":"magic"}}])", "rules[0].auth.type"},
           {R"([{"auth":{"type":"basic","bearer":{"tokens":["x"]}}}])", "rules[0].auth.bearer"},
           {R"([{"auth":{"type":"basic"}}])", "rules[0].auth.basic"},
           {R"([{"auth":{}}])", "rules[0].auth"},
           {R"([{"auth":{"type":"jwt"}}])", "providers"},
           {R"([{"paths":[{"auth":{"enabled":false}}]}])", "rules[0].paths[0]"},
           {R"([{"paths":[{"path":"/a"},{"path":"/a"}]}])", "rules[0].paths[1].path"},
           {R"([{"host":"a.com"},{"host":"A.com"}])", "rules[1].host"},
           {R"([{"auth":{"type":"apiKey","apiKey":{"keys":[{"name":"x","sha256":"00"}]}}}])",
            "rules[0].auth.apiKey.keys[0]"},
           {R"([{"auth":{"type":"hmac","hmac":{"scheme":"nope","secrets":["s"]}}}])", "rules[0].auth.hmac.scheme"},
           {R"([{"auth":{"anyOf":[{"type":"none"}]}}])", "rules[0].auth.anyOf[0]"},
           {R"([])", "rules"},
       }) {
    const Error err = ConfigError(R"({"rules":)" + c.rules + "}");
    EXPECT_EQ(err.status, Status::ERR_CONFIG) << c.rules;
    EXPECT_EQ(err.field, c.field) << c.rules << ": " << err.message;
  }
  const Error unknown = ConfigError(Config(Provider(), R"("rules":[{"auth":{"type":"jwt","providers":["x"]}}])"));
  EXPECT_EQ(unknown.field, "rules[0].auth.providers[0]");
  EXPECT_NE(unknown.message.find("no provider is named \"x\""), std::string::npos);
  // Rules that need no JWT need no providers.
  EXPECT_TRUE(Make(R"({"rules":[{"auth":{"type":"bearer","bearer":{"tokens":["t"]}}}]})"));
}

}  // namespace
}  // namespace tokenverify

namespace tokenverify {
namespace {

// Under ThreadSanitizer too (ctest -L concurrency): one verifier, every kind
// of auth with state (the Basic success cache, the HMAC replay cache) and
// without, from four threads at once.
TEST(Concurrency, AuthenticateFromManyThreads) {
  auto v = Make(RulesConfig(
      R"([{"paths":[{"path":"/jwt","auth":{"type":"jwt"}},)"
      R"({"path":"/basic","auth":{"type":"basic","basic":{"users":[{"username":"u","password":"$1$saltsalt$EzxqvF/RLmdVY6Ao7BGuR1"}]}}},)"
      R"({"path":"/hooks","auth":{"type":"hmac","hmac":{"scheme":"github","secrets":["s"]}}},)"
      R"({"path":"/keys","auth":{"type":"apiKey","apiKey":{"keys":["k"]}}}]}])",
      Provider()));
  ASSERT_TRUE(v);
  const std::string token = Token();
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string body = std::to_string(t) + "-" + std::to_string(i);
        const Req requests[] = {
            {.target = "/jwt", .headers = {{"Authorization", "Bearer " + token}}},
            {.target = "/basic", .headers = {{"Authorization", BasicHeader("u", i % 2 ? "pw-one" : "no")}}},
            {.method = "POST",
             .target = "/hooks",
             .headers = {{"X-Hub-Signature-256", "sha256=" + testing::HmacSha256Hex("s", body)}},
             .body = body},
            {.target = "/keys", .headers = {{"X-Api-Key", i % 3 ? "k" : "x"}}}};
        const bool want[] = {true, i % 2 == 1, true, i % 3 != 0};
        for (int r = 0; r < 4; ++r)
          if (Decide(*v, requests[r])->allowed() != want[r]) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace tokenverify
