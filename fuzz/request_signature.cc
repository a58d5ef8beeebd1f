// Request-signature header parsers: every scheme's headers (Stripe-Signature
// lists, webhook-signature entries, timestamps, prefixes) on arbitrary bytes.
// Checks that each answer is one of the statuses the scheme documents, that
// the same request gets the same answer twice, and that an accepted request
// really carries the MAC of its signed bytes (the secret is fixed, so an
// accepted fuzzed signature means the check is broken).
//
// Input: a scheme byte, then header lines "name: value" up to an empty line,
// then the body. The target is fixed; now is the timestamp 1700000000.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "request/signature_schemes.h"

namespace {

using tokenverify::Error;
using tokenverify::Status;
using namespace tokenverify::internal;  // NOLINT: a harness of internals

[[noreturn]] void Fail(const char* what, Status s) {
  std::fprintf(stderr, "request_signature: %s: %s\n", what, std::string(tokenverify::StatusName(s)).c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr SignatureScheme kSchemes[] = {SignatureScheme::kAuthGate, SignatureScheme::kGitHub,
                                                 SignatureScheme::kStripe, SignatureScheme::kSlack,
                                                 SignatureScheme::kStandardWebhooks};
  const SignatureScheme scheme = kSchemes[data[0] % 5];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<HeaderField> headers;
  while (headers.size() < 16) {
    const size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) break;
    const std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    headers.push_back({line.substr(0, colon), value});
  }
  SignatureSecret secret;
  Error err;
  if (MakeSignatureSecret(scheme, "s", scheme == SignatureScheme::kStandardWebhooks ? "whsec_c2VjcmV0" : "secret",
                          &secret, &err) != Status::OK)
    Fail("the fixed secret is refused", err.status);
  const SignedRequestView view{"POST", "/hooks?x=1", rest, headers};
  SignatureCheck first, second;
  const Status s = CheckRequestSignature(scheme, {&secret, 1}, 300, view, 1700000000, &first);
  switch (s) {
    case Status::ERR_CREDENTIAL_MISSING:
    case Status::ERR_DUPLICATE_CREDENTIAL:
    case Status::ERR_MALFORMED_CREDENTIAL:
    case Status::ERR_TIMESTAMP_OUT_OF_WINDOW:
    case Status::ERR_REQUEST_SIGNATURE_INVALID:
    case Status::ERR_MALFORMED_REQUEST:
      break;
    case Status::OK:
      Fail("a fuzzed signature was accepted", s);
    default:
      Fail("an undocumented status", s);
  }
  if (CheckRequestSignature(scheme, {&secret, 1}, 300, view, 1700000000, &second) != s) Fail("not deterministic", s);
  return 0;
}
