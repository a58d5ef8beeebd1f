// Key rotation under load: threads verify without pause while the server
// rotates its key set every few milliseconds, each set being {previous key,
// new key}. A token signed by a key that is in both the set the cache serves
// and the next one must never fail. Runs under ThreadSanitizer and
// AddressSanitizer too (ctest -L concurrency; tests/CMakeLists.txt).
//
// Lockstep, so that "in both sets" is known without looking inside the cache:
// the server moves from S(n) = {K(n-1), K(n)} to S(n+1) only once the cache
// serves S(n) (its Updated event says so) and once every verifier thread has
// switched to K(n), which S(n) and S(n+1) share.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "key_cache_rig.h"
#include "support/jwks_server.h"

namespace tokenverify::cachetest {
namespace {

using testing::HttpRequestSeen;
using testing::JwksResponse;
using testing::JwksServer;
using testing::MakeKey;
using testing::SignJwt;
using testing::TestKey;

constexpr int kMaxGenerations = 3000;
constexpr int kVerifiers = 3;
constexpr int64_t kRunMs = 4000;

TEST(Rotation, OverlappingKeysNeverFailWhileTheSetRotates) {
  // Filled by this thread ahead of use; other threads read entry n only
  // after loading n (release/acquire) from `served` or `use_key`.
  std::vector<std::string> bodies(kMaxGenerations + 1), tokens(kMaxGenerations + 1);
  std::vector<TestKey> keys(kMaxGenerations + 1);
  auto prepare = [&](int n) {
    keys[static_cast<size_t>(n)] = MakeKey("ES256", "rot-" + std::to_string(n));
    tokens[static_cast<size_t>(n)] = SignJwt(keys[static_cast<size_t>(n)], R"({"sub":"rotation"})");
    if (n > 0)
      bodies[static_cast<size_t>(n)] =
          testing::Jwks({&keys[static_cast<size_t>(n - 1)], &keys[static_cast<size_t>(n)]});
  };
  prepare(0);
  prepare(1);
  std::atomic<int> served{1};

  JwksServer::Options options;
  options.max_lifetime_s = 60;
  auto server = JwksServer::Start(options);
  ASSERT_NE(server, nullptr);
  server->SetHandler([&](const HttpRequestSeen&) {
    return JwksResponse(bodies[static_cast<size_t>(served.load(std::memory_order_acquire))]);
  });

  std::atomic<uint64_t> cache_generation{0};
  auto on_event = [&](const KeySetEvent& e) {
    uint64_t seen = cache_generation.load();
    while (e.generation > seen && !cache_generation.compare_exchange_weak(seen, e.generation)) {
    }
  };
  Error err;
  // Refresh every 1-2 ms; maxStale long, so a slow refresher (sanitizers)
  // never drops the set: this test is about the swap, not about staleness.
  auto created =
      Verifier::Create(RemoteConfig(server->Url(), R"("cacheDuration":"2ms","useCacheHeaders":false,"maxStale":"30s",)"
                                                   R"("initialFetchWait":"10s","requireInitialKeys":true)"),
                       &err, on_event);
  ASSERT_TRUE(created.ok()) << err.message;
  const Verifier& v = **created;
  ASSERT_EQ(v.Verify(tokens[1]), Status::OK);

  std::atomic<int> use_key{1};
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0}, unexpected_old{0};
  std::atomic<int64_t> verified{0};
  std::vector<std::atomic<uint64_t>> done(kVerifiers);
  for (auto& d : done) d.store(0);
  std::mutex failure_mu;
  std::string first_failure;

  std::vector<std::thread> threads;
  for (int t = 0; t < kVerifiers; ++t) {
    threads.emplace_back([&, t] {
      int64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        const int k = use_key.load(std::memory_order_acquire);
        const Status s = v.Verify(tokens[static_cast<size_t>(k)]);
        if (s != Status::OK) {
          failures.fetch_add(1);
          std::lock_guard<std::mutex> lock(failure_mu);
          if (first_failure.empty()) first_failure = "K(" + std::to_string(k) + ") got " + std::string(StatusName(s));
        }
        ++n;
        done[static_cast<size_t>(t)].fetch_add(1, std::memory_order_release);
      }
      verified.fetch_add(n);
    });
  }
  // Keys on their way out verify or are unknown, never anything else; and
  // the stats reader walks the same snapshots.
  threads.emplace_back([&] {
    while (!stop.load(std::memory_order_relaxed)) {
      const int k = std::max(0, use_key.load(std::memory_order_acquire) - 2);
      const Status s = v.Verify(tokens[static_cast<size_t>(k)]);
      if (s != Status::OK && s != Status::ERR_KID_NOT_FOUND) unexpected_old.fetch_add(1);
      if (v.StatsJson(true).empty()) unexpected_old.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });

  const auto start = Clock::now();
  int n = 1;  // the cache serves S(1)
  bool in_step = true;
  while (MsSince(start) < kRunMs && n < kMaxGenerations) {
    // Every verifier moves to K(n) (in S(n) and S(n+1)) before the server moves on.
    use_key.store(n, std::memory_order_release);
    std::vector<uint64_t> mark(kVerifiers);
    for (size_t t = 0; t < mark.size(); ++t) mark[t] = done[t].load(std::memory_order_acquire);
    for (size_t t = 0; t < mark.size(); ++t) {
      in_step &= PollUntil([&] { return done[t].load(std::memory_order_acquire) >= mark[t] + 2; },
                           std::chrono::milliseconds(10000), std::chrono::microseconds(100));
    }
    prepare(n + 1);
    served.store(n + 1, std::memory_order_release);
    ++n;
    // Wait until the cache serves S(n).
    in_step &= PollUntil([&] { return cache_generation.load() >= static_cast<uint64_t>(n); },
                         std::chrono::milliseconds(10000), std::chrono::microseconds(100));
    if (!in_step) break;
  }
  const int64_t elapsed = MsSince(start);
  stop.store(true);
  for (auto& t : threads) t.join();

  EXPECT_TRUE(in_step) << "the cache stopped following the rotation at generation " << n;
  EXPECT_EQ(failures.load(), 0) << first_failure;
  EXPECT_EQ(unexpected_old.load(), 0);
  EXPECT_GE(n, 20) << "too few rotations to mean anything";
  const std::string s = v.StatsJson(false);
  EXPECT_EQ(StatInt(s, "generation"), n) << s;
  EXPECT_EQ(StatInt(s, "errors"), 0) << s;
  std::printf(
      "[rotation] %d key sets in %lld ms (one every %.2f ms), %lld verifications on %d threads, "
      "%d failed\n",
      n - 1, static_cast<long long>(elapsed), static_cast<double>(elapsed) / std::max(1, n - 1),
      static_cast<long long>(verified.load()), kVerifiers, failures.load());
}

}  // namespace
}  // namespace tokenverify::cachetest
