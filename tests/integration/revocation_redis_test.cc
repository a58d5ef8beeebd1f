// Revocations shared through a real redis-server (started here on a free
// port): entries written with redis-cli XADD (the README's line) reach every
// verifier reading the stream; an outage loses nothing and un-revokes
// nothing; a flood stays within the list's bound. How fast a revocation
// lands is measured by bench/bench_revocation_redis.cc, not asserted here.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "support/redis_server.h"
#include "support/signer.h"
#include "tokenverify/revocation.h"
#include "tokenverify/verifier.h"

namespace tokenverify {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using testing::JsonQuote;
using testing::Jwks;
using testing::MakeKey;
using testing::RedisServer;
using testing::SignJws;
using testing::TestKey;

constexpr std::string_view kStream = "tv:test:revocations";

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string Config(const TestKey& k, const std::string& redis_url, std::string_view revocation_extra = "") {
  std::string revocation =
      R"("redis":{"url":)" + JsonQuote(redis_url) + R"(,"stream":)" + JsonQuote(std::string(kStream)) + "}";
  if (!revocation_extra.empty()) revocation += "," + std::string(revocation_extra);
  return R"({"providers":[{"name":"p","issuer":"https://issuer.example","jwks":{"local":{"inline":)" +
         JsonQuote(Jwks({&k})) + R"(}}}],"tokenCache":{"maxEntries":1024},"revocation":{)" + revocation + "}}";
}

std::unique_ptr<Verifier> Make(const std::string& config) {
  Error err;
  auto v = Verifier::Create(config, &err);
  EXPECT_TRUE(v.ok()) << err.message;
  return v.ok() ? std::move(v).value() : nullptr;
}

std::string Token(const TestKey& k, const std::string& sub, const std::string& jti, int64_t iat) {
  return SignJws(k, R"({"alg":"HS256","kid":"k1"})",
                 R"({"iss":"https://issuer.example","sub":")" + sub + R"(","jti":")" + jti + R"(","iat":)" +
                     std::to_string(iat) + R"(,"exp":)" + std::to_string(UnixNow() + 3600) + "}");
}

template <class F>
bool PollUntil(F done, milliseconds timeout) {
  const auto end = Clock::now() + timeout;
  while (Clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return done();
}

// A member of the "redis" object in the stats.
std::string RedisStat(const Verifier& v, std::string_view name) {
  const std::string json = v.StatsJson(false);
  const size_t at = json.find("\"redis\":{");
  if (at == std::string::npos) return "";
  const size_t m = json.find("\"" + std::string(name) + "\":", at);
  if (m == std::string::npos) return "";
  const size_t start = m + name.size() + 3;
  return json.substr(start, json.find_first_of(",}", start) - start);
}
int64_t RevocationStat(const Verifier& v, std::string_view name) {
  const std::string json = v.StatsJson(false);
  const size_t m = json.find("\"" + std::string(name) + "\":", json.find("\"revocation\":{"));
  return std::strtoll(json.c_str() + m + name.size() + 3, nullptr, 10);
}

bool Connected(const Verifier& v) { return RedisStat(v, "connected") == "true"; }

TEST(RevocationRedis, XaddReachesTwoVerifiers) {
  const TestKey k = MakeKey("HS256", "k1");
  auto redis = RedisServer::Start();
  ASSERT_NE(redis, nullptr);
  auto a = Make(Config(k, redis->Url())), b = Make(Config(k, redis->Url()));
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(PollUntil([&] { return Connected(*a) && Connected(*b); }, milliseconds(5000)));

  // The README's lines, through redis-cli: by jti, then by subject.
  const std::string by_jti = Token(k, "alice", "jti-cli", UnixNow() - 10);
  const std::string by_sub = Token(k, "bob", "jti-other", UnixNow() - 10);
  for (const auto* t : {&by_jti, &by_sub}) {
    ASSERT_EQ(a->Verify(*t), Status::OK);
    ASSERT_EQ(b->Verify(*t), Status::OK);  // and cached
  }
  std::string out;
  ASSERT_EQ(
      redis->Cli({"XADD", std::string(kStream), "*", "jti", "jti-cli", "exp", std::to_string(UnixNow() + 3600)}, &out),
      0)
      << out;
  ASSERT_EQ(redis->Cli({"XADD", std::string(kStream), "*", "sub", "bob", "before", std::to_string(UnixNow())}, &out), 0)
      << out;
  for (const auto* v : {&a, &b}) {
    EXPECT_TRUE(PollUntil([&] { return (*v)->Verify(by_jti) == Status::ERR_REVOKED; }, milliseconds(2000)));
    EXPECT_TRUE(PollUntil([&] { return (*v)->Verify(by_sub) == Status::ERR_REVOKED; }, milliseconds(2000)));
  }
  EXPECT_EQ(a->Verify(Token(k, "bob", "new-login", UnixNow() + 1)), Status::OK);  // bob logs in again afterwards

  // Revocation after revocation, each must reach both verifiers (a bounded
  // wait: 2 s, far beyond what it takes; the time is the benchmark's).
  for (int i = 0; i < 20; ++i) {
    const std::string jti = "p" + std::to_string(i);
    const std::string t = Token(k, "carol", jti, UnixNow() - 10);
    ASSERT_EQ(a->Verify(t), Status::OK);
    ASSERT_EQ(b->Verify(t), Status::OK);
    ASSERT_NE(redis->Command({"XADD", std::string(kStream), "*", "jti", jti, "exp", std::to_string(UnixNow() + 3600)})
                  .substr(0, 3),
              "ERR");
    for (const auto* v : {&a, &b})
      ASSERT_TRUE(PollUntil([&] { return (*v)->Verify(t) == Status::ERR_REVOKED; }, milliseconds(2000)))
          << "revocation " << i << " not applied within 2 s";
  }
  EXPECT_EQ(RedisStat(*a, "invalidEntries"), "0");
}

TEST(RevocationRedis, NothingPublishedDuringAnOutageIsLost) {
  const TestKey k = MakeKey("HS256", "k1");
  auto redis = RedisServer::Start();
  ASSERT_NE(redis, nullptr);
  const uint16_t port = redis->port();
  auto v = Make(Config(k, redis->Url()));
  ASSERT_TRUE(v);
  ASSERT_TRUE(PollUntil([&] { return Connected(*v); }, milliseconds(5000)));
  const std::string t = Token(k, "alice", "during-outage", UnixNow() - 10);
  ASSERT_EQ(v->Verify(t), Status::OK);

  redis->Stop();
  ASSERT_TRUE(PollUntil([&] { return !Connected(*v); }, milliseconds(5000)));
  EXPECT_EQ(v->Verify(t), Status::OK);  // verification goes on without Redis
  EXPECT_NE(RedisStat(*v, "lastError"), "");
  std::this_thread::sleep_for(milliseconds(300));  // a few failed reconnects

  // The producer queued its entry while Redis was down; Redis comes back
  // with it already written, before the verifier reconnects.
  redis = RedisServer::Start(port);
  ASSERT_NE(redis, nullptr);
  ASSERT_NE(redis
                ->Command({"XADD", std::string(kStream), "*", "jti", "during-outage", "exp",
                           std::to_string(UnixNow() + 3600)})
                .substr(0, 3),
            "ERR");
  EXPECT_TRUE(PollUntil([&] { return v->Verify(t) == Status::ERR_REVOKED; }, milliseconds(10000)));
  EXPECT_TRUE(Connected(*v));
  EXPECT_GE(std::stoll(RedisStat(*v, "reconnects")), 1);
}

TEST(RevocationRedis, ARedisRestartedEmptyUnrevokesNothing) {
  const TestKey k = MakeKey("HS256", "k1");
  auto redis = RedisServer::Start();
  ASSERT_NE(redis, nullptr);
  const uint16_t port = redis->port();
  auto v = Make(Config(k, redis->Url()));
  ASSERT_TRUE(v);
  const std::string t = Token(k, "alice", "keep-me", UnixNow() - 10);
  ASSERT_EQ(v->Verify(t), Status::OK);
  ASSERT_NE(
      redis->Command({"XADD", std::string(kStream), "*", "jti", "keep-me", "exp", std::to_string(UnixNow() + 3600)})
          .substr(0, 3),
      "ERR");
  ASSERT_TRUE(PollUntil([&] { return v->Verify(t) == Status::ERR_REVOKED; }, milliseconds(5000)));
  redis->Stop();
  redis = RedisServer::Start(port);  // empty: no persistence
  ASSERT_NE(redis, nullptr);
  ASSERT_TRUE(PollUntil([&] { return Connected(*v) && RedisStat(*v, "reconnects") != "0"; }, milliseconds(10000)));
  EXPECT_EQ(v->Verify(t), Status::ERR_REVOKED);
  EXPECT_EQ(RevocationStat(*v, "tokens"), 1);
}

TEST(RevocationRedis, BadEntriesAreCountedAndSkipped) {
  const TestKey k = MakeKey("HS256", "k1");
  auto redis = RedisServer::Start();
  ASSERT_NE(redis, nullptr);
  const std::string s(kStream);
  redis->Command({"XADD", s, "*", "jti", "no-exp"});
  redis->Command({"XADD", s, "*", "jti", "x", "exp", "soon"});
  redis->Command({"XADD", s, "*", "jti", "x", "exp", "1", "sub", "both"});
  redis->Command({"XADD", s, "*", "sub", "alice", "before", std::to_string(UnixNow()), "reason", "compromised"});
  auto v = Make(Config(k, redis->Url()));
  ASSERT_TRUE(v);
  ASSERT_TRUE(PollUntil([&] { return RedisStat(*v, "entries") == "4"; }, milliseconds(5000)));
  EXPECT_EQ(RedisStat(*v, "invalidEntries"), "3");
  EXPECT_EQ(v->Verify(Token(k, "alice", "old", UnixNow() - 100)), Status::ERR_REVOKED);  // the good one applied
}

TEST(RevocationRedis, PublishRevocationWritesTheStreamEntry) {
  const TestKey k = MakeKey("HS256", "k1");
  auto redis = RedisServer::Start();
  ASSERT_NE(redis, nullptr);
  const std::string config = Config(k, redis->Url());
  auto v = Make(config);
  ASSERT_TRUE(v);
  const std::string t = Token(k, "alice", "published", UnixNow() - 10);
  ASSERT_EQ(v->Verify(t), Status::OK);
  std::string id;
  Error err;
  Revocation r;
  r.id = "published";
  r.time = UnixNow() + 3600;
  r.issuer = "https://issuer.example";
  ASSERT_EQ(PublishRevocation(config, r, &id, &err), Status::OK) << err.message;
  EXPECT_NE(id.find('-'), std::string::npos);
  EXPECT_TRUE(PollUntil([&] { return v->Verify(t) == Status::ERR_REVOKED; }, milliseconds(5000)));
  std::string range;
  redis->Cli({"XRANGE", std::string(kStream), "-", "+"}, &range);
  EXPECT_NE(range.find("published"), std::string::npos) << range;
  EXPECT_NE(range.find("https://issuer.example"), std::string::npos) << range;

  redis->Stop();
  EXPECT_EQ(PublishRevocation(config, r, &id, &err), Status::ERR_IO);
  EXPECT_NE(err.message.find("cannot connect"), std::string::npos) << err.message;
  const std::string without_redis = R"({"providers":[{"jwks":{"local":{"inline":)" + JsonQuote(Jwks({&k})) + "}}}]}";
  EXPECT_EQ(PublishRevocation(without_redis, r, &id, &err), Status::ERR_CONFIG);
  EXPECT_EQ(err.field, "revocation.redis");
}

TEST(RevocationRedis, AFloodOfAMillionStaysWithinTheBound) {
  const TestKey k = MakeKey("HS256", "k1");
  auto redis = RedisServer::Start();
  ASSERT_NE(redis, nullptr);
  const std::string exp = std::to_string(UnixNow() + 3600);
  const auto start = Clock::now();
  ASSERT_TRUE(redis->Pipeline(1'000'000, [&](size_t i) {
    return std::vector<std::string>{"XADD", std::string(kStream), "*", "jti", "flood-" + std::to_string(i), "exp", exp};
  }));
  const double written_s = std::chrono::duration<double>(Clock::now() - start).count();
  constexpr int64_t kMax = 262144;
  auto v = Make(Config(k, redis->Url(), R"("maxEntries":262144)"));
  ASSERT_TRUE(v);
  ASSERT_TRUE(PollUntil([&] { return RedisStat(*v, "entries") == "1000000"; }, milliseconds(120000)))
      << v->StatsJson(false);
  const double read_s = std::chrono::duration<double>(Clock::now() - start).count() - written_s;
  EXPECT_EQ(RevocationStat(*v, "tokens"), kMax);
  EXPECT_EQ(RevocationStat(*v, "rejectedFull"), 1'000'000 - kMax);
  EXPECT_LE(RevocationStat(*v, "memoryBytes"), 64 * kMax);  // the README's bound: 64 bytes per entry of maxEntries
  EXPECT_EQ(v->Verify(Token(k, "alice", "flood-0", UnixNow() - 10)), Status::ERR_REVOKED);
  EXPECT_EQ(v->Verify(Token(k, "alice", "flood-999999", UnixNow() - 10)), Status::OK);  // refused as full: counted
  std::printf(
      "[revocation-flood] 1,000,000 XADD in %.1f s, read and applied in %.1f s; %lld kept, %lld refused as full, %lld "
      "bytes\n",
      written_s, read_s, static_cast<long long>(RevocationStat(*v, "tokens")),
      static_cast<long long>(RevocationStat(*v, "rejectedFull")),
      static_cast<long long>(RevocationStat(*v, "memoryBytes")));
}

}  // namespace
}  // namespace tokenverify
