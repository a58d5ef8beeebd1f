// A strict, single-pass JSON scanner for the two small documents of a token
// (protected header and JWT payload), built for the verify hot path: no
// allocation on a warm thread, no tape, no second pass. String bodies are
// scanned 16 bytes at a time (SSE2, the x86-64 baseline, so no dispatch is
// needed; a plain scalar loop elsewhere); structure is scalar, which is what
// a few hundred bytes of JSON want. NumericDates are read 8 digits at a time.
//
// It accepts exactly what the simdjson strict walk it replaced accepts
// (support/oracle/token_simdjson.h, kept as the oracle of fuzz/json_differential.cc), and
// answers with the same status. The walk's precedence is reproduced on purpose: simdjson validates
// UTF-8, unclosed strings and raw control characters in strings over the whole
// document before any member is seen, then checks that the text starts with
// '{' and ends with '}', and only then walks members in order. The scanner
// walks first and, only when it fails, asks those whole-document questions
// (FailureStatus) so that a failure reads the same as before.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "json/text.h"
#include "tokenverify/status.h"

namespace tokenverify::internal {

// Names are fingerprinted and digits read from little-endian 8-byte loads
// (x86-64, arm64).
static_assert(std::endian::native == std::endian::little, "json_scan assumes a little-endian target");

// Readable bytes after a document in TokenJsonScratch: the base64url kernels'
// output slack and the scanner's 16-byte loads both fit.
inline constexpr size_t kTokenJsonPadding = 64;

// A member name, unescaped, with a 64-bit fingerprint: equal names have
// equal fingerprints, and names of up to 7 bytes are equal exactly when their
// fingerprints are (bytes and length packed), so the registered claim and
// header names compare as one integer.
struct MemberName {
  std::string_view text;
  uint64_t fingerprint;
};

// The bytes of a name shorter than 8 bytes, in the low bytes of a load.
inline constexpr uint64_t kShortNameBytes[8] = {0,           0xFF,          0xFFFF,          0xFFFFFF,
                                                0xFFFFFFFFu, 0xFFFFFFFFFFu, 0xFFFFFFFFFFFFu, 0xFFFFFFFFFFFFFFu};

// The fingerprint of `n` bytes at p; up to 8 bytes after p must be readable.
inline uint64_t NameFingerprint(const char* p, size_t n) noexcept {
  uint64_t head;
  std::memcpy(&head, p, 8);
  if (n < 8) return (head & kShortNameBytes[n]) | uint64_t{n} << 56;
  uint64_t tail;
  std::memcpy(&tail, p + n - 8, 8);
  return (head ^ (tail * 0x9E3779B97F4A7C15u) ^ n) | uint64_t{0xFF} << 56;
}

// The fingerprint of a name given as a literal (names shorter than 8 bytes).
template <size_t N>
constexpr uint64_t ShortNameFingerprint(const char (&s)[N]) noexcept {
  static_assert(N - 1 < 8, "short names only");
  uint64_t v = 0;
  for (size_t i = 0; i + 1 < N; ++i) v |= uint64_t{static_cast<uint8_t>(s[i])} << (8 * i);
  return v | uint64_t{N - 1} << 56;
}

// Per-thread memory for scanning one document: the decoded bytes (padded),
// room for unescaped strings, and the member names of the open objects.
// Grows to the largest document seen, never shrinks.
class TokenJsonScratch {
 public:
  // Returns a buffer for a document of n bytes with kTokenJsonPadding bytes after it.
  uint8_t* Reserve(size_t n);
  uint8_t* data() noexcept { return buf_.get(); }
  const uint8_t* data() const noexcept { return buf_.get(); }

 private:
  friend class JsonCursor;
  std::unique_ptr<uint8_t[]> buf_;
  std::unique_ptr<char[]> unescaped_;  // as large as buf_: unescaping never lengthens a string
  size_t cap_ = 0;
  // Member names of the open objects; the cursor fills it by index and
  // grows it (doubling) only past its size, so a warm scan never allocates.
  std::vector<MemberName> names_;
};

// What simdjson accepts right after a number it reads or a literal:
// whitespace or a structural byte (its character table).
// A table: it is asked after every number and literal.
struct StructuralOrWhitespaceTable {
  bool is[256] = {};
  constexpr StructuralOrWhitespaceTable() {
    for (uint8_t c : {' ', '\t', '\n', '\r', ',', '}', ']', ':', '{', '['}) is[c] = true;
  }
};
inline constexpr StructuralOrWhitespaceTable kStructuralOrWhitespace;
inline bool IsStructuralOrWhitespace(uint8_t c) noexcept { return kStructuralOrWhitespace.is[c]; }

// True when the 8 bytes of `chunk` (little-endian) are all ASCII digits.
inline bool AllDigits(uint64_t chunk) noexcept {
  // Each byte in 0x30..0x39: high nibble 3, and adding 6 keeps it 3.
  return ((chunk & 0xF0F0F0F0F0F0F0F0u) | ((chunk + 0x0606060606060606u) & 0xF0F0F0F0F0F0F0F0u) >> 4) ==
         0x3333333333333333u;
}

// The value of 8 ASCII digits (first digit in the low byte), by pairing
// neighbours: 8 digits -> 4 two-digit -> 2 four-digit -> 1 eight-digit.
inline uint64_t EightDigits(uint64_t chunk) noexcept {
  chunk -= 0x3030303030303030u;
  chunk = (chunk * 10 + (chunk >> 8)) & 0x00FF00FF00FF00FFu;
  chunk = (chunk * 100 + (chunk >> 16)) & 0x0000FFFF0000FFFFu;
  return (chunk * 10000 + (chunk >> 32)) & 0xFFFFFFFFu;
}

// The usual NumericDate at p: a plain integer of 1 to 18 digits, no leading
// zero, then whitespace or structure; read 8 digits at a time (the padding
// after a document makes the 8-byte load safe). Returns the byte after it,
// with *out set, or nullptr for anything else (fractions, exponents, more
// digits, bad text), which the callers' slower paths judge.
[[gnu::always_inline]] inline const uint8_t* ReadPlainNumericDate(const uint8_t* p, int64_t* out) noexcept {
  const bool negative = *p == '-';
  const uint8_t* q = p + (negative ? 1 : 0);
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
    return nullptr;
  *out = negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  return q;
}

// Finds the first byte at or after q that ends the fast part of a string
// body: '"', '\\', a control character or a non-ASCII byte. A 0 is written
// after every document, so this never runs past its padding.
#if defined(__SSE2__)
// Bit i set when byte i of v ends the fast part of a string body.
inline unsigned StringSpecialMask(__m128i v) noexcept {
  // Signed compare: below 0x20 catches control characters and, as negative
  // bytes, everything from 0x80 up.
  const __m128i special =
      _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                   _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
  return static_cast<unsigned>(_mm_movemask_epi8(special));
}
#endif

inline const uint8_t* FindStringSpecial(const uint8_t* q) noexcept {
#if defined(__SSE2__)
  for (;;) {
    const unsigned mask = StringSpecialMask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q)));
    if (mask != 0) return q + __builtin_ctz(mask);
    q += 16;
  }
#else
  while (*q != '"' && *q != '\\' && *q >= 0x20 && *q < 0x80) ++q;
  return q;
#endif
}

// The scanner's position in one document held by a TokenJsonScratch. The
// token parsers (token.cc) drive it member by member; everything they do not
// read themselves goes through SkipValue, which validates it.
class JsonCursor {
 public:
  // The document is the first n bytes of scratch.data() (from Reserve(n)).
  JsonCursor(TokenJsonScratch& scratch, size_t n, int max_depth) noexcept
      : p_(scratch.buf_.get()),
        begin_(scratch.buf_.get()),
        end_(scratch.buf_.get() + n),
        max_depth_(max_depth),
        unescaped_(scratch.unescaped_.get()),
        names_(scratch.names_.data()),
        names_cap_(scratch.names_.size()),
        scratch_(scratch) {
    // A 0 after the document stops every scan loop (it is neither
    // whitespace, nor structure, nor allowed in a string), and defined bytes
    // under the 16-byte loads keep memory checkers quiet.
    static constexpr uint8_t kZeros[32] = {};
    std::memcpy(scratch.buf_.get() + n, kZeros, sizeof kZeros);
  }

  // Walks the top-level object. For each member calls
  //   Status on_member(const MemberName& name)
  // with the cursor at the member's value, which on_member must consume (or
  // fail). Then checks duplicate names, and that nothing follows the object.
  // Every failure goes through FailureStatus.
  template <typename OnMember>
  Status WalkObject(OnMember&& on_member) noexcept;
  // The same with each name resolved (resolve(name)) and both given to
  // on_member(name, resolved): FastJsonCursor's interface. The scanner keeps
  // no member memo (json/member_memo.h), so it ignores `memo` and `owner`.
  template <typename Memo, typename Resolve, typename OnMember>
  Status WalkObject(Memo* /*memo*/, uint64_t /*owner*/, Resolve&& resolve, OnMember&& on_member) noexcept {
    return WalkObject([&](const MemberName& name) { return on_member(name, resolve(name)); });
  }

  uint8_t Peek() const noexcept { return *p_; }
  // True when the value at the cursor is a number (by its first byte).
  bool AtNumber() const noexcept { return *p_ == '-' || (*p_ >= '0' && *p_ <= '9'); }

  // Reads the string at the cursor (Peek() == '"'), unescaped; *out views the
  // document or the scratch. Escape errors answer as simdjson's get_string
  // (StringErrorStatus), anything else ERR_MALFORMED_JSON.
  Status ReadString(std::string_view* out) noexcept {
    const uint8_t* const open = p_;
    const StringResult r = ScanString(out, true);
    if (r == StringResult::kOk) [[likely]]
      return Status::OK;
    return StringFailure(open, r);
  }
  // Reads a true/false at the cursor (Peek() is 't' or 'f').
  Status ReadBool(bool* out) noexcept;
  // Reads a NumericDate at the cursor (AtNumber()): an int64, or a fraction
  // floored, as the simdjson walk reads it. Out of int64: ERR_MALFORMED_CLAIM.
  Status ReadNumericDate(int64_t* out) noexcept {
    if (const uint8_t* end = ReadPlainNumericDate(p_, out)) [[likely]] {  // the usual date, inline
      p_ = end;
      return Status::OK;
    }
    return ReadNumericDateSlow(out);
  }
  // Steps into the array at the cursor (Peek() == '['), which sits at
  // container depth `depth` (its own depth is depth + 1). Then
  // NextElement tells whether an element is at the cursor.
  Status EnterArray(int depth) noexcept {
    if (depth + 1 > max_depth_) [[unlikely]]
      return Status::ERR_JSON_TOO_DEEP;
    ++p_;
    return Status::OK;
  }
  // After EnterArray or an element: true with the cursor at the next element,
  // false past the closing bracket, or a failure in *st.
  bool NextElement(bool first, Status* st) noexcept {
    SkipWhitespace();
    if (!first) {
      if (*p_ == ',') {
        ++p_;
        SkipWhitespace();
        return true;
      }
      if (*p_ != ']') [[unlikely]] {
        *st = Status::ERR_MALFORMED_JSON;
        return false;
      }
    } else if (*p_ != ']') {
      return true;
    }
    ++p_;
    *st = Status::OK;
    return false;
  }
  // Validates the value at the cursor, held by a container at depth `depth`.
  Status SkipValue(int depth) noexcept {
    // Strings and plain numbers inline: most of what a payload holds.
    if (*p_ == '"') {
      std::string_view ignored;
      const uint8_t* const open = p_;
      const StringResult r = ScanString(&ignored, false);
      if (r == StringResult::kOk) [[likely]]
        return Status::OK;
      return StringFailure(open, r);
    }
    // Literals inline too: 4 bytes compared at once (the padding after a
    // document makes the loads safe), then what may follow them.
    uint32_t word;
    std::memcpy(&word, p_, 4);
    size_t literal_size = 0;
    if (word == Word("true") || word == Word("null"))
      literal_size = 4;
    else if (word == Word("fals") && p_[4] == 'e')
      literal_size = 5;
    if (literal_size != 0) {
      if (!IsStructuralOrWhitespace(p_[literal_size])) [[unlikely]]
        return Status::ERR_MALFORMED_JSON;
      p_ += literal_size;
      return Status::OK;
    }
    return SkipOtherValue(depth);
  }

 private:
  enum class StringResult { kOk, kEscapeError, kMalformed };

  // Four bytes as one little-endian load of them reads.
  static constexpr uint32_t Word(const char (&s)[5]) noexcept {
    return uint32_t{static_cast<uint8_t>(s[0])} | uint32_t{static_cast<uint8_t>(s[1])} << 8 |
           uint32_t{static_cast<uint8_t>(s[2])} << 16 | uint32_t{static_cast<uint8_t>(s[3])} << 24;
  }

  // Token JSON is usually compact: one compare decides that no whitespace
  // follows (the 0 after the document is below it too, and stops the loop).
  void SkipWhitespace() noexcept {
    if (*p_ > ' ') [[likely]]
      return;
    while (IsJsonWhitespace(*p_)) ++p_;
  }
  void PushName(const MemberName& name) noexcept {
    if (names_size_ == names_cap_) [[unlikely]]
      GrowNames();
    names_[names_size_++] = name;
  }
  void GrowNames() noexcept;
  // Scans the string at the cursor; *out is its unescaped text when
  // `unescape`. The common string (no escape, ASCII) takes the inline path.
  StringResult ScanString(std::string_view* out, bool unescape) noexcept {
    const uint8_t* const body = p_ + 1;
    const uint8_t* const q = FindStringSpecial(body);
    if (*q == '"') [[likely]] {
      *out = std::string_view(reinterpret_cast<const char*>(body), static_cast<size_t>(q - body));
      p_ = q + 1;
      return StringResult::kOk;
    }
    return ScanStringRest(body, q, out, unescape);
  }
  // Scans a member name at the cursor (Peek() == '"').
  bool ScanName(MemberName* out) noexcept {
#if defined(__SSE2__)
    // The usual name: plain ASCII, closed within 16 bytes; its fingerprint
    // comes from the same load when it is short.
    const uint8_t* const body = p_ + 1;
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(body));
    const unsigned mask = StringSpecialMask(v);
    if (mask != 0) [[likely]] {
      const size_t n = static_cast<size_t>(__builtin_ctz(mask));
      if (body[n] == '"') [[likely]] {
        out->text = std::string_view(reinterpret_cast<const char*>(body), n);
        if (n < 8) {
          const uint64_t head = static_cast<uint64_t>(_mm_cvtsi128_si64(v));
          out->fingerprint = (head & ((uint64_t{1} << (8 * n)) - 1)) | uint64_t{n} << 56;
        } else {
          out->fingerprint = NameFingerprint(out->text.data(), n);
        }
        p_ = body + n + 1;
        return true;
      }
    }
#endif
    // Through a local: *out never escapes, so the hot loop can keep it in registers.
    std::string_view text;
    if (ScanString(&text, true) != StringResult::kOk) return false;
    *out = MemberName{text, NameFingerprint(text.data(), text.size())};
    return true;
  }
  StringResult ScanStringRest(const uint8_t* body, const uint8_t* q, std::string_view* out, bool unescape) noexcept;
  StringResult ScanEscapedString(const uint8_t* body, const uint8_t* q, std::string_view* out, bool unescape) noexcept;
  Status SkipOtherValue(int depth) noexcept;
  Status ReadNumericDateSlow(int64_t* out) noexcept;
  Status SkipObject(int depth) noexcept;
  Status SkipArray(int depth) noexcept;
  Status SkipNumber() noexcept;
  Status SkipLiteral(std::string_view literal) noexcept;
  // Status of a string value at `open` that failed with `r`.
  Status StringFailure(const uint8_t* open, StringResult r) const noexcept;
  // True (and the names dropped) when names [base, names_size_) repeat one.
  bool PopDuplicates(size_t base) noexcept;
  // True when names_[i] repeats one of names_[0, i).
  bool RepeatsEarlierName(size_t i) const noexcept;
  // The status simdjson would give a document the scanner rejected with `walk`.
  Status FailureStatus(Status walk) const noexcept;

  const uint8_t* p_;
  const uint8_t* const begin_;
  const uint8_t* const end_;
  const int max_depth_;
  char* unescaped_;    // next free byte of the scratch's unescape buffer
  MemberName* names_;  // the scratch's names_, filled up to names_size_
  size_t names_size_ = 0;
  size_t names_cap_;
  TokenJsonScratch& scratch_;
};

template <typename OnMember>
Status JsonCursor::WalkObject(OnMember&& on_member) noexcept {
  if (StartsWithBom(begin_, static_cast<size_t>(end_ - begin_))) return Status::ERR_JSON_BOM;
  names_size_ = 0;
  // Duplicate names at the top level: a 256-bit filter of fingerprints; only
  // a hit (a repeat, or a collision: about one per three JWT payloads)
  // compares the name with the earlier ones.
  uint64_t seen[4] = {0, 0, 0, 0};
  bool duplicate = false, many_hits = false;
  SkipWhitespace();
  if (*p_ != '{') return FailureStatus(Status::ERR_JSON_NOT_OBJECT);
  ++p_;
  SkipWhitespace();
  if (*p_ != '}') {
    for (;;) {
      if (*p_ != '"') [[unlikely]]
        return FailureStatus(Status::ERR_MALFORMED_JSON);
      MemberName name;
      if (!ScanName(&name)) [[unlikely]]
        return FailureStatus(Status::ERR_MALFORMED_JSON);
      PushName(name);
      const uint64_t h = (name.fingerprint * 0x9E3779B97F4A7C15u) >> 56;
      const uint64_t bit = uint64_t{1} << (h & 63);
      if (seen[h >> 6] & bit) [[unlikely]] {
        // Few names: compare with the earlier ones now. Many (the filter
        // fills up, a hostile payload): sort them all once at the end, so
        // the check stays O(n log n).
        if (names_size_ <= 32)
          duplicate = duplicate || RepeatsEarlierName(names_size_ - 1);
        else
          many_hits = true;
      }
      seen[h >> 6] |= bit;
      if (*p_ != ':') [[unlikely]] {
        SkipWhitespace();
        if (*p_ != ':') return FailureStatus(Status::ERR_MALFORMED_JSON);
      }
      ++p_;
      SkipWhitespace();
      const Status st = on_member(name);
      if (st != Status::OK) [[unlikely]]
        return FailureStatus(st);
      // Compact JSON first: ',' then '"' at once; whitespace only when they are not there.
      if (*p_ != ',') [[unlikely]] {
        SkipWhitespace();
        if (*p_ == '}') break;
        if (*p_ != ',') return FailureStatus(Status::ERR_MALFORMED_JSON);
      }
      ++p_;
      if (*p_ != '"') [[unlikely]]
        SkipWhitespace();
    }
  }
  ++p_;
  if (many_hits && !duplicate) duplicate = PopDuplicates(0);
  if (duplicate) return FailureStatus(Status::ERR_DUPLICATE_MEMBER);
  SkipWhitespace();
  if (p_ != end_) [[unlikely]]
    return FailureStatus(Status::ERR_MALFORMED_JSON);
  return Status::OK;
}

}  // namespace tokenverify::internal
