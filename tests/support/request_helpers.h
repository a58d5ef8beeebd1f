// Test helpers for request authentication: a request written as plain
// strings, its decision, and the credentials clients send (Basic, HMAC hex).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenverify/request.h"
#include "tokenverify/verifier.h"

namespace tokenverify::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Req {
  std::string method = "GET";
  std::string host = "example.com";
  std::string target = "/";
  Headers headers = {};
  std::string body = {};
};

// Verifier::Create with a credential validator; EXPECTs success.
std::unique_ptr<Verifier> MakeVerifier(const std::string& config, CredentialValidator validator = {});

// Authenticates `r`; EXPECTs that a decision was made.
std::unique_ptr<Decision> Decide(const Verifier& v, const Req& r);

// "Basic base64(user:password)".
std::string BasicHeader(std::string_view user, std::string_view password);

// Lower-case hex HMAC-SHA256 of `data` under `key`.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

}  // namespace tokenverify::testing
