// Key choice and signature dispatch for one token: the key its kid names
// (SelectKey), or, without a kid, every compatible key in order up to a bound
// (VerifyWithCandidates); then the key family's Verify (key_rsa.cc, ...).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "keys/key.h"
#include "keys/mac_in_progress.h"
#include "token/token.h"

namespace tokenverify::internal {

// Chooses the key for `header` from `keys`. With a kid (unless the set is a
// set that ignores kids, see KeySet::ignores_kid) *out_key is that key, after CheckUsableFor;
// otherwise *out_key is nullptr and the caller tries keys.CandidatesFor(alg).
// ERR_KID_NOT_FOUND, ERR_KEY_ALG_MISMATCH, ERR_KEY_USE_MISMATCH, ERR_JWK_WEAK,
// or ERR_NO_MATCHING_KEY when no key is compatible with the alg. A kid (or,
// without one, an alg family) that only a skipped key has gets that key's
// status (KeySet::skipped).
// kid_key, when not null, points at keys.FindByKid(header.kid), which the
// caller has already looked up: the lookup is not repeated.
// Inline: it runs on every verification, and a token with a kid takes the
// first branch; SelectKeyWithoutKid is the rest.
Status SelectKeyWithoutKid(const KeySet& keys, const JoseHeader& header) noexcept;
inline Status SelectKey(const KeySet& keys, const JoseHeader& header, const Key** out_key,
                        const Key* const* kid_key = nullptr) noexcept {
  *out_key = nullptr;
  // A set without kids (a shared secret, PEM keys): the token's kid is irrelevant.
  if (header.has_kid && !keys.ignores_kid()) {
    const Key* key = kid_key != nullptr ? *kid_key : keys.FindByKid(header.kid);
    if (key == nullptr) return keys.StatusForMissingKid(header.kid);  // a skipped key says why
    TV_RETURN_IF_ERROR(key->CheckUsableFor(header.alg));
    *out_key = key;
    return Status::OK;
  }
  return SelectKeyWithoutKid(keys, header);
}

// key.Verify(alg, input, sig), from `mac` when that is the MAC this call
// would compute (begun earlier, see keys/mac_in_progress.h; may be null).
inline Status VerifyWithKey(const Key& key, Alg alg, std::span<const uint8_t> input, std::span<const uint8_t> sig,
                            MacInProgress* mac) noexcept {
  if (mac != nullptr && mac->IsFor(&key, alg, input)) return mac->Check(sig);
  return key.Verify(alg, input, sig);
}

// Verifies `sig` over `signing_input` with the key SelectKey chose, or with
// up to `max_keys_without_kid` compatible keys in order (VerifyWithCandidates).
// When none of those verifies and more compatible keys were left untried,
// ERR_TOO_MANY_CANDIDATE_KEYS rather than a signature status. `mac` (may be
// null): an HMAC begun for one of the keys (VerifyWithKey).
Status VerifyWithCandidates(const KeySet& keys, const JoseHeader& header, std::span<const uint8_t> input,
                            std::span<const uint8_t> sig, size_t max_keys_without_kid, MacInProgress* mac) noexcept;
inline Status VerifySignature(const KeySet& keys, const JoseHeader& header, const Key* key,
                              std::string_view signing_input, std::span<const uint8_t> sig, size_t max_keys_without_kid,
                              MacInProgress* mac = nullptr) noexcept {
  const auto input =
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(signing_input.data()), signing_input.size());
  if (key != nullptr) return VerifyWithKey(*key, header.alg, input, sig, mac);
  return VerifyWithCandidates(keys, header, input, sig, max_keys_without_kid, mac);
}

}  // namespace tokenverify::internal
