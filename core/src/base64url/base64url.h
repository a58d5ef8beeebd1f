// Strict base64url (RFC 4648 section 5, no padding) with per-CPU vector kernels.
//
// Strict means: only A-Z a-z 0-9 - _; no '=' padding; no whitespace; a length
// that is 1 (mod 4) is rejected; the unused low bits of the last character
// must be zero (so every byte string has exactly one accepted encoding).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace tokenverify::internal {

// Kernels may write up to this many bytes past the decoded length, so callers
// give them an output buffer of Base64urlDecodedLength(n) + kBase64urlOutputSlack.
// Input is never read past its end.
inline constexpr size_t kBase64urlOutputSlack = 64;

// Number of bytes that a valid input of `n` characters decodes to.
constexpr size_t Base64urlDecodedLength(size_t n) noexcept { return n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1); }

// A decode kernel: decodes in[0, len) into out; returns false on any invalid
// input (out then holds unspecified bytes). out must have room for
// Base64urlDecodedLength(len) + kBase64urlOutputSlack bytes.
using Base64urlDecodeFn = bool (*)(const char* in, size_t len, uint8_t* out) noexcept;

struct Base64urlKernel {
  std::string_view name;         // "fallback", "haswell" (AVX2), "icelake" (AVX-512 VBMI), "arm64" (NEON)
  std::string_view description;  // human text, e.g. "AVX2 (x86-64)"
  bool (*supported)() noexcept;  // can the running CPU execute it?
  Base64urlDecodeFn decode;
};

// Every kernel compiled into this binary, the scalar fallback first, whether or
// not the running CPU supports it (check `supported`).
std::span<const Base64urlKernel> AllBase64urlKernels() noexcept;

// The kernel in use: chosen once, on first call, as the best supported one, or
// the one named by the environment variable TOKENVERIFY_FORCE_IMPLEMENTATION
// (an unknown or unsupported name falls back to automatic choice and says so on
// stderr once). Stored in an atomic pointer; later calls are one relaxed load.
const Base64urlKernel& ActiveBase64urlKernel() noexcept;

// The kernel called `name` in AllBase64urlKernels(), or nullptr.
const Base64urlKernel* FindBase64urlKernel(std::string_view name) noexcept;

// The choice ActiveBase64urlKernel() makes when TOKENVERIFY_FORCE_IMPLEMENTATION
// holds `forced` (empty: unset): the named kernel if it is compiled in and the
// CPU supports it, else the best supported one. *forced_ignored (if not null)
// is set to whether a non-empty name was not honoured. Exposed for tests.
const Base64urlKernel& SelectBase64urlKernel(std::string_view forced, bool* forced_ignored) noexcept;

// Decodes with the active kernel.
inline bool Base64urlDecode(std::string_view in, uint8_t* out) noexcept {
  return ActiveBase64urlKernel().decode(in.data(), in.size(), out);
}

// Scalar strict decoder (the reference all kernels must agree with).
bool Base64urlDecodeScalar(const char* in, size_t len, uint8_t* out) noexcept;

// Encodes without padding (not on any hot path: tests, thumbprints, tooling).
std::string Base64urlEncode(std::span<const uint8_t> bytes);
inline std::string Base64urlEncode(std::string_view bytes) {
  return Base64urlEncode(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

}  // namespace tokenverify::internal
