// The top-level member names of the last document a thread's fast walk
// (json/fast_path.h) took, in order, with what its caller resolved each name
// to: the payload of the next token is walked against them.
//
// Why: the tokens of one issuer carry the same claims in the same order
// ({"iss":..,"sub":..,"aud":..,"iat":..,...}); only the values change. For
// each member the walk finds the name's closing quote, fingerprints the name,
// checks it against the names before it for a duplicate and looks it up in
// the caller's table, one step after the other. When the name at the cursor
// is the memo's next one (one 16-byte compare of the name, its closing quote
// and ':'), all of that is known: the name's length, its fingerprint, what it
// resolves to, and that it repeats none of the memo's earlier names.
//
// What a hit relies on, and why it holds:
//  - a memo name matches only the very same name: the document passed the
//    fast path's admission (no backslash, so a name ends at its first quote)
//    and the compare covers the closing quote;
//  - the names of the memo are pairwise distinct: only names a walk checked
//    for duplicates are kept, and a memo grows only by a walk that succeeds;
//  - what a name resolves to depends on the name and its resolver alone
//    (owner: a number the resolver never shares with another, see
//    ClaimInterest::serial), so a memo of another owner is not used.
// The first member that is not the memo's next one ends the hits; the walk
// goes on as without a memo, its duplicate check seeded with the names it
// matched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "json/scanner.h"

namespace tokenverify::internal {

template <typename Resolved>
class MemberMemo {
 public:
  // Members past this, and from the first longer name on, are not kept.
  static constexpr size_t kMaxMembers = 32;
  static constexpr size_t kMaxName = 14;  // + closing quote + ':' = one 16-byte compare

  // How many leading members are kept for `owner` (0 for another owner).
  size_t size(uint64_t owner) const noexcept { return owner == owner_ ? size_ : 0; }

  // Whether member i's name, closing quote and ':' start at `body` (the
  // byte after the name's opening quote; 16 bytes readable there).
  bool Matches(size_t i, const uint8_t* body) const noexcept {
#if defined(__SSE2__)
    const __m128i got = _mm_loadu_si128(reinterpret_cast<const __m128i*>(body));
    const __m128i want = _mm_load_si128(reinterpret_cast<const __m128i*>(names_[i].bytes));
    const unsigned equal = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(got, want)));
    return (~equal & masks_[i]) == 0;
#else
    return std::memcmp(body, names_[i].bytes, sizes_[i] + 2u) == 0;
#endif
  }
  // Member i's name (its text here, as long as the memo's), fingerprint and resolution.
  size_t name_size(size_t i) const noexcept { return sizes_[i]; }
  const char* name_text(size_t i) const noexcept { return reinterpret_cast<const char*>(names_[i].bytes); }
  uint64_t fingerprint(size_t i) const noexcept { return fingerprints_[i]; }
  const Resolved& resolved(size_t i) const noexcept { return resolved_[i]; }

  // A walk that leaves the memo after `matched` hits: what it keeps from
  // here on is for `owner`, and until Commit only the hits count.
  void Restart(uint64_t owner, size_t matched) noexcept {
    if (owner != owner_) matched = 0;
    owner_ = owner;
    size_ = matched;
  }
  // Keeps member i (at least size(owner), after Restart), if it fits and
  // every member before it was kept; answers whether it was.
  bool Keep(size_t i, const char* text, size_t n, uint64_t fingerprint, const Resolved& resolved) noexcept {
    if (i >= kMaxMembers || n > kMaxName) return false;
    Name& name = names_[i];
    std::memcpy(name.bytes, text, n);
    name.bytes[n] = '"';
    name.bytes[n + 1] = ':';
    std::memset(name.bytes + n + 2, 0, sizeof name.bytes - n - 2);
    masks_[i] = (1u << (n + 2)) - 1;
    sizes_[i] = static_cast<uint8_t>(n);
    fingerprints_[i] = fingerprint;
    resolved_[i] = resolved;
    return true;
  }
  // The walk succeeded: its first `kept` members are the memo.
  void Commit(size_t kept) noexcept { size_ = kept; }

 private:
  struct alignas(16) Name {
    uint8_t bytes[16];
  };
  uint64_t owner_ = 0;  // 0: no owner has a memo here
  size_t size_ = 0;
  Name names_[kMaxMembers];
  uint32_t masks_[kMaxMembers];  // the bytes of each compare that count
  uint8_t sizes_[kMaxMembers];
  uint64_t fingerprints_[kMaxMembers];
  Resolved resolved_[kMaxMembers];
};

}  // namespace tokenverify::internal
