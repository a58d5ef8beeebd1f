// The two steps around a full verification that remember and forget tokens:
// the token-cache lookup before it (AnswerFromCache) and, after it accepted a
// token, the revocation check and the cache insert (AfterAccepted). See
// cache/token_cache.h and revocation/revocation_list.h for the rules.
#include <string>

#include "verify/verifier_impl.h"

namespace tokenverify {

using namespace internal;  // NOLINT: glue of the internal pieces

namespace {

// A hit's copy of the claims, per thread (the views a VerifiedToken gives are
// valid until the next verification on the thread, as on the full path).
std::string& HitScratch() {
  thread_local std::string scratch;
  return scratch;
}

}  // namespace

bool Verifier::Impl::AnswerFromCache(std::string_view token, VerifiedToken* out, Status* result, int* provider) const {
  const uint64_t serial = keys_serial.load(std::memory_order_acquire);
  const int64_t now = NowSeconds(cfg.now);
  return token_cache->Find(token, serial, now, [&](const CachedToken& e) {
    *provider = static_cast<int>(e.provider);
    token_cache->CountHit(e.provider);
    if (revocations->IsRevoked(e.revocation, now)) {
      *result = Status::ERR_REVOKED;
      return;
    }
    *result = Status::OK;
    if (out == nullptr) return;
    // One copy of header, payload and subject; the string keeps its capacity,
    // so a warm thread does not allocate here.
    std::string& s = HitScratch();
    s.assign(e.bytes() + e.token_len, e.header_len + e.payload_len + e.subject_len);
    out->header_json = std::string_view(s.data(), e.header_len);
    out->payload_json = std::string_view(s.data() + e.header_len, e.payload_len);
    out->subject = std::string_view(s.data() + e.header_len + e.payload_len, e.subject_len);
    out->provider = providers[e.provider].cfg.name;
  });
}

Status Verifier::Impl::AfterAccepted(std::string_view token, const AcceptedToken& a, uint64_t serial) const {
  const VerifiedToken& v = a.view;
  const bool has_sub = !v.subject.empty();
  if (token_cache == nullptr) {
    // Only the digests the list can match (none at all while it is empty).
    if (revocations->empty()) return Status::OK;
    return revocations->IsRevoked(a.has_jti, a.jti, has_sub, v.subject, a.has_iss, a.iss, a.has_iat, a.iat,
                                  NowSeconds(cfg.now))
               ? Status::ERR_REVOKED
               : Status::OK;
  }
  // An entry carries every key, for revocations that come after it.
  const RevocationKeys keys =
      RevocationList::KeysFor(a.has_jti, a.jti, has_sub, v.subject, a.has_iss, a.iss, a.has_iat, a.iat);
  const int64_t now = NowSeconds(cfg.now);
  if (revocations->IsRevoked(keys, now)) return Status::ERR_REVOKED;
  if (token.size() > token_cache->max_token_bytes()) return Status::OK;

  CachedTokenFacts f;
  const TimeWindow window = ClaimTimeWindow(a);
  f.valid_from = window.from;
  f.valid_until = window.until;
  f.token = token;
  f.header_json = v.header_json;
  f.payload_json = v.payload_json;
  f.subject = v.subject;
  f.provider = static_cast<uint32_t>(a.provider);
  f.keys_serial = serial;
  f.revocation = keys;
  token_cache->Insert(f, now, keys_serial.load(std::memory_order_acquire));
  return Status::OK;
}

}  // namespace tokenverify
