#include "keysets/small_file.h"

#include <algorithm>
#include <cstdio>
#include <memory>

namespace tokenverify::internal {

bool ReadSmallFile(const std::string& file, size_t max_bytes, std::string* out, std::string* why) {
  const auto quoted = [&] { return "\"" + file + "\""; };
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (f == nullptr) {
    *why = "cannot open " + quoted();
    return false;
  }
  out->clear();
  char chunk[16384];
  // One byte past the cap tells "exactly at the cap" from "over it".
  while (out->size() <= max_bytes) {
    const size_t want = std::min(sizeof chunk, max_bytes + 1 - out->size());
    const size_t got = std::fread(chunk, 1, want, f.get());
    out->append(chunk, got);
    if (got < want) break;
  }
  if (std::ferror(f.get())) {
    *why = "cannot read " + quoted();
    return false;
  }
  if (out->size() > max_bytes) {
    *why =
        quoted() + " is larger than " +
        (max_bytes % (1 << 20) == 0 ? std::to_string(max_bytes >> 20) + " MiB" : std::to_string(max_bytes) + " bytes");
    out->clear();
    return false;
  }
  return true;
}

}  // namespace tokenverify::internal
