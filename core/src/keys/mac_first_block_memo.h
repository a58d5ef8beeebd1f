// An HS256 key's memo of its inner hash state after one message block.
//
// Why: a verifier's tokens from one issuer mostly share their first 64
// bytes (the header segment, with a kid often 60 characters or more, the dot
// and the payload's first characters). The MAC of such a token can start
// from the state after that block instead of the key's ipad state: one
// SHA-256 block (about 35 ns of a 520 ns HS256 verification) off a chain
// nothing else can shorten.
//
// The state is key-derived, so it lives where the key's ipad and opad states
// live, in the key, and is wiped with them. It is kept only for a token whose
// MAC verified: forged tokens neither fill nor displace it (nor make its
// cache line bounce between cores). Its block is compared in full, without
// an early exit: the time of a verification says at most whether a token's
// first 64 bytes are those of a verified token, never how many of them are.
//
// Shared by every thread verifying with the key: a sequence lock. A reader
// copies block and state and trusts them only if the sequence was even and
// unchanged around the copy; a writer makes it odd, writes, makes it even
// again, and gives up rather than wait when another writer is at it. Every
// word is an atomic (relaxed), so no access is a data race.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tokenverify::internal {

class MacFirstBlockMemo {
 public:
  static constexpr size_t kBlockBytes = 64;
  // The hash's chaining value and bit count (SHA-256: h[8], Nl, Nh).
  static constexpr size_t kStateBytes = 40;

  MacFirstBlockMemo() = default;
  MacFirstBlockMemo(const MacFirstBlockMemo&) = delete;
  MacFirstBlockMemo& operator=(const MacFirstBlockMemo&) = delete;
  ~MacFirstBlockMemo() {
    for (auto& w : words_) w.store(0, std::memory_order_relaxed);
  }

  // Whether the memo holds the state after `block` (kBlockBytes); then
  // `state` (kStateBytes) is it.
  bool Find(const uint8_t* block, uint8_t* state) const noexcept {
    const uint64_t before = seq_.load(std::memory_order_acquire);
    if (before == 0 || (before & 1) != 0) return false;  // nothing kept yet, or being written
    uint64_t differ = 0;
    for (size_t i = 0; i < kBlockWords; ++i) {
      uint64_t word;
      std::memcpy(&word, block + 8 * i, 8);
      differ |= word ^ words_[i].load(std::memory_order_relaxed);
    }
    uint64_t out[kStateWords];
    for (size_t i = 0; i < kStateWords; ++i) out[i] = words_[kBlockWords + i].load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    const bool hit = differ == 0 && seq_.load(std::memory_order_relaxed) == before;
    if (hit) std::memcpy(state, out, kStateBytes);
    std::memset(out, 0, sizeof out);  // no copy of a key-derived state stays behind in this frame
    return hit;
  }

  // Keeps `state` as the state after `block`, unless another thread is
  // keeping one right now.
  void Keep(const uint8_t* block, const uint8_t* state) noexcept {
    uint64_t seq = seq_.load(std::memory_order_relaxed);
    if ((seq & 1) != 0 || !seq_.compare_exchange_strong(seq, seq + 1, std::memory_order_relaxed)) return;
    std::atomic_thread_fence(std::memory_order_release);
    for (size_t i = 0; i < kBlockWords; ++i) words_[i].store(Word(block, i), std::memory_order_relaxed);
    for (size_t i = 0; i < kStateWords; ++i) words_[kBlockWords + i].store(Word(state, i), std::memory_order_relaxed);
    seq_.store(seq + 2, std::memory_order_release);
  }

 private:
  static constexpr size_t kBlockWords = kBlockBytes / 8;
  static constexpr size_t kStateWords = kStateBytes / 8;
  static uint64_t Word(const uint8_t* p, size_t i) noexcept {
    uint64_t w;
    std::memcpy(&w, p + 8 * i, 8);
    return w;
  }

  alignas(64) std::atomic<uint64_t> seq_{0};  // odd while a writer is at it; 0 until the first Keep
  std::atomic<uint64_t> words_[kBlockWords + kStateWords] = {};
};

}  // namespace tokenverify::internal
