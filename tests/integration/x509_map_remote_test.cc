// Google's x509 certificate documents ({"<kid>": "<PEM certificate>"}, the
// Firebase Auth format) fetched from a server on 127.0.0.1: detected or named
// with "format", kids selecting keys, and a malformed document reported as a
// failed fetch that names the problem.
#include <gtest/gtest.h>

#include <string>

#include "support/jwks_server.h"
#include "support/signer.h"
#include "tokenverify/verifier.h"

namespace tokenverify {
namespace {

using testing::JsonQuote;
using testing::JwksServer;
using testing::MakeKey;
using testing::PemJson;
using testing::SignJwt;
using testing::TestKey;
using testing::X509Map;

constexpr std::string_view kPayload = R"({"sub":"alice","exp":4000000000})";

// The Firebase recipe of the README, pointed at `url`; creation waits up to
// `wait` for the first document (a bad one is not retried before that).
std::string FirebaseConfig(const std::string& url, std::string_view remote_extra, std::string_view wait = "5s") {
  std::string c = R"({"providers":[{"name":"firebase","algorithms":["RS256"],)"
                  R"("jwks":{"remote":{"url":)" +
                  JsonQuote(url) + R"(,"initialFetchWait":")" + std::string(wait) + R"(","requireInitialKeys":true)";
  if (!remote_extra.empty()) c += "," + std::string(remote_extra);
  return c + "}}}]}";
}

TEST(X509MapRemote, DetectedOrNamedAndKidsSelectKeys) {
  const TestKey a = MakeKey("RS256", "fb-a");
  const TestKey b = MakeKey("RS256", "fb-b");
  const TestKey other = MakeKey("RS256", "fb-other");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->ServeJwks(X509Map({&a, &b}));
  for (std::string_view format : {"", R"("format":"x509")"}) {
    Error err;
    auto v = Verifier::Create(FirebaseConfig(server->Url(), format), &err);
    ASSERT_TRUE(v.ok()) << err.message;
    EXPECT_EQ(v.value()->Verify(SignJwt(a, kPayload)), Status::OK) << format;
    EXPECT_EQ(v.value()->Verify(SignJwt(b, kPayload)), Status::OK) << format;
    EXPECT_EQ(v.value()->Verify(SignJwt(other, kPayload)), Status::ERR_KID_NOT_FOUND) << format;
  }
}

TEST(X509MapRemote, MalformedDocumentIsAFailedFetch) {
  const TestKey a = MakeKey("RS256", "fb-a");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->ServeJwks(R"({"fb-a": 42})");
  Error err;
  auto v = Verifier::Create(FirebaseConfig(server->Url(), R"("format":"x509")", "1s"), &err);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status(), Status::ERR_KEYS_UNAVAILABLE) << err.message;
  EXPECT_NE(err.message.find("x509[\"fb-a\"]"), std::string::npos) << err.message;
  // Named as a JWK set, a certificate map is refused too.
  server->ServeJwks(X509Map({&a}));
  auto as_jwks = Verifier::Create(FirebaseConfig(server->Url(), R"("format":"jwks")", "1s"), &err);
  EXPECT_EQ(as_jwks.status(), Status::ERR_KEYS_UNAVAILABLE) << err.message;
}

}  // namespace
}  // namespace tokenverify
