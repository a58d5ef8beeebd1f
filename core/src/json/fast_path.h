// The fast path in front of the token JSON scanner (json/scanner.h), for the
// document nearly every token carries: compact (no whitespace outside
// strings), ASCII, no escapes. FastJsonCursor has the interface of
// JsonCursor, so the token parsers (token.cc) run the very same member code
// on either.
//
// One cheap pass over the whole document first (Admits: 64 bytes a round,
// SSE2, scalar elsewhere) rules out any backslash, control character or
// non-ASCII byte; then every string is plain and ends at the next quote, so
// the walk searches strings for quotes only and never unescapes or
// validates them. The walk is cheaper still for what it leaves out: no
// whitespace, no diagnosis, and a position the compiler keeps in a register
// (the cursor is all scalars and every call taking it is inlined; nested
// objects and arrays go through a recursive function taking the position by
// value).
//
// It accepts a subset of what the scanner accepts and reads the same values
// from it. Anything it does not fully handle (whitespace, escapes, a nested
// object of more than 16 members, any failure at all) makes it answer
// kFallback, and the caller then runs the scanner from scratch, whose status
// is the answer. So statuses come from one place only, and the fast path
// only has to be right about well-formed tokens.
//
// Measured alternatives (callgrind, instructions per header+payload of the
// bench token: a 3-member header, a 330-byte payload of 13 members): the
// scanner alone 2,698; whole-document 64-byte quote bitmasks with jumps from
// quote to quote (simdjson stage-1 style) 2,436, popping the quotes in order
// instead 2,690; no whole-document pass, strings searched for any special
// byte 2,311; this design 2,064. On a few hundred bytes of short strings the
// bitmasks cost about what they save.
//
// With a member memo (json/member_memo.h), a top-level name that is the one
// the thread's last document had at that place costs one 16-byte compare:
// header + payload as the verifier runs it, 175 -> 122 ns on the bench token.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "base/ascii.h"
#include "json/member_memo.h"
#include "json/scanner.h"
#include "tokenverify/status.h"

namespace tokenverify::internal {

// What the fast cursor answers when it leaves the document to the scanner
// (any non-OK status would do; this one is never returned to a caller).
inline constexpr Status kFallback = Status::ERR_MALFORMED_JSON;

// A walk over one document; the interface of JsonCursor (see there), every
// failure kFallback. Meant to live in one function with all of it inlined,
// so the position stays in a register.
class FastJsonCursor {
 public:
  // Top-level members beyond this go to the scanner.
  static constexpr size_t kMaxMembers = 48;

  // Whether the fast path takes the document, the first n bytes of
  // doc.data() (from Reserve(n)): not when any byte is a backslash, a
  // control character (JSON whitespace \t \n \r included) or non-ASCII.
  // Then every string is plain, and a string ends at the next quote.
  // Writes the padding the cursor needs.
  static bool Admits(TokenJsonScratch& doc, size_t n) noexcept {
    uint8_t* const d = doc.data();
    // Quotes after the document, all 64 bytes of them: a search for a
    // closing quote that starts anywhere up to there ends there at the
    // latest (a string may even "open" at the end, after ',' or ':'). A
    // quote classifies as nothing below, and the cursor takes it for no
    // structure, so a walk that got past the end fails at the next check,
    // a byte or two into the padding.
    static_assert(kTokenJsonPadding >= 64, "the check reads whole 64-byte blocks");
    std::memset(d + n, '"', 64);
#if defined(__SSE2__)
    // Unsigned minimum (below ' ': a control character), or of all bytes
    // (a sign bit: non-ASCII), backslashes; 64 bytes a round.
    __m128i low = _mm_set1_epi8(-1), high = _mm_setzero_si128(), escape = _mm_setzero_si128();
    const __m128i backslash = _mm_set1_epi8('\\');
    for (size_t i = 0; i < n; i += 64) {
      for (size_t k = 0; k < 64; k += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + i + k));
        low = _mm_min_epu8(low, v);
        high = _mm_or_si128(high, v);
        escape = _mm_or_si128(escape, _mm_cmpeq_epi8(v, backslash));
      }
    }
    // Signed compare of the minimum: fine, as a byte >= 0x80 fails anyway.
    const __m128i bad = _mm_or_si128(_mm_or_si128(high, escape), _mm_cmplt_epi8(low, _mm_set1_epi8(' ')));
    return _mm_movemask_epi8(bad) == 0;
#else
    bool bad = false;
    for (size_t i = 0; i < n; ++i) bad |= d[i] == '\\' || d[i] < 0x20 || d[i] >= 0x80;
    return !bad;
#endif
  }

  // A walk over a document Admits took.
  FastJsonCursor(TokenJsonScratch& doc, size_t n, int max_depth) noexcept
      : p_(doc.data()), end_(doc.data() + n), max_depth_(max_depth) {}

  template <typename OnMember>
  [[gnu::always_inline]] Status WalkObject(OnMember&& on_member) noexcept {
    return WalkObject(
        static_cast<MemberMemo<int>*>(nullptr), 0, [](const MemberName&) { return 0; },
        [&](const MemberName& name, int) { return on_member(name); });
  }
  // WalkObject with each name resolved once (resolve(name)) and both given to
  // on_member(name, resolved). With a memo (json/member_memo.h, of `owner`,
  // the resolver's), the names it predicts skip their search, fingerprint,
  // duplicate check and resolution; a walk that succeeds leaves its names
  // there for the next.
  template <typename Resolved, typename Resolve, typename OnMember>
  [[gnu::always_inline]] Status WalkObject(MemberMemo<Resolved>* memo, uint64_t owner, Resolve&& resolve,
                                           OnMember&& on_member) noexcept;

  uint8_t Peek() const noexcept { return *p_; }
  bool AtNumber() const noexcept { return *p_ == '-' || (*p_ >= '0' && *p_ <= '9'); }

  [[gnu::always_inline]] Status ReadString(std::string_view* out) noexcept {
    const uint8_t* const body = p_ + 1;
    const uint8_t* const close = StringEnd(body);
    *out = std::string_view(reinterpret_cast<const char*>(body), static_cast<size_t>(close - body));
    p_ = close + 1;
    return Status::OK;
  }
  [[gnu::always_inline]] Status ReadBool(bool* out) noexcept {
    const size_t size = LiteralSize(p_);
    if (size != 4 && size != 5) return kFallback;
    *out = *p_ == 't';
    if (size == 4 && !*out) return kFallback;  // null
    p_ += size;
    return Status::OK;
  }
  // The scanner's inline case only: 1 to 18 digits, no leading zero.
  [[gnu::always_inline]] Status ReadNumericDate(int64_t* out) noexcept {
    const uint8_t* const end = ReadPlainNumericDate(p_, out);
    if (end == nullptr) [[unlikely]]
      return kFallback;
    p_ = end;
    return Status::OK;
  }
  [[gnu::always_inline]] Status EnterArray(int depth) noexcept {
    if (depth + 1 > max_depth_) [[unlikely]]
      return kFallback;
    ++p_;
    return Status::OK;
  }
  // Compact arrays only: ',' or ']' right after an element.
  [[gnu::always_inline]] bool NextElement(bool first, Status* st) noexcept {
    if (!first) {
      if (*p_ == ',') {
        ++p_;
        return true;
      }
      if (*p_ != ']') [[unlikely]] {
        *st = kFallback;
        return false;
      }
    } else if (*p_ != ']') {
      return true;
    }
    ++p_;
    *st = Status::OK;
    return false;
  }
  // Any value; flat arrays inline, objects and nested arrays through
  // NestedEnd.
  [[gnu::always_inline]] Status SkipValue(int depth) noexcept {
    if (*p_ == '[') {
      if (depth + 1 > max_depth_) [[unlikely]]
        return kFallback;
      ++p_;
      if (*p_ == ']') {
        ++p_;
        return Status::OK;
      }
      for (;;) {
        if (!SkipElement(depth + 1)) [[unlikely]]
          return kFallback;
        if (*p_ == ',') {
          ++p_;
          continue;
        }
        if (*p_ != ']') [[unlikely]]
          return kFallback;
        ++p_;
        return Status::OK;
      }
    }
    return SkipElement(depth) ? Status::OK : kFallback;
  }

 private:
  // The end of the string body at q: its closing quote (or the one after
  // the document), 16 bytes at a time.
  static const uint8_t* StringEnd(const uint8_t* q) noexcept {
#if defined(__SSE2__)
    for (;;) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
      const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"'))));
      if (mask != 0) return q + __builtin_ctz(mask);
      q += 16;
    }
#else
    while (*q != '"') ++q;
    return q;
#endif
  }
  static constexpr uint32_t Word(const char (&s)[5]) noexcept {
    return uint32_t{static_cast<uint8_t>(s[0])} | uint32_t{static_cast<uint8_t>(s[1])} << 8 |
           uint32_t{static_cast<uint8_t>(s[2])} << 16 | uint32_t{static_cast<uint8_t>(s[3])} << 24;
  }
  // Size of the literal at p with what may follow it after it, or 0.
  static size_t LiteralSize(const uint8_t* p) noexcept {
    uint32_t word;
    std::memcpy(&word, p, 4);
    size_t size = 0;
    if (word == Word("true") || word == Word("null"))
      size = 4;
    else if (word == Word("fals") && p[4] == 'e')
      size = 5;
    return size != 0 && IsStructuralOrWhitespace(p[size]) ? size : 0;
  }
  // The end of the string, number (the JSON grammar) or literal at p, or
  // nullptr.
  [[gnu::always_inline]] static const uint8_t* ScalarEnd(const uint8_t* p) noexcept {
    const uint8_t c = *p;
    if (c == '"') return StringEnd(p + 1) + 1;
    if (c == '-' || AsciiIsDigit(c)) {
      const uint8_t* q = p + (c == '-' ? 1 : 0);
      if (*q == '0') {
        ++q;
      } else if (AsciiIsDigit(*q)) {
        while (AsciiIsDigit(*q)) ++q;
      } else {
        return nullptr;
      }
      if (*q == '.') {
        ++q;
        if (!AsciiIsDigit(*q)) return nullptr;
        while (AsciiIsDigit(*q)) ++q;
      }
      if ((*q | 0x20) == 'e') {
        ++q;
        if (*q == '+' || *q == '-') ++q;
        if (!AsciiIsDigit(*q)) return nullptr;
        while (AsciiIsDigit(*q)) ++q;
      }
      // Within the scanner's end-of-token test (which also takes 0x0C and
      // 0x1A: never here, Admits refused them).
      return IsStructuralOrWhitespace(*q) ? q : nullptr;
    }
    const size_t size = LiteralSize(p);
    return size != 0 ? p + size : nullptr;
  }
  // Skips the value at the cursor, held by a container at depth `depth`;
  // false for a fallback.
  [[gnu::always_inline]] bool SkipElement(int depth) noexcept {
    const uint8_t* const end = *p_ == '{' || *p_ == '[' ? NestedEnd(p_, depth, max_depth_) : ScalarEnd(p_);
    if (end == nullptr) [[unlikely]]
      return false;
    p_ = end;
    return true;
  }
  // The end of the object or array at p, held by a container at depth
  // `depth`, or nullptr. Out of line (and recursive), taking the position
  // by value so the cursor stays in registers.
  static const uint8_t* NestedEnd(const uint8_t* p, int depth, int max_depth) noexcept;
  // A top-level member name, kept for the duplicate check. Trivial, unlike
  // MemberName (whose string_view would zero the whole array on every walk).
  struct SeenName {
    const char* text;
    size_t size;
    uint64_t fingerprint;
  };
  // Marks a top-level name's fingerprint in the duplicate filter (256 bits,
  // as the scanner's); true when its bit was set already (a repeat, or a
  // collision), when the names must be compared.
  static bool MarkSeen(uint64_t* seen, uint64_t fingerprint) noexcept {
    const uint64_t h = (fingerprint * 0x9E3779B97F4A7C15u) >> 56;
    const uint64_t bit = uint64_t{1} << (h & 63);
    const bool hit = (seen[h >> 6] & bit) != 0;
    seen[h >> 6] |= bit;
    return hit;
  }
  // After a top-level member's value: kNext with the cursor on the next
  // name's quote, kEnd past the closing brace, or kBad.
  enum class After : uint8_t { kNext, kEnd, kBad };
  [[gnu::always_inline]] After AfterMember() noexcept {
    uint16_t next;  // ',' and the next name's quote, compared at once
    std::memcpy(&next, p_, 2);
    if (next == (',' | '"' << 8)) {
      ++p_;
      return After::kNext;
    }
    if (*p_ != '}') [[unlikely]]
      return After::kBad;
    ++p_;
    return After::kEnd;
  }
  // True when names[i] repeats one of names[0, i).
  static bool RepeatsEarlierName(const SeenName* names, size_t i) noexcept {
    const SeenName& a = names[i];
    for (size_t j = 0; j < i; ++j) {
      const SeenName& b = names[j];
      if (b.fingerprint == a.fingerprint && b.size == a.size && std::memcmp(b.text, a.text, a.size) == 0) return true;
    }
    return false;
  }

  const uint8_t* p_;
  const uint8_t* const end_;
  const int max_depth_;
};

inline const uint8_t* FastJsonCursor::NestedEnd(const uint8_t* p, int depth, int max_depth) noexcept {
  if (depth + 1 > max_depth) return nullptr;  // ERR_JSON_TOO_DEEP, the scanner says
  const bool object = *p == '{';
  ++p;
  if (*p == (object ? '}' : ']')) return p + 1;
  // An object's names, for its duplicate check: pairwise at the end, as the
  // scanner checks objects of up to 16 members; larger ones go to it.
  SeenName names[16];
  size_t count = 0;
  for (;;) {
    if (object) {
      if (*p != '"' || count == 16) return nullptr;
      const uint8_t* const body = p + 1;
      const uint8_t* const close = StringEnd(body);
      if (close[1] != ':') return nullptr;
      const char* const text = reinterpret_cast<const char*>(body);
      const size_t n = static_cast<size_t>(close - body);
      names[count] = SeenName{text, n, NameFingerprint(text, n)};
      ++count;
      p = close + 2;
    }
    p = *p == '{' || *p == '[' ? NestedEnd(p, depth + 1, max_depth) : ScalarEnd(p);
    if (p == nullptr) return nullptr;
    if (*p == ',') {
      ++p;
      continue;
    }
    if (*p != (object ? '}' : ']')) return nullptr;
    break;
  }
  for (size_t i = 1; i < count; ++i)
    if (RepeatsEarlierName(names, i)) return nullptr;  // ERR_DUPLICATE_MEMBER, the scanner says
  return p + 1;
}

template <typename Resolved, typename Resolve, typename OnMember>
[[gnu::always_inline]] inline Status FastJsonCursor::WalkObject(MemberMemo<Resolved>* memo, uint64_t owner,
                                                                Resolve&& resolve, OnMember&& on_member) noexcept {
  if (*p_ != '{' || p_[1] != '"') return kFallback;  // {} and whitespace: the scanner's
  ++p_;
  // The memo's names, compared in order until one differs (then 0).
  size_t predicted = memo != nullptr ? memo->size(owner) : 0;
  bool searching = false;  // past the predicted names: each name searched for, checked and resolved
  // Duplicates: a 256-bit filter of fingerprints, as in the scanner; a hit
  // compares the name with the earlier ones. Predicted names are distinct
  // and enter both only once the names are searched for.
  uint64_t seen[4] = {0, 0, 0, 0};
  // The names so far, for the duplicate check. Here, not in the cursor: the
  // cursor holds scalars only, so the compiler keeps it in registers.
  SeenName names[kMaxMembers];
  bool keeping = false;  // whether the memo keeps this document's names so far
  size_t kept = 0;
  for (size_t count = 0;; ++count) {
    // Here *p_ == '"'.
    const uint8_t* const body = p_ + 1;
    MemberName name;
    Resolved resolved;
    if (count < predicted && memo->Matches(count, body)) {
      const size_t n = memo->name_size(count);
      name = MemberName{std::string_view(reinterpret_cast<const char*>(body), n), memo->fingerprint(count)};
      resolved = memo->resolved(count);
      p_ = body + n + 2;
    } else {
      if (!searching) {
        // The names matched so far are the memo's (their text as good as the document's).
        searching = true;
        predicted = 0;
        for (size_t i = 0; i < count; ++i) {
          names[i] = SeenName{memo->name_text(i), memo->name_size(i), memo->fingerprint(i)};
          MarkSeen(seen, names[i].fingerprint);
        }
        if (memo != nullptr) {
          memo->Restart(owner, count);
          keeping = true;
          kept = count;
        }
      }
      const uint8_t* const close = StringEnd(body);
      if (close[1] != ':' || count == kMaxMembers) [[unlikely]]
        return kFallback;
      const size_t n = static_cast<size_t>(close - body);
      const char* const text = reinterpret_cast<const char*>(body);
      name = MemberName{std::string_view(text, n), NameFingerprint(text, n)};
      names[count] = SeenName{text, n, name.fingerprint};
      if (MarkSeen(seen, name.fingerprint)) [[unlikely]] {
        if (RepeatsEarlierName(names, count)) return kFallback;  // ERR_DUPLICATE_MEMBER, the scanner says
      }
      p_ = close + 2;
      resolved = resolve(name);
      if (keeping) {
        keeping = memo->Keep(count, text, n, name.fingerprint, resolved);
        kept += keeping ? 1 : 0;
      }
    }
    if (on_member(name, resolved) != Status::OK) [[unlikely]]
      return kFallback;
    // The per-member point: the member's value is consumed (a hook that
    // runs once per top-level member goes here, as in JsonCursor::WalkObject;
    // on a fallback the scanner's walk runs it again from the first member).
    const After after = AfterMember();
    if (after == After::kNext) continue;
    if (after == After::kBad) [[unlikely]]
      return kFallback;
    break;
  }
  if (p_ != end_) return kFallback;
  if (searching && memo != nullptr) memo->Commit(kept);
  return Status::OK;
}

}  // namespace tokenverify::internal
