// The replay cache of signed requests: refuses a second use inside the
// window, forgets after it, stays bounded and fails closed when full.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "request/replay_cache.h"

namespace tokenverify::internal {
namespace {

ReplayCache::Key KeyOf(uint32_t i) {
  ReplayCache::Key k{};
  for (int b = 0; b < 4; ++b) k[static_cast<size_t>(b)] = static_cast<uint8_t>(i >> (8 * b));
  k[15] = 0x5a;
  return k;
}

TEST(ReplayCache, SecondUseInsideTheWindowIsRefused) {
  ReplayCache cache(1000);
  EXPECT_EQ(cache.Admit(KeyOf(1), 1300, 1000), Status::OK);
  EXPECT_EQ(cache.Admit(KeyOf(1), 1300, 1100), Status::ERR_REPLAYED_REQUEST);
  EXPECT_EQ(cache.Admit(KeyOf(1), 1300, 1300), Status::ERR_REPLAYED_REQUEST);
  EXPECT_EQ(cache.Admit(KeyOf(2), 1300, 1100), Status::OK);
  // After the window the timestamp itself is refused by the scheme; the cache may forget.
  EXPECT_EQ(cache.Admit(KeyOf(1), 1700, 1301), Status::OK);
}

TEST(ReplayCache, FullOfLiveEntriesFailsClosedThenRecovers) {
  ReplayCache cache(32);  // two per shard
  int admitted = 0, full = 0;
  for (uint32_t i = 0; i < 1000; ++i) {
    const Status s = cache.Admit(KeyOf(i), 2000, 1000);
    if (s == Status::OK)
      ++admitted;
    else if (s == Status::ERR_REPLAY_CACHE_FULL)
      ++full;
    else
      ADD_FAILURE() << StatusName(s);
  }
  EXPECT_EQ(admitted, 32);
  EXPECT_EQ(full, 1000 - 32);
  EXPECT_EQ(cache.size(), 32u);
  // Once those entries expire there is room again, and the old ones are gone.
  EXPECT_EQ(cache.Admit(KeyOf(5000), 3000, 2001), Status::OK);
  EXPECT_LE(cache.size(), 32u);
}

TEST(ReplayCache, FloodOfDistinctKeysStaysBounded) {
  ReplayCache cache(4096);
  for (uint32_t i = 0; i < 200000; ++i) (void)cache.Admit(KeyOf(i), 1000 + i / 100, 1000 + i / 100 - 5);
  EXPECT_LE(cache.size(), 4096u);
}

TEST(ReplayCache, ConcurrentAdmitsOfOneKeyLetExactlyOneThrough) {
  ReplayCache cache(1024);
  for (uint32_t round = 0; round < 50; ++round) {
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] {
        if (cache.Admit(KeyOf(100000 + round), 2000, 1000) == Status::OK) ++ok;
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), 1);
  }
}

}  // namespace
}  // namespace tokenverify::internal
