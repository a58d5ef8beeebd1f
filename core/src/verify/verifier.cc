// One verification, end to end (DESIGN.md): size, split, decode the header,
// prescreen its alg and kid, decode the signature, decode and parse the
// payload, choose the provider, then its key, signature and claims
// (providers.cc, claim_checks.cc). Also Create, which builds all of it from
// the configuration document.
#include "tokenverify/verifier.h"

#include <limits>
#include <new>
#include <system_error>

#include "token/decode.h"
#include "token/header_memo.h"
#include "verify/verifier_impl.h"

namespace tokenverify {

using namespace internal;  // NOLINT: this file is the glue of the internal pieces

namespace {

// Per-thread working memory, reused by every verification on the thread:
// after the first few tokens a thread allocates nothing.
struct ThreadScratch {
  HeaderMemo header;
  TokenJsonScratch payload;
  PayloadMemo payload_memo;
  DigestInProgress::FirstBlock digest_memo;
  std::vector<std::string_view> strings;
};

ThreadScratch& Scratch() {
  thread_local ThreadScratch scratch;
  return scratch;
}

}  // namespace

Verifier::Verifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Verifier::~Verifier() = default;

Result<std::unique_ptr<Verifier>> Verifier::Create(std::string_view config_json, Error* err,
                                                   KeySetEventCallback on_event) {
  VerifierOptions options;
  options.on_event = std::move(on_event);
  return Create(config_json, err, std::move(options));
}

Result<std::unique_ptr<Verifier>> Verifier::Create(std::string_view config_json, Error* err, VerifierOptions options) {
  const KeySetEventCallback& on_event = options.on_event;
  Error local;
  if (err == nullptr) err = &local;
  auto fail = [&](Status st, std::string field, std::string message) {
    err->status = st;
    err->message = std::move(message);
    err->field = std::move(field);
    return st;
  };
  try {
    auto parsed = ParseConfig(config_json, err);
    if (!parsed.ok()) return parsed.status();
    auto impl = std::make_unique<Impl>();
    impl->cfg = std::move(parsed).value();

    auto interest_of = [&](const std::string& name, bool wants_values) {
      return impl->interest.Add(name, wants_values);
    };
    impl->jti_interest = interest_of("jti", true);  // what the revocation list knows tokens by
    for (size_t i = 0; i < impl->cfg.providers.size(); ++i) {
      Provider p;
      p.cfg = std::move(impl->cfg.providers[i]);
      for (const auto& name : p.cfg.required_claims) p.required_mask |= uint64_t{1} << interest_of(name, false);
      for (const auto& rule : p.cfg.claims) p.matchers.push_back({interest_of(rule.name, true), &rule});
      if (impl->interest.size() > ClaimInterest::kMax)
        return fail(Status::ERR_CONFIG, "providers[" + std::to_string(i) + "]",
                    "more than 64 distinct required or matched claim names");
      impl->any_provider_algs |= p.cfg.algorithms;
      impl->any_remote |= p.cfg.keys.kind == KeySourceConfig::Kind::kRemote;
      impl->any_allows_padding |= p.cfg.allow_padded_segments;
      auto cache = KeyCache::Create(p.cfg.name, std::move(p.cfg.keys), on_event, err, &impl->keys_serial);
      if (!cache.ok()) {
        err->field = "providers[" + std::to_string(i) + "].jwks.remote";
        return cache.status();
      }
      p.cache = std::move(cache).value();
      impl->any_ignores_kid |= p.cache->ignores_kid();
      impl->every_provider.push_back(impl->providers.size());
      if (!p.cfg.issuer)
        impl->without_issuer.push_back(impl->providers.size());
      else if (impl->by_issuer.emplace(*p.cfg.issuer, impl->providers.size()).second)
        impl->issuers.emplace_back(*p.cfg.issuer, impl->providers.size());
      impl->providers.push_back(std::move(p));
    }
    // Matchers point into their provider's config: fix them up after the moves.
    for (auto& p : impl->providers)
      for (size_t j = 0; j < p.matchers.size(); ++j) p.matchers[j].rule = &p.cfg.claims[j];
    impl->cfg.providers.clear();

    if (impl->cfg.token_cache)
      impl->token_cache = std::make_unique<TokenCache>(*impl->cfg.token_cache, impl->providers.size());
    const RevocationConfig& revocation = impl->cfg.revocation;
    impl->revocations = std::make_unique<RevocationList>(revocation.max_entries);
    if (revocation.redis)
      impl->revocation_feed = std::make_unique<RedisRevocationFeed>(*revocation.redis, impl->revocations.get(),
                                                                    impl->cfg.leeway_s, revocation.subject_ttl_s);

    std::vector<ProviderFrontEnd> front_ends;
    for (const auto& p : impl->providers)
      front_ends.push_back({p.cfg.name, p.cfg.token_source, p.cfg.claims_to_headers, p.cfg.forward_token, {}});
    auto authenticator = Authenticator::Build(impl->cfg, std::move(front_ends), std::move(options.validator), err);
    // Compiled into the authenticator, which keeps only what it needs (hashes, secrets' key bytes).
    WipeCredentials(&impl->cfg.rules);
    impl->cfg.rules.clear();
    if (!authenticator.ok()) return authenticator.status();
    impl->authenticator = std::move(authenticator).value();
    return std::unique_ptr<Verifier>(new Verifier(std::move(impl)));
  } catch (const std::bad_alloc&) {
    return fail(Status::ERR_OUT_OF_MEMORY, "", "out of memory");
  }
}

template <PayloadStep kPayload>
Status Verifier::Impl::VerifyOnce(std::string_view token, AcceptedToken* out, int* provider,
                                  uint64_t* missed_in) const {
  *provider = -1;
  if (token.size() > cfg.max_token_bytes) return Status::ERR_TOKEN_TOO_LARGE;
  // The payload is searched for a third dot (SplitToken's other half) only
  // once the hash of the signing input has begun; a token of more than three
  // segments is ERR_MALFORMED_TOKEN all the same, whatever else is wrong.
  TokenParts parts;
  TV_RETURN_IF_ERROR(SplitAtOuterDots(token, &parts));
  auto refuse = [&parts](Status st) { return PayloadHoldsDot(parts) ? Status::ERR_MALFORMED_TOKEN : st; };
  const bool padded = any_allows_padding && DropSegmentPadding(&parts);
  ThreadScratch& ts = Scratch();

  JoseHeader header;
  size_t header_len = 0;
  if (const Status st = ts.header.Decode(parts, cfg.max_json_depth, &header, &header_len); st != Status::OK)
    return refuse(st);
  HeldKeys held;
  if (const Status st = Prescreen(header, &held); st != Status::OK) {
    *missed_in = held.missed_in_generations;
    return refuse(st);
  }
  // The hash of the signing input starts now, to run beside the decoding and
  // the walk: the HS256 MAC with the key the header points at, or the digest
  // an RS256/PS256/ES256(K) key verifies. Declared after `held`, whose
  // snapshot keeps the MAC's key alive, so they go first.
  MacInProgress mac;
  DigestInProgress digest;
  BeginLikelyMac(header, &held, parts.signing_input, &mac);
  InterleavedWork beside_payload;  // a block beside every second member
  if (mac.active()) {
    beside_payload = {&MacInProgress::StepThunk, &mac};
  } else if (DigestInProgress::Covers(header.alg)) {
    digest.Begin({reinterpret_cast<const uint8_t*>(parts.signing_input.data()), parts.signing_input.size()},
                 &ts.digest_memo);
    beside_payload = {&DigestInProgress::StepThunk, &digest};
  }
  const BegunHashes begun{&mac, &digest};
  auto step = [&beside_payload] {  // a block beside each decode too
    if (beside_payload.slice != nullptr) beside_payload.slice(beside_payload.arg);
  };
  step();
  if (PayloadHoldsDot(parts)) return Status::ERR_MALFORMED_TOKEN;
  SignatureBuffer signature;
  TV_RETURN_IF_ERROR(DecodeSignature(parts.signature, &signature));

  size_t payload_len = 0;
  PayloadView pv;
  pv.strings = &ts.strings;
  if constexpr (kPayload == PayloadStep::kJwt) {
    step();
    TV_RETURN_IF_ERROR(DecodePayload(parts, ts.payload, cfg.max_json_depth, interest, &pv, &payload_len, beside_payload,
                                     &ts.payload_memo));
  } else {
    TV_RETURN_IF_ERROR(DecodeSegment(parts.payload, ts.payload, &payload_len));
  }

  // The token's iss picks its provider in O(1); otherwise the providers
  // without an issuer are tried in order. When every provider names an
  // issuer and none is this token's, they are all tried, so that the
  // refusal is ERR_ISSUER_MISMATCH only for a token whose signature one of
  // them verifies: which issuers are accepted is no answer for a forger.
  const size_t only = pv.has_iss ? ProviderForIssuer(pv.iss) : kNoProvider;
  Status result;
  const Provider* accepted = nullptr;
  uint64_t generation = 0;
  if (only != kNoProvider) {
    result = CheckProvider<kPayload>(only, header, pv, true, padded, parts.signing_input, signature.span(), held, begun,
                                     &generation);
    *provider = static_cast<int>(only);
    *missed_in = generation;
    if (result == Status::OK) accepted = &providers[only];
  } else {
    result = Status::ERR_NO_MATCHING_KEY;
    bool have_failure = false;
    // An opaque payload has no iss: any provider's key may have signed it.
    const bool all = without_issuer.empty() || kPayload == PayloadStep::kOpaque;
    for (size_t idx : all ? every_provider : without_issuer) {
      const Status st = CheckProvider<kPayload>(idx, header, pv, false, padded, parts.signing_input, signature.span(),
                                                held, begun, &generation);
      if (st == Status::OK) {
        accepted = &providers[idx];
        result = st;
        *provider = static_cast<int>(idx);
        break;
      }
      if (!have_failure || (IsNotThisProvider(result) && !IsNotThisProvider(st))) {
        result = st;
        *provider = static_cast<int>(idx);
        *missed_in = generation;
      }
      have_failure = true;
    }
  }
  if (result == Status::OK && out != nullptr) {
    VerifiedToken& v = out->view;
    v.header_json = std::string_view(reinterpret_cast<const char*>(ts.header.data()), header_len);
    v.payload_json = std::string_view(reinterpret_cast<const char*>(ts.payload.data()), payload_len);
    v.provider = accepted->cfg.name;
    v.subject = pv.has_sub ? pv.sub : std::string_view();
    out->provider = static_cast<size_t>(*provider);
    out->has_exp = pv.has_exp, out->has_nbf = pv.has_nbf, out->has_iat = pv.has_iat;
    out->exp = pv.exp, out->nbf = pv.nbf, out->iat = pv.iat;
    out->has_iss = pv.has_iss;
    out->iss = pv.iss;
    if constexpr (kPayload == PayloadStep::kJwt) {
      // jti as a string (one value); any other type is no jti to revoke by.
      const auto jti = pv.Strings(pv.values[jti_interest]);
      out->has_jti = (pv.present >> jti_interest & 1) != 0 && jti.size() == 1;
      if (out->has_jti) out->jti = jti[0];
    }
  }
  return result;
}

template <PayloadStep kPayload>
Status Verifier::Impl::VerifyWithRefresh(std::string_view token, AcceptedToken* out, int* provider) const {
  uint64_t missed_in = 0;
  Status result = VerifyOnce<kPayload>(token, out, provider, &missed_in);
  if (result != Status::ERR_KID_NOT_FOUND || !any_remote) return result;
  if (after_kid_miss != nullptr) after_kid_miss();  // a test seam (verifier_testing.h)
  // A second pass when an early refresh completed for this token, or when
  // the one another token asked for a moment ago (still in its cooldown, so
  // not asked for again) has landed since this pass read the keys.
  if (RefreshForUnknownKid(*provider) || CurrentGenerations(*provider) != missed_in)
    result = VerifyOnce<kPayload>(token, out, provider, &missed_in);
  return result;
}

Status Verifier::Authenticate(const RequestView& request, Decision* out) const noexcept {
  try {
    impl_->authenticator->Authenticate(*this, request, out);
    return Status::OK;
  } catch (const std::bad_alloc&) {
    return Status::ERR_OUT_OF_MEMORY;
  }
}

Status Verifier::Verify(std::string_view token, VerifiedToken* out) const noexcept {
  const Impl& im = *impl_;
  int provider = -1;
  Status result;
  try {
    if (im.revocation_feed != nullptr) im.revocation_feed->ResumeAfterForkIfNeeded();
    if (im.token_cache != nullptr && im.AnswerFromCache(token, out, &result, &provider)) {
      im.providers[static_cast<size_t>(provider)].cache->verifications().Add(result);
      return result;
    }
    // Read before the pass: an entry is tagged with the key sets it could have used.
    const uint64_t serial = im.keys_serial.load(std::memory_order_acquire);
    AcceptedToken accepted;
    result = im.VerifyWithRefresh<PayloadStep::kJwt>(token, &accepted, &provider);
    if (result == Status::OK) {
      result = im.AfterAccepted(token, accepted, serial);
      if (result == Status::OK && out != nullptr) *out = accepted.view;
    }
    if (im.token_cache != nullptr && provider >= 0) im.token_cache->CountMiss(static_cast<uint32_t>(provider));
  } catch (const std::bad_alloc&) {
    result = Status::ERR_OUT_OF_MEMORY;
  } catch (const std::system_error&) {  // a mutex or condition variable failed on the miss path
    result = Status::ERR_INTERNAL;
  }
  (provider >= 0 ? im.providers[static_cast<size_t>(provider)].cache->verifications() : im.unattributed).Add(result);
  return result;
}

Status Verifier::VerifySignature(std::string_view token) const noexcept {
  int provider = -1;
  try {
    return impl_->VerifyWithRefresh<PayloadStep::kOpaque>(token, nullptr, &provider);
  } catch (const std::bad_alloc&) {
    return Status::ERR_OUT_OF_MEMORY;
  } catch (const std::system_error&) {
    return Status::ERR_INTERNAL;
  }
}

}  // namespace tokenverify
