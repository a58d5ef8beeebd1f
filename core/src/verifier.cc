// One verification, end to end (DESIGN.md): size, split, decode, header,
// payload, provider, key, claims, signature.
#include "tokenverify/verifier.h"

#include <ctime>
#include <limits>
#include <new>

#include "absl/container/flat_hash_map.h"
#include "internal/base64url.h"
#include "internal/config.h"
#include "internal/jws.h"
#include "internal/key.h"
#include "internal/token.h"

namespace tokenverify {

using namespace internal;  // NOLINT: this file is the glue of the internal pieces

namespace {

struct Matcher {
  int interest = 0;  // index into ClaimInterest
  const ClaimMatcher* rule = nullptr;
};

struct Provider {
  ProviderConfig cfg;
  uint64_t required_mask = 0;
  std::vector<Matcher> matchers;
};

// Per-thread working memory, reused by every verification on the thread:
// after the first few tokens a thread allocates nothing.
struct ThreadScratch {
  TokenJsonScratch header;
  TokenJsonScratch payload;
  std::vector<std::string_view> strings;
};

ThreadScratch& Scratch() {
  thread_local ThreadScratch scratch;
  return scratch;
}

int64_t SatAdd(int64_t a, int64_t b) noexcept {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? std::numeric_limits<int64_t>::max()
                                                     : std::numeric_limits<int64_t>::min();
  return r;
}

int64_t SatSub(int64_t a, int64_t b) noexcept {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? std::numeric_limits<int64_t>::max()
                                                     : std::numeric_limits<int64_t>::min();
  return r;
}

char Lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// typ is a media type: compared case-insensitively, with the "application/"
// prefix optional (RFC 7515 section 4.1.9).
bool TypMatches(std::string_view got, std::string_view want) noexcept {
  auto strip = [](std::string_view t) {
    constexpr std::string_view kPrefix = "application/";
    if (t.size() > kPrefix.size()) {
      bool same = true;
      for (size_t i = 0; i < kPrefix.size() && same; ++i) same = Lower(t[i]) == kPrefix[i];
      if (same) t.remove_prefix(kPrefix.size());
    }
    return t;
  };
  got = strip(got);
  want = strip(want);
  if (got.size() != want.size()) return false;
  for (size_t i = 0; i < got.size(); ++i)
    if (Lower(got[i]) != Lower(want[i])) return false;
  return true;
}

bool AnyEqual(std::span<const std::string_view> have, const std::vector<std::string>& want) noexcept {
  for (std::string_view h : have)
    for (const std::string& w : want)
      if (h == w) return true;
  return false;
}

// Statuses that mean "this provider has no key for the token", as opposed to
// "the token is bad"; with several providers the latter is the better report.
bool IsNotThisProvider(Status s) noexcept {
  return s == Status::ERR_ALG_NOT_ALLOWED || s == Status::ERR_KID_NOT_FOUND ||
         s == Status::ERR_NO_MATCHING_KEY || s == Status::ERR_KEY_ALG_MISMATCH;
}

}  // namespace

struct Verifier::Impl {
  VerifierConfig cfg;
  ClaimInterest interest;
  std::vector<Provider> providers;
  absl::flat_hash_map<std::string, size_t> by_issuer;
  std::vector<size_t> without_issuer;
  AlgSet any_provider_algs = 0;   // union of every provider's allow-list
  bool any_bare_secret = false;   // some provider ignores kid

  // OK when some provider could accept a token with this header, as far as
  // its alg and kid tell; otherwise the status every provider would return.
  // Answering before the payload is parsed keeps floods of tokens with
  // foreign algs or kids cheap.
  Status Prescreen(const JoseHeader& h) const noexcept;

  Status CheckClaims(const Provider& p, const JoseHeader& h, const PayloadView& pv) const noexcept;
  Status CheckProvider(const Provider& p, const JoseHeader& h, const PayloadView& pv,
                       std::string_view signing_input, std::span<const uint8_t> sig) const noexcept;
};

Status Verifier::Impl::Prescreen(const JoseHeader& h) const noexcept {
  if (!AlgSetHas(any_provider_algs, h.alg)) return Status::ERR_ALG_NOT_ALLOWED;
  if (!h.has_kid || any_bare_secret) return Status::OK;
  for (const Provider& p : providers)
    if (p.cfg.keys->FindByKid(h.kid) != nullptr) return Status::OK;
  return Status::ERR_KID_NOT_FOUND;
}

Status Verifier::Impl::CheckClaims(const Provider& p, const JoseHeader& h,
                                   const PayloadView& pv) const noexcept {
  const ProviderConfig& c = p.cfg;
  if (c.typ && (!h.has_typ || !TypMatches(h.typ, *c.typ))) return Status::ERR_TYP_MISMATCH;

  const int64_t now = cfg.now ? *cfg.now : static_cast<int64_t>(std::time(nullptr));
  const int64_t leeway = cfg.leeway_s;
  if (pv.has_exp && now >= SatAdd(pv.exp, leeway)) return Status::ERR_EXPIRED;
  if (pv.has_nbf && SatAdd(now, leeway) < pv.nbf) return Status::ERR_NOT_YET_VALID;
  if (pv.has_iat && pv.iat > SatAdd(now, leeway)) return Status::ERR_ISSUED_IN_FUTURE;
  if (c.max_token_age_s > 0) {
    if (!pv.has_iat) return Status::ERR_MISSING_CLAIM;
    if (SatSub(now, pv.iat) > SatAdd(c.max_token_age_s, leeway)) return Status::ERR_TOKEN_TOO_OLD;
  }
  if ((pv.present & p.required_mask) != p.required_mask) return Status::ERR_MISSING_CLAIM;

  // A value check fails with its own mismatch status whether the claim is
  // absent or different (as gateways report it); ERR_MISSING_CLAIM is for
  // requiredClaims and for the iat that maxTokenAge needs.
  if (c.issuer && (!pv.has_iss || pv.iss != *c.issuer)) return Status::ERR_ISSUER_MISMATCH;
  if (!c.audiences.empty() && (!pv.has_aud || !AnyEqual(pv.Strings(pv.aud), c.audiences)))
    return Status::ERR_AUDIENCE_MISMATCH;
  if (c.subject && (!pv.has_sub || pv.sub != *c.subject)) return Status::ERR_SUBJECT_MISMATCH;
  for (const Matcher& m : p.matchers) {
    // values[] is empty for an absent claim, so AnyEqual fails for it too.
    if (!AnyEqual(pv.Strings(pv.values[m.interest]), m.rule->values)) return Status::ERR_CLAIM_MISMATCH;
  }
  return Status::OK;
}

Status Verifier::Impl::CheckProvider(const Provider& p, const JoseHeader& h, const PayloadView& pv,
                                     std::string_view signing_input,
                                     std::span<const uint8_t> sig) const noexcept {
  if (!AlgSetHas(p.cfg.algorithms, h.alg)) return Status::ERR_ALG_NOT_ALLOWED;
  // Key selection first (an O(1) lookup): with several providers it tells
  // "not this provider's token" apart from "a bad token".
  const Key* key = nullptr;
  TV_RETURN_IF_ERROR(SelectKey(*p.cfg.keys, h, &key));
  TV_RETURN_IF_ERROR(CheckClaims(p, h, pv));
  return VerifySignature(*p.cfg.keys, h, key, signing_input, sig, cfg.max_keys_without_kid);
}

Verifier::Verifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Verifier::~Verifier() = default;

size_t Verifier::max_token_bytes() const noexcept { return impl_->cfg.max_token_bytes; }
int Verifier::max_json_depth() const noexcept { return impl_->cfg.max_json_depth; }

Result<std::unique_ptr<Verifier>> Verifier::Create(std::string_view config_json, Error* err) {
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

    auto interest_of = [&](const std::string& name, bool wants_values) -> int {
      int idx = impl->interest.Find(name);
      if (idx < 0) {
        idx = static_cast<int>(impl->interest.names.size());
        impl->interest.names.push_back(name);
        impl->interest.wants_values.push_back(false);
      }
      if (wants_values) impl->interest.wants_values[static_cast<size_t>(idx)] = true;
      return idx;
    };
    for (size_t i = 0; i < impl->cfg.providers.size(); ++i) {
      Provider p;
      p.cfg = std::move(impl->cfg.providers[i]);
      for (const auto& name : p.cfg.required_claims) p.required_mask |= uint64_t{1} << interest_of(name, false);
      for (const auto& rule : p.cfg.claims) p.matchers.push_back({interest_of(rule.name, true), &rule});
      if (impl->interest.names.size() > ClaimInterest::kMax)
        return fail(Status::ERR_CONFIG, "providers[" + std::to_string(i) + "]",
                    "more than 64 distinct required or matched claim names");
      impl->any_provider_algs |= p.cfg.algorithms;
      impl->any_bare_secret |= p.cfg.keys->is_bare_secret();
      if (p.cfg.issuer) impl->by_issuer.emplace(*p.cfg.issuer, impl->providers.size());
      else impl->without_issuer.push_back(impl->providers.size());
      impl->providers.push_back(std::move(p));
    }
    // Matchers point into their provider's config: fix them up after the moves.
    for (auto& p : impl->providers)
      for (size_t j = 0; j < p.matchers.size(); ++j) p.matchers[j].rule = &p.cfg.claims[j];
    impl->cfg.providers.clear();
    return std::unique_ptr<Verifier>(new Verifier(std::move(impl)));
  } catch (const std::bad_alloc&) {
    return fail(Status::ERR_OUT_OF_MEMORY, "", "out of memory");
  }
}

Status Verifier::Verify(std::string_view token, VerifiedToken* out) const noexcept {
  const Impl& im = *impl_;
  if (token.size() > im.cfg.max_token_bytes) return Status::ERR_TOKEN_TOO_LARGE;
  TokenParts parts;
  TV_RETURN_IF_ERROR(SplitToken(token, &parts));
  try {
    ThreadScratch& ts = Scratch();

    JoseHeader header;
    size_t header_len = 0;
    TV_RETURN_IF_ERROR(DecodeHeader(parts, ts.header, im.cfg.max_json_depth, &header, &header_len));
    TV_RETURN_IF_ERROR(im.Prescreen(header));
    SignatureBuffer signature;
    TV_RETURN_IF_ERROR(DecodeSignature(parts.signature, &signature));

    size_t payload_len = 0;
    PayloadView pv;
    pv.strings = &ts.strings;
    TV_RETURN_IF_ERROR(DecodePayload(parts, ts.payload, im.cfg.max_json_depth, im.interest, &pv, &payload_len));

    // The token's iss picks its provider in O(1); otherwise the providers
    // without an issuer are tried in order.
    const Provider* only = nullptr;
    if (pv.has_iss && !im.by_issuer.empty()) {
      // Debian's abseil has its own string_view type, hence the conversion.
      const auto it = im.by_issuer.find(absl::string_view(pv.iss.data(), pv.iss.size()));
      if (it != im.by_issuer.end()) only = &im.providers[it->second];
    }
    Status result;
    const Provider* accepted = nullptr;
    if (only != nullptr) {
      result = im.CheckProvider(*only, header, pv, parts.signing_input, signature.span());
      if (result == Status::OK) accepted = only;
    } else if (im.without_issuer.empty()) {
      result = Status::ERR_ISSUER_MISMATCH;  // every provider names an issuer; none is this token's
    } else {
      result = Status::ERR_NO_MATCHING_KEY;
      bool have_failure = false;
      for (size_t idx : im.without_issuer) {
        const Status st = im.CheckProvider(im.providers[idx], header, pv, parts.signing_input, signature.span());
        if (st == Status::OK) {
          accepted = &im.providers[idx];
          result = st;
          break;
        }
        if (!have_failure || (IsNotThisProvider(result) && !IsNotThisProvider(st))) result = st;
        have_failure = true;
      }
    }
    if (result == Status::OK && out != nullptr) {
      out->header_json = std::string_view(reinterpret_cast<const char*>(ts.header.data()), header_len);
      out->payload_json = std::string_view(reinterpret_cast<const char*>(ts.payload.data()), payload_len);
      out->provider = accepted->cfg.name;
    }
    return result;
  } catch (const std::bad_alloc&) {
    return Status::ERR_OUT_OF_MEMORY;
  }
}

}  // namespace tokenverify
