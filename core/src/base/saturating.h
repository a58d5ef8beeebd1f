// Saturating int64 arithmetic for unix times plus durations (exp + leeway,
// before + subjectTtl): a claim near the int64 limits pins to the limit
// instead of wrapping into the past.
#pragma once

#include <cstdint>
#include <limits>

namespace tokenverify::internal {

inline int64_t SatAdd(int64_t a, int64_t b) noexcept {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r))
    return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  return r;
}

inline int64_t SatSub(int64_t a, int64_t b) noexcept {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r))
    return b < 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  return r;
}

}  // namespace tokenverify::internal
