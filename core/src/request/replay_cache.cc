#include "request/replay_cache.h"

#include <algorithm>

namespace tokenverify::internal {

ReplayCache::ReplayCache(size_t capacity)
    : per_shard_(std::max<size_t>(1, (capacity + kShards - 1) / kShards)), shards_(new Shard[kShards]) {}

Status ReplayCache::Admit(const Key& key, int64_t expires_at_s, int64_t now_s) {
  // The key is the start of a MAC: its bytes are already uniformly spread.
  Shard& shard = shards_[key[0] % kShards];
  std::lock_guard<std::mutex> lock(shard.mu);
  if (const auto it = shard.expiry.find(key); it != shard.expiry.end()) {
    if (it->second >= now_s) return Status::ERR_REPLAYED_REQUEST;
    shard.expiry.erase(it);
  }
  if (shard.expiry.size() >= per_shard_) {
    if (now_s <= shard.earliest) return Status::ERR_REPLAY_CACHE_FULL;  // nothing can have expired yet
    int64_t earliest = INT64_MAX;
    absl::erase_if(shard.expiry, [&](const auto& entry) {
      if (entry.second < now_s) return true;
      earliest = std::min(earliest, entry.second);
      return false;
    });
    shard.earliest = earliest;
    if (shard.expiry.size() >= per_shard_) return Status::ERR_REPLAY_CACHE_FULL;
  }
  shard.expiry.emplace(key, expires_at_s);
  shard.earliest = std::min(shard.earliest, expires_at_s);
  return Status::OK;
}

size_t ReplayCache::size() const {
  size_t n = 0;
  for (size_t i = 0; i < kShards; ++i) {
    std::lock_guard<std::mutex> lock(shards_[i].mu);
    n += shards_[i].expiry.size();
  }
  return n;
}

}  // namespace tokenverify::internal
