// The test peer of Verifier (core/src/verify/verifier_testing.h): compiled
// into the test support library, never into the engine.
#include "verify/verifier_testing.h"

#include <new>

#include "verify/verifier_impl.h"

namespace tokenverify::internal {

size_t RepublishKeySetsForTesting(const Verifier& verifier) {
  size_t republished = 0;
  for (const auto& p : VerifierInternals::Of(verifier).providers) republished += p.cache->RepublishForTesting();
  return republished;
}

void SetAfterKidMissHookForTesting(Verifier& verifier, void (*hook)()) {
  VerifierInternals::Mutable(verifier).after_kid_miss = hook;
}

void SetNowForTesting(Verifier& verifier, int64_t unix_seconds) {
  VerifierInternals::Mutable(verifier).cfg.now = unix_seconds;
}

}  // namespace tokenverify::internal
