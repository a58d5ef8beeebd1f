// The fast path in front of the token JSON scanner (json_scan.h), for the
// document nearly every token carries: compact (no whitespace outside
// strings), strings without escapes, flat values (no nested objects, no
// nested arrays). FastJsonCursor has the interface of JsonCursor, so the
// token parsers (token.cc) run the very same member code on either; what
// makes it cheaper is what it leaves out: no whitespace handling, no
// unescaping, no diagnosis, and a position the compiler keeps in a register
// (the cursor is all scalars and every call on it is inlined).
//
// It accepts a subset of what the scanner accepts and reads the same values
// from it. Anything it does not fully handle (whitespace, an escape, a
// control or non-ASCII byte in a string, a nested object, any failure at all)
// makes it answer kFallback, and the caller then runs the scanner from
// scratch, whose status is the answer. So statuses come from one place only,
// and the fast path only has to be right about well-formed tokens.
//
// Strings are found 16 bytes at a time (FindStringSpecial), stopping at the
// closing quote or at anything else the fast path leaves alone. A first
// version classified the whole document into 64-byte quote bitmasks
// (simdjson stage-1 style) and jumped from quote to quote: on the bench token
// (a 3-member header, a 330-byte payload of 13 members) that whole-document
// pass cost more than the per-string searches it replaced (2,436 against
// 2,339 instructions per header+payload).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "internal/json_scan.h"
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

  // The document is the first n bytes of doc.data() (from Reserve(n)).
  FastJsonCursor(TokenJsonScratch& doc, size_t n, int max_depth) noexcept
      : p_(doc.data()), end_(doc.data() + n), max_depth_(max_depth) {
    // A 0 after the document stops every string search and matches no
    // structure, so every overrun ends in a fallback; the scanner writes the
    // same padding.
    static constexpr uint8_t kZeros[32] = {};
    std::memcpy(doc.data() + n, kZeros, sizeof kZeros);
  }

  template <typename OnMember>
  [[gnu::always_inline]] Status WalkObject(OnMember&& on_member) noexcept;

  uint8_t Peek() const noexcept { return *p_; }
  bool AtNumber() const noexcept { return *p_ == '-' || (*p_ >= '0' && *p_ <= '9'); }

  [[gnu::always_inline]] Status ReadString(std::string_view* out) noexcept {
    const uint8_t* const body = p_ + 1;
    const uint8_t* const close = StringEnd(body);
    if (*close != '"') [[unlikely]] return kFallback;
    *out = std::string_view(reinterpret_cast<const char*>(body), static_cast<size_t>(close - body));
    p_ = close + 1;
    return Status::OK;
  }
  [[gnu::always_inline]] Status ReadBool(bool* out) noexcept {
    const size_t size = SkipLiteral();
    if (size != 4 && size != 5) return kFallback;
    *out = *p_ == 't';
    if (size == 4 && !*out) return kFallback;  // null
    p_ += size;
    return Status::OK;
  }
  // The scanner's inline case only: 1 to 18 digits, no leading zero.
  [[gnu::always_inline]] Status ReadNumericDate(int64_t* out) noexcept {
    const bool negative = *p_ == '-';
    const uint8_t* q = p_ + (negative ? 1 : 0);
    const uint8_t* const digits = q;
    uint64_t v = 0;
    uint64_t chunk;
    std::memcpy(&chunk, q, 8);
    if (AllDigits(chunk)) {
      v = EightDigits(chunk);
      q += 8;
    }
    while (*q >= '0' && *q <= '9') v = v * 10 + (*q++ - '0');
    const size_t n = static_cast<size_t>(q - digits);
    if (n - 1 >= 18 || (*digits == '0' && n != 1) || !IsStructuralOrWhitespace(*q)) [[unlikely]]
      return kFallback;
    *out = negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
    p_ = q;
    return Status::OK;
  }
  [[gnu::always_inline]] Status EnterArray(int depth) noexcept {
    if (depth + 1 > max_depth_) [[unlikely]] return kFallback;
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
  // Strings, numbers, literals, and arrays of those; objects and nested
  // arrays go to the scanner.
  [[gnu::always_inline]] Status SkipValue(int depth) noexcept {
    if (*p_ == '[') {
      if (depth + 1 > max_depth_) [[unlikely]] return kFallback;
      ++p_;
      if (*p_ == ']') {
        ++p_;
        return Status::OK;
      }
      for (;;) {
        if (!SkipScalar()) [[unlikely]] return kFallback;
        if (*p_ == ',') {
          ++p_;
          continue;
        }
        if (*p_ != ']') [[unlikely]] return kFallback;
        ++p_;
        return Status::OK;
      }
    }
    return SkipScalar() ? Status::OK : kFallback;
  }

 private:
  // The end of the string body at q: its closing quote, or the first byte
  // the fast path leaves to the scanner (an escape, a control or non-ASCII
  // byte, the 0 after the document).
  static const uint8_t* StringEnd(const uint8_t* q) noexcept { return FindStringSpecial(q); }
  static constexpr uint32_t Word(const char (&s)[5]) noexcept {
    return uint32_t{static_cast<uint8_t>(s[0])} | uint32_t{static_cast<uint8_t>(s[1])} << 8 |
           uint32_t{static_cast<uint8_t>(s[2])} << 16 | uint32_t{static_cast<uint8_t>(s[3])} << 24;
  }
  // Size of the literal at the cursor with what may follow it after it, or 0.
  size_t SkipLiteral() const noexcept {
    uint32_t word;
    std::memcpy(&word, p_, 4);
    size_t size = 0;
    if (word == Word("true") || word == Word("null")) size = 4;
    else if (word == Word("fals") && p_[4] == 'e') size = 5;
    return size != 0 && IsStructuralOrWhitespace(p_[size]) ? size : 0;
  }
  static bool IsDigit(uint8_t c) noexcept { return c >= '0' && c <= '9'; }
  // A string, a number (the JSON grammar) or a literal; false otherwise.
  [[gnu::always_inline]] bool SkipScalar() noexcept {
    const uint8_t c = *p_;
    if (c == '"') {
      const uint8_t* const close = StringEnd(p_ + 1);
      p_ = close + 1;
      return *close == '"';
    }
    if (c == '-' || IsDigit(c)) {
      const uint8_t* q = p_ + (c == '-' ? 1 : 0);
      if (*q == '0') {
        ++q;
      } else if (IsDigit(*q)) {
        while (IsDigit(*q)) ++q;
      } else {
        return false;
      }
      if (*q == '.') {
        ++q;
        if (!IsDigit(*q)) return false;
        while (IsDigit(*q)) ++q;
      }
      if ((*q | 0x20) == 'e') {
        ++q;
        if (*q == '+' || *q == '-') ++q;
        if (!IsDigit(*q)) return false;
        while (IsDigit(*q)) ++q;
      }
      // Within the scanner's end-of-token test (which also takes 0x0C and
      // 0x1A, left to it here).
      if (!IsStructuralOrWhitespace(*q)) return false;
      p_ = q;
      return true;
    }
    const size_t size = SkipLiteral();
    p_ += size;
    return size != 0;
  }
  // A top-level member name, kept for the duplicate check. Trivial, unlike
  // MemberName (whose string_view would zero the whole array on every walk).
  struct SeenName {
    const char* text;
    size_t size;
    uint64_t fingerprint;
  };
  // True when names[i] repeats one of names[0, i).
  static bool RepeatsEarlierName(const SeenName* names, size_t i) noexcept {
    const SeenName& a = names[i];
    for (size_t j = 0; j < i; ++j) {
      const SeenName& b = names[j];
      if (b.fingerprint == a.fingerprint && b.size == a.size && std::memcmp(b.text, a.text, a.size) == 0)
        return true;
    }
    return false;
  }

  const uint8_t* p_;
  const uint8_t* const end_;
  const int max_depth_;
};

template <typename OnMember>
[[gnu::always_inline]] inline Status FastJsonCursor::WalkObject(OnMember&& on_member) noexcept {
  if (*p_ != '{' || p_[1] != '"') return kFallback;  // {} and whitespace: the scanner's
  ++p_;
  // Duplicates: a 256-bit filter of fingerprints, as in the scanner; a hit
  // compares the name with the earlier ones.
  uint64_t seen[4] = {0, 0, 0, 0};
  // The names so far, for the duplicate check. Here, not in the cursor: the
  // cursor holds scalars only, so the compiler keeps it in registers.
  SeenName names[kMaxMembers];
  for (size_t count = 0;; ++count) {
    // Here *p_ == '"'.
    const uint8_t* const body = p_ + 1;
    const uint8_t* const close = StringEnd(body);
    if (*close != '"' || close[1] != ':' || count == kMaxMembers) [[unlikely]] return kFallback;
    const size_t n = static_cast<size_t>(close - body);
    const char* const text = reinterpret_cast<const char*>(body);
    const MemberName name{std::string_view(text, n), NameFingerprint(text, n)};
    names[count] = SeenName{text, n, name.fingerprint};
    const uint64_t h = (name.fingerprint * 0x9E3779B97F4A7C15u) >> 56;
    const uint64_t bit = uint64_t{1} << (h & 63);
    if (seen[h >> 6] & bit) [[unlikely]] {
      if (RepeatsEarlierName(names, count)) return kFallback;  // ERR_DUPLICATE_MEMBER, the scanner says
    }
    seen[h >> 6] |= bit;
    p_ = close + 2;
    if (on_member(name) != Status::OK) [[unlikely]] return kFallback;
    // The per-member point: the member's value is consumed (a hook that
    // runs once per top-level member goes here, as in JsonCursor::WalkObject;
    // on a fallback the scanner's walk runs it again from the first member).
    uint16_t next;  // ',' and the next name's quote, compared at once
    std::memcpy(&next, p_, 2);
    if (next == (',' | '"' << 8)) {
      ++p_;
      continue;
    }
    if (*p_ != '}') [[unlikely]] return kFallback;
    ++p_;
    break;
  }
  return p_ == end_ ? Status::OK : kFallback;
}

}  // namespace tokenverify::internal
