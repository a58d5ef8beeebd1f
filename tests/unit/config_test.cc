// The configuration document: defaults, every field, and errors that name the field.
#include <gtest/gtest.h>

#include <string>

#include "verify/config.h"
#include "verify/duration.h"

namespace tokenverify::internal {
namespace {

// A valid HMAC secret (32 bytes) so that configurations load without key files.
constexpr std::string_view kSecret = R"("secret":"0123456789abcdef0123456789abcdef")";

std::string WithProvider(std::string_view provider_members, std::string_view top = "") {
  std::string s = "{\"providers\":[{" + std::string(kSecret);
  if (!provider_members.empty()) s += "," + std::string(provider_members);
  s += "}]";
  if (!top.empty()) s += "," + std::string(top);
  return s + "}";
}

struct Outcome {
  Status status;
  Error err;
};

Outcome Parse(const std::string& json) {
  Error err;
  auto r = ParseConfig(json, &err);
  return {r.status(), err};
}

TEST(Duration, ParsesNumbersAndStrings) {
  int64_t ms = 0;
  std::string why;
  ASSERT_TRUE(ParseDuration("60s", &ms, &why));
  EXPECT_EQ(ms, 60000);
  ASSERT_TRUE(ParseDuration("5m", &ms, &why));
  EXPECT_EQ(ms, 300000);
  ASSERT_TRUE(ParseDuration("1h30m", &ms, &why));
  EXPECT_EQ(ms, 5400000);
  ASSERT_TRUE(ParseDuration("250ms", &ms, &why));
  EXPECT_EQ(ms, 250);
  ASSERT_TRUE(ParseDuration("2d", &ms, &why));
  EXPECT_EQ(ms, 172800000);
  ASSERT_TRUE(DurationFromSeconds(1.5, &ms, &why));
  EXPECT_EQ(ms, 1500);
  for (const char* bad : {"", "5", "s", "-5s", "5 s", "5x", "1.5s", "99999999999999999999s", "5S"})
    EXPECT_FALSE(ParseDuration(bad, &ms, &why)) << bad;
  EXPECT_FALSE(DurationFromSeconds(-1, &ms, &why));
}

TEST(Config, DefaultsAndFullDocument) {
  Error err;
  auto minimal = ParseConfig(WithProvider(""), &err);
  ASSERT_TRUE(minimal.ok()) << err.message;
  EXPECT_EQ(minimal->leeway_s, 60);  // clock skew, as Envoy's default
  EXPECT_EQ(minimal->max_token_bytes, 16384u);
  EXPECT_EQ(minimal->max_json_depth, 32);
  EXPECT_FALSE(minimal->now.has_value());
  EXPECT_EQ(minimal->providers.at(0).name, "provider0");
  // Every algorithm but ES256K, which must be listed to be allowed.
  EXPECT_EQ(minimal->providers.at(0).algorithms, kAllAlgs & ~AlgBit(Alg::kES256K));

  auto full =
      ParseConfig(WithProvider(R"("name":"p","issuer":"iss","audiences":["a","b"],"algorithms":["HS256","HS512"],
         "subject":"alice","typ":"JWT","claims":[{"name":"team","values":["dev","ops"]},{"name":"org","value":"solo.io"}],
         "requiredClaims":["jti"],"maxTokenAge":"1h","claimsToHeaders":[{"name":"team","header":"x-team"}],
         "forwardToken":true,"tokenSource":{"header":{"header":"X-Token","prefix":"Tok "}})",
                               R"("leeway":"60s","requiredClaims":["exp"],"validationMode":"AllowMissing",
         "limits":{"maxTokenBytes":4096,"maxJsonDepth":8,"maxKeysWithoutKid":2},"now":1700000000)"),
                  &err);
  ASSERT_TRUE(full.ok()) << err.message;
  const ProviderConfig& p = full->providers.at(0);
  EXPECT_EQ(p.name, "p");
  EXPECT_EQ(*p.issuer, "iss");
  EXPECT_EQ(p.audiences, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p.algorithms, AlgBit(Alg::kHS256) | AlgBit(Alg::kHS512));
  EXPECT_EQ(*p.subject, "alice");
  EXPECT_EQ(p.claims.size(), 2u);
  EXPECT_EQ(p.claims[1].values, std::vector<std::string>{"solo.io"});
  EXPECT_EQ(p.required_claims, (std::vector<std::string>{"exp", "jti"}));
  EXPECT_EQ(p.max_token_age_s, 3600);
  EXPECT_TRUE(p.forward_token);
  EXPECT_EQ(p.token_source.name, "X-Token");
  EXPECT_EQ(p.token_source.prefix, "Tok ");
  EXPECT_EQ(full->leeway_s, 60);
  EXPECT_EQ(full->validation_mode, ValidationMode::kAllowMissing);
  EXPECT_EQ(full->max_token_bytes, 4096u);
  EXPECT_EQ(full->max_json_depth, 8);
  EXPECT_EQ(full->max_keys_without_kid, 2u);
  EXPECT_EQ(*full->now, 1700000000);
}

TEST(Config, ErrorsNameTheField) {
  struct Case {
    std::string json;
    Status status;
    std::string field;
  };
  const Case cases[] = {
      {R"({})", Status::ERR_CONFIG, "providers"},
      {R"({"providers":[]})", Status::ERR_CONFIG, "providers"},
      {WithProvider("", R"("isser":"x")"), Status::ERR_CONFIG, "isser"},
      {WithProvider(R"("isuer":"x")"), Status::ERR_CONFIG, "providers[0].isuer"},
      {WithProvider(R"("issuer":42)"), Status::ERR_CONFIG, "providers[0].issuer"},
      {WithProvider(R"("audiences":"a")"), Status::ERR_CONFIG, "providers[0].audiences"},
      // Empty: "no check" to one reader, "nothing accepted" to another.
      {WithProvider(R"("audiences":[])"), Status::ERR_CONFIG, "providers[0].audiences"},
      {WithProvider(R"("algorithms":["HS256","rs256"])"), Status::ERR_CONFIG, "providers[0].algorithms[1]"},
      {WithProvider(R"("algorithms":["none"])"), Status::ERR_CONFIG, "providers[0].algorithms[0]"},
      {WithProvider(R"("algorithms":[])"), Status::ERR_CONFIG, "providers[0].algorithms"},
      {WithProvider("", R"("leeway":"1 minute")"), Status::ERR_CONFIG, "leeway"},
      {WithProvider("", R"("leeway":-1)"), Status::ERR_CONFIG, "leeway"},
      {WithProvider("", R"("limits":{"maxTokenBytes":1})"), Status::ERR_CONFIG, "limits.maxTokenBytes"},
      {WithProvider("", R"("limits":{"maxJsonDepth":1000})"), Status::ERR_CONFIG, "limits.maxJsonDepth"},
      {WithProvider("", R"("limits":{"maxBytes":1})"), Status::ERR_CONFIG, "limits.maxBytes"},
      {WithProvider("", R"("now":"yesterday")"), Status::ERR_CONFIG, "now"},
      {WithProvider("", R"("tokenCache":{"maxEntries":0})"), Status::ERR_CONFIG, "tokenCache.maxEntries"},
      {WithProvider("", R"("tokenCache":{"maxTokenBytes":8})"), Status::ERR_CONFIG, "tokenCache.maxTokenBytes"},
      {WithProvider("", R"("tokenCache":{"size":8})"), Status::ERR_CONFIG, "tokenCache.size"},
      {WithProvider("", R"("revocation":{"maxEntries":-1})"), Status::ERR_CONFIG, "revocation.maxEntries"},
      {WithProvider("", R"("revocation":{"subjectTtl":0})"), Status::ERR_CONFIG, "revocation.subjectTtl"},
      {WithProvider("", R"("revocation":{"redis":{}})"), Status::ERR_CONFIG, "revocation.redis.url"},
      {WithProvider("", R"("revocation":{"redis":{"url":"http://x"}})"), Status::ERR_CONFIG, "revocation.redis.url"},
      {WithProvider("", R"("revocation":{"redis":{"url":"rediss://x"}})"), Status::ERR_CONFIG, "revocation.redis.url"},
      {WithProvider("", R"("revocation":{"redis":{"url":"redis://x:99999"}})"), Status::ERR_CONFIG,
       "revocation.redis.url"},
      {WithProvider("", R"("revocation":{"redis":{"url":"redis://x/db"}})"), Status::ERR_CONFIG,
       "revocation.redis.url"},
      {WithProvider("", R"("revocation":{"redis":{"url":"redis://x","stream":""}})"), Status::ERR_CONFIG,
       "revocation.redis.stream"},
      {WithProvider("", R"("validationMode":"strict")"), Status::ERR_CONFIG, "validationMode"},
      {WithProvider(R"("claims":[{"name":"team"}])"), Status::ERR_CONFIG, "providers[0].claims[0].values"},
      {WithProvider(R"("tokenSource":{"header":{},"cookie":"c"})"), Status::ERR_CONFIG, "providers[0].tokenSource"},
      {R"({"providers":[{"name":"x"}]})", Status::ERR_CONFIG, "providers[0]"},
      {R"({"providers":[{"secret":"short"}]})", Status::ERR_JWK_WEAK, "providers[0].secret"},
      {R"({"providers":[{"secret":{"base64url":"a+b"}}]})", Status::ERR_CONFIG, "providers[0].secret.base64url"},
      {R"({"providers":[{"jwks":{"local":{"file":"/nonexistent/jwks.json"}}}]})", Status::ERR_IO,
       "providers[0].jwks.local.file"},
      {R"({"providers":[{"jwks":{"remote":{}}}]})", Status::ERR_CONFIG, "providers[0].jwks.remote.url"},
      {R"({"providers":[{"jwks":{"remote":{"url":"ftp://x/jwks"}}}]})", Status::ERR_CONFIG,
       "providers[0].jwks.remote.url"},
      {R"({"providers":[{"jwks":{"remote":{"url":"https://x","cacheDuration":0}}}]})", Status::ERR_CONFIG,
       "providers[0].jwks.remote.cacheDuration"},
      {R"({"providers":[{"jwks":{"remote":{"url":"https://x","backoff":{"multiplier":0.5}}}}]})", Status::ERR_CONFIG,
       "providers[0].jwks.remote.backoff.multiplier"},
      {R"({"providers":[{"jwks":{"remote":{"url":"https://x","backoff":{"initial":"20s"}}}}]})", Status::ERR_CONFIG,
       "providers[0].jwks.remote.backoff.initial"},
      {R"({"providers":[{"jwks":{"remote":{"url":"https://x","minRefreshInterval":"2h","maxRefreshInterval":"1h"}}}]})",
       Status::ERR_CONFIG, "providers[0].jwks.remote.minRefreshInterval"},
      {R"({"providers":[{"jwks":{"remote":{"url":"https://x","unknownKidWait":"1m"}}}]})", Status::ERR_CONFIG,
       "providers[0].jwks.remote.unknownKidWait"},
      {R"({"providers":[{"jwks":{"remote":{"url":"https://x","requireInitialKeys":true}}}]})", Status::ERR_CONFIG,
       "providers[0].jwks.remote.requireInitialKeys"},
      {R"({"providers":[{"jwks":{"remote":{"url":"https://x","tls":{"verify":false}}}}]})", Status::ERR_CONFIG,
       "providers[0].jwks.remote.tls.verify"},
      {R"({"providers":[{"jwks":{"remote":{"url":"https://x","followRedirects":1}}}]})", Status::ERR_CONFIG,
       "providers[0].jwks.remote.followRedirects"},
      {R"({"providers":[{"jwks":{"remote":{"url":"https://x","headers":["a"]}}}]})", Status::ERR_CONFIG,
       "providers[0].jwks.remote.headers"},
      {R"({"providers":[{"jwks":{"remote":{"url":"https://x","headers":{"X Key":"v"}}}}]})", Status::ERR_CONFIG,
       "providers[0].jwks.remote.headers.X Key"},
      {R"({"providers":[{"jwks":{"remote":{"url":"https://x","headers":{"X-Key":"v\r\nX-Injected: 1"}}}}]})",
       Status::ERR_CONFIG, "providers[0].jwks.remote.headers.X-Key"},
      {R"({"providers":[{"jwks":{"remote":{"url":"https://x","headers":{"X-Key":1}}}}]})", Status::ERR_CONFIG,
       "providers[0].jwks.remote.headers.X-Key"},
      {R"({"providers":[{"jwks":{"remote":{"url":"https://x","headers":{"If-None-Match":"*"}}}}]})", Status::ERR_CONFIG,
       "providers[0].jwks.remote.headers.If-None-Match"},
      {R"({"providers":[{"jwks":{"remote":{"url":"https://x","headers":{"Host":"evil"}}}}]})", Status::ERR_CONFIG,
       "providers[0].jwks.remote.headers.Host"},
      {R"({"providers":[{"jwks":{"remote":{"url":"https://x","headers":{"X-A":"1","x-a":"2"}}}}]})", Status::ERR_CONFIG,
       "providers[0].jwks.remote.headers.x-a"},
      {R"({"providers":[{"secret":"short","allowShortHmacSecrets":"yes"}]})", Status::ERR_CONFIG,
       "providers[0].allowShortHmacSecrets"},
      {R"({"providers":[{"secret":"","allowShortHmacSecrets":true}]})", Status::ERR_JWK_WEAK, "providers[0].secret"},
      {R"({"providers":[{"secret":"0123456789abcdef0123456789abcdef","allowPaddedSegments":1}]})", Status::ERR_CONFIG,
       "providers[0].allowPaddedSegments"},
      {R"({"providers":[{"jwks":{"remote":{"url":"https://x"},"local":{"pem":""}}}]})", Status::ERR_CONFIG,
       "providers[0].jwks"},
      {R"({"providers":[{"jwks":{"local":{"pem":"x","checkInterval":"1s"}}}]})", Status::ERR_JWK_INVALID,
       "providers[0].jwks.local.pem"},
      {R"({"providers":[{"jwks":{"local":{"inline":"{\"keys\":5}"}}}]})", Status::ERR_JWKS_MALFORMED,
       "providers[0].jwks.local.inline"},
      {"{\"providers\":[{" + std::string(kSecret) + ",\"name\":\"a\"},{" + std::string(kSecret) + ",\"name\":\"a\"}]}",
       Status::ERR_CONFIG, "providers[1].name"},
      {"{\"providers\":[{" + std::string(kSecret) + ",\"issuer\":\"i\"},{" + std::string(kSecret) +
           ",\"issuer\":\"i\"}]}",
       Status::ERR_CONFIG, "providers[1].issuer"},
      {R"({"providers":[{"secret":"0123456789abcdef0123456789abcdef","jwks":{}}]})", Status::ERR_CONFIG,
       "providers[0].jwks"},
      {R"({"providers":1,"providers":2})", Status::ERR_CONFIG, ""},  // duplicate member
  };
  for (const Case& c : cases) {
    Outcome o = Parse(c.json);
    EXPECT_EQ(o.status, c.status) << c.json << " -> " << o.err.message;
    EXPECT_EQ(o.err.field, c.field) << c.json << " -> " << o.err.message;
    EXPECT_FALSE(o.err.message.empty()) << c.json;
  }
}

TEST(Config, RemoteKeySetDefaultsAndKnobs) {
  Error err;
  auto d = ParseConfig(R"({"providers":[{"jwks":{"remote":{"url":"https://idp.example/jwks"}}}]})", &err);
  ASSERT_TRUE(d.ok()) << err.message;
  const KeySourceConfig& src = d->providers[0].keys;
  EXPECT_EQ(src.kind, KeySourceConfig::Kind::kRemote);
  EXPECT_EQ(src.initial, nullptr);
  EXPECT_EQ(src.remote.url, "https://idp.example/jwks");
  EXPECT_EQ(src.remote.cache_duration_ms, 300'000);
  EXPECT_EQ(src.remote.EffectiveMaxStaleMs(), 3'000'000);
  EXPECT_EQ(src.remote.backoff_initial_ms, 1'000);
  EXPECT_EQ(src.remote.backoff_max_ms, 10'000);
  EXPECT_EQ(src.remote.unknown_kid_cooldown_ms, 30'000);
  EXPECT_TRUE(src.remote.verify_tls);
  EXPECT_TRUE(src.remote.follow_redirects);
  EXPECT_TRUE(src.remote.headers.empty());
  EXPECT_FALSE(src.policy.short_hmac_secrets);
  EXPECT_FALSE(d->providers[0].allow_padded_segments);

  auto k = ParseConfig(R"({"providers":[{"jwks":{"remote":{"url":"HTTP://127.0.0.1:1/k","cacheDuration":"250ms",
      "timeout":2,"useCacheHeaders":false,"minRefreshInterval":"1s","maxRefreshInterval":"1h","refreshAhead":"5s",
      "maxStale":"0s","backoff":{"initial":"100ms","multiplier":3,"max":"2s"},"unknownKidCooldown":"1s",
      "unknownKidWait":"500ms","initialFetchWait":"3s","requireInitialKeys":true,"maxResponseBytes":4096,
      "tls":{"insecureSkipVerify":true,"caFile":"/ca.pem"},"followRedirects":false,
      "headers":{"X-Api-Key":"k\t1","User-Agent":"a/1"}}}}]})",
                       &err);
  ASSERT_TRUE(k.ok()) << err.field << ": " << err.message;
  const RemoteJwksConfig& r = k->providers[0].keys.remote;
  EXPECT_EQ(r.cache_duration_ms, 250);
  EXPECT_EQ(r.timeout_ms, 2'000);
  EXPECT_FALSE(r.use_cache_headers);
  EXPECT_EQ(r.min_refresh_interval_ms, 1'000);
  EXPECT_EQ(r.max_refresh_interval_ms, 3'600'000);
  EXPECT_EQ(r.refresh_ahead_ms, 5'000);
  EXPECT_EQ(r.EffectiveMaxStaleMs(), 0);
  EXPECT_EQ(r.backoff_initial_ms, 100);
  EXPECT_EQ(r.backoff_multiplier, 3.0);
  EXPECT_EQ(r.backoff_max_ms, 2'000);
  EXPECT_EQ(r.unknown_kid_cooldown_ms, 1'000);
  EXPECT_EQ(r.unknown_kid_wait_ms, 500);
  EXPECT_EQ(r.initial_fetch_wait_ms, 3'000);
  EXPECT_TRUE(r.require_initial_keys);
  EXPECT_EQ(r.max_response_bytes, 4096u);
  EXPECT_FALSE(r.verify_tls);
  EXPECT_EQ(r.ca_file, "/ca.pem");
  EXPECT_FALSE(r.follow_redirects);
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0], std::make_pair(std::string("X-Api-Key"), std::string("k\t1")));
  EXPECT_EQ(r.headers[1], std::make_pair(std::string("User-Agent"), std::string("a/1")));
}

TEST(Config, RedisUrls) {
  internal::RedisStreamConfig r;
  std::string why;
  ASSERT_TRUE(internal::ParseRedisUrl("redis://user:s3cret@cache.internal:6380/2", &r, &why)) << why;
  EXPECT_EQ(r.host, "cache.internal");
  EXPECT_EQ(r.port, 6380);
  EXPECT_EQ(r.db, 2);
  EXPECT_EQ(r.user, "user");
  EXPECT_EQ(r.password, "s3cret");
  EXPECT_EQ(r.url, "redis://user:***@cache.internal:6380/2");  // never the password in stats or messages
  internal::RedisStreamConfig v6;
  ASSERT_TRUE(internal::ParseRedisUrl("redis://[::1]", &v6, &why)) << why;
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 6379);
  EXPECT_EQ(v6.db, 0);
  EXPECT_FALSE(internal::ParseRedisUrl("redis://", &v6, &why));
  EXPECT_FALSE(internal::ParseRedisUrl("redis://nopass@host", &v6, &why));
}

TEST(Config, InlineJwksMayBeAnObject) {
  Error err;
  auto r = ParseConfig(
      R"({"providers":[{"jwks":{"local":{"inline":{"keys":[{"kty":"oct","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}]}}}}]})",
      &err);
  ASSERT_TRUE(r.ok()) << err.message;
  EXPECT_EQ(r->providers[0].keys.initial->size(), 1u);
}

}  // namespace
}  // namespace tokenverify::internal
