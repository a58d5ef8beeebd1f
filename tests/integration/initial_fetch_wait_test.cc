// initialFetchWait: creating a verifier waits for the first key set, and stops
// waiting early once the first attempt has failed and no further attempt is
// due before the wait would end (a 404 or an invalid set waits for the regular
// schedule, cacheDuration; a retryable failure waits for its backoff).
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "key_cache_rig.h"
#include "support/jwks_server.h"

namespace tokenverify::cachetest {
namespace {

using testing::JwksResponse;
using testing::JwksServer;
using testing::MakeKey;
using testing::ServerResponse;
using testing::SignJwt;
using testing::TestKey;

ServerResponse Answer(int status, std::string body) {
  ServerResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

struct Created {
  Result<std::unique_ptr<Verifier>> verifier;
  Error err;
  int64_t waited_ms;
};

Created CreateTimed(const std::string& url, std::string_view knobs) {
  Error err;
  const auto start = Clock::now();
  auto v = Verifier::Create(RemoteConfig(url, knobs), &err);
  return {std::move(v), err, MsSince(start)};
}

TEST(InitialFetchWait, A404StopsTheWaitAtOnce) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->Serve(Answer(404, "not here"));
  Created c = CreateTimed(server->Url(), R"("initialFetchWait":"5s","requireInitialKeys":true)");
  ASSERT_FALSE(c.verifier.ok());
  EXPECT_EQ(c.verifier.status(), Status::ERR_KEYS_UNAVAILABLE);
  EXPECT_EQ(c.err.status, Status::ERR_KEYS_UNAVAILABLE);
  EXPECT_NE(c.err.message.find("HTTP 404"), std::string::npos) << c.err.message;
  EXPECT_LT(c.waited_ms, 2000);  // not the 5 s: the next attempt is cacheDuration (5m) away
  EXPECT_EQ(server->request_count(), 1);
}

TEST(InitialFetchWait, AnInvalidKeySetStopsTheWaitAtOnce) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->Serve(JwksResponse(R"({"keys":"not a list"})"));
  Created c = CreateTimed(server->Url(), R"("initialFetchWait":"5s","requireInitialKeys":true)");
  ASSERT_FALSE(c.verifier.ok());
  EXPECT_EQ(c.verifier.status(), Status::ERR_KEYS_UNAVAILABLE);
  EXPECT_NE(c.err.message.find("invalid key set"), std::string::npos) << c.err.message;
  EXPECT_LT(c.waited_ms, 2000);
}

TEST(InitialFetchWait, WithoutRequireInitialKeysA404ReturnsAnEmptyVerifierAtOnce) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->Serve(Answer(404, ""));
  Created c = CreateTimed(server->Url(), R"("initialFetchWait":"5s")");
  ASSERT_TRUE(c.verifier.ok()) << c.err.message;
  EXPECT_LT(c.waited_ms, 2000);
  EXPECT_EQ((*c.verifier)->Verify(SignJwt(MakeKey("ES256", "k1"), "{}")), Status::ERR_KEYS_UNAVAILABLE);
}

TEST(InitialFetchWait, ARetryDueAfterTheWaitStopsItAtOnce) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->Serve(Answer(503, ""));
  // The retry comes after 4-8 s (8 s jittered down by up to half): past the 3 s wait.
  Created c = CreateTimed(server->Url(), R"("initialFetchWait":"3s","requireInitialKeys":true,)"
                                         R"("backoff":{"initial":"8s","max":"8s"})");
  ASSERT_FALSE(c.verifier.ok());
  EXPECT_EQ(c.verifier.status(), Status::ERR_KEYS_UNAVAILABLE);
  EXPECT_NE(c.err.message.find("HTTP 503"), std::string::npos) << c.err.message;
  EXPECT_LT(c.waited_ms, 2000);
}

TEST(InitialFetchWait, RetriesDueWithinTheWaitAreWaitedFor) {
  const TestKey k1 = MakeKey("ES256", "k1");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  std::atomic<int> n{0};
  const std::string body = testing::Jwks({&k1});
  server->SetHandler([&n, body](const testing::HttpRequestSeen&) {
    return n.fetch_add(1) < 2 ? Answer(503, "") : JwksResponse(body);
  });
  Created c = CreateTimed(server->Url(), R"("initialFetchWait":"5s","requireInitialKeys":true,)"
                                         R"("backoff":{"initial":"20ms","max":"50ms"})");
  ASSERT_TRUE(c.verifier.ok()) << c.err.message;
  EXPECT_EQ(server->request_count(), 3);
  EXPECT_EQ((*c.verifier)->Verify(SignJwt(k1, "{}")), Status::OK);
}

}  // namespace
}  // namespace tokenverify::cachetest
