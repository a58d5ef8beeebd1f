// HMAC-SHA256 request signatures, as the senders we interoperate with make
// them. Each scheme fixes which bytes are signed, where the signature and its
// timestamp travel, and how they are encoded:
//
//   authgate          X-Signature: hex(HMAC(ts ‖ METHOD ‖ path[?query] ‖ body)), X-Timestamp: unix s
//                     (appleboy/go-httpclient, AuthGate's service-to-service client; the path
//                     percent-decoded as Go's URL.Path is; X-Nonce is not signed, so not checked)
//   github            X-Hub-Signature-256: sha256=hex(HMAC(body)); no timestamp
//   stripe            Stripe-Signature: t=<ts>,v1=hex(HMAC(ts "." body))[,v1=...]
//   slack             X-Slack-Signature: v0=hex(HMAC("v0:" ts ":" body)), X-Slack-Request-Timestamp
//   standardWebhooks  webhook-signature: v1,base64(HMAC(id "." ts "." body)) [space-separated, several],
//                     webhook-id, webhook-timestamp; secrets "whsec_<base64>"
//
// Every configured secret is tried (rotation); every compare is constant-time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tokenverify/result.h"

namespace tokenverify::internal {

enum class SignatureScheme { kAuthGate, kGitHub, kStripe, kSlack, kStandardWebhooks };

std::optional<SignatureScheme> ParseSignatureScheme(std::string_view name);
std::string_view SignatureSchemeName(SignatureScheme scheme);
// The scheme signs a timestamp, so a window applies and replays can be refused.
bool SignatureSchemeHasTimestamp(SignatureScheme scheme);

struct SignatureSecret {
  std::string name;  // reported as the principal
  std::string key;   // the HMAC key bytes
};

// MakeSignatureSecret turns a configured secret into key bytes: as is, except
// for standardWebhooks, whose secrets are base64 after an optional "whsec_".
// ERR_CONFIG with err->message when the secret is empty or not base64.
Status MakeSignatureSecret(SignatureScheme scheme, std::string name, std::string_view text, SignatureSecret* out,
                           Error* err);

struct HeaderField {
  std::string_view name;
  std::string_view value;
};

struct SignedRequestView {
  std::string_view method;
  std::string_view target;  // origin form, as received
  std::string_view body;
  std::span<const HeaderField> headers;
};

struct SignatureCheck {
  int secret = -1;           // the index of the secret that verified
  int64_t timestamp = 0;     // the signed timestamp (unix seconds), when the scheme has one
  uint8_t replay_key[16]{};  // the first bytes of the verified MAC: one per signed message and secret
};

// CheckRequestSignature: OK and `out` filled when a signature verifies with
// one of `secrets` and its timestamp is within `window_s` of `now_s` (both
// ways). Otherwise ERR_CREDENTIAL_MISSING (a header the scheme needs is
// absent), ERR_DUPLICATE_CREDENTIAL (one of them is present twice),
// ERR_MALFORMED_CREDENTIAL (a header that is not the scheme's format),
// ERR_TIMESTAMP_OUT_OF_WINDOW or ERR_REQUEST_SIGNATURE_INVALID. The window is
// checked before any MAC is computed.
Status CheckRequestSignature(SignatureScheme scheme, std::span<const SignatureSecret> secrets, int64_t window_s,
                             const SignedRequestView& request, int64_t now_s, SignatureCheck* out);

}  // namespace tokenverify::internal
