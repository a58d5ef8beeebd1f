// Signed requests already seen, so that a captured request cannot be sent
// again while its timestamp is still inside the window. Only requests whose
// signature verified are recorded, so a client without a secret cannot fill
// it. Memory is bounded by `capacity` entries; an entry lives until its
// timestamp leaves the window. When every slot holds a live entry the cache
// fails closed: the request is refused with ERR_REPLAY_CACHE_FULL (503), never
// let through unchecked.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>

#include "absl/container/flat_hash_map.h"
#include "tokenverify/status.h"

namespace tokenverify::internal {

class ReplayCache {
 public:
  using Key = std::array<uint8_t, 16>;

  explicit ReplayCache(size_t capacity);

  // OK and the key recorded until `expires_at_s`; ERR_REPLAYED_REQUEST when a
  // live entry has the key; ERR_REPLAY_CACHE_FULL when its shard is full of
  // live entries. Thread-safe.
  Status Admit(const Key& key, int64_t expires_at_s, int64_t now_s);

  size_t size() const;

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable std::mutex mu;
    absl::flat_hash_map<Key, int64_t> expiry;  // key -> unix seconds after which it may come again
    int64_t earliest = INT64_MAX;              // no entry expires before this
  };
  size_t per_shard_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace tokenverify::internal
