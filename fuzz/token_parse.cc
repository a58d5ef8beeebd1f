// Fuzzer for the token parse path of a verification, without keys: split,
// base64url, the strict header scan (ParseHeader) and the strict payload scan
// (ParsePayload), on the same kind of per-thread reused scratch the verifier
// uses, so state left behind by one token can hurt the next one here too.
// Every view the walks return is read (ASan checks it points into live
// memory). Cross-check: when both walks accept, DecodeUnverified (the
// validation-only path used by inspection tools) must accept too, and decode
// the same bytes.
//
// Input: a compact token as is; or, when the input starts with '{', a header
// JSON text up to the first newline and a payload JSON text after it, which
// are base64url-encoded into a token here (so the JSON walks get fuzzed
// directly instead of through base64url).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "base64url/base64url.h"
#include "token/decode.h"
#include "token/token.h"
#include "tokenverify/inspect.h"

namespace {

using namespace tokenverify::internal;  // NOLINT: a harness of internals
using tokenverify::DecodeUnverified;
using tokenverify::Status;

struct Scratch {
  TokenJsonScratch header;
  TokenJsonScratch payload;
  std::vector<std::string_view> strings;
};

// Claims a verifier could be interested in: some with matchers (string values
// collected), some only required; "iss" and "aud" double as matched claims.
const ClaimInterest& Interest() {
  static const ClaimInterest interest = [] {
    ClaimInterest ci;
    for (auto [name, values] : {std::pair{"team", true},
                                {"roles", true},
                                {"scope", true},
                                {"iss", true},
                                {"aud", true},
                                {"email", false},
                                {"nonce", false},
                                {"exp", false}}) {
      ci.Add(name, values);
    }
    return ci;
  }();
  return interest;
}

volatile uint8_t g_sink;

void Touch(std::string_view s) {
  uint8_t x = 0;
  for (char c : s) x ^= static_cast<uint8_t>(c);
  g_sink = x;
}

[[noreturn]] void Fail(const char* what, Status a, Status b) {
  std::fprintf(stderr, "token_parse: %s (%d vs %d)\n", what, static_cast<int>(a), static_cast<int>(b));
  std::abort();
}

// Header and payload walks as Verifier::Verify runs them. Returns the first
// failure, or OK with the decoded header and payload bytes.
Status ParseToken(Scratch& s, const TokenParts& parts, int max_depth, std::string_view* header_bytes,
                  std::string_view* payload_bytes) {
  JoseHeader header;
  size_t header_len = 0;
  TV_RETURN_IF_ERROR(DecodeHeader(parts, s.header, max_depth, &header, &header_len));
  *header_bytes = std::string_view(reinterpret_cast<const char*>(s.header.data()), header_len);
  if (header.has_kid) Touch(header.kid);
  if (header.has_typ) Touch(header.typ);

  size_t payload_len = 0;
  PayloadView pv;
  pv.strings = &s.strings;
  TV_RETURN_IF_ERROR(DecodePayload(parts, s.payload, max_depth, Interest(), &pv, &payload_len));
  *payload_bytes = std::string_view(reinterpret_cast<const char*>(s.payload.data()), payload_len);
  if (pv.has_iss) Touch(pv.iss);
  if (pv.has_sub) Touch(pv.sub);
  if (pv.has_aud) {
    for (std::string_view a : pv.Strings(pv.aud)) Touch(a);
  }
  for (size_t i = 0; i < Interest().size(); ++i) {
    if ((pv.present >> i & 1) == 0 || !Interest().wants_values(i)) continue;
    for (std::string_view v : pv.Strings(pv.values[i])) Touch(v);
  }
  return Status::OK;
}

void Run(std::string_view token, int max_depth) {
  thread_local Scratch scratch;
  TokenParts parts;
  const Status split = SplitToken(token, &parts);
  if (split != Status::OK) {
    std::string h, p;
    const Status unverified = DecodeUnverified(token, &h, &p, token.size(), max_depth);
    if (unverified != split) Fail("SplitToken and DecodeUnverified disagree", split, unverified);
    return;
  }
  if (parts.signing_input.size() != parts.header.size() + 1 + parts.payload.size() ||
      parts.signing_input.data() != token.data() || parts.header.data() != token.data() ||
      parts.signature.data() + parts.signature.size() != token.data() + token.size()) {
    Fail("SplitToken views do not tile the token", Status::OK, Status::OK);
  }
  SignatureBuffer sig;
  (void)DecodeSignature(parts.signature, &sig);

  std::string_view header_bytes, payload_bytes;
  const Status parsed = ParseToken(scratch, parts, max_depth, &header_bytes, &payload_bytes);
  if (parsed != Status::OK) return;
  std::string h, p;
  const Status unverified = DecodeUnverified(token, &h, &p, token.size(), max_depth);
  if (unverified != Status::OK) Fail("walks accept a token DecodeUnverified rejects", parsed, unverified);
  if (h != header_bytes || p != payload_bytes) Fail("decoded bytes differ", parsed, unverified);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string built;
  if (!input.empty() && input[0] == '{') {
    const size_t nl = input.find('\n');
    const std::string_view header = input.substr(0, nl);
    const std::string_view payload = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
    built = Base64urlEncode(header) + "." + Base64urlEncode(payload) + ".c2ln";
    input = built;
  }
  Run(input, 32);
  Run(input, 2);  // the smallest depth a configuration allows: depth errors everywhere
  return 0;
}
