// Durations in configuration documents: a number of seconds (42, 1.5) or a
// Go-style string such as "60s", "5m", "1h30m", "250ms" (units ms, s, m, h, d).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tokenverify::internal {

// ParseDuration parses `text` into milliseconds. Returns false (and a reason
// in *why) for anything else, negative values, or values above ~100 years.
bool ParseDuration(std::string_view text, int64_t* out_ms, std::string* why);

// DurationFromSeconds converts a JSON number of seconds; same bounds.
bool DurationFromSeconds(double seconds, int64_t* out_ms, std::string* why);

}  // namespace tokenverify::internal
