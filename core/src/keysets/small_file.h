// Reading the small files a configuration names (key sets, PEM keys, CA
// bundles are read by libcurl itself): whole, and never more than a cap,
// even when the file grows while it is read.
#pragma once

#include <cstddef>
#include <string>

namespace tokenverify::internal {

inline constexpr size_t kMaxKeyFileBytes = size_t{1} << 20;  // 1 MiB

// Reads `file` into *out. False, with *why saying what went wrong ("cannot
// open \"f\"", "\"f\" is larger than 1 MiB", "cannot read \"f\""), when it
// cannot be opened or read, or holds more than max_bytes.
bool ReadSmallFile(const std::string& file, size_t max_bytes, std::string* out, std::string* why);

}  // namespace tokenverify::internal
