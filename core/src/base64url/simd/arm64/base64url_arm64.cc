// NEON base64url kernel: 64 characters -> 48 bytes per step.
//
// vld4 splits each 4-character group across four registers, so after the
// lookup the three output bytes are plain shifts and ORs, and vst3 interleaves
// them back.
#if defined(__aarch64__)

#include <arm_neon.h>

#include <cstring>

#include "base64url/base64url.h"
#include "base64url/simd/base64url_alphabet.h"

namespace tokenverify::internal::arm64 {
namespace {

// ASCII -> 6-bit value, 0xFF for invalid. Split in two 64-entry halves since
// tbl handles at most 64 entries; an index past the table yields 0, so bytes
// >= 0x80 look like 'A' in both halves and are caught by their own top bit.
struct Lut {
  alignas(16) uint8_t v[128];
};
constexpr Lut MakeLut() {
  Lut l{};
  for (unsigned c = 0; c < 128; ++c) {
    const int s = SextetOf(c);
    l.v[c] = s < 0 ? 0xFF : static_cast<uint8_t>(s);
  }
  return l;
}
constexpr Lut kLut = MakeLut();

struct Tables {
  uint8x16x4_t lo;
  uint8x16x4_t hi;
};

inline uint8x16_t Lookup(const Tables& t, uint8x16_t x, uint8x16_t* seen) {
  const uint8x16_t v = vorrq_u8(vqtbl4q_u8(t.lo, x), vqtbl4q_u8(t.hi, vsubq_u8(x, vdupq_n_u8(64))));
  *seen = vorrq_u8(*seen, vorrq_u8(x, v));
  return v;
}

// Decodes 64 characters into exactly 48 bytes.
inline void DecodeBlock(const Tables& t, const uint8_t* in, uint8_t* out, uint8x16_t* seen) {
  const uint8x16x4_t x = vld4q_u8(in);
  const uint8x16_t a = Lookup(t, x.val[0], seen);
  const uint8x16_t b = Lookup(t, x.val[1], seen);
  const uint8x16_t c = Lookup(t, x.val[2], seen);
  const uint8x16_t d = Lookup(t, x.val[3], seen);
  uint8x16x3_t o;
  o.val[0] = vorrq_u8(vshlq_n_u8(a, 2), vshrq_n_u8(b, 4));
  o.val[1] = vorrq_u8(vshlq_n_u8(b, 4), vshrq_n_u8(c, 2));
  o.val[2] = vorrq_u8(vshlq_n_u8(c, 6), d);
  vst3q_u8(out, o);
}

}  // namespace

bool Base64urlDecode(const char* in, size_t len, uint8_t* out) noexcept {
  if (len % 4 == 1) return false;
  const Tables t{vld1q_u8_x4(kLut.v), vld1q_u8_x4(kLut.v + 64)};
  const auto* p = reinterpret_cast<const uint8_t*>(in);
  uint8x16_t seen = vdupq_n_u8(0);

  size_t i = 0;
  for (; i + 64 <= len; i += 64, out += 48) DecodeBlock(t, p + i, out, &seen);

  bool tail_bits_set = false;
  const size_t rest = len - i;  // 0..63, never 1 (mod 4)
  if (rest != 0) {
    // Pad with 'A' (value 0): the byte right after the decoded ones then holds
    // exactly the last character's unused bits (or is 0 when rest % 4 == 0).
    alignas(16) uint8_t buf[64];
    std::memset(buf, 'A', sizeof buf);
    std::memcpy(buf, p + i, rest);
    DecodeBlock(t, buf, out, &seen);
    tail_bits_set = out[Base64urlDecodedLength(rest)] != 0;
  }
  return vmaxvq_u8(seen) < 0x80 && !tail_bits_set;
}

}  // namespace tokenverify::internal::arm64

#endif  // defined(__aarch64__)
