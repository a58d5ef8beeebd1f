#include "json/scanner.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "base/ascii.h"

namespace tokenverify::internal {

namespace {

// How many bytes the well-formed UTF-8 sequence at q (lead byte >= 0x80)
// takes, or 0 (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
// Reads at most 4 bytes; the padding after a document makes that safe.
size_t Utf8SequenceLength(const uint8_t* q) noexcept {
  const uint8_t c = q[0];
  auto cont = [](uint8_t b) { return (b & 0xC0) == 0x80; };
  if (c < 0xC2) return 0;
  if (c < 0xE0) return cont(q[1]) ? 2 : 0;
  if (c < 0xF0) {
    const uint8_t lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return q[1] >= lo && q[1] <= hi && cont(q[2]) ? 3 : 0;
  }
  if (c < 0xF5) {
    const uint8_t lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return q[1] >= lo && q[1] <= hi && cont(q[2]) && cont(q[3]) ? 4 : 0;
  }
  return 0;
}

bool IsValidUtf8(const uint8_t* p, const uint8_t* end) noexcept {
  while (p < end) {
    if (*p < 0x80) {
      ++p;
      continue;
    }
    // A sequence cut by the end reads the zeros written after the document.
    const size_t len = Utf8SequenceLength(p);
    if (len == 0 || len > static_cast<size_t>(end - p)) return false;
    p += len;
  }
  return true;
}

// Value of the four hex digits at q, or -1.
int32_t Hex4(const uint8_t* q) noexcept {
  int32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    const uint8_t c = q[i];
    int32_t d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
      d = (c | 0x20) - 'a' + 10;
    else
      return -1;
    v = v << 4 | d;
  }
  return v;
}

char* AppendUtf8(char* w, uint32_t cp) noexcept {
  if (cp < 0x80) {
    *w++ = static_cast<char>(cp);
  } else if (cp < 0x800) {
    *w++ = static_cast<char>(0xC0 | cp >> 6);
    *w++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *w++ = static_cast<char>(0xE0 | cp >> 12);
    *w++ = static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    *w++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *w++ = static_cast<char>(0xF0 | cp >> 18);
    *w++ = static_cast<char>(0x80 | (cp >> 12 & 0x3F));
    *w++ = static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    *w++ = static_cast<char>(0x80 | (cp & 0x3F));
  }
  return w;
}

// Where simdjson's stage 1 ends a scalar token (number, true, false, null),
// and so what its raw text is: whitespace or a structural byte, not a quote.
// Its classifier folds case (byte | 0x20), so 0x0C and 0x1A count as ',' and ':'.
bool EndsScalarToken(uint8_t c) noexcept {
  return IsJsonWhitespace(c) || c == ',' || c == '}' || c == ']' || c == ':' || c == '{' || c == '[' || c == 0x0C ||
         c == 0x1A;
}

// simdjson's stage 1 over the whole document, as far as its verdict goes:
// an unclosed string, a raw control character inside a string or a document
// of nothing but whitespace are malformed; then invalid UTF-8 anywhere. A
// backslash escapes the next byte inside strings and out (as simdjson's
// escape mask does).
Status Stage1Status(const uint8_t* p, const uint8_t* end) noexcept {
  bool in_string = false, control_in_string = false, any_token = false;
  for (const uint8_t* q = p; q < end; ++q) {
    const uint8_t c = *q;
    if (c == '\\') {
      any_token = true;
      ++q;
      if (in_string && q < end && *q < 0x20) control_in_string = true;
      continue;
    }
    if (c == '"') {
      in_string = !in_string;
      any_token = true;
    } else if (in_string) {
      if (c < 0x20) control_in_string = true;
    } else if (!IsJsonWhitespace(c)) {
      any_token = true;
    }
  }
  if (in_string || control_in_string || !any_token) return Status::ERR_MALFORMED_JSON;
  return IsValidUtf8(p, end) ? Status::OK : Status::ERR_INVALID_UTF8;
}

}  // namespace

uint8_t* TokenJsonScratch::Reserve(size_t n) {
  const size_t need = n + kTokenJsonPadding;
  if (need > cap_) {
    const size_t cap = std::max<size_t>(need, 4096);
    buf_.reset(new uint8_t[cap]);
    unescaped_.reset(new char[cap]());  // zeroed: fingerprints read 8 bytes of short names
    cap_ = cap;
    if (names_.size() < 64) names_.resize(64);  // enough for the usual token, allocated with the rest
  }
  return buf_.get();
}

// The string from q, the first byte FindStringSpecial stopped at that is not
// its closing quote.
JsonCursor::StringResult JsonCursor::ScanStringRest(const uint8_t* body, const uint8_t* q, std::string_view* out,
                                                    bool unescape) noexcept {
  for (;;) {
    const uint8_t c = *q;
    if (c == '"') {
      *out = std::string_view(reinterpret_cast<const char*>(body), static_cast<size_t>(q - body));
      p_ = q + 1;
      return StringResult::kOk;
    }
    if (c == '\\') return ScanEscapedString(body, q, out, unescape);
    if (c < 0x80) return StringResult::kMalformed;  // a control character, or the end
    const size_t len = Utf8SequenceLength(q);
    if (len == 0) return StringResult::kMalformed;
    q = FindStringSpecial(q + len);
  }
}

// The rest of a string from its first backslash at q: unescaped into the
// scratch when `unescape`, else only checked.
JsonCursor::StringResult JsonCursor::ScanEscapedString(const uint8_t* body, const uint8_t* q, std::string_view* out,
                                                       bool unescape) noexcept {
  char* const start = unescaped_;
  char* w = start;
  if (unescape) {
    std::memcpy(w, body, static_cast<size_t>(q - body));
    w += q - body;
  }
  for (;;) {
    const uint8_t c = *q;
    if (c == '"') break;
    if (c == '\\') {
      char simple = 0;
      switch (q[1]) {
        case '"':
          simple = '"';
          break;
        case '\\':
          simple = '\\';
          break;
        case '/':
          simple = '/';
          break;
        case 'b':
          simple = '\b';
          break;
        case 'f':
          simple = '\f';
          break;
        case 'n':
          simple = '\n';
          break;
        case 'r':
          simple = '\r';
          break;
        case 't':
          simple = '\t';
          break;
        case 'u':
          break;
        default:
          return StringResult::kEscapeError;
      }
      if (simple != 0) {
        if (unescape) *w++ = simple;
        q += 2;
        continue;
      }
      int32_t cp = Hex4(q + 2);
      if (cp < 0) return StringResult::kEscapeError;
      q += 6;
      if (cp >= 0xD800 && cp < 0xDC00) {
        // A high surrogate must be followed at once by an escaped low one.
        if (q[0] != '\\' || q[1] != 'u') return StringResult::kEscapeError;
        const int32_t low = Hex4(q + 2);
        if (low < 0xDC00 || low > 0xDFFF) return StringResult::kEscapeError;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        q += 6;
      } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return StringResult::kEscapeError;
      }
      if (unescape) w = AppendUtf8(w, static_cast<uint32_t>(cp));
      continue;
    }
    if (c < 0x20) return StringResult::kMalformed;
    size_t len = 1;
    if (c >= 0x80) {
      len = Utf8SequenceLength(q);
      if (len == 0) return StringResult::kMalformed;
    } else {
      len = static_cast<size_t>(FindStringSpecial(q) - q);
    }
    if (unescape) {
      std::memcpy(w, q, len);
      w += len;
    }
    q += len;
  }
  p_ = q + 1;
  if (unescape) {
    *out = std::string_view(start, static_cast<size_t>(w - start));
    unescaped_ = w;
  } else {
    *out = std::string_view();
  }
  return StringResult::kOk;
}

Status JsonCursor::StringFailure(const uint8_t* open, StringResult r) const noexcept {
  if (r != StringResult::kEscapeError) return Status::ERR_MALFORMED_JSON;
  // simdjson judges a failed string by its raw token: from the opening quote
  // to the next token, so including the whitespace after the closing quote.
  const uint8_t* q = open + 1;
  while (q < end_ && *q != '"') q += *q == '\\' ? 2 : 1;
  q = std::min(q + 1, end_);
  while (q < end_ && IsJsonWhitespace(*q)) ++q;
  return StringErrorStatus(std::string_view(reinterpret_cast<const char*>(open), static_cast<size_t>(q - open)));
}

Status JsonCursor::SkipLiteral(std::string_view literal) noexcept {
  // Never compares past the padding: the longest literal is 5 bytes.
  if (std::memcmp(p_, literal.data(), literal.size()) != 0 || !IsStructuralOrWhitespace(p_[literal.size()]))
    return Status::ERR_MALFORMED_JSON;
  p_ += literal.size();
  return Status::OK;
}

Status JsonCursor::ReadBool(bool* out) noexcept {
  *out = *p_ == 't';
  return SkipLiteral(*out ? "true" : "false");
}

Status JsonCursor::SkipNumber() noexcept {
  const uint8_t* q = p_;
  if (*q == '-') ++q;
  if (*q == '0') {
    ++q;
  } else if (AsciiIsDigit(*q)) {
    while (AsciiIsDigit(*q)) ++q;
  } else {
    return Status::ERR_MALFORMED_JSON;
  }
  if (*q == '.') {
    ++q;
    if (!AsciiIsDigit(*q)) return Status::ERR_MALFORMED_JSON;
    while (AsciiIsDigit(*q)) ++q;
  }
  if ((*q | 0x20) == 'e') {
    ++q;
    if (*q == '+' || *q == '-') ++q;
    if (!AsciiIsDigit(*q)) return Status::ERR_MALFORMED_JSON;
    while (AsciiIsDigit(*q)) ++q;
  }
  // For simdjson a scalar runs on to the next whitespace or structural byte
  // (a quote included): "1x" or 1"" is one token, and not a number.
  if (!EndsScalarToken(*q)) return Status::ERR_MALFORMED_JSON;
  p_ = q;
  return Status::OK;
}

Status JsonCursor::ReadNumericDateSlow(int64_t* out) noexcept {
  const uint8_t* const start = p_;
  // Not a number token at all is malformed JSON; a number that does not fit
  // is a malformed claim (as the simdjson walk tells them apart).
  if (SkipNumber() != Status::OK) return Status::ERR_MALFORMED_JSON;
  const uint8_t* const end = p_;
  // A number simdjson cannot read (it wants whitespace or structure after
  // it), though its raw token is one: a malformed date.
  if (!IsStructuralOrWhitespace(*end)) return Status::ERR_MALFORMED_CLAIM;
  const bool negative = *start == '-';
  const uint8_t* digits = start + (negative ? 1 : 0);
  const uint8_t* q = digits;
  while (q < end && AsciiIsDigit(*q)) ++q;
  if (q == end) {
    // An integer. Up to 18 digits cannot overflow; beyond, count carefully.
    uint64_t v = 0;
    for (const uint8_t* d = digits; d < q; ++d) {
      if (v > (std::numeric_limits<uint64_t>::max() - 9) / 10) return Status::ERR_MALFORMED_CLAIM;
      v = v * 10 + (*d - '0');
    }
    const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
    if (v > limit) return Status::ERR_MALFORMED_CLAIM;
    *out = negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
    return Status::OK;
  }
  // A fraction or an exponent: the nearest double.
  double d = 0;
  if (!ParseJsonDouble(std::string_view(reinterpret_cast<const char*>(start), static_cast<size_t>(end - start)), &d))
    return Status::ERR_MALFORMED_CLAIM;
  // 2^63 is exactly representable; every double below it fits int64.
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return Status::ERR_MALFORMED_CLAIM;
  *out = static_cast<int64_t>(std::floor(d));
  return Status::OK;
}

Status JsonCursor::SkipOtherValue(int depth) noexcept {
  switch (*p_) {
    case '{':
      if (depth + 1 > max_depth_) return Status::ERR_JSON_TOO_DEEP;
      return SkipObject(depth + 1);
    case '[':
      if (depth + 1 > max_depth_) return Status::ERR_JSON_TOO_DEEP;
      return SkipArray(depth + 1);
    case 't':
      return SkipLiteral("true");
    case 'f':
      return SkipLiteral("false");
    case 'n':
      return SkipLiteral("null");
    default:
      return SkipNumber();
  }
}

// The object at the cursor, itself at depth `depth`.
Status JsonCursor::SkipObject(int depth) noexcept {
  ++p_;
  SkipWhitespace();
  if (*p_ == '}') {
    ++p_;
    return Status::OK;
  }
  const size_t base = names_size_;
  for (;;) {
    if (*p_ != '"') return Status::ERR_MALFORMED_JSON;
    MemberName name;
    if (!ScanName(&name)) return Status::ERR_MALFORMED_JSON;
    PushName(name);
    SkipWhitespace();
    if (*p_ != ':') return Status::ERR_MALFORMED_JSON;
    ++p_;
    SkipWhitespace();
    TV_RETURN_IF_ERROR(SkipValue(depth));
    SkipWhitespace();
    if (*p_ == ',') {
      ++p_;
      SkipWhitespace();
      continue;
    }
    if (*p_ != '}') return Status::ERR_MALFORMED_JSON;
    ++p_;
    break;
  }
  return PopDuplicates(base) ? Status::ERR_DUPLICATE_MEMBER : Status::OK;
}

// The array at the cursor, itself at depth `depth`.
Status JsonCursor::SkipArray(int depth) noexcept {
  ++p_;
  SkipWhitespace();
  if (*p_ == ']') {
    ++p_;
    return Status::OK;
  }
  for (;;) {
    TV_RETURN_IF_ERROR(SkipValue(depth));
    SkipWhitespace();
    if (*p_ == ',') {
      ++p_;
      SkipWhitespace();
      continue;
    }
    if (*p_ != ']') return Status::ERR_MALFORMED_JSON;
    ++p_;
    return Status::OK;
  }
}

void JsonCursor::GrowNames() noexcept {
  scratch_.names_.resize(std::max<size_t>(64, 2 * names_cap_));
  names_ = scratch_.names_.data();
  names_cap_ = scratch_.names_.size();
}

bool JsonCursor::RepeatsEarlierName(size_t i) const noexcept {
  for (size_t j = 0; j < i; ++j)
    if (names_[j].fingerprint == names_[i].fingerprint && names_[j].text == names_[i].text) return true;
  return false;
}

bool JsonCursor::PopDuplicates(size_t base) noexcept {
  MemberName* const first = names_ + base;
  MemberName* const last = names_ + names_size_;
  bool dup = false;
  if (last - first <= 16) {
    // Small objects: pairwise, on fingerprints first.
    for (auto i = first; i != last && !dup; ++i)
      for (auto j = i + 1; j != last; ++j)
        if (i->fingerprint == j->fingerprint && i->text == j->text) {
          dup = true;
          break;
        }
  } else {
    // Large (possibly hostile) objects: O(n log n), never quadratic.
    auto by_text = [](const MemberName& a, const MemberName& b) { return a.text < b.text; };
    auto same_text = [](const MemberName& a, const MemberName& b) { return a.text == b.text; };
    std::sort(first, last, by_text);
    dup = std::adjacent_find(first, last, same_text) != last;
  }
  names_size_ = base;
  return dup;
}

Status JsonCursor::FailureStatus(Status walk) const noexcept {
  TV_RETURN_IF_ERROR(Stage1Status(begin_, end_));
  // Then simdjson's root checks: an object, and its closing brace last.
  const uint8_t* first = begin_;
  while (first < end_ && IsJsonWhitespace(*first)) ++first;
  if (first == end_ || *first != '{') return Status::ERR_JSON_NOT_OBJECT;
  const uint8_t* last = end_;
  while (last > first && IsJsonWhitespace(last[-1])) --last;
  if (last[-1] != '}') return Status::ERR_MALFORMED_JSON;
  return walk;
}

}  // namespace tokenverify::internal
