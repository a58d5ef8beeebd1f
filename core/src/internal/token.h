// The compact JWS, taken apart without copies: segments are views into the
// caller's bytes and the signing input is the caller's own "header.payload".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "internal/alg.h"
#include "internal/json_scan.h"
#include "tokenverify/status.h"

namespace tokenverify::internal {

struct TokenParts {
  std::string_view header;         // base64url
  std::string_view payload;        // base64url
  std::string_view signature;      // base64url, may be empty (the caller decides)
  std::string_view signing_input;  // header "." payload, the caller's bytes
};

// SplitToken finds exactly two dots. ERR_MALFORMED_TOKEN when there are not
// exactly three segments or the header is empty. The payload may be empty
// (RFC 7515); the signature too (the caller decides).
Status SplitToken(std::string_view token, TokenParts* out) noexcept;

// The protected header members the engine acts on.
struct JoseHeader {
  Alg alg = Alg::kHS256;
  bool has_kid = false;
  bool has_typ = false;
  std::string_view kid;  // unescaped; lives as long as the scratch holds the header
  std::string_view typ;
};

// ParseHeader scans the header document, the first n bytes of `doc` (see
// TokenJsonScratch::Reserve), strictly and fills *out.
// ERR_MISSING_ALG, ERR_ALG_NONE, ERR_ALG_UNSUPPORTED, ERR_MALFORMED_HEADER (a
// member of the wrong type), ERR_CRIT_UNSUPPORTED, ERR_B64_UNSUPPORTED, or a
// JSON status (ERR_JSON_BOM included). jwk, jku, x5u, x5c and x5t are
// validated as JSON and ignored.
Status ParseHeader(TokenJsonScratch& doc, size_t n, int max_depth, JoseHeader* out) noexcept;

// Claim names a verifier cares about beyond the registered ones: required
// claims and claims with matchers. Each gets a bit in PayloadView::present.
struct ClaimInterest {
  static constexpr size_t kMax = 64;
  std::vector<std::string> names;
  std::vector<bool> wants_values;  // collect string values (for matchers)
  // Index of `name`, or -1.
  int Find(std::string_view name) const noexcept;
};

// A span of string values inside PayloadView::strings.
struct StringRange {
  uint32_t begin = 0;
  uint32_t count = 0;
};

// What the payload scan extracts. Views live as long as the scratch holds the payload.
struct PayloadView {
  bool has_exp = false, has_nbf = false, has_iat = false;
  bool has_iss = false, has_sub = false, has_aud = false;
  int64_t exp = 0, nbf = 0, iat = 0;
  std::string_view iss, sub;
  StringRange aud;                        // aud as one string or an array of strings
  uint64_t present = 0;                   // bit i: ClaimInterest::names[i] is present
  StringRange values[ClaimInterest::kMax];  // string values of interest claims that want them
  std::vector<std::string_view>* strings = nullptr;  // backing store (per thread, reused)

  std::span<const std::string_view> Strings(StringRange r) const noexcept {
    return {strings->data() + r.begin, r.count};
  }
};

// ParsePayload scans the payload document, the first n bytes of `doc`,
// strictly: the registered claims exp, nbf, iat (NumericDates: JSON numbers
// within int64, fractions floored, else ERR_MALFORMED_CLAIM), iss, sub
// (strings), aud (a string or an array of strings), plus presence and string
// values of the claims in `interest`. out->strings must be set; it is cleared
// first.
Status ParsePayload(TokenJsonScratch& doc, size_t n, int max_depth, const ClaimInterest& interest,
                    PayloadView* out) noexcept;

// DecodeUnverified splits and decodes a token and checks that header and
// payload are strict JSON objects, copying them out. For inspection tools only.
Status DecodeUnverified(std::string_view token, size_t max_token_bytes, int max_json_depth,
                        std::string* header_json, std::string* payload_json);

}  // namespace tokenverify::internal
