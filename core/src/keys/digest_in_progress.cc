#include "keys/digest_in_progress.h"

#include <cstring>

#include "keys/key_impl.h"

namespace tokenverify::internal {

void DigestInProgress::Begin(std::span<const uint8_t> message, FirstBlock* memo) noexcept {
  message_ = message;
  next_ = message.data();
  left_ = message.size();
  stage_ = Stage::kHashing;
  memo_ = nullptr;
  if (memo != nullptr && left_ >= SHA256_CBLOCK) {
    if (memo->kept && std::memcmp(next_, memo->block, SHA256_CBLOCK) == 0) {
      ctx_ = memo->ctx;
      next_ += SHA256_CBLOCK;
      left_ -= SHA256_CBLOCK;
      return;
    }
    memo_ = memo;  // the memo's block and state change together, at the first step
  }
  SHA256_Init(&ctx_);
}

void DigestInProgress::Step() noexcept {
  if (stage_ != Stage::kHashing || left_ < SHA256_CBLOCK) return;
  // Whole blocks only, so the context never buffers a partial one.
  AbsorbWholeBlock<SHA256_CTX, SHA256_Transform, SHA256_CBLOCK>(&ctx_, next_);
  if (memo_ != nullptr) {  // that was the first block
    std::memcpy(memo_->block, next_, SHA256_CBLOCK);
    memo_->ctx = ctx_;
    memo_->kept = true;
    memo_ = nullptr;
  }
  next_ += SHA256_CBLOCK;
  left_ -= SHA256_CBLOCK;
}

const uint8_t* DigestInProgress::DigestFor(Alg alg, std::span<const uint8_t> message) noexcept {
  if (stage_ == Stage::kIdle || !Covers(alg) || message.data() != message_.data() || message.size() != message_.size())
    return nullptr;
  if (stage_ == Stage::kHashing) {
    SHA256_Update(&ctx_, next_, left_);  // the blocks not yet stepped, in one call, and the tail
    SHA256_Final(digest_, &ctx_);
    stage_ = Stage::kDone;
  }
  return digest_;
}

}  // namespace tokenverify::internal
