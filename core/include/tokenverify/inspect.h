// Looking inside a token without verifying it, and which base64url kernel
// this process runs: for inspection tools (`tokenverify inspect`,
// tv_inspect_unverified) and diagnostics. Nothing here checks a signature.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tokenverify/status.h"

namespace tokenverify {

// The limits a verifier applies unless its configuration says otherwise
// ("limits" in the configuration document).
inline constexpr size_t kDefaultMaxTokenBytes = 16384;
inline constexpr int kDefaultMaxJsonDepth = 32;

// Splits and decodes `token` and checks that its header and payload are
// strict JSON objects, copying them into *header_json and *payload_json.
// The signature is not checked: never trust what this returns.
// ERR_TOKEN_TOO_LARGE, ERR_MALFORMED_TOKEN, ERR_BAD_BASE64URL or a JSON status.
Status DecodeUnverified(std::string_view token, std::string* header_json, std::string* payload_json,
                        size_t max_token_bytes = kDefaultMaxTokenBytes, int max_json_depth = kDefaultMaxJsonDepth);

// The name of the base64url kernel in use: "icelake", "haswell", "arm64" or
// "fallback" (the environment variable TOKENVERIFY_FORCE_IMPLEMENTATION can
// choose one). A NUL-terminated literal.
std::string_view Base64urlImplementationName() noexcept;

}  // namespace tokenverify
