// Which provider, and which of its keys, a token is checked against:
// Prescreen (the header against every provider's algs and kids, before the
// payload is parsed), CheckProvider (one provider's allow-list, key choice,
// signature, then claims), and the early refresh after an unknown kid.
#include <algorithm>
#include <chrono>
#include <iterator>
#include <optional>

#include "keys/select.h"
#include "verify/verifier_impl.h"

namespace tokenverify {

using namespace internal;  // NOLINT: this file is glue of the internal pieces

Status Verifier::Impl::PrescreenKid(const JoseHeader& h, HeldKeys* held) const {
  for (size_t i = 0; i < providers.size(); ++i) {
    SnapshotReader snap = providers[i].cache->Read();
    // Without keys a provider cannot rule the kid out; its own check will say why.
    const bool has_keys = snap && snap->keys;
    const Key* key = has_keys ? snap->keys->FindByKid(h.kid) : nullptr;
    // A kid of a skipped key is this provider's too: its check refuses the
    // token with that key's status, not ERR_KID_NOT_FOUND.
    if (!has_keys || key != nullptr || snap->keys->StatusForMissingKid(h.kid) != Status::ERR_KID_NOT_FOUND) {
      held->provider = i;
      held->reader.emplace(std::move(snap));
      held->kid_looked_up = has_keys;
      held->kid_key = key;
      return Status::OK;
    }
    held->missed_in_generations += snap->generation;
  }
  return Status::ERR_KID_NOT_FOUND;
}

void Verifier::Impl::BeginLikelyMac(const JoseHeader& h, HeldKeys* held, std::string_view signing_input,
                                    MacInProgress* mac) const {
  if (h.alg != Alg::kHS256) return;  // what HMAC keys begin (key_hmac.cc)
  const Key* key = nullptr;
  if (held->kid_looked_up) {
    key = held->kid_key;
  } else if (providers.size() == 1) {
    if (held->provider != 0) {
      held->provider = 0;
      held->reader.emplace(providers[0].cache->Read());
    }
    const KeySnapshot* snap = held->reader->get();
    // As SelectKey chooses without a kid: the alg's candidates, here only one.
    if (snap != nullptr && snap->keys && (!h.has_kid || snap->keys->ignores_kid())) {
      const auto candidates = snap->keys->CandidatesFor(h.alg);
      if (candidates.size() == 1) key = candidates[0];
    }
  }
  if (key != nullptr)
    key->BeginMac(h.alg, {reinterpret_cast<const uint8_t*>(signing_input.data()), signing_input.size()}, mac);
}

template <PayloadStep kPayload>
Status Verifier::Impl::CheckProvider(size_t index, const JoseHeader& h, const PayloadView& pv, bool issuer_matched,
                                     bool padded, std::string_view signing_input, std::span<const uint8_t> sig,
                                     const HeldKeys& held, BegunHashes begun, uint64_t* generation) const {
  const Provider& p = providers[index];
  // What a provider without "allowPaddedSegments" would have said to the padding.
  if (padded && !p.cfg.allow_padded_segments) return Status::ERR_BAD_BASE64URL;
  if (!AlgSetHas(p.cfg.algorithms, h.alg)) return Status::ERR_ALG_NOT_ALLOWED;
  // One snapshot for the whole check, even if a refresh publishes another:
  // the one Prescreen holds when it is this provider's, else our own.
  std::optional<SnapshotReader> own;
  const KeySnapshot* snap;
  const Key* const* kid_key = nullptr;  // the kid's key in snap, when already looked up
  if (held.provider == index) {
    snap = held.reader->get();
    if (held.kid_looked_up) kid_key = &held.kid_key;
  } else {
    snap = own.emplace(p.cache->Read()).get();
  }
  if (snap == nullptr) return Status::ERR_KEYS_UNAVAILABLE;
  *generation = snap->generation;
  if (!snap->keys) return snap->unavailable;
  const KeySet& keys = *snap->keys;
  // Key selection first (an O(1) lookup): with several providers it tells
  // "not this provider's token" apart from "a bad token".
  const Key* key = nullptr;
  TV_RETURN_IF_ERROR(SelectKey(keys, h, &key, kid_key));
  // The signature before the claims: a claim status must never answer a
  // sender who has no key (it would tell them which guessed aud, sub or
  // matcher value is accepted). Claims first would only save work on tokens
  // whose claims fail, and a forger can always make those pass.
  TV_RETURN_IF_ERROR(internal::VerifySignature(keys, h, key, signing_input, sig, cfg.max_keys_without_kid, begun));
  if constexpr (kPayload == PayloadStep::kOpaque) return Status::OK;  // no claims to check
  return CheckClaims(p, h, pv, issuer_matched);
}

template Status Verifier::Impl::CheckProvider<PayloadStep::kJwt>(size_t, const JoseHeader&, const PayloadView&, bool,
                                                                 bool, std::string_view, std::span<const uint8_t>,
                                                                 const HeldKeys&, BegunHashes, uint64_t*) const;
template Status Verifier::Impl::CheckProvider<PayloadStep::kOpaque>(size_t, const JoseHeader&, const PayloadView&, bool,
                                                                    bool, std::string_view, std::span<const uint8_t>,
                                                                    const HeldKeys&, BegunHashes, uint64_t*) const;

uint64_t Verifier::Impl::CurrentGenerations(int provider) const {
  uint64_t sum = 0;
  for (size_t i = 0; i < providers.size(); ++i) {
    if (provider >= 0 && static_cast<size_t>(provider) != i) continue;
    const SnapshotReader snap = providers[i].cache->Read();
    if (snap) sum += snap->generation;
  }
  return sum;
}

bool Verifier::Impl::RefreshForUnknownKid(int provider) const {
  using Clock = std::chrono::steady_clock;
  struct Wait {
    KeyCache* cache;
    int64_t attempts;
  };
  Wait waits[8];
  size_t n = 0;
  int64_t wait_ms = 0;
  for (size_t i = 0; i < providers.size(); ++i) {
    if (provider >= 0 && static_cast<size_t>(provider) != i) continue;
    KeyCache* cache = providers[i].cache.get();
    const int64_t attempts = cache->RequestRefreshForUnknownKid();
    if (attempts < 0 || cache->unknown_kid_wait_ms() == 0 || n == std::size(waits)) continue;
    waits[n++] = {cache, attempts};
    wait_ms = std::max(wait_ms, cache->unknown_kid_wait_ms());
  }
  const auto deadline = Clock::now() + std::chrono::milliseconds(wait_ms);
  bool refreshed = false;
  for (size_t i = 0; i < n; ++i) refreshed |= waits[i].cache->WaitForAttempt(waits[i].attempts, deadline);
  return refreshed;
}

}  // namespace tokenverify
