// The remote key cache against a misbehaving JWKS server on 127.0.0.1.
//
// For every fault: (a) tokens signed by keys of the last good set keep
// verifying while within maxStale; (b) past maxStale the provider answers
// ERR_KEYS_STALE, and recovers when the server heals; (c) a key the healed set
// no longer has fails with ERR_KID_NOT_FOUND; (d) the fetches the server saw
// stay within what the schedule and backoff allow. Then the caching headers
// (max-age, ETag/304), the unknown-kid cooldown under a flood of random kids,
// start-up with and without waiting, file sources, stats and events.
//
// Every run prints one "[fault-table]" line per fault (the table of the
// issue's closing note): valid tokens rejected within maxStale, fetches
// during the fault and their allowed range.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "key_cache_rig.h"
#include "support/jwks_server.h"
#include "verify/verifier_testing.h"

namespace tokenverify::cachetest {
namespace {

using testing::HttpRequestSeen;
using testing::JwksHandler;
using testing::JwksResponse;
using testing::JwksServer;
using testing::MakeKey;
using testing::ServerResponse;
using testing::SignJws;
using testing::SignJwt;
using testing::TestKey;
using Kind = KeySetEvent::Kind;

// The schedule every fault test runs on (see FaultKnobs).
constexpr int64_t kCacheMs = 100;    // cacheDuration (refreshAhead 10 ms: a refresh 90 ms after a success)
constexpr int64_t kTimeoutMs = 150;  // one fetch
constexpr int64_t kMaxStaleMs = 600;
constexpr int64_t kBackoffInitialMs = 20, kBackoffMaxMs = 80;
constexpr double kBackoffMultiplier = 2;
constexpr int64_t kRetryAfterS = 1;  // sent with 429; capped at cacheDuration
constexpr size_t kMaxBodyBytes = 4096;

std::string FaultKnobs() {
  return R"("cacheDuration":"100ms","refreshAhead":"10ms","timeout":"150ms","maxStale":"600ms",)"
         R"("useCacheHeaders":false,"backoff":{"initial":"20ms","multiplier":2,"max":"80ms"},)"
         R"("unknownKidCooldown":"200ms","maxResponseBytes":4096,"initialFetchWait":"5s",)"
         R"("requireInitialKeys":true)";
}

// kEmptySet and kOnlySkippedKeys are 200 answers with a well-formed set that
// holds no usable key: a failed refresh, never a replacement of the good set.
enum class Fault {
  k500,
  k429,
  k404,
  kHang,
  kTrickle,
  kGarbage,
  kHugeBody,
  kInvalidJwks,
  kRefused,
  kEmptySet,
  kOnlySkippedKeys
};

const char* FaultName(Fault f) {
  switch (f) {
    case Fault::k500:
      return "http_500";
    case Fault::k429:
      return "http_429_retry_after";
    case Fault::k404:
      return "http_404";
    case Fault::kHang:
      return "hang";
    case Fault::kTrickle:
      return "trickle";
    case Fault::kGarbage:
      return "garbage_bytes";
    case Fault::kHugeBody:
      return "huge_body";
    case Fault::kInvalidJwks:
      return "invalid_jwks_json";
    case Fault::kRefused:
      return "connection_refused";
    case Fault::kEmptySet:
      return "empty_key_set";
    case Fault::kOnlySkippedKeys:
      return "only_skipped_keys";
  }
  return "?";
}

// Whether the cache retries the fault with backoff (else it waits cacheDuration).
bool Retried(Fault f) {
  return f != Fault::k404 && f != Fault::kHugeBody && f != Fault::kInvalidJwks && f != Fault::kEmptySet &&
         f != Fault::kOnlySkippedKeys;
}

ServerResponse FaultResponse(Fault f, const std::string& good_body) {
  ServerResponse r;
  switch (f) {
    case Fault::k500:
      r.status = 500;
      r.body = "internal error";
      break;
    case Fault::k429:
      r.status = 429;
      r.body = "slow down";
      r.headers = {{"Retry-After", std::to_string(kRetryAfterS)}};
      break;
    case Fault::k404:
      r.status = 404;
      r.body = "not found";
      break;
    case Fault::kHang:  // the good set, but far too late
      r.body = good_body;
      r.mode = ServerResponse::Mode::kHang;
      r.hang_ms = 5000;
      break;
    case Fault::kTrickle:  // the good set, one byte every 10 ms: ~4 s in all
      r.body = good_body;
      r.mode = ServerResponse::Mode::kTrickle;
      r.trickle_interval_ms = 10;
      break;
    case Fault::kGarbage:
      r.mode = ServerResponse::Mode::kRawBytes;
      r.raw_bytes = std::string("\x16\x03\x01\x02\x00 not http at all \xff\xfe\r\n\r\n", 28);
      break;
    case Fault::kHugeBody:
      r.body = std::string(16 * kMaxBodyBytes, ' ') + good_body;  // valid JSON, just too big
      break;
    case Fault::kInvalidJwks:
      r.body = good_body.substr(0, good_body.size() / 2);
      break;
    case Fault::kRefused:
      break;  // the server is stopped instead
    case Fault::kEmptySet:
      r.body = R"({"keys":[]})";
      break;
    case Fault::kOnlySkippedKeys: {  // a retired 1024-bit key and an encryption key
      const testing::TestKey weak = MakeKey("RS256", "retired", 1024), enc = MakeKey("ES256", "enc");
      r.body = R"({"keys":[)" + weak.PublicJwk() + "," + enc.PublicJwk(R"("use":"enc")") + "]}";
      break;
    }
  }
  return r;
}

// Serves a good set or a fault, and counts what it served.
class FaultyJwks {
 public:
  void ServeGood(std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    body_ = std::move(body);
    faulty_ = false;
  }
  // Returns when the last good set was served.
  Clock::time_point ServeFault(Fault f) {
    std::lock_guard<std::mutex> lock(mu_);
    fault_ = f;
    faulty_ = true;
    return last_good_;
  }
  JwksServer::Handler Handler() {
    return [this](const HttpRequestSeen&) {
      std::lock_guard<std::mutex> lock(mu_);
      if (faulty_) {
        ++fault_served_;
        return FaultResponse(fault_, body_);
      }
      ++good_served_;
      last_good_ = Clock::now();
      return JwksResponse(body_);
    };
  }
  int good_served() const {
    std::lock_guard<std::mutex> lock(mu_);
    return good_served_;
  }
  int fault_served() const {
    std::lock_guard<std::mutex> lock(mu_);
    return fault_served_;
  }

 private:
  mutable std::mutex mu_;
  std::string body_;
  bool faulty_ = false;
  Fault fault_ = Fault::k500;
  int good_served_ = 0, fault_served_ = 0;
  Clock::time_point last_good_{};
};

// The shortest wait the cache may leave after its n-th consecutive failure.
int64_t MinDelayAfterFailure(Fault f, int n) {
  if (!Retried(f)) return kCacheMs;
  double d = static_cast<double>(kBackoffInitialMs);
  for (int i = 1; i < n; ++i) d = std::min(d * kBackoffMultiplier, static_cast<double>(kBackoffMaxMs));
  int64_t delay = std::max<int64_t>(1, static_cast<int64_t>(d / 2));  // jitter takes off up to half
  if (f == Fault::k429) delay = std::max(delay, std::min(kRetryAfterS * 1000, kCacheMs));
  return delay;
}

// The most fetches that fit in `elapsed_ms` of failures: the first at once,
// each next one no sooner than the minimum delay after the one before ended
// (a fetch of a server that never answers lasts the whole timeout).
int MaxFetches(Fault f, int64_t elapsed_ms) {
  const int64_t duration = f == Fault::kHang || f == Fault::kTrickle ? kTimeoutMs : 0;
  int n = 1;
  int64_t t = 0;
  while ((t += duration + MinDelayAfterFailure(f, n)) <= elapsed_ms) ++n;
  return n;
}

// The fewest: each cycle lasts at most the longest delay plus one fetch (the
// timeout for faults that never answer, else scheduling slack); the first
// fault fetch comes at most one refresh interval after the switch; one less
// for good measure.
int MinFetches(Fault f, int64_t elapsed_ms) {
  const int64_t longest_delay = Retried(f) ? (f == Fault::k429 ? kCacheMs : kBackoffMaxMs) : kCacheMs;
  const bool times_out = f == Fault::kHang || f == Fault::kTrickle;
  const int64_t cycle = longest_delay + (times_out ? kTimeoutMs : 0) + 60;
  return std::max<int>(1, static_cast<int>((elapsed_ms - kCacheMs) / cycle) - 1);
}

class KeyCacheFaultTest : public ::testing::TestWithParam<Fault> {};

TEST_P(KeyCacheFaultTest, ServesTheLastGoodSetThenGoesStaleThenRecovers) {
  const Fault fault = GetParam();
  const TestKey k1 = MakeKey("ES256", "k1"), k2 = MakeKey("ES256", "k2"), k3 = MakeKey("ES256", "k3");
  FaultResponse(fault, "");  // generates (and caches) the keys a fault body holds, outside the server's timing
  const std::string t1 = SignJwt(k1, "{}"), t2 = SignJwt(k2, "{}"), t3 = SignJwt(k3, "{}");

  // Declared before the server, which calls its handler until it stops.
  FaultyJwks jwks;
  JwksServer::Options options;
  options.max_lifetime_s = 60;
  auto server = JwksServer::Start(options);
  ASSERT_NE(server, nullptr);
  jwks.ServeGood(testing::Jwks({&k1, &k2}));
  server->SetHandler(jwks.Handler());

  EventLog log;
  Error err;
  auto created = Verifier::Create(RemoteConfig(server->Url(), FaultKnobs()), &err, log.Callback());
  ASSERT_TRUE(created.ok()) << err.message;
  const Verifier& v = **created;
  ASSERT_EQ(v.Verify(t1), Status::OK);
  ASSERT_EQ(v.Verify(t2), Status::OK);
  ASSERT_EQ(v.Verify(t3), Status::ERR_KID_NOT_FOUND);

  // Break the server right after a good fetch, so that the last good set is
  // known to be at most a moment old.
  const int good_before = jwks.good_served();
  ASSERT_TRUE(PollUntil([&] { return jwks.good_served() > good_before; }, milliseconds(3000)));
  // ... and once the cache has taken it in (the server counts before it answers).
  ASSERT_TRUE(
      PollUntil([&] { return StatInt(v.StatsJson(false), "fetches") >= jwks.good_served(); }, milliseconds(3000)));
  const std::string before_fault = v.StatsJson(false);
  const int64_t fetches_before = StatInt(before_fault, "fetches");
  Clock::time_point last_good;
  if (fault == Fault::kRefused) {
    last_good = jwks.ServeFault(fault);
    server->Stop();
  } else {
    last_good = jwks.ServeFault(fault);
  }
  const auto fault_start = Clock::now();

  // (a) Within maxStale of the last good set, both of its keys verify.
  // (The set was fetched no earlier than last_good; it is dropped no
  // earlier than its lifetime plus maxStale after that.)
  int rejected = 0, checked = 0;
  bool saw_stale_flag = false;
  const auto ok_until = last_good + milliseconds(kMaxStaleMs - 20);
  while (Clock::now() < ok_until) {
    for (const std::string* t : {&t1, &t2}) {
      const Status s = v.Verify(*t);
      ++checked;
      if (s != Status::OK) {
        ++rejected;
        ADD_FAILURE() << FaultName(fault) << ": a valid token got " << StatusName(s) << " " << MsSince(last_good)
                      << " ms after the last good set";
      }
    }
    if (!saw_stale_flag && Clock::now() > last_good + milliseconds(kCacheMs + kTimeoutMs + 100)) {
      const std::string s = v.StatsJson(false);
      saw_stale_flag = true;
      EXPECT_TRUE(StatBool(s, "stale")) << s;
      EXPECT_FALSE(StatBool(s, "healthy")) << s;
      EXPECT_EQ(StatInt(s, "keyCount"), 2) << s;
      EXPECT_GE(StatInt(s, "consecutiveFailures"), 1) << s;
      EXPECT_GE(StatInt(s, "errors"), 1) << s;
      EXPECT_EQ(StatText(s, "lastOutcome"), "\"failed\"") << s;
      if (fault == Fault::kEmptySet) {
        EXPECT_EQ(StatText(s, "lastError"), "\"invalid key set: key set: it holds no key\"") << s;
      }
      if (fault == Fault::kOnlySkippedKeys) {  // the stats document escapes the quotes
        EXPECT_NE(s.find(R"(keys[0] (kid \"retired\"): \"n\" is a 1024-bit modulus)"), std::string::npos) << s;
      }
    }
    std::this_thread::sleep_for(milliseconds(3));
  }
  EXPECT_TRUE(saw_stale_flag);
  EXPECT_EQ(rejected, 0);

  // (b) Past maxStale the set is dropped: ERR_KEYS_STALE, not a guess.
  Status after = Status::OK;
  ASSERT_TRUE(PollUntil([&] { return (after = v.Verify(t1)) == Status::ERR_KEYS_STALE; },
                        milliseconds(kCacheMs + kTimeoutMs + 3000)))
      << FaultName(fault) << ": still " << StatusName(after);
  EXPECT_EQ(v.Verify(t2), Status::ERR_KEYS_STALE);
  const int64_t stale_after_ms = MsSince(last_good);
  EXPECT_GE(stale_after_ms, kMaxStaleMs);
  {
    const std::string s = v.StatsJson(false);
    EXPECT_FALSE(StatBool(s, "healthy")) << s;
    EXPECT_EQ(StatInt(s, "keyCount"), 0) << s;
    EXPECT_GE(log.Count(Kind::kFailed), 1);
    // Events reach the callback once the refresher has let go of its lock,
    // a moment after readers see the change.
    EXPECT_TRUE(PollUntil([&] { return log.Count(Kind::kDropped) >= 1; }, milliseconds(2000)));
  }

  // (d) Fetches during the fault, counted on the server (for a stopped
  // server, by the cache: nobody else can count a refused connection).
  // (Counted first, then the time: a fetch in between only loosens the bound.)
  const int fetches = fault == Fault::kRefused
                          ? static_cast<int>(StatInt(v.StatsJson(false), "fetches") - fetches_before)
                          : jwks.fault_served();
  const int64_t elapsed = MsSince(fault_start);
  const int max_fetches = MaxFetches(fault, elapsed), min_fetches = MinFetches(fault, elapsed);
  EXPECT_LE(fetches, max_fetches) << FaultName(fault) << " in " << elapsed << " ms";
  EXPECT_GE(fetches, min_fetches) << FaultName(fault) << " in " << elapsed << " ms";

  // Heal, with k2 removed upstream and k3 added.
  std::unique_ptr<JwksServer> restarted;
  jwks.ServeGood(testing::Jwks({&k1, &k3}));
  const auto heal_start = Clock::now();
  if (fault == Fault::kRefused) {
    options.port = server->port();
    restarted = JwksServer::Start(options);
    ASSERT_NE(restarted, nullptr);
    restarted->SetHandler(jwks.Handler());
  }
  ASSERT_TRUE(PollUntil([&] { return v.Verify(t1) == Status::OK; }, milliseconds(5000)))
      << FaultName(fault) << ": no recovery";
  const int64_t recovery_ms = MsSince(heal_start);
  EXPECT_EQ(v.Verify(t3), Status::OK);
  // (c) The key removed upstream no longer verifies.
  EXPECT_EQ(v.Verify(t2), Status::ERR_KID_NOT_FOUND);
  {
    const std::string s = v.StatsJson(false);
    EXPECT_EQ(StatInt(s, "consecutiveFailures"), 0) << s;
    EXPECT_EQ(StatInt(s, "keyCount"), 2) << s;
    EXPECT_EQ(StatInt(s, "generation"), 2) << s;
    // "unchanged" once the next refresh has confirmed the healed set.
    const std::string outcome = StatText(s, "lastOutcome");
    EXPECT_TRUE(outcome == "\"updated\"" || outcome == "\"unchanged\"") << s;
    EXPECT_FALSE(StatBool(s, "stale")) << s;
    EXPECT_TRUE(StatBool(s, "healthy")) << s;
    // The first set and the healed one.
    EXPECT_TRUE(PollUntil([&] { return log.Count(Kind::kUpdated) >= 2; }, milliseconds(2000)));
  }

  std::printf(
      "[fault-table] %-22s valid tokens rejected within maxStale: %d of %d | fetches during fault: %d "
      "(allowed %d..%d in %lld ms) | stale after %lld ms | recovered %lld ms after healing\n",
      FaultName(fault), rejected, checked, fetches, min_fetches, max_fetches, static_cast<long long>(elapsed),
      static_cast<long long>(stale_after_ms), static_cast<long long>(recovery_ms));
  std::fflush(stdout);
}

INSTANTIATE_TEST_SUITE_P(EveryFault, KeyCacheFaultTest,
                         ::testing::Values(Fault::k500, Fault::k429, Fault::k404, Fault::kHang, Fault::kTrickle,
                                           Fault::kGarbage, Fault::kHugeBody, Fault::kInvalidJwks, Fault::kRefused,
                                           Fault::kEmptySet, Fault::kOnlySkippedKeys),
                         [](const ::testing::TestParamInfo<Fault>& info) {
                           return std::string(FaultName(info.param));
                         });

// After a drop, the server comes back with the very set the cache last had:
// as the same document (200) or as a 304 to its ETag. Either way it is served again.
class KeyCacheSameSetAfterDrop : public ::testing::TestWithParam<bool> {};

TEST_P(KeyCacheSameSetAfterDrop, IsServedAgain) {
  const bool with_etag = GetParam();
  const TestKey k1 = MakeKey("ES256", "k1");
  const std::string t1 = SignJwt(k1, "{}");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  const JwksServer::Handler good = JwksHandler(testing::Jwks({&k1}), with_etag ? "\"v1\"" : "");
  server->SetHandler(good);
  EventLog log;
  Error err;
  auto created = Verifier::Create(
      RemoteConfig(server->Url(), R"("cacheDuration":"50ms","refreshAhead":"10ms","maxStale":"100ms",)"
                                  R"("useCacheHeaders":false,"backoff":{"initial":"10ms","max":"20ms"},)"
                                  R"("initialFetchWait":"5s","requireInitialKeys":true)"),
      &err, log.Callback());
  ASSERT_TRUE(created.ok()) << err.message;
  const Verifier& v = **created;
  ASSERT_EQ(v.Verify(t1), Status::OK);
  server->Serve(FaultResponse(Fault::k500, ""));
  ASSERT_TRUE(PollUntil([&] { return v.Verify(t1) == Status::ERR_KEYS_STALE; }, milliseconds(5000)));
  const int before = server->request_count();
  server->SetHandler(good);
  ASSERT_TRUE(PollUntil([&] { return v.Verify(t1) == Status::OK; }, milliseconds(5000)));
  const std::string s = v.StatsJson(false);
  EXPECT_EQ(StatInt(s, "generation"), 1) << s;  // the same set all along
  EXPECT_EQ(StatInt(s, "keyCount"), 1) << s;
  if (with_etag) {
    // The cache still asked with its ETag, and the 304 brought the set back.
    const std::vector<HttpRequestSeen> seen = server->requests();
    ASSERT_GT(seen.size(), static_cast<size_t>(before));
    EXPECT_EQ(seen[static_cast<size_t>(before)].headers.count("if-none-match"), 1u);
    EXPECT_GE(StatInt(s, "notModified"), 1) << s;
  }
  EXPECT_GE(log.Count(Kind::kDropped), 1);
}

INSTANTIATE_TEST_SUITE_P(SameDocumentOr304, KeyCacheSameSetAfterDrop, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return std::string(info.param ? "not_modified" : "same_document");
                         });

// --- Caching headers -------------------------------------------------------

struct HeaderCase {
  const char* name;
  int max_age_s;
  const char* knobs;
  int64_t refresh_every_ms;  // what the clamp should make of max_age, minus refreshAhead
};

class CacheHeaderTest : public ::testing::TestWithParam<HeaderCase> {};

TEST_P(CacheHeaderTest, MaxAgeSetsTheScheduleWithinTheClamp) {
  const HeaderCase& c = GetParam();
  const TestKey k1 = MakeKey("ES256", "k1");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler(JwksHandler(testing::Jwks({&k1}), "", c.max_age_s));

  const auto start = Clock::now();
  Error err;
  auto v = Verifier::Create(
      RemoteConfig(server->Url(), std::string(c.knobs) + R"(,"cacheDuration":"20ms","initialFetchWait":"5s",)"
                                                         R"("requireInitialKeys":true)"),
      &err);
  ASSERT_TRUE(v.ok()) << err.message;
  EXPECT_EQ((*v)->Verify(SignJwt(k1, "{}")), Status::OK);
  std::this_thread::sleep_for(milliseconds(1500));
  const int fetches = server->request_count();
  const int64_t elapsed = MsSince(start);
  // The first fetch at start-up, then one per refresh interval at most.
  const int max_fetches = 1 + static_cast<int>(elapsed / c.refresh_every_ms);
  const int min_fetches = std::max<int>(1, static_cast<int>(elapsed / (c.refresh_every_ms + 100)));
  EXPECT_LE(fetches, max_fetches) << c.name << " in " << elapsed << " ms";
  EXPECT_GE(fetches, min_fetches) << c.name << " in " << elapsed << " ms";
  const std::string s = (*v)->StatsJson(false);
  EXPECT_TRUE(StatBool(s, "healthy")) << s;
  EXPECT_NEAR(static_cast<double>(StatInt(s, "fetches")), fetches, 1.0) << s;
  std::printf("[fault-table] %-22s fetches %d (allowed %d..%d in %lld ms; cacheDuration alone would allow %lld)\n",
              c.name, fetches, min_fetches, max_fetches, static_cast<long long>(elapsed),
              static_cast<long long>(1 + elapsed / 20));
}

INSTANTIATE_TEST_SUITE_P(
    MaxAge, CacheHeaderTest,
    ::testing::Values(
        // max-age=1 s, in [50 ms, 10 s]: refresh 100 ms before it ends.
        HeaderCase{"max_age_honoured", 1,
                   R"("minRefreshInterval":"50ms","maxRefreshInterval":"10s","refreshAhead":"100ms")", 900},
        // max-age=3600 s clamped down to 300 ms.
        HeaderCase{"max_age_clamped_to_max", 3600,
                   R"("minRefreshInterval":"50ms","maxRefreshInterval":"300ms","refreshAhead":"50ms")", 250},
        // max-age=0 clamped up to 400 ms.
        HeaderCase{"max_age_0_clamped_to_min", 0,
                   R"("minRefreshInterval":"400ms","maxRefreshInterval":"10s","refreshAhead":"50ms")", 350}),
    [](const ::testing::TestParamInfo<HeaderCase>& info) { return std::string(info.param.name); });

TEST(KeyCacheHeaders, EtagRevalidationKeepsTheSetAndANewEtagReplacesIt) {
  const TestKey k1 = MakeKey("ES256", "k1"), k2 = MakeKey("ES256", "k2");
  const std::string t1 = SignJwt(k1, "{}"), t2 = SignJwt(k2, "{}");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler(JwksHandler(testing::Jwks({&k1}), "\"v1\""));
  EventLog log;
  Error err;
  const auto created_at = Clock::now();
  // maxStale is far shorter than the run: only the 304s keep the set served.
  auto created = Verifier::Create(
      RemoteConfig(server->Url(), R"("cacheDuration":"50ms","refreshAhead":"10ms","maxStale":"100ms",)"
                                  R"("useCacheHeaders":false,"initialFetchWait":"5s","requireInitialKeys":true,)"
                                  R"("unknownKidCooldown":"10s")"),
      &err, log.Callback());
  ASSERT_TRUE(created.ok()) << err.message;
  const Verifier& v = **created;
  const auto start = Clock::now();
  int rejected = 0;
  while (MsSince(start) < 800) {
    rejected += v.Verify(t1) != Status::OK;
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_EQ(rejected, 0);
  const int64_t elapsed = MsSince(start);
  const std::vector<HttpRequestSeen> seen = server->requests();
  ASSERT_GE(seen.size(), 5u);
  EXPECT_EQ(seen[0].headers.count("if-none-match"), 0u);
  for (size_t i = 1; i < seen.size(); ++i) {
    const auto it = seen[i].headers.find("if-none-match");
    ASSERT_NE(it, seen[i].headers.end()) << i;
    EXPECT_EQ(it->second, "\"v1\"") << i;
  }
  std::string s = v.StatsJson(false);
  const int fetches = server->request_count();
  EXPECT_LE(fetches, 1 + static_cast<int>(MsSince(created_at) / 40)) << s;  // one per 40 ms at most
  EXPECT_NEAR(static_cast<double>(StatInt(s, "fetches")), fetches, 1.0) << s;
  EXPECT_NEAR(static_cast<double>(StatInt(s, "notModified")), fetches - 1, 1.0) << s;
  EXPECT_EQ(StatInt(s, "errors"), 0) << s;
  EXPECT_EQ(StatInt(s, "generation"), 1) << s;
  EXPECT_TRUE(StatBool(s, "healthy")) << s;
  EXPECT_GE(log.Count(Kind::kUnchanged), 3);
  EXPECT_EQ(log.Count(Kind::kDropped), 0);

  // A new ETag brings a new set; the key it lacks stops verifying.
  server->SetHandler(JwksHandler(testing::Jwks({&k2}), "\"v2\""));
  ASSERT_TRUE(PollUntil([&] { return v.Verify(t2) == Status::OK; }, milliseconds(3000)));
  EXPECT_EQ(v.Verify(t1), Status::ERR_KID_NOT_FOUND);
  s = v.StatsJson(false);
  EXPECT_EQ(StatInt(s, "generation"), 2) << s;
  std::printf("[fault-table] %-22s valid tokens rejected: %d | fetches %d in %lld ms, 304s %lld\n", "etag_304",
              rejected, fetches, static_cast<long long>(elapsed), static_cast<long long>(StatInt(s, "notModified")));
}

// --- Unknown kids ----------------------------------------------------------

TEST(KeyCacheUnknownKid, RandomKidFloodFetchesAtMostOncePerCooldown) {
  const TestKey k1 = MakeKey("ES256", "k1");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler(JwksHandler(testing::Jwks({&k1})));
  Error err;
  constexpr int64_t kCooldownMs = 250;
  auto created = Verifier::Create(RemoteConfig(server->Url(), R"("cacheDuration":"1h","unknownKidCooldown":"250ms",)"
                                                              R"("initialFetchWait":"5s","requireInitialKeys":true)"),
                                  &err);
  ASSERT_TRUE(created.ok()) << err.message;
  const Verifier& v = **created;
  ASSERT_EQ(server->request_count(), 1);

  std::vector<std::string> floods;
  std::mt19937_64 rng(42);
  for (int i = 0; i < 500; ++i)
    floods.push_back(SignJws(k1, R"({"alg":"ES256","kid":"attacker-)" + std::to_string(rng()) + R"("})", "{}"));
  const std::string good = SignJwt(k1, "{}");

  constexpr int kThreads = 8;
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::atomic<int64_t> attempts{0};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = static_cast<size_t>(t); !stop.load(std::memory_order_relaxed); i += kThreads) {
        if (v.Verify(floods[i % floods.size()]) != Status::ERR_KID_NOT_FOUND) wrong.fetch_add(1);
        if (i % 16 == 0 && v.Verify(good) != Status::OK) wrong.fetch_add(1);
        attempts.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  std::this_thread::sleep_for(milliseconds(1200));
  stop.store(true);
  for (auto& t : threads) t.join();
  const int64_t elapsed = MsSince(start);
  const int extra = server->request_count() - 1;
  EXPECT_EQ(wrong.load(), 0);
  // One per started cooldown at most; and the flood did cause refreshes.
  const int max_extra = 1 + static_cast<int>(elapsed / kCooldownMs);
  EXPECT_LE(extra, max_extra) << elapsed << " ms, " << attempts.load() << " verifications";
  EXPECT_GE(extra, 1);
  const std::string s = v.StatsJson(false);
  EXPECT_NEAR(static_cast<double>(StatInt(s, "unknownKidRefreshes")), extra, 1.0) << s;
  std::printf(
      "[fault-table] %-22s %lld random-kid verifications on %d threads in %lld ms -> %d extra fetches "
      "(allowed <= %d, cooldown 250 ms)\n",
      "random_kid_flood", static_cast<long long>(attempts.load()), kThreads, static_cast<long long>(elapsed), extra,
      max_extra);
}

TEST(KeyCacheUnknownKid, ConcurrentMissesShareOneWaitedRefresh) {
  const TestKey k1 = MakeKey("ES256", "k1"), k2 = MakeKey("ES256", "k2");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler(JwksHandler(testing::Jwks({&k1})));
  Error err;
  auto created = Verifier::Create(
      RemoteConfig(server->Url(), R"("cacheDuration":"1h","unknownKidCooldown":"10s","unknownKidWait":"3s",)"
                                  R"("initialFetchWait":"5s","requireInitialKeys":true)"),
      &err);
  ASSERT_TRUE(created.ok()) << err.message;
  const Verifier& v = **created;
  // The new key is published upstream, but slowly: every miss must wait for
  // the same fetch.
  ServerResponse slow = JwksResponse(testing::Jwks({&k1, &k2}));
  slow.mode = ServerResponse::Mode::kHang;
  slow.hang_ms = 300;
  server->Serve(slow);
  const std::string t2 = SignJwt(k2, "{}");
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) threads.emplace_back([&] { ok += v.Verify(t2) == Status::OK; });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(server->request_count(), 2);
}

// A miss that arrives while a scheduled fetch is already on the wire must
// wait for the refresh it asked for, not for that older fetch, whose answer
// was decided before the new key existed upstream.
TEST(KeyCacheUnknownKid, AMissDuringAScheduledFetchWaitsForItsOwnRefresh) {
  const TestKey k1 = MakeKey("ES256", "k1"), k2 = MakeKey("ES256", "k2");
  // Declared before the server, whose handler uses them until it stops.
  const std::string old_set = testing::Jwks({&k1}), new_set = testing::Jwks({&k1, &k2});
  std::atomic<int> requests{0};
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler([&](const HttpRequestSeen&) {
    const int n = ++requests;
    if (n == 1) return JwksResponse(old_set);
    if (n == 2) {  // the scheduled refresh: the old set, slowly
      ServerResponse slow = JwksResponse(old_set);
      slow.mode = ServerResponse::Mode::kHang;
      slow.hang_ms = 400;
      return slow;
    }
    // The refresh the miss asked for: slow too, so that a waiter woken by the
    // older fetch would look while this one is still on the wire.
    ServerResponse slow = JwksResponse(new_set);
    slow.mode = ServerResponse::Mode::kHang;
    slow.hang_ms = 200;
    return slow;
  });
  Error err;
  auto created = Verifier::Create(
      RemoteConfig(server->Url(), R"("cacheDuration":"300ms","refreshAhead":"100ms","timeout":"5s",)"
                                  R"("useCacheHeaders":false,"unknownKidCooldown":"10s","unknownKidWait":"3s",)"
                                  R"("initialFetchWait":"5s","requireInitialKeys":true)"),
      &err);
  ASSERT_TRUE(created.ok()) << err.message;
  ASSERT_TRUE(PollUntil([&] { return requests.load() >= 2; }, milliseconds(5000)));
  EXPECT_EQ((*created)->Verify(SignJwt(k2, "{}")), Status::OK);
  EXPECT_GE(requests.load(), 3);
}

// A verifier on `server`'s key set, created once the first set has arrived:
// no scheduled refresh for an hour, at most one unknown-kid refresh per 10 s.
std::unique_ptr<Verifier> VerifierWithCooldown(JwksServer& server) {
  Error err;
  auto created = Verifier::Create(RemoteConfig(server.Url(), R"("cacheDuration":"1h","unknownKidCooldown":"10s",)"
                                                             R"("initialFetchWait":"5s","requireInitialKeys":true)"),
                                  &err);
  EXPECT_TRUE(created.ok()) << err.message;
  return created.ok() ? std::move(created).value() : nullptr;
}

TEST(KeyCacheUnknownKid, WithoutWaitTheMissAnswersAtOnceAndTheRefreshFollows) {
  const TestKey k1 = MakeKey("ES256", "k1"), k2 = MakeKey("ES256", "k2");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler(JwksHandler(testing::Jwks({&k1})));
  const auto created = VerifierWithCooldown(*server);
  ASSERT_NE(created, nullptr);
  const Verifier& v = *created;
  ServerResponse slow = JwksResponse(testing::Jwks({&k1, &k2}));
  slow.mode = ServerResponse::Mode::kHang;
  slow.hang_ms = 300;
  server->Serve(slow);
  const std::string t2 = SignJwt(k2, "{}");
  const auto start = Clock::now();
  EXPECT_EQ(v.Verify(t2), Status::ERR_KID_NOT_FOUND);
  EXPECT_LT(MsSince(start), 250);
  ASSERT_TRUE(PollUntil([&] { return v.Verify(t2) == Status::OK; }, milliseconds(5000)));
  EXPECT_EQ(server->request_count(), 2);  // the cooldown held back every later miss
}

// The window between a first pass that missed the kid and the decision on a
// second one: a refresh that another token asked for (so the cooldown now
// holds this token's own request back) lands right there. The token must be
// checked against the new set, not refused with ERR_KID_NOT_FOUND.
struct MissWindow {
  static inline const Verifier* verifier = nullptr;
  static inline std::string other_token;  // another token with the new kid
  static inline std::atomic<int> calls{0};
  static inline bool landed = false;

  static void LandARefresh() {
    if (calls.fetch_add(1) != 0) return;  // only in the first miss: the outer token's
    // The other token's miss starts the early refresh (and the cooldown); it
    // may or may not see the new set itself, depending on timing.
    const Status other = verifier->Verify(other_token);
    EXPECT_TRUE(other == Status::ERR_KID_NOT_FOUND || other == Status::OK) << StatusName(other);
    landed = PollUntil([] { return StatInt(verifier->StatsJson(false), "generation") >= 2; }, milliseconds(5000));
  }
};

TEST(KeyCacheUnknownKid, ARefreshLandingAfterTheMissIsUsedDuringTheCooldown) {
  const TestKey k1 = MakeKey("ES256", "k1"), k2 = MakeKey("ES256", "k2");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler(JwksHandler(testing::Jwks({&k1})));
  const auto created = VerifierWithCooldown(*server);
  ASSERT_NE(created, nullptr);
  const Verifier& v = *created;
  ASSERT_EQ(StatInt(v.StatsJson(false), "generation"), 1);
  server->SetHandler(JwksHandler(testing::Jwks({&k1, &k2})));  // the issuer rotates k2 in

  MissWindow::verifier = &v;
  MissWindow::other_token = SignJwt(k2, R"({"sub":"other"})");
  internal::SetAfterKidMissHookForTesting(*created, &MissWindow::LandARefresh);
  const Status st = v.Verify(SignJwt(k2, R"({"sub":"this"})"));
  internal::SetAfterKidMissHookForTesting(*created, nullptr);
  ASSERT_TRUE(MissWindow::landed);
  EXPECT_EQ(MissWindow::calls.load(), 2);  // the outer miss and the other token's
  EXPECT_EQ(st, Status::OK);
  EXPECT_EQ(server->request_count(), 2);  // the initial fetch and the one early refresh
}

// --- Start-up --------------------------------------------------------------

TEST(KeyCacheStartup, CreationDoesNotWaitForKeysUnlessAsked) {
  const TestKey k1 = MakeKey("ES256", "k1");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  ServerResponse slow = JwksResponse(testing::Jwks({&k1}));
  slow.mode = ServerResponse::Mode::kHang;
  slow.hang_ms = 500;
  server->Serve(slow);
  EventLog log;
  Error err;
  const auto start = Clock::now();
  auto created = Verifier::Create(RemoteConfig(server->Url(), R"("cacheDuration":"1h")"), &err, log.Callback());
  ASSERT_TRUE(created.ok()) << err.message;
  EXPECT_LT(MsSince(start), 400);
  const Verifier& v = **created;
  const std::string t1 = SignJwt(k1, "{}");
  EXPECT_EQ(v.Verify(t1), Status::ERR_KEYS_UNAVAILABLE);
  std::string s = v.StatsJson(false);
  EXPECT_FALSE(StatBool(s, "healthy")) << s;
  EXPECT_EQ(StatInt(s, "keyCount"), 0) << s;
  ASSERT_TRUE(PollUntil([&] { return v.Verify(t1) == Status::OK; }, milliseconds(5000)));
  s = v.StatsJson(false);
  EXPECT_TRUE(StatBool(s, "healthy")) << s;
  EXPECT_EQ(StatInt(s, "generation"), 1) << s;
  EXPECT_TRUE(PollUntil([&] { return log.Count(Kind::kUpdated) >= 1; }, milliseconds(2000)));
  EXPECT_EQ(log.Count(Kind::kUpdated), 1);
}

TEST(KeyCacheStartup, InitialFetchWaitReturnsAsSoonAsKeysArrive) {
  const TestKey k1 = MakeKey("ES256", "k1");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler(JwksHandler(testing::Jwks({&k1})));
  Error err;
  const auto start = Clock::now();
  auto created =
      Verifier::Create(RemoteConfig(server->Url(), R"("initialFetchWait":"10s","requireInitialKeys":true)"), &err);
  ASSERT_TRUE(created.ok()) << err.message;
  EXPECT_LT(MsSince(start), 5000);
  EXPECT_EQ((*created)->Verify(SignJwt(k1, "{}")), Status::OK);
}

TEST(KeyCacheStartup, RequireInitialKeysFailsCreationWhenTheServerIsDown) {
  const std::string url = "http://127.0.0.1:" + std::to_string(JwksServer::UnusedPort()) + "/jwks";
  Error err;
  const auto start = Clock::now();
  auto created = Verifier::Create(RemoteConfig(url, R"("initialFetchWait":"300ms","requireInitialKeys":true,)"
                                                    R"("backoff":{"initial":"20ms","max":"50ms"})"),
                                  &err);
  const int64_t waited = MsSince(start);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status(), Status::ERR_KEYS_UNAVAILABLE);
  EXPECT_EQ(err.status, Status::ERR_KEYS_UNAVAILABLE);
  EXPECT_NE(err.message.find(url), std::string::npos) << err.message;
  // Retries keep coming within the wait, so it lasts until the next retry
  // would come after its end: at least the wait less one backoff (50 ms).
  EXPECT_GE(waited, 240);
  EXPECT_LT(waited, 3000);
}

TEST(KeyCacheStartup, WithoutRequireInitialKeysTheVerifierStartsEmpty) {
  const std::string url = "http://127.0.0.1:" + std::to_string(JwksServer::UnusedPort()) + "/jwks";
  Error err;
  const auto start = Clock::now();
  // Retries due within the wait (a short backoff): it is waited out.
  auto created = Verifier::Create(
      RemoteConfig(url, R"("initialFetchWait":"200ms","backoff":{"initial":"20ms","max":"50ms"})"), &err);
  ASSERT_TRUE(created.ok()) << err.message;
  EXPECT_GE(MsSince(start), 140);  // the wait less at most one backoff (50 ms)
  EXPECT_EQ((*created)->Verify(SignJwt(MakeKey("ES256", "k1"), "{}")), Status::ERR_KEYS_UNAVAILABLE);
  const std::string s = (*created)->StatsJson(false);
  EXPECT_FALSE(StatBool(s, "healthy")) << s;
  EXPECT_GE(StatInt(s, "errors"), 1) << s;
  EXPECT_GE(StatInt(s, "consecutiveFailures"), 1) << s;
}

// --- File source -----------------------------------------------------------

// Replaces the file's contents in one step (a reader sees the old or the new text).
void WriteAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
  }
  ASSERT_EQ(std::rename(tmp.c_str(), path.c_str()), 0);
}

TEST(KeyCacheFile, RewrittenFileIsReloadedAndABrokenOneKeepsTheOldSet) {
  const TestKey k1 = MakeKey("ES256", "k1"), k2 = MakeKey("ES256", "k2");
  const std::string t1 = SignJwt(k1, "{}"), t2 = SignJwt(k2, "{}");
  char dir_template[] = "/tmp/tv-keycache-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template, path = dir + "/jwks.json";
  WriteAtomically(path, testing::Jwks({&k1}));

  EventLog log;
  Error err;
  auto created = Verifier::Create(R"({"providers":[{"name":"p","algorithms":["ES256"],"jwks":{"local":{"file":)" +
                                      testing::JsonQuote(path) + R"(,"checkInterval":"50ms"}}}]})",
                                  &err, log.Callback());
  ASSERT_TRUE(created.ok()) << err.message;
  const Verifier& v = **created;
  EXPECT_EQ(v.Verify(t1), Status::OK);
  EXPECT_EQ(v.Verify(t2), Status::ERR_KID_NOT_FOUND);

  WriteAtomically(path, testing::Jwks({&k2}));
  const auto rewritten = Clock::now();
  ASSERT_TRUE(PollUntil([&] { return v.Verify(t2) == Status::OK; }, milliseconds(3000)));
  const int64_t reload_ms = MsSince(rewritten);
  EXPECT_EQ(v.Verify(t1), Status::ERR_KID_NOT_FOUND);
  std::string s = v.StatsJson(false);
  EXPECT_EQ(StatInt(s, "generation"), 2) << s;
  EXPECT_EQ(StatText(s, "source"), "\"file\"") << s;
  EXPECT_TRUE(PollUntil([&] { return log.Count(Kind::kUpdated) >= 1; }, milliseconds(2000)));

  // A broken rewrite: reported, and the previous set keeps serving.
  WriteAtomically(path, R"({"keys":[{"kty":"EC",)");
  ASSERT_TRUE(PollUntil([&] { return StatInt(v.StatsJson(false), "errors") >= 1; }, milliseconds(3000)));
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(v.Verify(t2), Status::OK);
    std::this_thread::sleep_for(milliseconds(10));  // several checkIntervals
  }
  s = v.StatsJson(false);
  EXPECT_EQ(StatInt(s, "consecutiveFailures"), 1) << s;  // the same broken file is not re-reported
  EXPECT_EQ(StatInt(s, "keyCount"), 1) << s;
  EXPECT_FALSE(StatBool(s, "healthy")) << s;
  EXPECT_TRUE(PollUntil([&] { return log.Count(Kind::kFailed) >= 1; }, milliseconds(2000)));

  // Fixed again.
  WriteAtomically(path, testing::Jwks({&k1, &k2}));
  ASSERT_TRUE(PollUntil([&] { return v.Verify(t1) == Status::OK; }, milliseconds(3000)));
  s = v.StatsJson(false);
  EXPECT_TRUE(StatBool(s, "healthy")) << s;
  EXPECT_EQ(StatInt(s, "generation"), 3) << s;
  std::printf(
      "[fault-table] %-22s reloaded %lld ms after the rewrite (checkInterval 50 ms); broken rewrite: "
      "0 valid tokens rejected\n",
      "file_rewrite", static_cast<long long>(reload_ms));
  std::remove(path.c_str());
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace tokenverify::cachetest
