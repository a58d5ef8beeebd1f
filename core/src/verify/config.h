// The configuration document (one JSON text, the same from every runtime),
// parsed and checked into plain structs. Field names follow kgateway's JWT
// providers and Envoy's jwt_authn. Every unknown field or bad value is an
// error that names the field.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cache/token_cache.h"
#include "keys/key.h"
#include "keysets/key_source.h"
#include "request/auth_config.h"
#include "revocation/revocation_config.h"
#include "token/alg.h"
#include "tokenverify/result.h"

namespace tokenverify::internal {

// Claim `name` must be a string equal to one of `values`, or an array of
// strings that contains one of them.
struct ClaimMatcher {
  std::string name;
  std::vector<std::string> values;
};

struct ClaimToHeader {
  std::string name;    // claim
  std::string header;  // HTTP header to copy it to, in lower case (used by request authentication)
};

// Where a front end (middleware, gateway) finds the token. Not used by verify.
struct TokenSource {
  enum class Kind { kHeader, kQueryParameter, kCookie } kind = Kind::kHeader;
  std::string name = "Authorization";
  std::string prefix = "Bearer ";
};

struct ProviderConfig {
  std::string name;
  std::optional<std::string> issuer;
  std::vector<std::string> audiences;       // empty: aud not checked
  AlgSet algorithms = kDefaultAllowedAlgs;  // allow-list (ES256K only when listed); the key still decides the family
  std::optional<std::string> subject;
  std::optional<std::string> typ;  // required "typ" header (compared case-insensitively)
  std::vector<ClaimMatcher> claims;
  std::vector<std::string> required_claims;  // the document's requiredClaims plus the provider's
  int64_t max_token_age_s = 0;               // 0: unlimited
  KeySourceConfig keys;                      // where the keys come from and how they refresh
  // "allowPaddedSegments": true accepts a token whose segments end in base64
  // padding ("=", as AWS ALB signs them); the padded text is what was signed.
  // Never the default: padding makes two spellings of one token.
  bool allow_padded_segments = false;
  // Front-end settings, validated and kept for middleware and gateways.
  std::vector<ClaimToHeader> claims_to_headers;
  bool forward_token = false;
  TokenSource token_source;
};

struct VerifierConfig {
  std::vector<ProviderConfig> providers;
  // Clock skew allowed for exp, nbf and iat: 60 s, as Envoy's
  // clock_skew_seconds (which kgateway runs); 0 turns it off.
  int64_t leeway_s = 60;
  std::optional<int64_t> now;  // fixed clock (unix seconds) for tests
  size_t max_token_bytes = 16384;
  int max_json_depth = 32;
  size_t max_keys_without_kid = 4;
  ValidationMode validation_mode = ValidationMode::kStrict;
  // Request authentication (request/auth_config.h). Without "rules" every
  // request is authenticated by the providers (kgateway's semantics).
  std::vector<RuleConfig> rules;
  bool has_rules = false;
  std::optional<TokenCacheConfig> token_cache;  // "tokenCache": off unless present
  RevocationConfig revocation;                  // "revocation": the local list is always there
};

// The configuration's fixed clock ("now", for tests) or the system's, in unix seconds.
inline int64_t NowSeconds(const std::optional<int64_t>& fixed) {
  return fixed ? *fixed : static_cast<int64_t>(std::time(nullptr));
}

// ParseConfig parses and checks `json`. On failure returns ERR_CONFIG (or
// ERR_IO, or a key-set status such as ERR_JWKS_MALFORMED when a key set is
// bad), sets err->field to the path at fault (e.g. "providers[0].issuer")
// and err->message to what is wrong with it.
Result<VerifierConfig> ParseConfig(std::string_view json, Error* err);

}  // namespace tokenverify::internal
