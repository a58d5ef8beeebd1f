// Counts of verification outcomes by status, sharded so that threads counting
// at once write different cache lines (each thread sticks to one shard).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "tokenverify/status.h"

namespace tokenverify::internal {

// This thread's shard, kNoShard until its first count. constinit: a plain
// TLS load on the verify path, with no initialisation guard.
inline constexpr unsigned kNoShard = ~0u;
extern constinit thread_local unsigned tl_counter_shard;

class StatusCounters {
 public:
  StatusCounters();
  // One relaxed increment on this thread's shard. Inline: once per verification.
  void Add(Status s) const noexcept {  // const: counting is not a change of the owner's state
    const unsigned shard = ThisThreadShard();
    const int index = StatusIndex(s);
    if (index >= 0) shards_[shard].counts[index].fetch_add(1, std::memory_order_relaxed);
  }
  // (status, count) for every status counted at least once, in table order.
  std::vector<std::pair<Status, uint64_t>> Totals() const;

  // The shard this thread counts in (other sharded counters use it too, e.g.
  // the token cache's): taken round robin on the thread's first count.
  static constexpr int kShards = 16;
  static unsigned ThisThreadShard() noexcept {
    const unsigned shard = tl_counter_shard;
    return shard != kNoShard ? shard : TakeShard();
  }

 private:
  static unsigned TakeShard() noexcept;
  struct alignas(64) Shard {
    std::atomic<uint64_t> counts[kStatusCount];
  };
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace tokenverify::internal
