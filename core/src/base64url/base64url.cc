// Strict base64url: the scalar reference decoder, the encoder, and the choice
// of the per-CPU decode kernel (see base64url/base64url.h).
#include "base64url/base64url.h"

#include <atomic>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>

#include "base64url/simd/base64url_alphabet.h"

namespace tokenverify::internal {

// Each kernel lives in its own translation unit under simd/<name>/ and is
// compiled only for its architecture.
namespace fallback {
bool Base64urlDecode(const char* in, size_t len, uint8_t* out) noexcept;
}
#if defined(__x86_64__)
namespace haswell {
bool Base64urlDecode(const char* in, size_t len, uint8_t* out) noexcept;
}
namespace icelake {
bool Base64urlDecode(const char* in, size_t len, uint8_t* out) noexcept;
}
#endif
#if defined(__aarch64__)
namespace arm64 {
bool Base64urlDecode(const char* in, size_t len, uint8_t* out) noexcept;
}
#endif

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// One table per position in a 4-character group. Each entry holds that
// character's bits already placed where they land in the 3 output bytes, laid
// out as a little-endian word (byte 0 = first output byte), so a group decodes
// to d0[a] | d1[b] | d2[c] | d3[d] and is stored with one 4-byte write.
// An invalid character sets bit 24, which no valid entry touches; OR-ing every
// word into an accumulator checks a whole input with one test at the end.
constexpr uint32_t kInvalid = 0x01000000;

struct DecodeTables {
  uint32_t d[4][256];
};

constexpr DecodeTables MakeDecodeTables() {
  DecodeTables t{};
  for (unsigned c = 0; c < 256; ++c) {
    const int s = SextetOf(c);
    if (s < 0) {
      for (auto& d : t.d) d[c] = kInvalid;
      continue;
    }
    const auto v = static_cast<uint32_t>(s);
    t.d[0][c] = v << 2;                             // byte 0, bits 7..2
    t.d[1][c] = (v >> 4) | ((v & 0xF) << 12);       // byte 0 bits 1..0, byte 1 bits 7..4
    t.d[2][c] = ((v >> 2) << 8) | ((v & 3) << 22);  // byte 1 bits 3..0, byte 2 bits 7..6
    t.d[3][c] = v << 16;                            // byte 2 bits 5..0
  }
  return t;
}

constexpr DecodeTables kDecode = MakeDecodeTables();

inline void StoreGroup(uint8_t* out, uint32_t w) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(out, &w, 4);  // the 4th byte lands in the caller's slack
  } else {
    out[0] = static_cast<uint8_t>(w);
    out[1] = static_cast<uint8_t>(w >> 8);
    out[2] = static_cast<uint8_t>(w >> 16);
  }
}

bool FallbackSupported() noexcept { return true; }

#if defined(__x86_64__)
// gcc's and clang's __builtin_cpu_supports report AVX2/AVX-512 only when the
// OS has enabled the YMM/ZMM register state (XGETBV), so no separate check.
bool HaswellSupported() noexcept {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}
bool IcelakeSupported() noexcept {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi");
}
#endif
#if defined(__aarch64__)
bool Arm64Supported() noexcept { return true; }  // NEON (ASIMD) is mandatory on AArch64.
#endif

// In increasing order of preference: selection picks the last supported one.
constexpr Base64urlKernel kKernels[] = {
    {"fallback", "portable scalar", FallbackSupported, fallback::Base64urlDecode},
#if defined(__x86_64__)
    {"haswell", "AVX2 (x86-64)", HaswellSupported, haswell::Base64urlDecode},
    {"icelake", "AVX-512 VBMI (x86-64)", IcelakeSupported, icelake::Base64urlDecode},
#endif
#if defined(__aarch64__)
    {"arm64", "NEON (AArch64)", Arm64Supported, arm64::Base64urlDecode},
#endif
};

// Process-wide: the kernel chosen at first use (ActiveBase64urlKernel).
std::atomic<const Base64urlKernel*> g_active{nullptr};

}  // namespace

bool Base64urlDecodeScalar(const char* in, size_t len, uint8_t* out) noexcept {
  if (len % 4 == 1) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(in);
  const auto& d = kDecode.d;
  uint32_t seen = 0;  // OR of every decoded word: bit 24+ set means invalid
  size_t groups = len / 4;
  // Two groups per iteration: two independent dependency chains.
  for (; groups >= 2; groups -= 2, p += 8, out += 6) {
    const uint32_t w0 = d[0][p[0]] | d[1][p[1]] | d[2][p[2]] | d[3][p[3]];
    const uint32_t w1 = d[0][p[4]] | d[1][p[5]] | d[2][p[6]] | d[3][p[7]];
    seen |= w0 | w1;
    StoreGroup(out, w0);
    StoreGroup(out + 3, w1);
  }
  if (groups != 0) {
    const uint32_t w = d[0][p[0]] | d[1][p[1]] | d[2][p[2]] | d[3][p[3]];
    seen |= w;
    StoreGroup(out, w);
    p += 4;
    out += 3;
  }
  switch (len % 4) {
    case 2: {
      const uint32_t w = d[0][p[0]] | d[1][p[1]];
      // The second character's low 4 bits (byte 1 bits 7..4) must be zero.
      seen |= w | ((w & 0xF000) << 12);
      out[0] = static_cast<uint8_t>(w);
      break;
    }
    case 3: {
      const uint32_t w = d[0][p[0]] | d[1][p[1]] | d[2][p[2]];
      // The third character's low 2 bits (byte 2 bits 7..6) must be zero.
      seen |= w | ((w & 0xC00000) << 2);
      out[0] = static_cast<uint8_t>(w);
      out[1] = static_cast<uint8_t>(w >> 8);
      break;
    }
    default:
      break;
  }
  return (seen >> 24) == 0;
}

std::string Base64urlEncode(std::span<const uint8_t> bytes) {
  std::string s;
  s.resize((bytes.size() * 4 + 2) / 3);
  char* o = s.data();
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
    *o++ = kAlphabet[v & 63];
  }
  if (bytes.size() - i == 1) {
    const uint32_t v = uint32_t{bytes[i]} << 16;
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
  } else if (bytes.size() - i == 2) {
    const uint32_t v = (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8);
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
  }
  return s;
}

std::span<const Base64urlKernel> AllBase64urlKernels() noexcept { return kKernels; }

const Base64urlKernel* FindBase64urlKernel(std::string_view name) noexcept {
  for (const auto& k : kKernels) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

const Base64urlKernel& SelectBase64urlKernel(std::string_view forced, bool* forced_ignored) noexcept {
  if (forced_ignored != nullptr) *forced_ignored = false;
  if (!forced.empty()) {
    const Base64urlKernel* k = FindBase64urlKernel(forced);
    if (k != nullptr && k->supported()) return *k;
    if (forced_ignored != nullptr) *forced_ignored = true;
  }
  for (size_t i = std::size(kKernels); i-- > 1;) {
    if (kKernels[i].supported()) return kKernels[i];
  }
  return kKernels[0];
}

const Base64urlKernel& ActiveBase64urlKernel() noexcept {
  // The kernels are constant data, so a relaxed load suffices to publish them.
  const Base64urlKernel* k = g_active.load(std::memory_order_relaxed);
  if (k != nullptr) return *k;

  const char* env = std::getenv("TOKENVERIFY_FORCE_IMPLEMENTATION");
  const std::string_view forced = env != nullptr ? env : "";
  bool ignored = false;
  const Base64urlKernel* chosen = &SelectBase64urlKernel(forced, &ignored);
  const Base64urlKernel* expected = nullptr;
  // Racing first calls choose the same kernel; only the winner complains.
  if (g_active.compare_exchange_strong(expected, chosen, std::memory_order_relaxed)) {
    if (ignored) {
      std::fprintf(stderr, "tokenverify: TOKENVERIFY_FORCE_IMPLEMENTATION=%s is %s; using %.*s\n", env,
                   FindBase64urlKernel(forced) == nullptr ? "not a known kernel" : "not supported by this CPU",
                   static_cast<int>(chosen->name.size()), chosen->name.data());
    }
    return *chosen;
  }
  return *expected;
}

}  // namespace tokenverify::internal
