// SHA-256 blocks on the CPU's SHA extensions (x86-64 SHA-NI), for the HMAC
// that is hashed a block at a time beside the payload's walk
// (keys/mac_in_progress.h), and whole short messages for the RSA-PSS check
// (keys/rsa_padding.cc).
//
// Why our own and not OpenSSL's: OpenSSL's block function takes the chaining
// value in the standard word order and reorders it into the instructions'
// order (ABEF, CDGH) on the way in and back on the way out, on every call.
// Hashing one block per call, that is on the chain of dependent rounds ten
// times per HS256 token; so is SHA256_Final's buffering of the inner hash
// before the outer block. Here the chaining value stays in the
// instructions' order between blocks, the inner hash's last blocks are padded
// before the hash gets there, and the outer block takes the inner digest's
// words as they are. The output is compared against OpenSSL's SHA-256 in the
// unit tests (Sha256Ni.*, KeyVerify.BegunMacEveryLengthAndStepCount) and in
// every HS256 vector the suites run.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tokenverify::internal::sha256_ni {

#if defined(__x86_64__)
inline constexpr bool kCompiled = true;
#else
inline constexpr bool kCompiled = false;  // Active() is false, the rest absent
#endif

// Whether this CPU has the SHA extensions (with SSSE3 and SSE4.1) and
// TOKENVERIFY_FORCE_IMPLEMENTATION is not "fallback". Decided once.
bool Active() noexcept;

// The message's last n < 64 bytes, padded with `total_bits` (the length of
// everything hashed, these bytes included), into out: returns the blocks
// that takes, one or two. Plain code, to build before the hash gets there.
size_t PadLastBlocks(const uint8_t* tail, size_t n, uint64_t total_bits, uint8_t out[128]) noexcept;

#if defined(__x86_64__)
// The chaining value h[0..7] from the standard order into the
// instructions' (ABEF, CDGH), and back.
void ToLaneOrder(uint32_t h[8]) noexcept;
void FromLaneOrder(uint32_t h[8]) noexcept;

// One 64-byte block into h, kept in lane order.
void Block(uint32_t h[8], const uint8_t* block) noexcept;

// The outer block of HMAC-SHA-256 into h (lane order, the opad block
// absorbed): the inner digest, given as its words in the standard order,
// padded as the 32 bytes after one block.
void HmacOuterBlock(uint32_t h[8], const uint32_t inner[8]) noexcept;

// The digest of h in the standard order: its words, big-endian.
void DigestBytes(const uint32_t h[8], uint8_t out[32]) noexcept;

// The SHA-256 of a whole message of n bytes, from the initial value: for
// short messages hashed at once (keys/rsa_padding.cc's MGF1 and PSS hashes).
void Digest(const uint8_t* message, size_t n, uint8_t out[32]) noexcept;
#endif

}  // namespace tokenverify::internal::sha256_ni
