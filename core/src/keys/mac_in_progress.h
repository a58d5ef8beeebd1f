// An HMAC computed while the verification does other work.
//
// The key of most HS* tokens is known once the header is read (its kid, or
// the only provider's only secret), before the payload is decoded and parsed.
// An HMAC is one chain of dependent SHA-2 rounds, block after block, that
// leaves most of the core's execution units idle; the payload's walk is
// short, independent work. Advanced a step at a time between the walk's
// members (every second one: InterleavedWork in token/token.h), the two
// overlap. The verification checks the finished MAC when, and only when, its
// own key choice lands on the same key for the same alg
// and signing input; any other outcome verifies as before, and the MAC is
// wiped unused.
//
// A key may start the MAC from its memo of the state after the message's
// first block (keys/mac_first_block_memo.h), and hears of that state once a
// MAC it began verifies.
//
// Only HMAC-SHA-256, whose hash runs on the CPU's SHA extensions as one
// latency-bound chain (HS384/512 hash in software, busy on every unit, and
// were slower stepped). The SHA-256 an RS256/PS256/ES256 signature signs
// overlaps the same way (keys/digest_in_progress.h).
#pragma once

#include <openssl/sha.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/constant_time.h"
#include "keys/mac_first_block_memo.h"
#include "token/alg.h"
#include "tokenverify/status.h"

namespace tokenverify::internal {

class Key;

class MacInProgress {
 public:
  // The hash, as the key (key_hmac.cc) gives it: absorb n bytes into the
  // context; finish into out (out_bytes of it); load the key's outer state
  // (the opad block absorbed) into the context.
  struct Hash {
    size_t block_bytes;
    size_t out_bytes;
    void (*absorb)(void* ctx, const uint8_t* p, size_t n) noexcept;
    void (*absorb_block)(void* ctx, const uint8_t* p) noexcept;  // one block, nothing buffered
    void (*finish)(void* ctx, uint8_t* out) noexcept;
    void (*load_outer)(const void* key_state, void* ctx) noexcept;
    // The context's chaining value and bit count, for a MacFirstBlockMemo
    // (null when the hash has no memo).
    void (*save_chain)(const void* ctx, uint8_t* state) noexcept;
  };

  // Room for the hash context and output of HMAC-SHA-256, the only one begun
  // (key_hmac.cc asserts its hash fits).
  static constexpr size_t kContextBytes = sizeof(SHA256_CTX);
  static constexpr size_t kMaxOutBytes = 32;

  MacInProgress() = default;
  MacInProgress(const MacInProgress&) = delete;
  MacInProgress& operator=(const MacInProgress&) = delete;
  // Everything here is key-derived: wiped unless Check already did.
  ~MacInProgress() {
    if (key_ != nullptr) Wipe();
  }

  // For the key (key_hmac.cc): fill context() with the keyed inner state
  // (the ipad block absorbed) and the message's first `absorbed` bytes (0,
  // or a whole block from the key's memo), then Begin. With `keep_in`, the
  // state after the message's first block goes there once the MAC verifies.
  void* context() noexcept { return ctx_; }
  void Begin(const Key* key, Alg alg, std::span<const uint8_t> message, const Hash* hash, const void* key_state,
             size_t absorbed = 0, MacFirstBlockMemo* keep_in = nullptr) noexcept {
    key_ = key;
    alg_ = alg;
    message_ = message;
    next_ = message.data() + absorbed;
    left_ = message.size() - absorbed;
    hash_ = hash;
    key_state_ = key_state;
    stage_ = Stage::kInner;
    from_memo_ = absorbed != 0;
    keep_in_ = hash->save_chain != nullptr && absorbed == 0 ? keep_in : nullptr;
    first_saved_ = false;
  }

  bool active() const noexcept { return key_ != nullptr; }
  // Whether the key began this MAC past the message's first block, from its
  // memo (for tests).
  bool began_from_memo() const noexcept { return from_memo_; }
  // Whether this is the MAC key->Verify(alg, message, ...) computes.
  bool IsFor(const Key* key, Alg alg, std::span<const uint8_t> message) const noexcept {
    return key_ != nullptr && key == key_ && alg == alg_ && message.data() == message_.data() &&
           message.size() == message_.size();
  }

  // One step: a block of the message, or its end and the inner hash, or the
  // outer hash; nothing once the MAC is done.
  void Step() noexcept {
    switch (stage_) {
      case Stage::kInner:
        if (left_ >= hash_->block_bytes) {
          hash_->absorb_block(ctx_, next_);
          if (keep_in_ != nullptr && next_ == message_.data()) {
            hash_->save_chain(ctx_, first_state_);
            first_saved_ = true;
          }
          next_ += hash_->block_bytes;
          left_ -= hash_->block_bytes;
          return;
        }
        if (left_ != 0) hash_->absorb(ctx_, next_, left_);
        left_ = 0;
        hash_->finish(ctx_, mac_);  // the inner hash, for now
        stage_ = Stage::kOuter;
        return;
      case Stage::kOuter:
        hash_->load_outer(key_state_, ctx_);
        hash_->absorb(ctx_, mac_, hash_->out_bytes);
        hash_->finish(ctx_, mac_);
        WipeStack(ctx_, sizeof ctx_);
        stage_ = Stage::kDone;
        return;
      case Stage::kDone:
        return;
    }
  }
  // Step, for InterleavedWork (token/token.h).
  static void StepThunk(void* self) noexcept { static_cast<MacInProgress*>(self)->Step(); }

  // Finishes the MAC and compares it with `tag` in constant time: OK,
  // ERR_SIGNATURE_LENGTH or ERR_SIGNATURE_INVALID, as Key::Verify answers.
  // Once: then everything is wiped and the object is no longer active.
  Status Check(std::span<const uint8_t> tag) noexcept {
    Status st = Status::ERR_SIGNATURE_LENGTH;
    if (tag.size() == hash_->out_bytes) {
      // The message's blocks not yet absorbed go in one call, which keeps
      // OpenSSL's loop over many blocks; then the steps that are left.
      if (stage_ == Stage::kInner && left_ >= hash_->block_bytes) {
        hash_->absorb(ctx_, next_, left_);
        next_ += left_;
        left_ = 0;
      }
      while (stage_ != Stage::kDone) Step();
      st = MacsEqual(mac_, tag.data(), hash_->out_bytes) ? Status::OK : Status::ERR_SIGNATURE_INVALID;
      if (st == Status::OK && first_saved_) keep_in_->Keep(message_.data(), first_state_);
    }
    Wipe();
    key_ = nullptr;
    return st;
  }

 private:
  enum class Stage : uint8_t { kInner, kOuter, kDone };

  void Wipe() noexcept {
    if (stage_ != Stage::kDone) WipeStack(ctx_, sizeof ctx_);
    WipeStack(mac_, sizeof mac_);
    if (first_saved_) WipeStack(first_state_, sizeof first_state_);
    first_saved_ = false;
  }

  alignas(16) unsigned char ctx_[kContextBytes];
  uint8_t mac_[kMaxOutBytes];
  const Key* key_ = nullptr;
  Alg alg_{};
  Stage stage_ = Stage::kDone;
  std::span<const uint8_t> message_;
  const uint8_t* next_ = nullptr;
  size_t left_ = 0;
  const Hash* hash_ = nullptr;
  const void* key_state_ = nullptr;
  MacFirstBlockMemo* keep_in_ = nullptr;
  bool first_saved_ = false;
  bool from_memo_ = false;
  uint8_t first_state_[MacFirstBlockMemo::kStateBytes];
};

}  // namespace tokenverify::internal
