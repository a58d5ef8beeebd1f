// Verifier::VerifyBatch: Verify over many tokens at once, on the verifier's
// worker pool (worker_pool.h). Each token goes through Verify itself, so a
// batch gives exactly the statuses, claims and verification counts that a
// loop of Verify would.
#include <algorithm>
#include <thread>

#include "tokenverify/verifier.h"
#include "verify/verifier_impl.h"

namespace tokenverify {

namespace {

// The threads a batch runs on, the caller included: 0 means one per CPU.
unsigned BatchThreads(unsigned requested) noexcept {
  if (requested == 0) requested = std::max(1u, std::thread::hardware_concurrency());
  return std::min(requested, internal::WorkerPool::kMaxParticipants);
}

}  // namespace

Status Verifier::VerifyBatch(std::span<const std::string_view> tokens, std::span<Status> statuses,
                             unsigned threads) const noexcept {
  if (statuses.size() != tokens.size()) return Status::ERR_INVALID_ARGUMENT;
  auto verify_range = [&](size_t begin, size_t end) noexcept {
    for (size_t i = begin; i < end; ++i) statuses[i] = Verify(tokens[i]);
  };
  impl_->batch_workers.Run(tokens.size(), BatchThreads(threads), verify_range);
  return Status::OK;
}

Status Verifier::VerifyBatch(std::span<const std::string_view> tokens, unsigned threads,
                             const BatchResultFn& on_result) const noexcept {
  if (!on_result) return Status::ERR_INVALID_ARGUMENT;
  auto verify_range = [&](size_t begin, size_t end) noexcept {
    VerifiedToken verified;
    for (size_t i = begin; i < end; ++i) {
      const Status s = Verify(tokens[i], &verified);
      on_result(i, s, s == Status::OK ? &verified : nullptr);
    }
  };
  impl_->batch_workers.Run(tokens.size(), BatchThreads(threads), verify_range);
  return Status::OK;
}

}  // namespace tokenverify
