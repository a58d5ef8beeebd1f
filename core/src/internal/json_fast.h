// The fast path in front of the token JSON scanner (json_scan.h), for the
// document nearly every token carries: compact (no whitespace outside
// strings), pure ASCII, no escapes, flat values. It works in two steps:
//
//  1. FastJsonIndex classifies the whole document in 64-byte blocks (SSE2,
//     scalar elsewhere) into one bitmask of quotes, and learns on the way
//     whether any byte is a backslash, a control character or non-ASCII. If
//     one is, the fast path is not taken at all.
//  2. FastJsonCursor walks it with the same interface as JsonCursor, so the
//     token parsers (token.cc) run the very same member code on either.
//     Without backslashes every quote delimits a string and, without
//     control or non-ASCII bytes, every string body is valid as it is: a
//     string is a jump from its quote to the next one (tzcnt over the mask).
//
// The fast cursor accepts a subset of what the scanner accepts and reads the
// same values from it. It never diagnoses: anything it does not fully handle
// (whitespace, nested objects, escapes, any failure) makes it answer
// kFallback, and the caller then runs the scanner from scratch, whose status
// is the answer. So statuses come from one place only, and the fast path only
// has to be right about well-formed tokens.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "internal/json_scan.h"
#include "tokenverify/status.h"

namespace tokenverify::internal {

// What the fast cursor answers when it leaves the document to the scanner
// (any non-OK status would do; this one is never returned to a caller).
inline constexpr Status kFallback = Status::ERR_MALFORMED_JSON;

// The quote bitmask of a document of up to kMaxBytes bytes.
class FastJsonIndex {
 public:
  // Larger documents go to the scanner (a token payload is a few hundred bytes).
  static constexpr size_t kMaxBytes = 4096;

  // Classifies the n bytes at doc (kTokenJsonPadding writable bytes after
  // them). False when the fast path cannot take the document: too large, or
  // a backslash, a control character (JSON whitespace \t \n \r included) or
  // a byte >= 0x80 anywhere.
  bool Build(uint8_t* doc, size_t n) noexcept {
    if (n > kMaxBytes || n == 0) return false;
    // Spaces after the document: classified as nothing (no quote, nothing
    // bad), and no structural byte the cursor would accept, so every
    // overrun stops at them.
    std::memset(doc + n, ' ', kTokenJsonPadding);
    const size_t blocks = (n + 63) / 64;
#if defined(__SSE2__)
    __m128i bad = _mm_setzero_si128();
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(' ');
    for (size_t b = 0; b < blocks; ++b) {
      uint64_t quotes = 0;
      for (int k = 0; k < 4; ++k) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(doc + 64 * b + 16 * k));
        quotes |= uint64_t{static_cast<uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)))} << (16 * k);
        // Signed compare: below ' ' is a control character or, as a
        // negative byte, anything from 0x80 up.
        bad = _mm_or_si128(bad, _mm_or_si128(_mm_cmpeq_epi8(v, backslash), _mm_cmplt_epi8(v, space)));
      }
      quotes_[b] = quotes;
    }
    if (_mm_movemask_epi8(bad) != 0) return false;
#else
    uint8_t bad = 0;
    for (size_t b = 0; b < blocks; ++b) {
      uint64_t quotes = 0;
      for (size_t i = 0; i < 64; ++i) {
        const uint8_t c = doc[64 * b + i];
        quotes |= uint64_t{c == '"'} << i;
        bad |= static_cast<uint8_t>(c == '\\' || c < 0x20 || c >= 0x80);
      }
      quotes_[b] = quotes;
    }
    if (bad != 0) return false;
#endif
    // A quote right after the document: every search for a closing quote
    // ends, at the latest there (an unclosed string, which the cursor then
    // rejects at the padding after it).
    quotes_[blocks] = 0;
    quotes_[n / 64] |= uint64_t{1} << (n % 64);
    return true;
  }

  // Offset of the first quote at or after offset i (i <= the document's length).
  size_t NextQuote(size_t i) const noexcept {
    uint64_t w = quotes_[i / 64] >> (i % 64);
    while (w == 0) {
      i = (i | 63) + 1;
      w = quotes_[i / 64];
    }
    return i + static_cast<size_t>(std::countr_zero(w));
  }

 private:
  uint64_t quotes_[kMaxBytes / 64 + 1];  // bit i of word j: a quote at offset 64 j + i
};

// A walk over a document FastJsonIndex::Build accepted; the interface of
// JsonCursor (see there), every failure kFallback. Meant to live in one
// function with all of it inlined, so the position stays in a register.
class FastJsonCursor {
 public:
  // Top-level members beyond this go to the scanner.
  static constexpr size_t kMaxMembers = 48;

  FastJsonCursor(const FastJsonIndex& index, const uint8_t* doc, size_t n, int max_depth) noexcept
      : p_(doc), begin_(doc), end_(doc + n), max_depth_(max_depth), index_(index) {}

  template <typename OnMember>
  [[gnu::always_inline]] Status WalkObject(OnMember&& on_member) noexcept;

  uint8_t Peek() const noexcept { return *p_; }
  bool AtNumber() const noexcept { return *p_ == '-' || (*p_ >= '0' && *p_ <= '9'); }

  [[gnu::always_inline]] Status ReadString(std::string_view* out) noexcept {
    const uint8_t* const body = p_ + 1;
    const uint8_t* const close = NextQuote(body);
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
  const uint8_t* NextQuote(const uint8_t* q) const noexcept {
    return begin_ + index_.NextQuote(static_cast<size_t>(q - begin_));
  }
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
      p_ = NextQuote(p_ + 1) + 1;
      return true;
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
      // No control bytes here, so this is the scanner's end-of-token test.
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
  const uint8_t* const begin_;
  const uint8_t* const end_;
  const int max_depth_;
  const FastJsonIndex& index_;
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
    const uint8_t* const close = NextQuote(body);
    if (close[1] != ':' || count == kMaxMembers) [[unlikely]] return kFallback;
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
    if (*p_ == ',') {
      ++p_;
      if (*p_ != '"') [[unlikely]] return kFallback;
      continue;
    }
    if (*p_ != '}') [[unlikely]] return kFallback;
    ++p_;
    break;
  }
  return p_ == end_ ? Status::OK : kFallback;
}

}  // namespace tokenverify::internal
