// Small facts about JSON text shared by the simdjson-based strict walk
// (configuration, key sets, the token oracle) and the token scanner. No
// simdjson here, so the scanner's translation units stay light.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/ascii.h"
#include "tokenverify/status.h"

namespace tokenverify::internal {

// True when `token` is exactly one JSON number (RFC 8259 grammar), trailing
// whitespace allowed. For numbers simdjson parses but cannot represent.
bool IsJsonNumber(std::string_view token) noexcept;

// The double nearest to `token`, a JSON number (IsJsonNumber), rounded
// correctly: tiny values become (signed) zero; false when it overflows.
bool ParseJsonDouble(std::string_view token, double* out) noexcept;

// Status for a string that failed to unescape, given its raw JSON text `raw`
// (opening quote up to the next token): an escaped surrogate anywhere in it
// makes it ERR_INVALID_UTF8, anything else is malformed.
Status StringErrorStatus(std::string_view raw) noexcept;

// True when `bytes` starts with the UTF-8 byte order mark.
inline bool StartsWithBom(const uint8_t* p, size_t n) noexcept {
  return n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF;
}

// JSON insignificant whitespace: IsJsonWhitespace in base/ascii.h.

}  // namespace tokenverify::internal
