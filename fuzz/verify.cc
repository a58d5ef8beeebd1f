// Fuzzer for a whole verification: a policy, a key set and tokens, all from
// the fuzz input, through Verifier::Create and Verifier::Verify with a fixed
// clock. Must never crash, leak, or disagree with itself: each token is
// verified twice (with and without VerifiedToken output) and must get the same
// status; an accepted token's header and payload must load as Claims, and its
// signature must pass VerifySignature; a token of more than three segments is
// ERR_MALFORMED_TOKEN (or too large).
//
// Input layout:
//   bytes 0-1   policy flags (little-endian; see BuildConfig)
//   line 1      key material: a JWK set (JSON), or with kSecretProvider the
//               HMAC secret text
//   lines 2-5   tokens (up to four; "\n" separated, no trailing newline needed);
//               a line starting with '{' is header JSON, a tab, payload JSON,
//               and optionally a tab and a signature segment, encoded into a
//               token here, so the claim checks see directly fuzzed JSON
// fuzz/make_corpus.cc writes seeds in this layout with real signatures.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "base64url/base64url.h"
#include "tokenverify/claims.h"
#include "tokenverify/verifier.h"

namespace {

using tokenverify::Claims;
using tokenverify::Error;
using tokenverify::Status;
using tokenverify::VerifiedToken;
using tokenverify::Verifier;

enum Flag : uint16_t {
  kIssuer = 1 << 0,          // issuer "https://issuer.example"
  kAudiences = 1 << 1,       // audiences ["my-api", "other-api"]
  kAlgorithms = 1 << 2,      // an allow-list, chosen by bits 8-10
  kRequiredClaims = 1 << 3,  // requiredClaims ["exp", "iat"]
  kSubject = 1 << 4,         // subject "alice"
  kTyp = 1 << 5,             // typ "JWT"
  kClaimMatcher = 1 << 6,    // claims team in ["dev", "ops"]
  kLeeway = 1 << 7,          // leeway "60s"
  // bits 8-10: index into kAlgorithmLists
  kMaxTokenAge = 1 << 11,     // maxTokenAge "1h"
  kSecretProvider = 1 << 12,  // line 1 is a secret, not a JWK set
  kSecondProvider = 1 << 13,  // plus a provider without issuer, a short HMAC secret and padding allowed
  kTightLimits = 1 << 14,     // maxKeysWithoutKid 1, maxJsonDepth 4, maxTokenBytes 1024
  kAllowMissing = 1 << 15,    // validationMode AllowMissing, provider requires "team"
};

constexpr const char* kAlgorithmLists[8] = {
    R"(["RS256"])",
    R"(["ES256","EdDSA"])",
    R"(["HS256","HS384","HS512"])",
    R"(["PS256","RS256","ES384"])",
    R"(["ES512","PS512","RS512"])",
    R"(["EdDSA"])",
    R"(["HS256","RS256","PS256","ES256","EdDSA"])",
    R"(["ES384","HS384","PS384","RS384"])",
};

constexpr int64_t kNow = 1800000000;
constexpr size_t kMaxTokens = 4;

// `s` as a JSON string literal: quotes, backslashes and control characters
// escaped; other bytes as they are (invalid UTF-8 makes the document invalid,
// which Create must report, not crash on).
std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string BuildConfig(uint16_t flags, std::string_view keys) {
  std::string p = R"({"name":"fuzzed")";
  if (flags & kIssuer) p += R"(,"issuer":"https://issuer.example")";
  if (flags & kAudiences) p += R"(,"audiences":["my-api","other-api"])";
  if (flags & kAlgorithms) p += std::string(R"(,"algorithms":)") + kAlgorithmLists[(flags >> 8) & 7];
  if (flags & kSubject) p += R"(,"subject":"alice")";
  if (flags & kTyp) p += R"(,"typ":"JWT")";
  if (flags & kClaimMatcher) p += R"(,"claims":[{"name":"team","values":["dev","ops"]}])";
  if (flags & kMaxTokenAge) p += R"(,"maxTokenAge":"1h")";
  if (flags & kAllowMissing) p += R"(,"requiredClaims":["team"])";
  if (flags & kSecretProvider) {
    p += R"(,"secret":)" + JsonString(keys);
  } else {
    p += R"(,"jwks":{"local":{"inline":)" + JsonString(keys) + "}}";
  }
  p += "}";
  std::string doc = R"({"providers":[)" + p;
  // Short, and with both migration settings: padded tokens and short secrets
  // reach the provider-level checks.
  if (flags & kSecondProvider)
    doc += R"(,{"name":"shared","secret":"fuzz-second","allowShortHmacSecrets":true,"allowPaddedSegments":true})";
  doc += "],\"now\":" + std::to_string(kNow);
  if (flags & kRequiredClaims) doc += R"(,"requiredClaims":["exp","iat"])";
  if (flags & kLeeway) doc += R"(,"leeway":"60s")";
  if (flags & kTightLimits) doc += R"(,"limits":{"maxKeysWithoutKid":1,"maxJsonDepth":4,"maxTokenBytes":1024})";
  if (flags & kAllowMissing) doc += R"(,"validationMode":"AllowMissing")";
  return doc + "}";
}

[[noreturn]] void Fail(const char* what, Status a, Status b) {
  std::fprintf(stderr, "verify: %s (%d vs %d)\n", what, static_cast<int>(a), static_cast<int>(b));
  std::abort();
}

volatile size_t g_sink;

// TV_FUZZ_VERBOSE=1 prints each token's status (to check what seeds reach).
bool Verbose() {
  static const bool verbose = std::getenv("TV_FUZZ_VERBOSE") != nullptr;
  return verbose;
}

// The verifier of the previous input, kept while the policy and keys stay the
// same (the fuzzer often mutates only the tokens): Create parses keys, which
// is most of the cost of one input.
struct Cache {
  std::string config;
  std::unique_ptr<Verifier> verifier;
};

const Verifier* VerifierFor(const std::string& config) {
  static Cache cache;
  if (cache.verifier != nullptr && cache.config == config) return cache.verifier.get();
  cache.verifier.reset();
  cache.config = config;
  Error err;
  auto v = Verifier::Create(config, &err);
  if (!v.ok()) {
    if (Verbose()) std::fprintf(stderr, "verify: Create: %s: %s\n", err.field.c_str(), err.message.c_str());
    if (err.status != v.status()) Fail("Error.status differs from the returned status", err.status, v.status());
    return nullptr;
  }
  cache.verifier = std::move(v).value();
  return cache.verifier.get();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint16_t flags = static_cast<uint16_t>(data[0] | data[1] << 8);
  std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
  const size_t nl = rest.find('\n');
  const std::string_view keys = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);

  const Verifier* v = VerifierFor(BuildConfig(flags, keys));
  if (v == nullptr) return 0;
  for (size_t i = 0; i < kMaxTokens && !rest.empty(); ++i) {
    const size_t end = rest.find('\n');
    std::string_view token = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    std::string built;
    if (!token.empty() && token[0] == '{') {
      const size_t tab1 = token.find('\t');
      const size_t tab2 = tab1 == std::string_view::npos ? tab1 : token.find('\t', tab1 + 1);
      const std::string_view header = token.substr(0, tab1);
      const std::string_view payload =
          tab1 == std::string_view::npos ? std::string_view() : token.substr(tab1 + 1, tab2 - tab1 - 1);
      const std::string_view signature = tab2 == std::string_view::npos ? "c2ln" : token.substr(tab2 + 1);
      built = tokenverify::internal::Base64urlEncode(header) + "." + tokenverify::internal::Base64urlEncode(payload) +
              "." + std::string(signature);
      token = built;
    }

    const Status without_out = v->Verify(token);
    VerifiedToken out;  // views into per-thread scratch: valid until the next Verify
    const Status with_out = v->Verify(token, &out);
    if (with_out != without_out) Fail("same token, different status", with_out, without_out);
    // More than three segments: malformed, whatever else is wrong (the
    // payload is searched for a third dot after the header's checks began).
    if (std::count(token.begin(), token.end(), '.') > 2 && with_out != Status::ERR_MALFORMED_TOKEN &&
        with_out != Status::ERR_TOKEN_TOO_LARGE)
      Fail("more than three segments, yet not ERR_MALFORMED_TOKEN", with_out, Status::ERR_MALFORMED_TOKEN);
    // A verified token's signature verifies on its own.
    const Status signature_only = v->VerifySignature(token);
    if (with_out == Status::OK && signature_only != Status::OK)
      Fail("verified, but its signature alone is refused", with_out, signature_only);
    if (Verbose())
      std::fprintf(stderr, "verify: flags %04x token %zu: status %d\n", flags, i, static_cast<int>(with_out));
    if (with_out != Status::OK) continue;
    g_sink = out.provider.size();
    auto claims = Claims::Create(out.header_json, out.payload_json);
    if (!claims.ok()) Fail("an accepted token's claims do not load", with_out, claims.status());
    if (const Claims::Member* m = claims.value()->Find("team")) g_sink = m->raw.size();
  }
  return 0;
}
