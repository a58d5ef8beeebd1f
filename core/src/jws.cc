#include "internal/jws.h"

#include <algorithm>
#include <new>

namespace tokenverify::internal {

Status SelectKeyWithoutKid(const KeySet& keys, const JoseHeader& header) noexcept {
  if (!keys.CandidatesFor(header.alg).empty()) return Status::OK;
  // Say why no key fits: the first verdict more precise than "wrong family".
  for (const auto& k : keys.keys()) {
    const Status why = k->CheckUsableFor(header.alg);
    if (why != Status::ERR_KEY_ALG_MISMATCH && why != Status::OK) return why;
  }
  // A key of the alg's family was in the document but skipped (weak, invalid, ...).
  for (const SkippedKey& s : keys.skipped())
    if (AlgSetHas(s.family, header.alg)) return s.status;
  return Status::ERR_NO_MATCHING_KEY;
}

Status VerifyWithCandidates(const KeySet& keys, const JoseHeader& header, std::span<const uint8_t> input,
                            std::span<const uint8_t> sig, size_t max_keys_without_kid) noexcept {
  const auto candidates = keys.CandidatesFor(header.alg);
  const size_t tries = std::min(candidates.size(), max_keys_without_kid);
  Status last = Status::ERR_NO_MATCHING_KEY;
  for (size_t i = 0; i < tries; ++i) {
    last = candidates[i]->Verify(header.alg, input, sig);
    if (last == Status::OK) return last;
  }
  // The bound keeps a forged token from costing one verification per key;
  // say that it was the bound, not the signature, that refused the token.
  if (candidates.size() > tries) return Status::ERR_TOO_MANY_CANDIDATE_KEYS;
  return last;
}

Status VerifyJws(std::string_view token, const KeySet& keys, AlgSet allowed, size_t max_token_bytes,
                 int max_json_depth, size_t max_keys_without_kid) noexcept {
  if (token.size() > max_token_bytes) return Status::ERR_TOKEN_TOO_LARGE;
  TokenParts parts;
  TV_RETURN_IF_ERROR(SplitToken(token, &parts));
  try {
    thread_local TokenJsonScratch scratch;
    JoseHeader header;
    size_t header_len = 0;
    TV_RETURN_IF_ERROR(DecodeHeader(parts, scratch, max_json_depth, &header, &header_len));
    SignatureBuffer sig;
    TV_RETURN_IF_ERROR(DecodeSignature(parts.signature, &sig));
    // The payload is opaque at this layer, but it must still be strict base64url.
    thread_local TokenJsonScratch payload_scratch;
    if (!Base64urlDecode(parts.payload, payload_scratch.Reserve(Base64urlDecodedLength(parts.payload.size()))))
      return Status::ERR_BAD_BASE64URL;
    if (!AlgSetHas(allowed, header.alg)) return Status::ERR_ALG_NOT_ALLOWED;
    const Key* key = nullptr;
    TV_RETURN_IF_ERROR(SelectKey(keys, header, &key));
    return VerifySignature(keys, header, key, parts.signing_input, sig.span(), max_keys_without_kid);
  } catch (const std::bad_alloc&) {
    return Status::ERR_OUT_OF_MEMORY;
  }
}

}  // namespace tokenverify::internal
