// AVX2 base64url kernel: 32 characters -> 24 bytes per step.
//
// Compiled without -mavx2: the functions carry a target attribute and are only
// called after the CPU check in base64url.cc.
#if defined(__x86_64__)

#include <immintrin.h>

#include "base64url/base64url.h"
#include "base64url/simd/base64url_alphabet.h"

#define TV_AVX2 __attribute__((target("avx2")))
#define TV_AVX2_INLINE __attribute__((target("avx2"), always_inline)) inline

namespace tokenverify::internal::haswell {
namespace {

// Validation by nibbles: every high nibble gets a class bit (4 and 6 share one,
// since both accept low nibbles 1..F; every nibble without valid characters
// shares one). lo[n] holds the classes in which low nibble n is NOT a valid
// character, so a byte is valid iff (lo[low] & hi[high]) == 0.
// Translation: characters in one row of 16 share an offset to their 6-bit
// value, except '_', which shares row 5 with 'P'..'Z'. Adding 1 to the row of
// every byte above 'Z' moves '_' to row 6 alone and a..z to rows 7 and 8:
// off[row] then serves every valid character.
// (Each table is stored twice, once per 128-bit lane, so it loads in one go.)
struct Luts {
  alignas(32) uint8_t lo[32];
  alignas(32) uint8_t hi[32];
  alignas(32) uint8_t off[32];
};
constexpr uint8_t kClassOfHigh[16] = {1, 1, 2, 4, 8, 16, 8, 32, 1, 1, 1, 1, 1, 1, 1, 1};

constexpr unsigned OffsetRow(unsigned c) {
  return (c >> 4) + (c > 'Z' && c < 0x80 ? 1 : 0);  // signed compare: bytes >= 0x80 are < 'Z'
}

constexpr Luts MakeLuts() {
  Luts l{};
  for (unsigned c = 0; c < 256; ++c) {
    const int s = SextetOf(c);
    for (unsigned lane = 0; lane < 32; lane += 16) {
      l.hi[lane + (c >> 4)] = kClassOfHigh[c >> 4];
      if (s < 0) {
        l.lo[lane + (c & 15)] |= kClassOfHigh[c >> 4];
      } else {
        l.off[lane + OffsetRow(c)] = static_cast<uint8_t>(s - static_cast<int>(c));
      }
    }
  }
  return l;
}
constexpr Luts kLuts = MakeLuts();

// The same computation the vector code does, checked for all 256 bytes (this
// also proves that no two valid characters needing different offsets share a row).
constexpr bool LutsAreExact() {
  for (unsigned c = 0; c < 256; ++c) {
    const bool valid = (kLuts.lo[c & 15] & kLuts.hi[c >> 4]) == 0;
    if (valid != (SextetOf(c) >= 0)) return false;
    if (valid && static_cast<uint8_t>(c + kLuts.off[OffsetRow(c)]) != SextetOf(c)) return false;
    if (OffsetRow(c) > 15) return false;
  }
  return true;
}
static_assert(LutsAreExact());

// For the last 2 or 3 characters: 6-bit value, or 0x80 for invalid.
struct SextetTable {
  uint8_t v[256];
};
constexpr SextetTable MakeSextetTable() {
  SextetTable t{};
  for (unsigned c = 0; c < 256; ++c) {
    t.v[c] = SextetOf(c) < 0 ? 0x80 : static_cast<uint8_t>(SextetOf(c));
  }
  return t;
}
constexpr SextetTable kSextet = MakeSextetTable();

// Decodes the final n = 2 or 3 characters (a partial group); false if one is
// invalid or the last one's unused low bits are not zero.
inline bool DecodePartialGroup(const char* in, size_t n, uint8_t* out) {
  const auto* p = reinterpret_cast<const uint8_t*>(in);
  const unsigned a = kSextet.v[p[0]];
  const unsigned b = kSextet.v[p[1]];
  out[0] = static_cast<uint8_t>(a << 2 | b >> 4);
  if (n == 2) return ((a | b) & 0x80) == 0 && (b & 0xF) == 0;
  const unsigned c = kSextet.v[p[2]];
  out[1] = static_cast<uint8_t>(b << 4 | c >> 2);
  return ((a | b | c) & 0x80) == 0 && (c & 3) == 0;
}

TV_AVX2_INLINE __m256i Table(const uint8_t (&t)[32]) { return _mm256_load_si256(reinterpret_cast<const __m256i*>(t)); }

// Decodes 32 characters into 24 bytes: 12 at the bottom of each 128-bit lane.
// Invalid characters set bits in *bad.
TV_AVX2_INLINE __m256i DecodeBlock(__m256i x, __m256i* bad) {
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  const __m256i hi = _mm256_and_si256(_mm256_srli_epi32(x, 4), nibble);
  // Masked, because pshufb yields 0 (i.e. "valid") for index bytes >= 0x80.
  const __m256i lo = _mm256_and_si256(x, nibble);
  const __m256i invalid =
      _mm256_and_si256(_mm256_shuffle_epi8(Table(kLuts.lo), lo), _mm256_shuffle_epi8(Table(kLuts.hi), hi));
  *bad = _mm256_or_si256(*bad, invalid);

  const __m256i above_z = _mm256_cmpgt_epi8(x, _mm256_set1_epi8('Z'));  // -1 or 0
  const __m256i off = _mm256_shuffle_epi8(Table(kLuts.off), _mm256_sub_epi8(hi, above_z));
  const __m256i v = _mm256_add_epi8(x, off);  // one 6-bit value per byte

  // Merge pairs (a<<6|b), then pairs of pairs: each dword holds
  // a<<18|b<<12|c<<6|d, i.e. the 3 output bytes in reverse order.
  const __m256i ab = _mm256_maddubs_epi16(v, _mm256_set1_epi32(0x01400140));
  const __m256i abcd = _mm256_madd_epi16(ab, _mm256_set1_epi32(0x00011000));
  // Reverse each dword's 3 bytes and pack them into 12 bytes per 128-bit lane.
  return _mm256_shuffle_epi8(abcd, _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,  //
                                                    2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1));
}

TV_AVX2_INLINE __m256i Load(const char* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
// Two 16-byte stores 12 bytes apart close the gap between the lanes: cheaper
// than a lane-crossing permute (each writes 4 garbage bytes past its 12).
TV_AVX2_INLINE void Store(uint8_t* p, __m256i v) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_castsi256_si128(v));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p + 12), _mm256_extracti128_si256(v, 1));
}

}  // namespace

TV_AVX2 bool Base64urlDecode(const char* in, size_t len, uint8_t* out) noexcept {
  if (len % 4 == 1) return false;
  if (len == 0) return true;
  const size_t whole = len & ~size_t{3};  // characters in whole 4-character groups
  __m256i bad = _mm256_setzero_si256();

  if (len < 32) {
    // One block: a masked load reads only the whole groups' dwords (it does
    // not touch, or fault on, the rest); the other lanes become 'A' (value 0).
    const __m256i live =
        _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(whole / 4)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const __m256i x = _mm256_or_si256(_mm256_maskload_epi32(reinterpret_cast<const int*>(in), live),
                                      _mm256_andnot_si256(live, _mm256_set1_epi8('A')));
    Store(out, DecodeBlock(x, &bad));
  } else {
    // Each block's store writes 4 garbage bytes past its 24, which the next
    // store (or the caller's slack) absorbs.
    size_t i = 0;
    for (; i + 64 <= whole; i += 64) {
      const __m256i x0 = Load(in + i);
      const __m256i x1 = Load(in + i + 32);
      Store(out + i / 4 * 3, DecodeBlock(x0, &bad));
      Store(out + i / 4 * 3 + 24, DecodeBlock(x1, &bad));
    }
    if (i + 32 <= whole) {
      Store(out + i / 4 * 3, DecodeBlock(Load(in + i), &bad));
      i += 32;
    }
    if (i < whole) {
      // 1..7 groups left: decode the last 32 characters of whole groups again,
      // overlapping work already done, rather than copying to a buffer.
      const size_t j = whole - 32;
      Store(out + j / 4 * 3, DecodeBlock(Load(in + j), &bad));
    }
  }
  if (!_mm256_testz_si256(bad, bad)) return false;
  return whole == len || DecodePartialGroup(in + whole, len - whole, out + whole / 4 * 3);
}

}  // namespace tokenverify::internal::haswell

#undef TV_AVX2
#undef TV_AVX2_INLINE
#endif  // defined(__x86_64__)
