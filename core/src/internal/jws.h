// The JWS layer (RFC 7515, compact serialization): header, key choice and
// signature, with the payload treated as opaque bytes. The JWT verifier adds
// claims on top; the standard JWS vectors exercise this layer alone.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "internal/alg.h"
#include "internal/base64url.h"
#include "internal/key.h"
#include "internal/json_scan.h"
#include "internal/token.h"

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
// of SelectKey and VerifySignature below, to spare a call frame each.

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
// ParsePayload). ERR_BAD_BASE64URL or a ParsePayload status.
inline Status DecodePayload(const TokenParts& parts, TokenJsonScratch& scratch, int max_depth,
                            const ClaimInterest& interest, PayloadView* out, size_t* out_len) {
  TV_RETURN_IF_ERROR(DecodeSegment(parts.payload, scratch, out_len));
  return ParsePayload(scratch, *out_len, max_depth, interest, out);
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

// Chooses the key for `header` from `keys`. With a kid (unless the set is a
// set that ignores kids, see KeySet::ignores_kid) *out_key is that key, after CheckUsableFor;
// otherwise *out_key is nullptr and the caller tries keys.CandidatesFor(alg).
// ERR_KID_NOT_FOUND, ERR_KEY_ALG_MISMATCH, ERR_KEY_USE_MISMATCH, ERR_JWK_WEAK,
// or ERR_NO_MATCHING_KEY when no key is compatible with the alg. A kid (or,
// without one, an alg family) that only a skipped key has gets that key's
// status (KeySet::skipped).
// kid_key, when not null, points at keys.FindByKid(header.kid), which the
// caller has already looked up: the lookup is not repeated.
// Inline: it runs on every verification, and a token with a kid takes the
// first branch; SelectKeyWithoutKid is the rest.
Status SelectKeyWithoutKid(const KeySet& keys, const JoseHeader& header) noexcept;
inline Status SelectKey(const KeySet& keys, const JoseHeader& header, const Key** out_key,
                        const Key* const* kid_key = nullptr) noexcept {
  *out_key = nullptr;
  // A set without kids (a shared secret, PEM keys): the token's kid is irrelevant.
  if (header.has_kid && !keys.ignores_kid()) {
    const Key* key = kid_key != nullptr ? *kid_key : keys.FindByKid(header.kid);
    if (key == nullptr) return keys.StatusForMissingKid(header.kid);  // a skipped key says why
    TV_RETURN_IF_ERROR(key->CheckUsableFor(header.alg));
    *out_key = key;
    return Status::OK;
  }
  return SelectKeyWithoutKid(keys, header);
}

// Verifies `sig` over `signing_input` with the key SelectKey chose, or with
// up to `max_keys_without_kid` compatible keys in order (VerifyWithCandidates).
// When none of those verifies and more compatible keys were left untried,
// ERR_TOO_MANY_CANDIDATE_KEYS rather than a signature status.
Status VerifyWithCandidates(const KeySet& keys, const JoseHeader& header, std::span<const uint8_t> input,
                            std::span<const uint8_t> sig, size_t max_keys_without_kid) noexcept;
inline Status VerifySignature(const KeySet& keys, const JoseHeader& header, const Key* key,
                              std::string_view signing_input, std::span<const uint8_t> sig,
                              size_t max_keys_without_kid) noexcept {
  const auto input = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(signing_input.data()),
                                              signing_input.size());
  if (key != nullptr) return key->Verify(header.alg, input, sig);
  return VerifyWithCandidates(keys, header, input, sig, max_keys_without_kid);
}

// The whole JWS layer for one token: size, split, header, allow-list, key,
// signature. ERR_ALG_NOT_ALLOWED when the alg is outside `allowed`.
Status VerifyJws(std::string_view token, const KeySet& keys, AlgSet allowed, size_t max_token_bytes,
                 int max_json_depth, size_t max_keys_without_kid) noexcept;

}  // namespace tokenverify::internal
