// The request-authentication part of the configuration document: `rules`,
// each with a host, its own `auth` and path-level `auth`s, parsed and checked
// into plain structs. The credentials stay as configured here; the
// Authenticator (authenticator.h) turns them into lookup tables and hashes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "request/rule_matcher.h"
#include "request/signature_schemes.h"

namespace simdjson::dom {
class element;
}

namespace tokenverify::internal {

// kgateway's validationMode: Strict refuses a request without a token;
// AllowMissing lets it through unauthenticated (a token that is present
// must still verify).
enum class ValidationMode { kStrict, kAllowMissing };

enum class AuthType { kNone, kJwt, kBasic, kBearer, kApiKey, kHmac, kAnyOf };

// One bearer token or API key: as text (hashed at load) or as hex SHA-256.
struct CredentialConfig {
  std::string name;
  std::string text;
  std::string sha256_hex;
};

struct AuthConfig {
  std::string field;    // where it stands in the document, for errors found later ("rules[0].auth")
  bool enabled = true;  // "enabled": false switches the auth off
  AuthType type = AuthType::kNone;
  std::string realm = "tokenverify";  // the WWW-Authenticate realm

  // jwt
  std::vector<std::string> providers;             // provider names; empty: every provider
  std::optional<ValidationMode> validation_mode;  // unset: the document's validationMode
  // basic
  std::vector<std::pair<std::string, std::string>> users;  // username, stored password (a hash or plain text)
  // bearer and apiKey
  std::vector<CredentialConfig> credentials;
  std::string header;                // bearer: "Authorization"; apiKey: "X-Api-Key"
  std::optional<std::string> query;  // apiKey: a query parameter instead of a header
  bool validator = false;            // basic and apiKey: the application's callback decides
  // hmac
  SignatureScheme scheme = SignatureScheme::kAuthGate;
  std::vector<SignatureSecret> secrets;
  int64_t window_s = 300;
  size_t max_body_bytes = 10 << 20;  // AuthGate's signer caps bodies at 10 MiB
  size_t replay_cache_entries = 65536;
  // anyOf
  std::vector<AuthConfig> any_of;
};

struct PathConfig {
  PathRuleSpec match;
  std::optional<AuthConfig> auth;  // unset: the rule's own auth
};

struct RuleConfig {
  std::string name;  // "" : reported as the rule's index
  std::optional<std::string> host;
  std::optional<AuthConfig> auth;  // unset: no authentication
  std::vector<PathConfig> paths;
};

// ParseRules reads the document's "rules" array (`path` is "rules"). Throws
// ConfigFailure (verify/config_reader.h) naming the field at fault.
std::vector<RuleConfig> ParseRules(simdjson::dom::element e, const std::string& path);

// Overwrites every password, token, key and secret text held in `rules`
// once they are compiled, so that the parsed document does not leave them in
// freed memory (plain-text passwords are never kept: README, "Basic").
void WipeCredentials(std::vector<RuleConfig>* rules);

// "Strict" or "AllowMissing"; throws ConfigFailure otherwise.
ValidationMode ParseValidationMode(simdjson::dom::element e, const std::string& path);

// Every provider name an auth (or its anyOf) refers to, and whether it is a
// jwt auth at all, for the checks that need the providers.
bool UsesJwt(const AuthConfig& auth);

}  // namespace tokenverify::internal
