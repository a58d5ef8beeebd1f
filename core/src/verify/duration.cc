#include "verify/duration.h"

#include <cmath>

namespace tokenverify::internal {
namespace {

constexpr int64_t kMaxMs = int64_t{100} * 365 * 24 * 3600 * 1000;  // bounds every sum below

int64_t UnitMs(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return 60 * 1000;
  if (unit == "h") return 3600 * 1000;
  if (unit == "d") return 24 * 3600 * 1000;
  return 0;
}

}  // namespace

bool DurationFromSeconds(double seconds, int64_t* out_ms, std::string* why) {
  if (!std::isfinite(seconds) || seconds < 0 || seconds * 1000 > static_cast<double>(kMaxMs)) {
    *why = "must be a non-negative number of seconds below 100 years";
    return false;
  }
  *out_ms = static_cast<int64_t>(std::llround(seconds * 1000));
  return true;
}

bool ParseDuration(std::string_view text, int64_t* out_ms, std::string* why) {
  if (text.empty()) {
    *why = "empty duration";
    return false;
  }
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    int64_t value = 0;
    size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + (text[i] - '0');
      if (value > kMaxMs) break;
      ++i;
      ++digits;
    }
    size_t unit_start = i;
    while (i < text.size() && ((text[i] >= 'a' && text[i] <= 'z'))) ++i;
    const int64_t unit = UnitMs(text.substr(unit_start, i - unit_start));
    if (digits == 0 || unit == 0 || value > kMaxMs / unit) {
      *why = "\"" + std::string(text) +
             "\" is not a duration (use seconds as a number, or e.g. \"60s\", \"5m\", \"1h30m\", \"250ms\")";
      return false;
    }
    total += value * unit;
    if (total > kMaxMs) {
      *why = "duration is longer than 100 years";
      return false;
    }
  }
  *out_ms = total;
  return true;
}

}  // namespace tokenverify::internal
