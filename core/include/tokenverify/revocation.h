// Publishing a revocation on the Redis stream that verifiers configured with
// "revocation.redis" read (the README's "Revocation" states the stream's
// format). Any producer can write the same entries with XADD; this is the one
// the CLI's `tokenverify revoke` and the C ABI's tv_revocation_publish use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tokenverify/result.h"
#include "tokenverify/status.h"

namespace tokenverify {

struct Revocation {
  enum class Kind {
    kToken,    // id: the token's jti; time: its exp (unix seconds)
    kSubject,  // id: the sub; time: tokens issued before it (unix seconds) are refused
  };
  Kind kind = Kind::kToken;
  std::string_view id;
  int64_t time = 0;
  std::string_view issuer;  // empty: tokens of any issuer
};

// Reads "revocation.redis" from `config_json` (a verifier's configuration
// document; nothing else in it is loaded) and adds `r` to that stream. On
// success *entry_id (if not null) gets the new entry's ID. Fails with
// ERR_CONFIG when the document has no revocation.redis, ERR_INVALID_ARGUMENT
// for an empty id or a negative time, ERR_IO when Redis cannot be reached or
// refuses; `err` says why.
Status PublishRevocation(std::string_view config_json, const Revocation& r, std::string* entry_id, Error* err);

}  // namespace tokenverify
