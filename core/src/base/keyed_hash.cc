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
  // 16 bytes per step, one multiplication per lane per step; the two lanes
  // are independent chains (they run side by side) that see every word.
  const uint64_t* k = ProcessHashKey();
  const uint64_t n = s.size();
  uint64_t a = k[0] ^ domain ^ (n * 0x9E3779B97F4A7C15ull);
  uint64_t b = k[1] ^ ~domain ^ (n * 0xC2B2AE3D27D4EB4Full);
  auto step = [&](uint64_t w0, uint64_t w1) {
    a = MulFold(a ^ w0, w1 ^ k[2]);
    b = MulFold(b ^ w1, w0 ^ k[3]);
  };
  const char* p = s.data();
  auto load64 = [](const char* q) {
    uint64_t v;
    std::memcpy(&v, q, 8);
    return v;
  };
  auto load32 = [](const char* q) {
    uint32_t v;
    std::memcpy(&v, q, 4);
    return uint64_t{v};
  };
  // Fixed-size loads only (a variable-length copy would be a call): the last
  // step reads the final 16 bytes, overlapping the previous step when the
  // length is not a multiple of 16; shorter strings read overlapping halves.
  // The length, already in both lanes, keeps overlapping inputs apart.
  if (n > 16) {
    size_t i = 0;
    for (; i + 16 < n; i += 16) step(load64(p + i), load64(p + i + 8));
    step(load64(p + n - 16), load64(p + n - 8));
  } else if (n >= 8) {
    step(load64(p), load64(p + n - 8));
  } else if (n >= 4) {
    step(load32(p), load32(p + n - 4));
  } else if (n > 0) {
    step(uint64_t{static_cast<uint8_t>(p[0])} << 16 | uint64_t{static_cast<uint8_t>(p[n / 2])} << 8 |
             static_cast<uint8_t>(p[n - 1]),
         0);
  } else {
    step(0, 0);
  }
  return {MulFold(a ^ k[4], b ^ k[5]), MulFold(b ^ k[0], a ^ k[1])};
}

}  // namespace tokenverify::internal
