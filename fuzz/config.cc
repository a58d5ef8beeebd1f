// Fuzzer for configuration documents: Verifier::Create on arbitrary bytes.
// When a document loads, a few fixed probe tokens (HS256, signed at start-up
// with kProbeSecret; seeds use that secret) are verified, so the policy the
// fuzzer wrote is exercised too. Create must never crash or leak, and the
// Error it fills must carry the status it returns.
//
// Files: a configuration may name a key file (jwks.local.file), and Create
// would open it relative to the working directory; a FIFO, /dev/stdin or a
// device would hang or hurt the run. The harness therefore skips every input
// that could spell the member name "file" (or "remote", for the day remote
// key sets arrive): the word itself, or any \u escape of an ASCII character,
// which is the only other way JSON can spell it. File loading is covered by
// the unit tests instead.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "base64url/base64url.h"
#include "tokenverify/claims.h"
#include "tokenverify/verifier.h"

namespace {

using tokenverify::Claims;
using tokenverify::Error;
using tokenverify::Status;
using tokenverify::VerifiedToken;
using tokenverify::Verifier;
using tokenverify::internal::Base64urlEncode;

constexpr std::string_view kProbeSecret = "fuzz-config-probe-secret-0123456789abcdef";

std::string SignHs256(std::string_view header, std::string_view payload) {
  const std::string input = Base64urlEncode(header) + "." + Base64urlEncode(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), kProbeSecret.data(), static_cast<int>(kProbeSecret.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &mac_len) == nullptr) {
    std::abort();
  }
  return input + "." + Base64urlEncode(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
}

const std::vector<std::string>& ProbeTokens() {
  static const std::vector<std::string> tokens = [] {
    constexpr std::string_view kClaims =
        R"({"iss":"https://issuer.example","sub":"alice","aud":["my-api","x"],"iat":1799999000,)"
        R"("nbf":1799999000,"exp":1800003600,"team":"dev","roles":["admin","ops"]})";
    return std::vector<std::string>{
        SignHs256(R"({"alg":"HS256","typ":"JWT","kid":"probe"})", kClaims),
        SignHs256(R"({"alg":"HS256"})", kClaims),
        SignHs256(R"({"alg":"HS256","typ":"at+jwt"})", R"({"iss":"internal","exp":1})"),
        "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl",
    };
  }();
  return tokens;
}

// True when `json` could name a member "file" or "remote" (see the top).
bool MayNameAFile(std::string_view json) {
  if (json.find("file") != std::string_view::npos || json.find("remote") != std::string_view::npos) return true;
  for (size_t i = json.find("\\u00"); i != std::string_view::npos; i = json.find("\\u00", i + 1)) {
    if (i + 4 < json.size() && json[i + 4] >= '0' && json[i + 4] <= '7') return true;
  }
  return false;
}

[[noreturn]] void Fail(const char* what, Status a, Status b) {
  std::fprintf(stderr, "config: %s (%d vs %d)\n", what, static_cast<int>(a), static_cast<int>(b));
  std::abort();
}

volatile size_t g_sink;

// TV_FUZZ_VERBOSE=1 prints what Create and the probes answer (to check seeds).
bool Verbose() {
  static const bool verbose = std::getenv("TV_FUZZ_VERBOSE") != nullptr;
  return verbose;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  if (MayNameAFile(json)) return -1;  // -1: libFuzzer keeps it out of the corpus
  Error err;
  auto created = Verifier::Create(json, &err);
  if (!created.ok()) {
    if (err.status != created.status())
      Fail("Error.status differs from the returned status", err.status, created.status());
    g_sink = err.field.size() + err.message.size();
    if (Verbose())
      std::fprintf(stderr, "config: Create %d: %s: %s\n", static_cast<int>(err.status), err.field.c_str(),
                   err.message.c_str());
    return 0;
  }
  const Verifier& v = *created.value();
  for (const std::string& token : ProbeTokens()) {
    VerifiedToken out;
    const Status s = v.Verify(token, &out);
    if (Verbose()) std::fprintf(stderr, "config: probe: status %d\n", static_cast<int>(s));
    if (s != Status::OK) continue;
    auto claims = Claims::Create(out.header_json, out.payload_json);
    if (!claims.ok()) Fail("an accepted token's claims do not load", s, claims.status());
  }
  return 0;
}
