// SHA-256 blocks on the SHA extensions: see sha256_ni.h. The rounds follow
// FIPS 180-4 through the instructions' contract (Intel SDM, SHA256RNDS2,
// SHA256MSG1, SHA256MSG2): four message words per group, two rounds per
// SHA256RNDS2, the schedule W[t] from W[t-16..t-1] four at a time.
#include "keys/sha256_ni.h"

#include <cstdlib>
#include <cstring>
#include <string_view>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace tokenverify::internal::sha256_ni {

#if defined(__x86_64__)
namespace {

#define TV_SHA_NI_TARGET __attribute__((target("sha,ssse3,sse4.1")))

// FIPS 180-4 4.2.2: the round constants.
alignas(16) constexpr uint32_t kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// Reverses the bytes of each 32-bit lane: big-endian message words and digest.
TV_SHA_NI_TARGET inline __m128i ByteSwapLanes(__m128i v) {
  return _mm_shuffle_epi8(v, _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL));
}

TV_SHA_NI_TARGET inline __m128i Load(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }
TV_SHA_NI_TARGET inline void Store(void* p, __m128i v) { _mm_storeu_si128(static_cast<__m128i*>(p), v); }

bool CpuHasShaExtensions() noexcept {
  unsigned a, b, c, d;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0) return false;
  const bool ssse3 = (c & bit_SSSE3) != 0, sse41 = (c & bit_SSE4_1) != 0;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
  return ssse3 && sse41 && (b & bit_SHA) != 0;
}

// The 64 rounds on h (lane order), the message's first 16 words given.
TV_SHA_NI_TARGET inline void Rounds(uint32_t h[8], __m128i w0, __m128i w1, __m128i w2, __m128i w3) {
  __m128i abef = Load(h), cdgh = Load(h + 4);
  const __m128i abef_in = abef, cdgh_in = cdgh;
  __m128i w[4] = {w0, w1, w2, w3};  // the last four groups of message words
#pragma GCC unroll 16
  for (int g = 0; g < 16; ++g) {
    __m128i words;
    if (g < 4) {
      words = w[g];
    } else {  // W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four at once
      words = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
      words = _mm_add_epi32(words, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
      words = _mm_sha256msg2_epu32(words, w[(g + 3) & 3]);
    }
    w[g & 3] = words;
    __m128i wk = _mm_add_epi32(words, _mm_load_si128(reinterpret_cast<const __m128i*>(kRoundConstants + 4 * g)));
    cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
    wk = _mm_shuffle_epi32(wk, 0x0E);
    abef = _mm_sha256rnds2_epu32(abef, cdgh, wk);
  }
  Store(h, _mm_add_epi32(abef, abef_in));
  Store(h + 4, _mm_add_epi32(cdgh, cdgh_in));
}

}  // namespace

bool Active() noexcept {
  static const bool active = [] {
    const char* forced = std::getenv("TOKENVERIFY_FORCE_IMPLEMENTATION");
    return CpuHasShaExtensions() && (forced == nullptr || std::string_view(forced) != "fallback");
  }();
  return active;
}

TV_SHA_NI_TARGET void ToLaneOrder(uint32_t h[8]) noexcept {
  // Lanes low to high; the instructions want A B E F as F E B A, C D G H as H G D C.
  const __m128i badc = _mm_shuffle_epi32(Load(h), 0xB1);
  const __m128i hgfe = _mm_shuffle_epi32(Load(h + 4), 0x1B);
  Store(h, _mm_alignr_epi8(badc, hgfe, 8));         // F E B A
  Store(h + 4, _mm_blend_epi16(hgfe, badc, 0xF0));  // H G D C
}

TV_SHA_NI_TARGET void FromLaneOrder(uint32_t h[8]) noexcept {
  const __m128i abef = _mm_shuffle_epi32(Load(h), 0x1B);
  const __m128i ghcd = _mm_shuffle_epi32(Load(h + 4), 0xB1);
  Store(h, _mm_blend_epi16(abef, ghcd, 0xF0));   // A B C D
  Store(h + 4, _mm_alignr_epi8(ghcd, abef, 8));  // E F G H
}

TV_SHA_NI_TARGET void Block(uint32_t h[8], const uint8_t* block) noexcept {
  Rounds(h, ByteSwapLanes(Load(block)), ByteSwapLanes(Load(block + 16)), ByteSwapLanes(Load(block + 32)),
         ByteSwapLanes(Load(block + 48)));
}

TV_SHA_NI_TARGET void HmacOuterBlock(uint32_t h[8], const uint32_t inner[8]) noexcept {
  // The inner digest's bytes are its words big-endian: as message words,
  // they are the words themselves. Then 0x80, zeros, and 96 bytes in bits.
  Rounds(h, Load(inner), Load(inner + 4), _mm_set_epi32(0, 0, 0, static_cast<int>(0x80000000u)),
         _mm_set_epi32((64 + 32) * 8, 0, 0, 0));
}

TV_SHA_NI_TARGET void DigestBytes(const uint32_t h[8], uint8_t out[32]) noexcept {
  Store(out, ByteSwapLanes(Load(h)));
  Store(out + 16, ByteSwapLanes(Load(h + 4)));
}

void Digest(const uint8_t* message, size_t n, uint8_t out[32]) noexcept {
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};  // FIPS 180-4 5.3.3
  ToLaneOrder(h);
  const size_t whole = n / 64 * 64;
  for (size_t at = 0; at < whole; at += 64) Block(h, message + at);
  uint8_t last[128];
  const size_t blocks = PadLastBlocks(message + whole, n - whole, uint64_t{n} * 8, last);
  for (size_t b = 0; b < blocks; ++b) Block(h, last + 64 * b);
  FromLaneOrder(h);
  DigestBytes(h, out);
}

#undef TV_SHA_NI_TARGET
#else
bool Active() noexcept { return false; }
#endif

size_t PadLastBlocks(const uint8_t* tail, size_t n, uint64_t total_bits, uint8_t out[128]) noexcept {
  // FIPS 180-4 5.1.1: 0x80, zeros, the 64-bit big-endian length; 9 bytes
  // more than the tail, so a tail of 56..63 bytes takes a second block.
  std::memset(out, 0, 128);
  std::memcpy(out, tail, n);
  out[n] = 0x80;
  const size_t blocks = n < 56 ? 1 : 2;
  for (size_t i = 0; i < 8; ++i) out[64 * blocks - 1 - i] = static_cast<uint8_t>(total_bits >> (8 * i));
  return blocks;
}

}  // namespace tokenverify::internal::sha256_ni
