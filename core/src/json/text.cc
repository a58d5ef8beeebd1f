#include "json/text.h"

#include <charconv>
#include <cstdint>
#include <system_error>

namespace tokenverify::internal {

// STRING_ERROR covers both bad escapes and unpaired surrogates; a \uD800-\uDFFF
// escape in the raw text tells which one the user should hear about.
Status StringErrorStatus(std::string_view raw) noexcept {
  for (size_t i = 0; i + 5 < raw.size(); ++i) {
    if (raw[i] == '\\' && raw[i + 1] == 'u' && (raw[i + 2] == 'd' || raw[i + 2] == 'D')) {
      const char c = raw[i + 3];
      if ((c >= '8' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) return Status::ERR_INVALID_UTF8;
    }
  }
  return Status::ERR_MALFORMED_JSON;
}

bool IsJsonNumber(std::string_view t) noexcept {
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\n' || t.back() == '\r'))
    t.remove_suffix(1);
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i - start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (digits() == 0) {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == t.size();
}

bool ParseJsonDouble(std::string_view t, double* out) noexcept {
  const auto r = std::from_chars(t.data(), t.data() + t.size(), *out);
  if (r.ec == std::errc()) return true;
  // Out of range: a huge or a tiny magnitude. Its decimal order tells which.
  const bool negative = !t.empty() && t[0] == '-';
  size_t i = negative ? 1 : 0;
  int64_t order = 0;
  bool nonzero = false;
  for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
    if (nonzero)
      ++order;
    else if (t[i] != '0')
      nonzero = true;
  }
  if (i < t.size() && t[i] == '.') {
    for (++i; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
      if (!nonzero) {
        --order;
        if (t[i] != '0') nonzero = true;
      }
    }
  }
  int64_t exponent = 0;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    const bool exp_negative = i < t.size() && t[i] == '-';
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i)
      if (exponent < 1000000000) exponent = exponent * 10 + (t[i] - '0');
    if (exp_negative) exponent = -exponent;
  }
  if (nonzero && order + exponent > 0) return false;  // overflow
  *out = negative ? -0.0 : 0.0;
  return true;
}

}  // namespace tokenverify::internal
