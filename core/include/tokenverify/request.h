// Request authentication: a request as a gateway or a server sees it, and the
// one immutable decision the engine makes about it (Verifier::Authenticate).
// The C ABI's tv_request, tv_header and tv_decision are thin views of these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenverify/claims.h"
#include "tokenverify/status.h"

namespace tokenverify {

// One header field as received. The same layout as the C ABI's tv_header, so
// the C shim passes the caller's array without copying it.
struct HeaderView {
  const char* name = nullptr;
  size_t name_len = 0;
  const char* value = nullptr;
  size_t value_len = 0;
  std::string_view Name() const noexcept { return {name, name_len}; }
  std::string_view Value() const noexcept { return {value, value_len}; }
};

struct RequestView {
  std::string_view method;              // "GET"
  std::string_view host;                // Host or :authority; may be empty
  std::string_view target;              // origin form with the query: "/api/x?y=1"
  std::span<const HeaderView> headers;  // as received: repeated names kept, in order
  std::string_view body;                // only request-signature rules read it
};

// How a request was authenticated (or would have been).
enum class AuthMethod { kNone, kJwt, kBasic, kBearer, kApiKey, kHmac };
std::string_view AuthMethodName(AuthMethod m) noexcept;  // "none", "jwt", "basic", "bearer", "apiKey", "hmac"

// The application's own check for `basic` and `apiKey` auths marked
// "validator": true (GoFr's ...WithValidator): true to accept. Called on the
// thread that authenticates; must be thread-safe.
struct CredentialCheck {
  std::string_view rule;  // the rule's name (or index)
  AuthMethod method = AuthMethod::kBasic;
  std::string_view user;      // basic: the user name; apiKey: the key
  std::string_view password;  // basic: the password; apiKey: empty
};
using CredentialValidator = std::function<bool(const CredentialCheck&)>;

// A claim that claimsToHeaders could not copy into a header.
struct OmittedHeader {
  std::string header;
  std::string claim;
  std::string reason;
};

// What the engine decided about one request. Immutable once Authenticate
// returns: any number of threads may read it.
struct Decision {
  Status status = Status::OK;  // OK when the request may pass
  int http_status = 200;       // 200, 400, 401, 403 or 503
  AuthMethod method = AuthMethod::kNone;
  std::string rule;       // the matched rule's name, or its index; empty when none matched
  std::string principal;  // user name, key or token name, or the token's sub
  std::string provider;   // jwt: the provider that accepted the token
  // Headers the gateway sets on the request it forwards (names in lower case),
  // and headers it removes from it (spoofed identity headers, the token when
  // it is not forwarded). Query parameters and cookies that carried a token
  // that is not forwarded are listed to be stripped too.
  std::vector<std::pair<std::string, std::string>> set_headers;
  std::vector<std::string> remove_headers;
  std::vector<std::string> remove_query_parameters;
  std::vector<std::string> remove_cookies;
  std::vector<OmittedHeader> omitted_headers;
  std::optional<std::string> www_authenticate;  // the challenge of a 401
  std::unique_ptr<Claims> claims;               // jwt: the verified token's claims

  bool allowed() const noexcept { return status == Status::OK; }
  // The decision as one JSON object (the README's "Request authentication"
  // documents every member). Rendered on first use; thread-safe.
  const std::string& Json() const;

 private:
  mutable std::once_flag rendered_;
  mutable std::string json_;
};

}  // namespace tokenverify
