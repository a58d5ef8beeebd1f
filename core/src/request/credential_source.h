// Where a credential travels in a request: a header (with an auth-scheme
// prefix), a query parameter, a cookie, and the Basic credentials of RFC 7617.
// Each lookup tells "none", "one" and "more than one" apart: a credential
// given twice is refused, never resolved by picking one (RFC 6750 §3.1).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "tokenverify/request.h"
#include "tokenverify/status.h"

namespace tokenverify::internal {

struct FoundCredential {
  enum class Count { kNone, kOne, kRepeated } count = Count::kNone;
  std::string_view value;  // into the request, or into `decoded`
  std::string decoded;     // a query value after percent-decoding
};

// The header `name` (case-insensitive). With a `prefix` ("Bearer "), a value
// with another prefix carries no credential for us (it may be another
// scheme's); the prefix compares case-insensitively (RFC 9110 §11.1). The
// value is trimmed of spaces and tabs; an empty one is none.
void FindInHeader(std::span<const HeaderView> headers, std::string_view name, std::string_view prefix,
                  FoundCredential* out);

// The parameter `name` of a raw query ("a=1&b=2"), names and values
// percent-decoded ('+' is a space, as in HTML forms). An empty value is none.
void FindInQuery(std::string_view query, std::string_view name, FoundCredential* out);

// The cookie `name` in the Cookie headers (HTTP/2 may split them). The first
// cookie of that name wins: browsers send the one with the most specific path
// first (RFC 6265 §5.4), so a repeat is not an error. Quotes are removed.
void FindInCookies(std::span<const HeaderView> headers, std::string_view name, FoundCredential* out);

// The user name and password of an "Authorization: Basic" header.
// ERR_CREDENTIAL_MISSING when there is no Basic credential,
// ERR_DUPLICATE_CREDENTIAL when Authorization is repeated, and
// ERR_MALFORMED_CREDENTIAL for base64 that is not strict, no ':', or a
// control character in the user name or password (RFC 7617 §2).
// `storage` holds the decoded text that user and password view.
Status FindBasic(std::span<const HeaderView> headers, std::string* storage, std::string_view* user,
                 std::string_view* password);

}  // namespace tokenverify::internal
