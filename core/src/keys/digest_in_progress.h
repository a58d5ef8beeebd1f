// The SHA-256 of the signing input, computed while the verification does
// other work.
//
// RS256, PS256, ES256 and ES256K sign the SHA-256 of the signing input,
// whichever key verifies them: the hash can start as soon as the header names
// the alg, before any key is chosen, and advance a block at a time beside the
// signature's and the payload's decoding and the payload's walk (InterleavedWork
// in token/token.h), as an HMAC does (keys/mac_in_progress.h). A SHA-256 on
// the CPU's SHA extensions is one chain of dependent rounds; the walk beside
// it is short independent work, which also waits on the caches the public-key
// operation of the previous verification left cold. Measured (paired bench,
// same machine, alternating runs): RS256 1.022-1.024x raw -> 1.017-1.018x,
// PS256 1.026-1.028x -> 1.020-1.022x.
//
// The key's check asks for the digest of its own alg and signing input
// (DigestFor); anything else is hashed afresh by the key.
//
// A thread's tokens from one issuer mostly share their first 64 bytes (the
// header segment, with a kid often longer than 60 characters, the dot and
// the payload's first characters). A FirstBlock memo keeps the state after
// the last message's first block: a message that starts with the very same
// 64 bytes starts its hash from there, a block shorter. Only public bytes
// and their hash are kept.
#pragma once

#include <openssl/sha.h>  // the context type only: the calls are in digest_in_progress.cc

#include <cstddef>
#include <cstdint>
#include <span>

#include "token/alg.h"

namespace tokenverify::internal {

class DigestInProgress {
 public:
  static constexpr size_t kBytes = SHA256_DIGEST_LENGTH;

  // Whether `alg`'s signature signs the SHA-256 of the signing input.
  static bool Covers(Alg alg) noexcept { return SignedDigestBytes(alg) == kBytes; }

  // The state after the first block of the last message begun with it
  // (one per thread: not shared).
  struct FirstBlock {
    uint8_t block[SHA256_CBLOCK];
    SHA256_CTX ctx;
    bool kept = false;
  };

  DigestInProgress() = default;
  DigestInProgress(const DigestInProgress&) = delete;
  DigestInProgress& operator=(const DigestInProgress&) = delete;

  // Starts the hash of `message` (which must outlive this object's use);
  // from `memo`'s state when the message starts with its block, else
  // leaving the message's first block there once it is hashed.
  void Begin(std::span<const uint8_t> message, FirstBlock* memo = nullptr) noexcept;
  bool active() const noexcept { return stage_ != Stage::kIdle; }

  // One block of the message; nothing once fewer than a block are left (the
  // rest goes in when the digest is asked for).
  void Step() noexcept;
  // Step, for InterleavedWork (token/token.h).
  static void StepThunk(void* self) noexcept { static_cast<DigestInProgress*>(self)->Step(); }

  // The digest a key verifying `alg` over `message` would compute, finished
  // now if need be (kBytes bytes); null when this is not that digest.
  const uint8_t* DigestFor(Alg alg, std::span<const uint8_t> message) noexcept;

 private:
  enum class Stage : uint8_t { kIdle, kHashing, kDone };

  SHA256_CTX ctx_;
  uint8_t digest_[kBytes];
  Stage stage_ = Stage::kIdle;
  FirstBlock* memo_ = nullptr;  // to fill once the first block is hashed
  std::span<const uint8_t> message_;
  const uint8_t* next_ = nullptr;
  size_t left_ = 0;
};

}  // namespace tokenverify::internal
