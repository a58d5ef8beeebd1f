#include "keys/select.h"

#include <algorithm>

namespace tokenverify::internal {

Status SelectKeyWithoutKid(const KeySet& keys, const JoseHeader& header) noexcept {
  if (!keys.CandidatesFor(header.alg).empty()) return Status::OK;
  // Say why no key fits: the first verdict more precise than "wrong family".
  for (const auto& k : keys.keys()) {
    const Status why = k->CheckUsableFor(header.alg);
    if (why != Status::ERR_KEY_ALG_MISMATCH && why != Status::OK) return why;
  }
  // A key of the alg's family was in the document but skipped (weak, invalid, ...).
  for (const SkippedKey& s : keys.skipped())
    if (AlgSetHas(s.family, header.alg)) return s.status;
  return Status::ERR_NO_MATCHING_KEY;
}

Status VerifyWithCandidates(const KeySet& keys, const JoseHeader& header, std::span<const uint8_t> input,
                            std::span<const uint8_t> sig, size_t max_keys_without_kid, BegunHashes begun) noexcept {
  const auto candidates = keys.CandidatesFor(header.alg);
  const size_t tries = std::min(candidates.size(), max_keys_without_kid);
  Status last = Status::ERR_NO_MATCHING_KEY;
  for (size_t i = 0; i < tries; ++i) {
    last = VerifyWithKey(*candidates[i], header.alg, input, sig, begun);
    if (last == Status::OK) return last;
  }
  // The bound keeps a forged token from costing one verification per key;
  // say that it was the bound, not the signature, that refused the token.
  if (candidates.size() > tries) return Status::ERR_TOO_MANY_CANDIDATE_KEYS;
  return last;
}

}  // namespace tokenverify::internal
