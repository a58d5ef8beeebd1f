// Hooks for tests and benchmarks only; no caller in the library uses them.
#pragma once

#include <cstddef>

#include "tokenverify/verifier.h"

namespace tokenverify::internal {

// Publishes every provider's current key set again as a new snapshot (the
// same keys and generation) and returns how many providers had one. A
// benchmark calls it in a loop to measure what readers pay for concurrent
// publication (bench/bench_refresh.cc). Declared in tokenverify/verifier.h
// too, where Verifier befriends it.
size_t RepublishKeySetsForTesting(const Verifier& verifier);

// Installs `hook` (nullptr removes it), which every Verify then calls after a
// first pass that ended in ERR_KID_NOT_FOUND, before it decides whether to
// try again: a test uses it to land a refresh in exactly that window.
void SetAfterKidMissHookForTesting(void (*hook)());

}  // namespace tokenverify::internal
