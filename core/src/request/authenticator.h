// The authentication of a whole request: the configuration's rules compiled
// into a rule matcher and one checker per auth (JWT through the verifier,
// Basic users, bearer tokens and API keys, HMAC request signatures), and the
// decision they reach. Built once with the verifier; immutable and shared by
// every thread from then on (the replay caches and the Basic success caches
// are the only state, each behind its own locks).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "request/auth_config.h"
#include "request/basic_users.h"
#include "request/credential_list.h"
#include "request/replay_cache.h"
#include "request/rule_matcher.h"
#include "tokenverify/request.h"
#include "tokenverify/verifier.h"
#include "verify/config.h"

namespace tokenverify::internal {

// What the authenticator needs of each provider, in the verifier's order.
struct ProviderFrontEnd {
  std::string name;
  TokenSource source;
  std::vector<ClaimToHeader> claims_to_headers;
  bool forward_token = false;
  std::string lower_header;  // set by Build: the token header's name in lower case
};

class Authenticator {
 public:
  // ERR_CONFIG (err->field, err->message) for what only compiling finds: a
  // rule matcher conflict, a bad credential digest, a password hash that does
  // not parse, a validator auth without a validator.
  static Result<std::unique_ptr<Authenticator>> Build(const VerifierConfig& cfg,
                                                      std::vector<ProviderFrontEnd> providers,
                                                      CredentialValidator validator, Error* err);

  ~Authenticator();

  // Fills `*out` (a fresh Decision). `verifier` checks the tokens.
  void Authenticate(const Verifier& verifier, const RequestView& request, Decision* out) const;

  struct Auth;     // one compiled auth (authenticator.cc)
  struct Outcome;  // one check's verdict before it becomes the Decision

 private:
  struct Rule {
    std::string name;                     // or the index as text
    const Auth* auth = nullptr;           // null: no authentication
    std::vector<const Auth*> path_auths;  // per path; a path without "auth" has the rule's
  };

  Authenticator() = default;
  const Auth* Compile(const AuthConfig& cfg, Error* err);
  void Check(const Auth& auth, const Verifier& verifier, const RequestView& request, std::string_view query,
             std::string_view rule, Outcome* out) const;
  void CheckJwt(const Auth& auth, const Verifier& verifier, const RequestView& request, std::string_view query,
                Outcome* out) const;

  std::vector<ProviderFrontEnd> providers_;
  std::vector<std::string> managed_headers_;  // every claimsToHeaders header, lower case: always removed
  std::vector<std::unique_ptr<Auth>> auths_;
  std::vector<Rule> rules_;
  RuleMatcher matcher_;
  const Auth* without_rules_ = nullptr;  // no "rules": every request is a jwt request
  bool target_needed_ = false;           // without rules: a provider reads a query parameter
  CredentialValidator validator_;
  std::optional<int64_t> fixed_now_;
};

}  // namespace tokenverify::internal
