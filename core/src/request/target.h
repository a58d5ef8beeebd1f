// The request target and host as rules see them. A rule matches the path
// after RFC 3986 §6.2.2 normalisation (percent-decoding of unreserved
// characters, then removal of dot segments), so "/x/../admin" and "/%61dmin"
// reach the "/admin" rule exactly as the application behind the gateway
// would resolve them.
#pragma once

#include <string>
#include <string_view>

#include "tokenverify/status.h"

namespace tokenverify::internal {

struct NormalizedTarget {
  std::string path;        // starts with '/', no dot segments, unreserved characters decoded
  std::string_view query;  // the bytes after '?', borrowed from the target; empty when none
  bool has_query = false;
};

// NormalizeTarget accepts only the origin form (RFC 9112 §3.2.1): a path that
// starts with '/' and an optional query. Everything else is
// ERR_MALFORMED_REQUEST: the absolute, authority and asterisk forms, a
// fragment, bytes outside RFC 3986's path and query characters (controls,
// spaces, non-ASCII, a raw backslash), a '%' not followed by two hex digits,
// and an encoded '/' or '\' (%2F, %5C) in the path, which an application may
// decode into a separator that the rule did not see.
Status NormalizeTarget(std::string_view target, NormalizedTarget* out);

// NormalizeHost lower-cases a Host (or :authority) value and drops its port
// and a trailing dot: "API.Example.com.:8443" -> "api.example.com",
// "[::1]:80" -> "[::1]". False when the value is not a host name or literal
// (an empty value is a valid "no host").
bool NormalizeHost(std::string_view host, std::string* out);

}  // namespace tokenverify::internal
