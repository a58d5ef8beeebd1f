// The claim checks of one provider (Verifier::Impl::CheckClaims), run after
// the signature has verified: typ, the times (exp, nbf, iat, maxTokenAge with
// the leeway), requiredClaims, iss, aud, sub and the claim matchers.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/ascii.h"
#include "base/saturating.h"
#include "verify/verifier_impl.h"

namespace tokenverify {

using namespace internal;  // NOLINT: the claim rules read the internal token views

namespace {

// typ is a media type: compared case-insensitively, with the "application/"
// prefix optional (RFC 7515 section 4.1.9).
bool TypMatches(std::string_view got, std::string_view want) noexcept {
  auto strip = [](std::string_view t) {
    constexpr std::string_view kPrefix = "application/";
    if (t.size() > kPrefix.size() && AsciiStartsWithIgnoreCase(t, kPrefix)) t.remove_prefix(kPrefix.size());
    return t;
  };
  return AsciiEqualsIgnoreCase(strip(got), strip(want));
}

// Inline: it runs for the audiences and every claim matcher of each verification.
[[gnu::always_inline]] inline bool AnyEqual(std::span<const std::string_view> have,
                                            const std::vector<std::string>& want) noexcept {
  for (std::string_view h : have)
    for (const std::string& w : want)
      if (h == w) return true;
  return false;
}

}  // namespace

TimeWindow Verifier::Impl::ClaimTimeWindow(const AcceptedToken& a) const noexcept {
  // CheckClaims's time rules below, solved for now: exp (now < exp + leeway),
  // nbf (now >= nbf - leeway), a future iat (now >= iat - leeway) and
  // maxTokenAge (now <= iat + maxTokenAge + leeway).
  const int64_t leeway = cfg.leeway_s;
  TimeWindow w{std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  if (a.has_exp) w.until = SatAdd(a.exp, leeway);
  if (a.has_nbf) w.from = SatSub(a.nbf, leeway);
  if (a.has_iat) w.from = std::max(w.from, SatSub(a.iat, leeway));
  const int64_t max_age = providers[a.provider].cfg.max_token_age_s;
  if (max_age > 0 && a.has_iat) w.until = std::min(w.until, SatAdd(SatAdd(a.iat, SatAdd(max_age, leeway)), 1));
  return w;
}

Status Verifier::Impl::CheckClaims(const Provider& p, const JoseHeader& h, const PayloadView& pv,
                                   bool issuer_matched) const noexcept {
  const ProviderConfig& c = p.cfg;
  if (c.typ && (!h.has_typ || !TypMatches(h.typ, *c.typ))) return Status::ERR_TYP_MISMATCH;

  const int64_t now = NowSeconds(cfg.now);
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
  if (c.issuer && !issuer_matched && (!pv.has_iss || pv.iss != *c.issuer)) return Status::ERR_ISSUER_MISMATCH;
  if (!c.audiences.empty() && (!pv.has_aud || !AnyEqual(pv.Strings(pv.aud), c.audiences)))
    return Status::ERR_AUDIENCE_MISMATCH;
  if (c.subject && (!pv.has_sub || pv.sub != *c.subject)) return Status::ERR_SUBJECT_MISMATCH;
  for (const Matcher& m : p.matchers) {
    // values[] is empty for an absent claim, so AnyEqual fails for it too.
    if (!AnyEqual(pv.Strings(pv.values[m.interest]), m.rule->values)) return Status::ERR_CLAIM_MISMATCH;
  }
  return Status::OK;
}

}  // namespace tokenverify
