// For tests and benchmarks only. Nothing in the library includes this file:
// its functions live in the test support library
// (tests/support/verifier_test_peer.cc), which reaches a Verifier's insides
// through internal::VerifierInternals (verifier_impl.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tokenverify/status.h"
#include "tokenverify/verifier.h"

namespace tokenverify::internal {

// Publishes every provider's current key set again as a new snapshot (the
// same keys and generation) and returns how many providers had one. A
// benchmark calls it in a loop to measure what readers pay for concurrent
// publication (bench/bench_refresh.cc).
size_t RepublishKeySetsForTesting(const Verifier& verifier);

// Installs `hook` (nullptr removes it) on `verifier`, whose Verify then calls
// it after a first pass that ended in ERR_KID_NOT_FOUND, before it decides
// whether to try again: a test lands a refresh in exactly that window. Call
// it while no other thread verifies with `verifier`.
void SetAfterKidMissHookForTesting(Verifier& verifier, void (*hook)());

// Sets the verifier's clock (the configuration's "now") to `unix_seconds`:
// a test moves time past a cached token's exp. Call it while no other thread
// verifies with `verifier`.
void SetNowForTesting(Verifier& verifier, int64_t unix_seconds);

}  // namespace tokenverify::internal
