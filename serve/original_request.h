// Which request a gateway is asking about. Every forward-auth dialect sends the
// client's headers (credentials included) but says where the original request
// went in its own way; this file turns each into one tv_request.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "serve.h"
#include "tokenverify.h"

namespace tvserve {

// The gateway's request to us, as received (headers in order, names as sent).
struct IncomingRequest {
  std::string_view method;
  std::string_view target;  // raw request target, query included, not percent-decoded
  std::vector<tv_header> headers;
  std::string_view body;
};

// The request the decision is about, pointing into |in|'s storage (and
// FindOriginalRequest's |scratch|): valid while both are.
struct OriginalRequest {
  tv_request request{};
  const char* dialect = "";  // "forwarded", "nginx" or "envoy": which one was read
};

// FindOriginalRequest reads the original method, host and target:
//  - forwarded (Traefik, Caddy, APISIX): X-Forwarded-Uri, X-Forwarded-Method
//    (else the request's method), X-Forwarded-Host (else Host);
//  - nginx (auth_request): X-Original-URI, X-Original-Method (else the
//    request's method), Host;
//  - envoy (ext_authz HTTP mode, kgateway httpService): the request's own method
//    and target with |path_prefix| removed, Host.
// kAuto picks the first whose header is present, in that order. Those headers
// are trusted: the gateway sets them, and clients must not reach this server
// directly (see the README). Every header is passed on to the rules as is.
// |scratch| holds a target that had to be rewritten ("/auth?x" less "/auth").
OriginalRequest FindOriginalRequest(const IncomingRequest& in, Dialect dialect, std::string_view path_prefix,
                                    std::string& scratch);

// HeaderValue returns the first value of |name| (ASCII case-insensitive), or
// nullptr's view (data() == nullptr) when absent.
std::string_view HeaderValue(const std::vector<tv_header>& headers, std::string_view name);

}  // namespace tvserve
