// Key choice and signature dispatch for one token: the key its kid names
// (SelectKey), or, without a kid, every compatible key in order up to a bound
// (VerifyWithCandidates); then the key family's Verify (key_rsa.cc, ...).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "keys/digest_in_progress.h"
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

// Hashes of the signing input a verification began before choosing a key,
// to run beside other work; either may be null, or not the one a key needs.
struct BegunHashes {
  // An HS256 MAC with one key (keys/mac_in_progress.h).
  MacInProgress* mac = nullptr;
  // The SHA-256 an RS256/PS256/ES256/ES256K key verifies (keys/digest_in_progress.h).
  DigestInProgress* digest = nullptr;
};

// key.Verify(alg, input, sig), from `begun` when it holds the MAC this call
// would compute or the digest it would verify.
inline Status VerifyWithKey(const Key& key, Alg alg, std::span<const uint8_t> input, std::span<const uint8_t> sig,
                            BegunHashes begun) noexcept {
  if (begun.mac != nullptr && begun.mac->IsFor(&key, alg, input)) return begun.mac->Check(sig);
  if (begun.digest != nullptr) {
    if (const uint8_t* digest = begun.digest->DigestFor(alg, input))
      return key.VerifyDigest(alg, {digest, DigestInProgress::kBytes}, sig);
  }
  return key.Verify(alg, input, sig);
}

// Verifies `sig` over `signing_input` with the key SelectKey chose, or with
// up to `max_keys_without_kid` compatible keys in order (VerifyWithCandidates).
// When none of those verifies and more compatible keys were left untried,
// ERR_TOO_MANY_CANDIDATE_KEYS rather than a signature status. `begun`: hashes
// begun before the key choice (VerifyWithKey).
Status VerifyWithCandidates(const KeySet& keys, const JoseHeader& header, std::span<const uint8_t> input,
                            std::span<const uint8_t> sig, size_t max_keys_without_kid, BegunHashes begun) noexcept;
inline Status VerifySignature(const KeySet& keys, const JoseHeader& header, const Key* key,
                              std::string_view signing_input, std::span<const uint8_t> sig, size_t max_keys_without_kid,
                              BegunHashes begun = {}) noexcept {
  const auto input =
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(signing_input.data()), signing_input.size());
  if (key != nullptr) return VerifyWithKey(*key, header.alg, input, sig, begun);
  return VerifyWithCandidates(keys, header, input, sig, max_keys_without_kid, begun);
}

}  // namespace tokenverify::internal
