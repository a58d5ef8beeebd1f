#include "internal/json_text.h"

namespace tokenverify::internal {

// STRING_ERROR covers both bad escapes and unpaired surrogates; a \uD800-\uDFFF
// escape in the raw text tells which one the user should hear about.
Status StringErrorStatus(std::string_view raw) noexcept {
  for (size_t i = 0; i + 5 < raw.size(); ++i) {
    if (raw[i] == '\\' && raw[i + 1] == 'u' && (raw[i + 2] == 'd' || raw[i + 2] == 'D')) {
      const char c = raw[i + 3];
      if ((c >= '8' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
        return Status::ERR_INVALID_UTF8;
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

}  // namespace tokenverify::internal
