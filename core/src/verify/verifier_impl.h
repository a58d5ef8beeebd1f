// What a Verifier holds (Verifier::Impl) and the state one verification
// carries between its steps. Shared by the files of verify/: verifier.cc (the
// pipeline), providers.cc (which provider and keys), claim_checks.cc and
// stats.cc. Private to the engine; tests reach it through verifier_testing.h.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/status_counters.h"
#include "cache/token_cache.h"
#include "keys/mac_in_progress.h"
#include "keys/select.h"
#include "keysets/key_cache.h"
#include "request/authenticator.h"
#include "revocation/redis_feed.h"
#include "revocation/revocation_list.h"
#include "token/alg.h"
#include "token/token.h"
#include "tokenverify/verifier.h"
#include "verify/config.h"
#include "verify/worker_pool.h"

namespace tokenverify::internal {

// A claim matcher of a provider, with the claim's slot in ClaimInterest.
struct Matcher {
  int interest = 0;  // index into ClaimInterest
  const ClaimMatcher* rule = nullptr;
};

struct Provider {
  ProviderConfig cfg;
  uint64_t required_mask = 0;  // the ClaimInterest bits of requiredClaims
  std::vector<Matcher> matchers;
  std::unique_ptr<KeyCache> cache;
};

using SnapshotReader = SnapshotCell<KeySnapshot>::Reader;

// The key snapshot a verification holds from its header check on: the one
// hazard-slot write (a seq_cst store) that serves both the kid prescreen and
// the provider's own check, and the key the kid named in it.
struct HeldKeys {
  size_t provider = std::numeric_limits<size_t>::max();  // whose snapshot `reader` holds
  std::optional<SnapshotReader> reader;
  bool kid_looked_up = false;  // kid_key is the snapshot's key for the token's kid (or null)
  const Key* kid_key = nullptr;
  // After ERR_KID_NOT_FOUND: the sum of the generations of the key sets the
  // kid was missing from (every provider's when Prescreen failed, else the
  // one provider's), to tell whether a refresh has landed since.
  uint64_t missed_in_generations = 0;
};

// What the payload is to a verification. kJwt: a JSON object of claims,
// parsed, routed by its iss and checked by the provider's claim rules: every
// verification through the API. kOpaque: RFC 7515's arbitrary bytes, only
// decoded: the same pipeline without the claims step, which the standard JWS
// vectors (mostly non-JSON payloads) run through (verifier_testing.h).
enum class PayloadStep { kJwt, kOpaque };

// What a pass that accepted a token knows about it: the caller's view, and the
// claims the token cache and the revocation list need (views into per-thread
// scratch, valid until the next verification on the thread).
struct AcceptedToken {
  VerifiedToken view;
  size_t provider = 0;
  bool has_exp = false, has_nbf = false, has_iat = false, has_iss = false, has_jti = false;
  int64_t exp = 0, nbf = 0, iat = 0;
  std::string_view iss, jti;
};

// The unix seconds [from, until) in which a token's time claims pass.
struct TimeWindow {
  int64_t from, until;
};

// Statuses that mean "this provider has no key for the token", as opposed to
// "the token is bad"; with several providers the latter is the better report.
inline bool IsNotThisProvider(Status s) noexcept {
  return s == Status::ERR_ALG_NOT_ALLOWED || s == Status::ERR_KID_NOT_FOUND || s == Status::ERR_NO_MATCHING_KEY ||
         s == Status::ERR_KEY_ALG_MISMATCH || s == Status::ERR_KEYS_UNAVAILABLE || s == Status::ERR_KEYS_STALE;
}

}  // namespace tokenverify::internal

namespace tokenverify {

struct Verifier::Impl {
  internal::VerifierConfig cfg;
  internal::ClaimInterest interest;
  std::vector<internal::Provider> providers;
  // The provider for each issuer (the first to name it). Few providers name
  // one in practice: up to kIssuersInOrder are compared in order (the length
  // check alone rejects most), which costs less than hashing the token's iss.
  static constexpr size_t kIssuersInOrder = 8;
  std::vector<std::pair<std::string, size_t>> issuers;
  absl::flat_hash_map<std::string, size_t> by_issuer;
  std::vector<size_t> without_issuer;
  std::vector<size_t> every_provider;                      // 0, 1, ... n-1
  internal::AlgSet any_provider_algs = 0;                  // union of every provider's allow-list
  bool any_ignores_kid = false;                            // some provider ignores kid
  bool any_remote = false;                                 // some provider's keys may gain a kid by refreshing
  bool any_allows_padding = false;                         // some provider has "allowPaddedSegments"
  internal::StatusCounters unattributed;                   // verifications that failed before a provider was chosen
  std::unique_ptr<internal::Authenticator> authenticator;  // request authentication (Authenticate)
  // Advanced by every key-set publication of any provider (KeyCache::Create):
  // what token-cache entries are tagged with.
  std::atomic<uint64_t> keys_serial{0};
  std::unique_ptr<internal::TokenCache> token_cache;  // "tokenCache", else null
  // Revoked tokens and subjects: always there (tv_verifier_revoke), fed by
  // Redis when "revocation.redis" is configured.
  std::unique_ptr<internal::RevocationList> revocations;
  std::unique_ptr<internal::RedisRevocationFeed> revocation_feed;
  int jti_interest = -1;  // the ClaimInterest slot of "jti"
  // A seam for one test (verifier_testing.h), null otherwise: called after a
  // first pass ended in ERR_KID_NOT_FOUND, before the verifier decides on a
  // second one, to land a refresh in exactly that window.
  void (*after_kid_miss)() = nullptr;
  // The threads of VerifyBatch (batch.cc): none until a batch asks for more
  // than one. Mutable: starting them changes no verdict of this verifier.
  mutable internal::WorkerPool batch_workers;

  static constexpr size_t kNoProvider = std::numeric_limits<size_t>::max();
  // The index of the provider whose issuer is `iss`, or kNoProvider.
  size_t ProviderForIssuer(std::string_view iss) const noexcept {
    if (issuers.size() <= kIssuersInOrder) {
      for (const auto& [name, index] : issuers)
        if (name == iss) return index;
      return kNoProvider;
    }
    // Debian's abseil has its own string_view type, hence the conversion.
    const auto it = by_issuer.find(absl::string_view(iss.data(), iss.size()));
    return it == by_issuer.end() ? kNoProvider : it->second;
  }

  // providers.cc --------------------------------------------------------

  // OK when some provider could accept a token with this header, as far as
  // its alg and kid tell; otherwise the status every provider would return.
  // Answering before the payload is parsed keeps floods of tokens with
  // foreign algs or kids cheap. Keeps in *held the snapshot it looked the kid
  // up in (the first provider that has the kid, or has no keys), for
  // CheckProvider to reuse. Inline: most tokens are answered by the first
  // two lines; the kid lookup is PrescreenKid.
  Status Prescreen(const internal::JoseHeader& h, internal::HeldKeys* held) const {
    if (!internal::AlgSetHas(any_provider_algs, h.alg)) return Status::ERR_ALG_NOT_ALLOWED;
    if (!h.has_kid || any_ignores_kid) return Status::OK;
    return PrescreenKid(h, held);
  }
  Status PrescreenKid(const internal::JoseHeader& h, internal::HeldKeys* held) const;

  // Provider `index`'s verdict on the token: its allow-list, its key, the
  // signature, then its claims (claim_checks.cc). issuer_matched: the
  // token's iss already chose this provider by its issuer. padded: its
  // segments had base64 padding (DropSegmentPadding). *generation gets
  // the generation of the key set it checked against (0 without one).
  // begun: the HMAC begun for the key the header pointed at (BeginLikelyMac),
  // used if this provider's key choice is that key, or the digest begun for
  // the alg (keys/select.h).
  template <internal::PayloadStep kPayload>
  Status CheckProvider(size_t index, const internal::JoseHeader& h, const internal::PayloadView& pv,
                       bool issuer_matched, bool padded, std::string_view signing_input, std::span<const uint8_t> sig,
                       const internal::HeldKeys& held, internal::BegunHashes begun, uint64_t* generation) const;

  // Begins in *mac the HS256 MAC of the signing input with the key the
  // header points at, so that it runs beside the payload's decoding and walk
  // (keys/mac_in_progress.h): the key Prescreen found by the token's kid, or
  // the only provider's only key for the alg. Only a guess at the key:
  // CheckProvider uses the MAC if its own choice agrees. May leave the only
  // provider's snapshot in *held, as Prescreen does.
  void BeginLikelyMac(const internal::JoseHeader& h, internal::HeldKeys* held, std::string_view signing_input,
                      internal::MacInProgress* mac) const;

  // The HeldKeys::missed_in_generations the key sets of `provider` (or of
  // every provider, for -1) would give now: different from what a pass saw
  // when a refresh has published another set since.
  uint64_t CurrentGenerations(int provider) const;

  // After ERR_KID_NOT_FOUND: asks the remote key sets concerned (the
  // provider's, or all) for an early refresh, within their cooldown, and
  // waits for it if they are configured to. True when a refresh completed
  // and the token deserves another pass.
  bool RefreshForUnknownKid(int provider) const;

  // claim_checks.cc -----------------------------------------------------

  // The provider's claim rules against the token: typ, exp, nbf, iat,
  // maxTokenAge, requiredClaims, iss, aud, sub and the claim matchers, in
  // that order. Run only after the signature has verified.
  Status CheckClaims(const internal::Provider& p, const internal::JoseHeader& h, const internal::PayloadView& pv,
                     bool issuer_matched) const noexcept;

  // The seconds in which CheckClaims's time checks (exp, nbf, iat, maxTokenAge
  // with the leeway) pass for an accepted token: how long a token-cache entry
  // may answer. Beside CheckClaims so the two stay one rule.
  internal::TimeWindow ClaimTimeWindow(const internal::AcceptedToken& a) const noexcept;

  // verifier.cc ---------------------------------------------------------

  // One pass of the whole verification; *provider gets the index of the
  // provider the result belongs to (the one that accepted the token, or whose
  // failure is reported), or -1. After ERR_KID_NOT_FOUND, *missed_in
  // identifies the key sets the kid was missing from (HeldKeys).
  // kPayload is kJwt for Verify, kOpaque for VerifySignature (no claims).
  template <internal::PayloadStep kPayload>
  Status VerifyOnce(std::string_view token, internal::AcceptedToken* out, int* provider, uint64_t* missed_in) const;

  // VerifyOnce, and after ERR_KID_NOT_FOUND from a provider whose keys may
  // gain the kid, a second pass once an early refresh has brought new keys.
  template <internal::PayloadStep kPayload>
  Status VerifyWithRefresh(std::string_view token, internal::AcceptedToken* out, int* provider) const;

  // cache_and_revocation.cc ---------------------------------------------

  // A token-cache hit: true, with *result (OK, or ERR_REVOKED) and *provider
  // set and *out (if not null) filled as the full path would; false for a miss.
  bool AnswerFromCache(std::string_view token, VerifiedToken* out, Status* result, int* provider) const;

  // After a full pass accepted `token`: ERR_REVOKED if the revocation list
  // has it, else OK, and the token is remembered in the token cache (tagged
  // with `serial`, the key-set serial read before the pass).
  Status AfterAccepted(std::string_view token, const internal::AcceptedToken& accepted, uint64_t serial) const;
};

}  // namespace tokenverify

namespace tokenverify::internal {

// Gives the engine's own files (and the test peer) the Impl of a Verifier.
struct VerifierInternals {
  static const Verifier::Impl& Of(const Verifier& v) noexcept { return *v.impl_; }
  static Verifier::Impl& Mutable(Verifier& v) noexcept { return *v.impl_; }
};

}  // namespace tokenverify::internal
