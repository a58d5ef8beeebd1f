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
//
// On a CPU with the SHA extensions the steps run on keys/sha256_ni.h: the
// chaining value stays in the instructions' word order from block to block,
// the inner hash's last blocks are padded at Begin, and the outer block takes
// the inner digest's words without a trip through SHA256_Final's buffer.
#pragma once

#include <openssl/sha.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "base/constant_time.h"
#include "keys/mac_first_block_memo.h"
#include "keys/sha256_ni.h"
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
    // The context is a SHA256_CTX (HMAC-SHA-256): the steps may run on the
    // SHA extensions (keys/sha256_ni.h).
    bool sha256_ctx = false;
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
    on_sha_extensions_ = hash->sha256_ctx && sha256_ni::Active();
    in_lane_order_ = false;
    if (on_sha_extensions_) {  // the inner hash's last blocks, padded while the first ones run
      const auto* c = reinterpret_cast<const SHA256_CTX*>(ctx_);
      const size_t tail = left_ % 64;
      last_blocks_ = sha256_ni::PadLastBlocks(next_ + left_ - tail, tail,
                                              ((uint64_t{c->Nh} << 32) | c->Nl) + uint64_t{left_} * 8, last_);
    }
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
    if (on_sha_extensions_ && StepOnShaExtensions()) return;
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
  // Whether the steps run on the SHA extensions (for tests).
  bool on_sha_extensions() const noexcept { return on_sha_extensions_; }

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
      if (!on_sha_extensions_ && stage_ == Stage::kInner && left_ >= hash_->block_bytes) {
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

  // Step on keys/sha256_ni.h; false for the one step it leaves to Step's
  // OpenSSL path: the message's first block when the memo is to hear of the
  // state after it (in the standard order, as the memo keeps it).
  bool StepOnShaExtensions() noexcept {
#if defined(__x86_64__)
    auto* c = reinterpret_cast<SHA256_CTX*>(ctx_);
    constexpr size_t kBlock = 64;
    switch (stage_) {
      case Stage::kInner:
        if (left_ >= kBlock && keep_in_ != nullptr && next_ == message_.data()) return false;
        if (!in_lane_order_) sha256_ni::ToLaneOrder(c->h);
        in_lane_order_ = true;
        if (left_ >= kBlock) {
          sha256_ni::Block(c->h, next_);  // no bit count to keep: Begin padded last_ with the total
          next_ += kBlock;
          left_ -= kBlock;
          return true;
        }
        sha256_ni::Block(c->h, last_);
        if (last_blocks_ == 2) sha256_ni::Block(c->h, last_ + 64);
        left_ = 0;
        sha256_ni::FromLaneOrder(c->h);
        in_lane_order_ = false;
        std::memcpy(mac_, c->h, sizeof c->h);  // the inner digest, as words
        stage_ = Stage::kOuter;
        return true;
      case Stage::kOuter: {
        uint32_t inner[8];
        std::memcpy(inner, mac_, sizeof inner);
        hash_->load_outer(key_state_, ctx_);  // the opad block absorbed
        sha256_ni::ToLaneOrder(c->h);
        sha256_ni::HmacOuterBlock(c->h, inner);
        sha256_ni::FromLaneOrder(c->h);
        sha256_ni::DigestBytes(c->h, mac_);
        WipeStack(inner, sizeof inner);
        WipeStack(ctx_, sizeof ctx_);
        stage_ = Stage::kDone;
        return true;
      }
      case Stage::kDone:
        return true;
    }
    return true;
#else
    return false;
#endif
  }

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
  bool on_sha_extensions_ = false;
  bool in_lane_order_ = false;  // ctx_'s chaining value, on the SHA extensions
  uint8_t last_blocks_ = 0;     // on the SHA extensions: the inner hash's last blocks, padded
  alignas(16) uint8_t last_[128];
  uint8_t first_state_[MacFirstBlockMemo::kStateBytes];
};

}  // namespace tokenverify::internal
