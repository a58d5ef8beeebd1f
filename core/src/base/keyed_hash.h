// Keyed hashes with a random key made once per process: nobody outside the
// process can aim two inputs at one value. They find entries (the token
// cache) and stand for strings (the revocation list's 128-bit digests); they
// are not MACs. Fast: a few multiplications per 8 bytes.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace tokenverify::internal {

struct Digest128 {
  uint64_t hi = 0, lo = 0;
  bool operator==(const Digest128&) const = default;
};

// The process's key words (RAND_bytes, made on first use).
const uint64_t* ProcessHashKey() noexcept;

// 64x64 -> 128 multiply, folded: the mixing step of wyhash-style hashes.
inline uint64_t MulFold(uint64_t a, uint64_t b) noexcept {
  const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(p) ^ static_cast<uint64_t>(p >> 64);
}

// A 128-bit keyed digest of `s` in `domain` (a constant that keeps kinds of
// strings apart, e.g. token ids and subjects). Two independent lanes.
Digest128 KeyedDigest128(uint64_t domain, std::string_view s) noexcept;

// A 64-bit keyed hash of 16 bytes at `p` and a length: the token cache's
// bucket finder (it hashes the end of a token's signature, see cache/).
inline uint64_t KeyedHash16(const char* p, uint64_t len) noexcept {
  const uint64_t* k = ProcessHashKey();
  uint64_t a, b;
  std::memcpy(&a, p, 8);
  std::memcpy(&b, p + 8, 8);
  return MulFold(MulFold(a ^ k[0], b ^ k[1]) ^ len, k[2] | 1);
}

}  // namespace tokenverify::internal
