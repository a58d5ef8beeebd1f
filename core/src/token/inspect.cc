// Inspection without verification (tokenverify/inspect.h): the token's two
// JSON documents copied out, and the base64url kernel's name.
#include "tokenverify/inspect.h"

#include <utility>

#include "base64url/base64url.h"
#include "json/simdjson_strict.h"
#include "token/token.h"
#include "verify/config.h"

namespace tokenverify {

static_assert(internal::VerifierConfig{}.max_token_bytes == kDefaultMaxTokenBytes &&
                  internal::VerifierConfig{}.max_json_depth == kDefaultMaxJsonDepth,
              "inspection uses a verifier's default limits");

Status DecodeUnverified(std::string_view token, std::string* header_json, std::string* payload_json,
                        size_t max_token_bytes, int max_json_depth) {
  using namespace internal;  // NOLINT
  if (token.size() > max_token_bytes) return Status::ERR_TOKEN_TOO_LARGE;
  TokenParts parts;
  TV_RETURN_IF_ERROR(SplitToken(token, &parts));
  for (auto [segment, out] : {std::pair{parts.header, header_json}, std::pair{parts.payload, payload_json}}) {
    const size_t n = Base64urlDecodedLength(segment.size());
    out->assign(n + kBase64urlOutputSlack, '\0');
    if (!Base64urlDecode(segment, reinterpret_cast<uint8_t*>(out->data()))) return Status::ERR_BAD_BASE64URL;
    out->resize(n);
    TV_RETURN_IF_ERROR(ValidateStrictJsonObject(*out, max_json_depth));
  }
  return Status::OK;
}

std::string_view Base64urlImplementationName() noexcept { return internal::ActiveBase64urlKernel().name; }

}  // namespace tokenverify
