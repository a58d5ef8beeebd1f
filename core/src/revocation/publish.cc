// The public revocation calls: Verifier::Revoke, Verifier::RevokeSubject and
// PublishRevocation (tokenverify/revocation.h).
#include "tokenverify/revocation.h"

#include <new>

#include "verify/config.h"
#include "verify/verifier_impl.h"

namespace tokenverify {

using namespace internal;  // NOLINT: glue of the internal pieces

namespace {

Status Record(const Verifier& v, const RevocationEntry& e) noexcept {
  if (e.id.empty() || e.time_s < 0) return Status::ERR_INVALID_ARGUMENT;
  const auto& im = VerifierInternals::Of(v);
  return ApplyRevocation(e, im.revocations.get(), im.cfg.leeway_s, im.cfg.revocation.subject_ttl_s,
                         NowSeconds(im.cfg.now))
             ? Status::OK
             : Status::ERR_REVOCATIONS_FULL;
}

}  // namespace

Status Verifier::Revoke(std::string_view jti, int64_t exp, std::string_view issuer) const noexcept {
  try {
    return Record(*this, {RevocationEntry::Kind::kToken, std::string(jti), exp, std::string(issuer)});
  } catch (const std::bad_alloc&) {
    return Status::ERR_OUT_OF_MEMORY;
  }
}

Status Verifier::RevokeSubject(std::string_view subject, int64_t issued_before,
                               std::string_view issuer) const noexcept {
  try {
    return Record(*this, {RevocationEntry::Kind::kSubject, std::string(subject), issued_before, std::string(issuer)});
  } catch (const std::bad_alloc&) {
    return Status::ERR_OUT_OF_MEMORY;
  }
}

Status PublishRevocation(std::string_view config_json, const Revocation& r, std::string* entry_id, Error* err) {
  Error local;
  if (err == nullptr) err = &local;
  try {
    if (r.id.empty() || r.time < 0) {
      err->status = Status::ERR_INVALID_ARGUMENT;
      err->message = r.id.empty() ? "the jti or sub is empty" : "the time must be unix seconds (not negative)";
      return err->status;
    }
    auto cfg = ParseConfig(config_json, err);
    if (!cfg.ok()) return cfg.status();
    const auto& redis = cfg.value().revocation.redis;
    if (!redis) {
      err->status = Status::ERR_CONFIG;
      err->field = "revocation.redis";
      err->message = "the configuration has no revocation.redis to publish to";
      return err->status;
    }
    RevocationEntry e;
    e.kind = r.kind == Revocation::Kind::kToken ? RevocationEntry::Kind::kToken : RevocationEntry::Kind::kSubject;
    e.id = std::string(r.id);
    e.time_s = r.time;
    e.issuer = std::string(r.issuer);
    return internal::PublishRevocation(*redis, e, entry_id, err);
  } catch (const std::bad_alloc&) {
    err->status = Status::ERR_OUT_OF_MEMORY;
    err->message = "out of memory";
    return err->status;
  }
}

}  // namespace tokenverify
