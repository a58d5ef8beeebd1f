// The verified-token cache's inserts, reclamation and counters (the hit path
// is inline in token_cache.h).
#include "cache/token_cache.h"

#include <algorithm>
#include <bit>
#include <new>

#include "base/keyed_hash.h"
#include "base/status_counters.h"

namespace tokenverify::internal {
namespace {

// Retired entries are freed in batches: a scan of every thread's hazard slots
// per batch, not per insert.
constexpr size_t kReclaimBatch = 32;

// Entries start on a cache line and fill whole lines: hits of many threads read
// them, and no unrelated allocation (another thread's counters or scratch) may
// share a line with one.
constexpr std::align_val_t kEntryAlignment{64};

CachedToken* AllocateEntry(size_t bytes) {
  const size_t size = (sizeof(CachedToken) + bytes + 63) / 64 * 64;
  return static_cast<CachedToken*>(::operator new(size, kEntryAlignment));
}

void FreeEntry(const CachedToken* e) { ::operator delete(const_cast<CachedToken*>(e), kEntryAlignment); }

}  // namespace

TokenCache::TokenCache(const TokenCacheConfig& config, size_t providers)
    : max_token_bytes_(config.max_token_bytes), providers_(std::max<size_t>(providers, 1)) {
  const size_t buckets = std::bit_ceil(std::max<size_t>((config.max_entries + kWays - 1) / kWays, 1));
  bucket_mask_ = buckets - 1;
  buckets_.reset(new Bucket[buckets]);
  shards_.reset(new Shard[kShards]);
  lines_per_shard_ = (providers_ * kCounters + 7) / 8;
  counters_.reset(new CounterLine[lines_per_shard_ * StatusCounters::kShards]);
  entries_.reset(new std::atomic<int64_t>[providers_]());
}

TokenCache::~TokenCache() {
  // No reader is active (the verifier is being destroyed).
  for (size_t b = 0; b <= bucket_mask_; ++b)
    for (auto& e : buckets_[b].entries) FreeEntry(e.load(std::memory_order_relaxed));
  for (size_t s = 0; s < kShards; ++s)
    for (const CachedToken* e : shards_[s].retired) FreeEntry(e);
}

uint64_t TokenCache::HashOf(std::string_view token) noexcept {
  // The end of the signature: unpredictable for any token that verified.
  return KeyedHash16(token.data() + token.size() - 16, token.size());
}

void TokenCache::Insert(const CachedTokenFacts& f, int64_t now_s, uint64_t current_serial) {
  if (f.token.size() < 16 || f.token.size() > max_token_bytes_) return;
  if (f.keys_serial != current_serial) return;  // a key set changed while it verified: it would be stale at once
  const size_t bytes = f.token.size() + f.header_json.size() + f.payload_json.size() + f.subject.size();
  CachedToken* e = AllocateEntry(bytes);
  e->hash = HashOf(f.token);
  e->keys_serial = f.keys_serial;
  e->valid_from = f.valid_from;
  e->valid_until = f.valid_until;
  e->revocation = f.revocation;
  e->provider = f.provider;
  e->token_len = static_cast<uint32_t>(f.token.size());
  e->header_len = static_cast<uint32_t>(f.header_json.size());
  e->payload_len = static_cast<uint32_t>(f.payload_json.size());
  e->subject_len = static_cast<uint32_t>(f.subject.size());
  char* out = const_cast<char*>(e->bytes());
  for (std::string_view part : {f.token, f.header_json, f.payload_json, f.subject}) {
    std::memcpy(out, part.data(), part.size());
    out += part.size();
  }

  const size_t bucket = e->hash & bucket_mask_;
  Bucket& b = buckets_[bucket];
  Shard& shard = shards_[bucket % kShards];
  std::lock_guard<std::mutex> lock(shard.mu);
  // The way to take: this token's own, else an empty one, else one whose
  // entry can never hit again, else the next in round robin.
  int way = -1, empty = -1, dead = -1;
  for (int w = 0; w < kWays; ++w) {
    const CachedToken* old = b.entries[w].load(std::memory_order_relaxed);
    if (old == nullptr) {
      if (empty < 0) empty = w;
    } else if (old->hash == e->hash && old->token() == e->token()) {
      way = w;
    } else if (dead < 0 && (old->keys_serial != current_serial || now_s >= old->valid_until)) {
      dead = w;
    }
  }
  if (way < 0) way = empty >= 0 ? empty : dead;
  if (way < 0) way = shard.next_victim++ % kWays;
  const CachedToken* old = b.entries[way].load(std::memory_order_relaxed);
  if (old != nullptr && way != empty) {
    const bool live = old->keys_serial == current_serial && now_s < old->valid_until;
    if (live && !(old->hash == e->hash && old->token() == e->token())) Count(old->provider, kEviction);
  }
  shard.retired.reserve(shard.retired.size() + 1);  // Retire's push_back cannot throw after the swap
  b.tags[way].store(e->hash, std::memory_order_relaxed);
  b.entries[way].store(e, std::memory_order_seq_cst);  // seq_cst: the readers' hazard protocol
  entries_[e->provider].fetch_add(1, std::memory_order_relaxed);
  if (old != nullptr) {
    entries_[old->provider].fetch_sub(1, std::memory_order_relaxed);
    Retire(shard, old);
  }
}

void TokenCache::Retire(Shard& shard, const CachedToken* e) {
  shard.retired.push_back(e);
  if (shard.retired.size() < kReclaimBatch) return;
  std::vector<const void*> held;
  CollectHazards(&held);
  size_t kept = 0;
  for (const CachedToken* r : shard.retired) {
    if (std::find(held.begin(), held.end(), static_cast<const void*>(r)) != held.end())
      shard.retired[kept++] = r;
    else
      FreeEntry(r);
  }
  shard.retired.resize(kept);
}

void TokenCache::Count(uint32_t provider, CounterKind c) const noexcept {
  CounterOf(StatusCounters::ThisThreadShard(), provider, c).fetch_add(1, std::memory_order_relaxed);
}

TokenCacheProviderStats TokenCache::Stats(uint32_t provider) const {
  TokenCacheProviderStats s;
  for (size_t shard = 0; shard < StatusCounters::kShards; ++shard) {
    s.hits += CounterOf(shard, provider, kHit).load(std::memory_order_relaxed);
    s.misses += CounterOf(shard, provider, kMiss).load(std::memory_order_relaxed);
    s.evictions += CounterOf(shard, provider, kEviction).load(std::memory_order_relaxed);
  }
  s.entries = static_cast<uint64_t>(std::max<int64_t>(entries_[provider].load(std::memory_order_relaxed), 0));
  return s;
}

}  // namespace tokenverify::internal
