// The revocation list's table (see revocation_list.h): lock-free reads of
// atomic slots, one writer at a time, rebuilt (bigger, without expired
// entries) when it would pass half full.
#include "revocation/revocation_list.h"

#include <algorithm>
#include <bit>
#include <limits>

namespace tokenverify::internal {
namespace {

// Digest domains: a jti and a sub with the same text are different entries.
constexpr uint64_t kJtiDomain = 0x6a7469;  // "jti"
constexpr uint64_t kSubDomain = 0x737562;  // "sub"

constexpr int64_t kNoBefore = std::numeric_limits<int64_t>::max();  // a jti entry: any iat
constexpr size_t kMinCapacity = 16;

// A slot's issuer and end of life share one word, so a reader sees them together.
uint64_t Meta(uint32_t iss, int64_t until_s) {
  const int64_t clamped = std::clamp<int64_t>(until_s, 0, std::numeric_limits<uint32_t>::max());
  return (uint64_t{iss} << 32) | static_cast<uint64_t>(clamped);
}
uint32_t MetaIss(uint64_t meta) { return static_cast<uint32_t>(meta >> 32); }
int64_t MetaUntil(uint64_t meta) { return static_cast<int64_t>(meta & 0xFFFFFFFFu); }

// 0 marks an empty slot (hi) and "any issuer" (iss): real values avoid it.
uint64_t NonZero(uint64_t v) { return v == 0 ? 1 : v; }
// The keyed hash of an issuer (never 0, which means "any issuer").
uint64_t IssHash(std::string_view iss) { return NonZero(KeyedDigest128(0, iss).hi); }
uint32_t Iss32(uint64_t iss_hash) { return iss_hash == 0 ? 0 : static_cast<uint32_t>(NonZero(iss_hash & 0xFFFFFFFFu)); }

}  // namespace

struct RevocationList::Table {
  struct Slot {
    std::atomic<uint64_t> hi{0};  // written last by the writer: a reader that sees it sees the rest
    std::atomic<uint64_t> lo{0};
    std::atomic<uint64_t> meta{0};   // issuer (high half, 0: any) and unix seconds the entry lives until
    std::atomic<int64_t> before{0};  // a subject entry: tokens with an iat before this; a jti entry: kNoBefore
  };
  explicit Table(size_t n) : capacity(n), mask(n - 1), slots(new Slot[n]) {}
  size_t capacity, mask;
  std::unique_ptr<Slot[]> slots;
  size_t used = 0;  // slots filled (the writer's count)
  size_t tokens = 0, subjects = 0, scoped = 0;
};

RevocationList::RevocationList(size_t max_entries)
    : max_entries_(std::max<size_t>(max_entries, 1)),
      max_capacity_(2 * std::bit_ceil(std::max<size_t>(max_entries, kMinCapacity / 2))) {
  auto t = std::make_unique<Table>(kMinCapacity);
  writing_ = t.get();
  table_.Publish(std::move(t));
}

RevocationList::~RevocationList() = default;

RevocationKeys RevocationList::KeysFor(bool has_jti, std::string_view jti, bool has_sub, std::string_view sub,
                                       bool has_iss, std::string_view iss, bool has_iat, int64_t iat) noexcept {
  RevocationKeys k;
  k.has_jti = has_jti;
  if (has_jti) k.jti = KeyedDigest128(kJtiDomain, jti);
  k.has_sub = has_sub;
  if (has_sub) k.sub = KeyedDigest128(kSubDomain, sub);
  if (has_iss) k.iss = IssHash(iss);
  k.has_iat = has_iat;
  k.iat = iat;
  return k;
}

bool RevocationList::Lookup(const RevocationKeys& k, int64_t now_s) const noexcept {
  const auto hold = table_.Read();
  const Table& t = *hold.get();
  const uint32_t iss = Iss32(k.iss);
  // Every entry for this digest (one per issuer it was limited to) is checked.
  auto revoked = [&](const Digest128& d, bool subject) {
    const uint64_t hi = NonZero(d.hi);
    for (size_t i = d.lo & t.mask;; i = (i + 1) & t.mask) {
      const Table::Slot& s = t.slots[i];
      const uint64_t h = s.hi.load(std::memory_order_acquire);
      if (h == 0) return false;
      if (h != hi || s.lo.load(std::memory_order_relaxed) != d.lo) continue;
      const uint64_t meta = s.meta.load(std::memory_order_relaxed);
      if ((MetaIss(meta) != 0 && MetaIss(meta) != iss) || now_s >= MetaUntil(meta)) continue;
      if (!subject) return true;
      // A token without an iat cannot show that it came after the revocation.
      if (!k.has_iat || k.iat < s.before.load(std::memory_order_relaxed)) return true;
    }
  };
  return (k.has_jti && revoked(k.jti, false)) || (k.has_sub && revoked(k.sub, true));
}

RevocationList::Added RevocationList::RevokeToken(std::string_view jti, std::string_view iss, int64_t until_s,
                                                  int64_t now_s) {
  const uint64_t iss_hash = iss.empty() ? 0 : IssHash(iss);
  return Add(KeyedDigest128(kJtiDomain, jti), iss_hash, kNoBefore, until_s, now_s, false);
}

RevocationList::Added RevocationList::RevokeSubject(std::string_view sub, std::string_view iss, int64_t before_s,
                                                    int64_t until_s, int64_t now_s) {
  const uint64_t iss_hash = iss.empty() ? 0 : IssHash(iss);
  return Add(KeyedDigest128(kSubDomain, sub), iss_hash, before_s, until_s, now_s, true);
}

RevocationList::Added RevocationList::Add(const Digest128& d, uint64_t iss_hash, int64_t before_s, int64_t until_s,
                                          int64_t now_s, bool subject) {
  if (until_s <= now_s) return Added::kAlreadyExpired;
  const uint64_t hi = NonZero(d.hi);
  const uint32_t iss = Iss32(iss_hash);
  std::lock_guard<std::mutex> lock(write_mu_);
  Table* t = writing_;
  // The same digest and issuer again: extend it (the later end, the later "before").
  for (size_t i = d.lo & t->mask;; i = (i + 1) & t->mask) {
    Table::Slot& s = t->slots[i];
    const uint64_t h = s.hi.load(std::memory_order_relaxed);
    if (h == 0) break;
    if (h != hi || s.lo.load(std::memory_order_relaxed) != d.lo) continue;
    const uint64_t meta = s.meta.load(std::memory_order_relaxed);
    if (MetaIss(meta) != iss) continue;
    s.meta.store(Meta(iss, std::max(MetaUntil(meta), until_s)), std::memory_order_relaxed);
    s.before.store(std::max(s.before.load(std::memory_order_relaxed), before_s), std::memory_order_relaxed);
    return Added::kUpdated;
  }

  auto place = [](Table& into, uint64_t h, uint64_t lo, uint64_t meta, int64_t before) {
    size_t i = lo & into.mask;
    while (into.slots[i].hi.load(std::memory_order_relaxed) != 0) i = (i + 1) & into.mask;
    Table::Slot& s = into.slots[i];
    s.lo.store(lo, std::memory_order_relaxed);
    s.meta.store(meta, std::memory_order_relaxed);
    s.before.store(before, std::memory_order_relaxed);
    s.hi.store(h, std::memory_order_release);  // last: publishes the slot to readers
    ++into.used;
    (before == kNoBefore ? into.tokens : into.subjects) += 1;
    if (MetaIss(meta) != 0) ++into.scoped;
  };

  if (t->used + 1 > t->capacity / 2 || t->used + 1 > max_entries_) {
    // Full of live entries, and none expires before now: refuse without
    // scanning again (a flood against a full list stays cheap).
    if (now_s < full_until_s_) {
      ++rejected_full_;
      return Added::kFull;
    }
    // Rebuild without the expired entries, as big as the live ones need
    // (room for as many again), within the bound.
    size_t live = 0;
    int64_t first_expiry = std::numeric_limits<int64_t>::max();
    for (size_t i = 0; i < t->capacity; ++i) {
      const Table::Slot& s = t->slots[i];
      if (s.hi.load(std::memory_order_relaxed) == 0) continue;
      const int64_t until = MetaUntil(s.meta.load(std::memory_order_relaxed));
      if (now_s < until) {
        ++live;
        first_expiry = std::min(first_expiry, until);
      }
    }
    if (live + 1 > max_entries_) {
      full_until_s_ = first_expiry;
      ++rejected_full_;
      return Added::kFull;
    }
    const size_t capacity = std::min(max_capacity_, std::max(kMinCapacity, std::bit_ceil(4 * (live + 1))));
    auto next = std::make_unique<Table>(capacity);
    for (size_t i = 0; i < t->capacity; ++i) {
      const Table::Slot& s = t->slots[i];
      const uint64_t h = s.hi.load(std::memory_order_relaxed);
      const uint64_t meta = s.meta.load(std::memory_order_relaxed);
      if (h != 0 && now_s < MetaUntil(meta))
        place(*next, h, s.lo.load(std::memory_order_relaxed), meta, s.before.load(std::memory_order_relaxed));
    }
    t = next.get();
    table_.Publish(std::move(next));  // the old table is freed once no reader holds it
    writing_ = t;
  }
  place(*t, hi, d.lo, Meta(iss, until_s), subject ? std::min(before_s, kNoBefore - 1) : kNoBefore);
  // What lookups make digests for (IsRevoked without keys): an entry counts
  // from here on, which is before Add returns.
  token_entries_.store(t->tokens, std::memory_order_relaxed);
  subject_entries_.store(t->subjects, std::memory_order_relaxed);
  scoped_entries_.store(t->scoped, std::memory_order_relaxed);
  live_.store(t->used, std::memory_order_relaxed);
  return Added::kAdded;
}

RevocationStats RevocationList::Stats() const {
  std::lock_guard<std::mutex> lock(write_mu_);
  RevocationStats s;
  s.tokens = writing_->tokens;
  s.subjects = writing_->subjects;
  s.rejected_full = rejected_full_;
  s.capacity = writing_->capacity;
  s.memory_bytes = writing_->capacity * sizeof(Table::Slot);
  s.max_entries = max_entries_;
  return s;
}

}  // namespace tokenverify::internal
