// The decode steps of a verification: each base64url segment of a compact
// JWS into per-thread scratch (header and payload, then scanned) or a stack
// buffer (the signature). Strict base64url (base64url/base64url.h).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base64url/base64url.h"
#include "token/token.h"

namespace tokenverify::internal {

// RSA-16384 signatures are 2048 bytes; nothing we verify is longer.
inline constexpr size_t kMaxSignatureBytes = 2048;

// A decoded signature in a stack buffer (no heap on the hot path).
struct SignatureBuffer {
  uint8_t bytes[kMaxSignatureBytes + kBase64urlOutputSlack];
  size_t size = 0;
  std::span<const uint8_t> span() const noexcept { return {bytes, size}; }
};

// The decoding steps run on every verification: inline, like the fast paths
// of SelectKey and VerifySignature (keys/select.h), to spare a call frame each.

// Decodes one base64url segment into `scratch`; *out_len gets its length.
inline Status DecodeSegment(std::string_view segment, TokenJsonScratch& scratch, size_t* out_len) {
  static_assert(kTokenJsonPadding >= kBase64urlOutputSlack,
                "TokenJsonScratch padding must absorb the base64url kernels' output slack");
  const size_t n = Base64urlDecodedLength(segment.size());
  if (!Base64urlDecode(segment, scratch.Reserve(n))) return Status::ERR_BAD_BASE64URL;
  *out_len = n;
  return Status::OK;
}

// Decodes the protected header of `parts` into `scratch` and scans it (see
// ParseHeader); *out_len gets the decoded length. ERR_BAD_BASE64URL or a
// ParseHeader status.
inline Status DecodeHeader(const TokenParts& parts, TokenJsonScratch& scratch, int max_depth, JoseHeader* out,
                           size_t* out_len) {
  TV_RETURN_IF_ERROR(DecodeSegment(parts.header, scratch, out_len));
  return ParseHeader(scratch, *out_len, max_depth, out);
}

// Decodes the payload of `parts` into `scratch` and scans it (see
// ParsePayload, which runs `work` and uses `memo`). ERR_BAD_BASE64URL or a
// ParsePayload status.
inline Status DecodePayload(const TokenParts& parts, TokenJsonScratch& scratch, int max_depth,
                            const ClaimInterest& interest, PayloadView* out, size_t* out_len, InterleavedWork work = {},
                            PayloadMemo* memo = nullptr) {
  TV_RETURN_IF_ERROR(DecodeSegment(parts.payload, scratch, out_len));
  return ParsePayload(scratch, *out_len, max_depth, interest, out, work, memo);
}

// Decodes the signature segment: ERR_EMPTY_SIGNATURE, ERR_SIGNATURE_LENGTH
// (longer than any key could produce) or ERR_BAD_BASE64URL.
inline Status DecodeSignature(std::string_view segment, SignatureBuffer* out) noexcept {
  if (segment.empty()) return Status::ERR_EMPTY_SIGNATURE;
  const size_t n = Base64urlDecodedLength(segment.size());
  if (n > kMaxSignatureBytes) return Status::ERR_SIGNATURE_LENGTH;
  if (!Base64urlDecode(segment, out->bytes)) return Status::ERR_BAD_BASE64URL;
  out->size = n;
  return Status::OK;
}

}  // namespace tokenverify::internal
