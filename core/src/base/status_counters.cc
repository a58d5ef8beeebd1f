#include "base/status_counters.h"

namespace tokenverify::internal {
namespace {

// Process-wide: threads take shards round robin, in the order they first count.
std::atomic<unsigned> g_next_shard{0};

}  // namespace

constinit thread_local unsigned tl_counter_shard = kNoShard;

StatusCounters::StatusCounters() : shards_(new Shard[kShards]) {
  for (int i = 0; i < kShards; ++i)
    for (auto& c : shards_[i].counts) c.store(0, std::memory_order_relaxed);
}

unsigned StatusCounters::TakeShard() noexcept {
  tl_counter_shard = g_next_shard.fetch_add(1, std::memory_order_relaxed) % kShards;
  return tl_counter_shard;
}

std::vector<std::pair<Status, uint64_t>> StatusCounters::Totals() const {
  std::vector<std::pair<Status, uint64_t>> out;
  for (int i = 0; i < kStatusCount; ++i) {
    uint64_t n = 0;
    for (int sh = 0; sh < kShards; ++sh) n += shards_[sh].counts[i].load(std::memory_order_relaxed);
    if (n != 0) out.emplace_back(kAllStatuses[i], n);
  }
  return out;
}

}  // namespace tokenverify::internal
