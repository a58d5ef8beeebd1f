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

class StatusCounters {
 public:
  StatusCounters();
  // One relaxed increment on this thread's shard.
  void Add(Status s) const noexcept;  // const: counting is not a change of the owner's state
  // (status, count) for every status counted at least once, in table order.
  std::vector<std::pair<Status, uint64_t>> Totals() const;

 private:
  static constexpr int kShards = 16;
  struct alignas(64) Shard {
    std::atomic<uint64_t> counts[kStatusCount];
  };
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace tokenverify::internal
