// The verified-token cache: a token that verified a moment ago is answered
// again without its signature, as long as nothing that decided it then has
// changed. Opt-in ("tokenCache" in the configuration).
//
// What a hit requires (and otherwise the token takes the full path, which
// also refreshes its entry):
//   - the same bytes: the entry holds the whole token and a hit compares all
//     of it (a keyed hash of the signature's last 16 characters only finds
//     the bucket; only tokens that verified are ever inserted, so nobody can
//     aim at a bucket without a valid signature);
//   - the same key sets: entries are tagged with the verifier's key-set serial,
//     which every key-set publication of any provider advances (a rotation, a
//     refresh that changes the set, a set dropped after maxStale). A key
//     leaving its set therefore ends every entry verified before, at once;
//   - still inside its time window: exp, nbf and maxTokenAge with the leeway,
//     against the clock now, exactly as the full path checks them;
// and then the revocation list is consulted as on the full path.
// Failures are never cached: a failed token costs its full path again, so
// tokens that never verified cannot take entries from good ones.
//
// Layout: buckets of four ways, one cache line each (the ways' tags beside
// their pointers). Entries are immutable and published by pointer; a reader
// protects the one it compares with a hazard slot of its own thread (as the
// key snapshots do, keysets/snapshot.h), so a hit takes no lock and writes
// only thread-local memory. Inserts lock one of 64 shards (by bucket) and
// retire the entry they replace; it is freed when no hazard slot names it.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "keysets/snapshot.h"
#include "revocation/revocation_list.h"

namespace tokenverify::internal {

struct TokenCacheConfig {
  size_t max_entries = 65536;
  size_t max_token_bytes = 8192;
};

// What the full path learned about a token that verified: everything a hit
// must answer with.
struct CachedTokenFacts {
  std::string_view token, header_json, payload_json, subject;
  uint32_t provider = 0;
  uint64_t keys_serial = 0;   // the verifier's key-set serial read before the verification
  int64_t valid_from = 0;     // unix seconds: the first second the time claims allow
  int64_t valid_until = 0;    // unix seconds: the first second they refuse
  RevocationKeys revocation;  // its jti, sub, iss and iat for the revocation list
};

// One entry: the facts, then the bytes of token, header, payload and subject.
struct CachedToken {
  uint64_t hash;
  uint64_t keys_serial;
  int64_t valid_from, valid_until;
  RevocationKeys revocation;
  uint32_t provider;
  uint32_t token_len, header_len, payload_len, subject_len;
  const char* bytes() const noexcept { return reinterpret_cast<const char*>(this + 1); }
  std::string_view token() const noexcept { return {bytes(), token_len}; }
  std::string_view header() const noexcept { return {bytes() + token_len, header_len}; }
  std::string_view payload() const noexcept { return {bytes() + token_len + header_len, payload_len}; }
  std::string_view subject() const noexcept { return {bytes() + token_len + header_len + payload_len, subject_len}; }
};

struct TokenCacheProviderStats {
  uint64_t hits = 0, misses = 0, evictions = 0, entries = 0;
};

class TokenCache {
 public:
  TokenCache(const TokenCacheConfig& config, size_t providers);
  ~TokenCache();
  TokenCache(const TokenCache&) = delete;
  TokenCache& operator=(const TokenCache&) = delete;

  size_t max_token_bytes() const noexcept { return max_token_bytes_; }

  // The bucket hash of a token (of at least 16 bytes; shorter ones are never cached).
  static uint64_t HashOf(std::string_view token) noexcept;

  // Runs `use(entry)` on the live entry for `token` and returns true, or
  // returns false (a miss: absent, or verified under other key sets, or
  // outside its time window at `now_s`). `use` runs while the entry is
  // protected; it must not keep pointers into it.
  template <class Use>
  bool Find(std::string_view token, uint64_t keys_serial, int64_t now_s, Use&& use) const {
    if (token.size() < 16 || token.size() > max_token_bytes_) return false;
    const uint64_t hash = HashOf(token);
    const Bucket& b = buckets_[hash & bucket_mask_];
    for (int w = 0; w < kWays; ++w) {
      if (b.tags[w].load(std::memory_order_relaxed) != hash) continue;
      Hold hold(b.entries[w]);
      const CachedToken* e = hold.get();
      if (e == nullptr || e->hash != hash || e->token_len != token.size() ||
          std::memcmp(e->bytes(), token.data(), token.size()) != 0)
        continue;
      if (e->keys_serial != keys_serial || now_s < e->valid_from || now_s >= e->valid_until) return false;
      use(*e);
      return true;
    }
    return false;
  }

  // Stores a token that has just verified (replacing its old entry, or an
  // empty, stale or, failing those, the oldest-placed way of its bucket).
  void Insert(const CachedTokenFacts& facts, int64_t now_s, uint64_t current_serial);

  // Per-provider counters: hits and misses are counted by the caller.
  void CountHit(uint32_t provider) const noexcept { Count(provider, kHit); }
  void CountMiss(uint32_t provider) const noexcept { Count(provider, kMiss); }
  TokenCacheProviderStats Stats(uint32_t provider) const;

 private:
  static constexpr int kWays = 4;
  static constexpr size_t kShards = 64;
  enum CounterKind { kHit, kMiss, kEviction, kCounters };

  struct alignas(64) Bucket {
    std::atomic<uint64_t> tags[kWays] = {};  // the entry's hash: a hint, the entry decides
    std::atomic<const CachedToken*> entries[kWays] = {};
  };
  struct alignas(64) Shard {
    std::mutex mu;
    std::vector<const CachedToken*> retired;
    uint8_t next_victim = 0;
  };
  // This thread's hold on the entry a way points to (a hazard slot).
  class Hold {
   public:
    explicit Hold(const std::atomic<const CachedToken*>& cell)
        : slot_(HazardSlot::Take()), value_(slot_.Protect(cell)) {}
    ~Hold() { slot_.Release(); }
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
    const CachedToken* get() const noexcept { return value_; }

   private:
    const HazardSlot slot_;
    const CachedToken* const value_;
  };

  void Count(uint32_t provider, CounterKind c) const noexcept;
  void Retire(Shard& shard, const CachedToken* e);

  size_t max_token_bytes_;
  size_t bucket_mask_;
  size_t providers_;
  std::unique_ptr<Bucket[]> buckets_;
  std::unique_ptr<Shard[]> shards_;
  // Counters sharded per thread like StatusCounters: [shard][provider][counter],
  // each shard on cache lines of its own.
  struct alignas(64) CounterLine {
    std::atomic<uint64_t> c[8] = {};
  };
  std::unique_ptr<CounterLine[]> counters_;
  size_t lines_per_shard_;
  std::atomic<uint64_t>& CounterOf(size_t shard, uint32_t provider, CounterKind c) const noexcept {
    const size_t i = provider * kCounters + c;
    return counters_[shard * lines_per_shard_ + i / 8].c[i % 8];
  }
  std::unique_ptr<std::atomic<int64_t>[]> entries_;  // live entries per provider (changed under shard locks)
};

}  // namespace tokenverify::internal
