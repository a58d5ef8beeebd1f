// The process's hash key and the 128-bit digest (see keyed_hash.h).
#include "base/keyed_hash.h"

#include <openssl/rand.h>

#include <cstdlib>

namespace tokenverify::internal {

const uint64_t* ProcessHashKey() noexcept {
  // Made once; a process without randomness has no business verifying tokens.
  static const struct Key {
    uint64_t words[6];
    Key() {
      if (RAND_bytes(reinterpret_cast<unsigned char*>(words), sizeof words) != 1) std::abort();
    }
  } key;
  return key.words;
}

Digest128 KeyedDigest128(uint64_t domain, std::string_view s) noexcept {
  const uint64_t* k = ProcessHashKey();
  const uint64_t n = s.size();
  uint64_t a = k[0] ^ domain ^ (n * 0x9E3779B97F4A7C15ull);
  uint64_t b = k[1] ^ ~domain ^ (n * 0xC2B2AE3D27D4EB4Full);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    a = MulFold(a ^ w, k[2] | 1);
    b = MulFold(b ^ w, k[3] | 1);
  }
  if (i < n) {  // the tail, zero-padded (the length is already in both lanes)
    uint64_t w = 0;
    std::memcpy(&w, s.data() + i, n - i);
    a = MulFold(a ^ w, k[2] | 1);
    b = MulFold(b ^ w, k[3] | 1);
  }
  return {MulFold(a ^ k[4], b | 1), MulFold(b ^ k[5], a | 1)};
}

}  // namespace tokenverify::internal
