// The x509 map key-set format ({"<kid>": "<PEM certificate>"}, as Google
// publishes for Firebase Auth): detected or named with "format", inline and
// from a file, with the kids it gives; malformed documents and unusable
// certificates with their exact statuses.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "keys/key_set_format.h"
#include "support/signer.h"
#include "tokenverify/verifier.h"

namespace tokenverify {
namespace {

using testing::JsonQuote;
using testing::Jwks;
using testing::MakeKey;
using testing::PemJson;
using testing::SignJwt;
using testing::TestKey;
using testing::X509Map;

constexpr int64_t kNow = 1800000000;
constexpr std::string_view kPayload = R"({"sub":"alice","iat":1799999000,"exp":1800003600})";

// One provider whose jwks.local is `local` (a JSON object's members).
std::string Config(std::string_view local, std::string_view provider_extra = R"("algorithms":["RS256","ES256"])") {
  std::string s = R"({"providers":[{"name":"p","jwks":{"local":{)" + std::string(local) + "}}";
  if (!provider_extra.empty()) s += "," + std::string(provider_extra);
  return s + "}],\"now\":" + std::to_string(kNow) + "}";
}

Status CreateStatus(const std::string& config, std::string* message = nullptr) {
  Error err;
  auto v = Verifier::Create(config, &err);
  if (message != nullptr) *message = err.message;
  return v.status();
}

std::unique_ptr<Verifier> Make(const std::string& config) {
  Error err;
  auto v = Verifier::Create(config, &err);
  EXPECT_TRUE(v.ok()) << err.message << "\nconfig: " << config;
  return v.ok() ? std::move(v).value() : nullptr;
}

class X509MapTest : public ::testing::Test {
 protected:
  const TestKey a_ = MakeKey("RS256", "firebase-a");
  const TestKey b_ = MakeKey("RS256", "firebase-b");
  const TestKey ec_ = MakeKey("ES256", "ec-1");
  const TestKey stranger_ = MakeKey("RS256", "stranger");

  // The kids select the keys: each token verifies with its own key, an
  // unknown kid is ERR_KID_NOT_FOUND, and a key's certificate under another
  // kid does not stand in for it.
  void ExpectKidsSelectKeys(const Verifier& v) {
    EXPECT_EQ(v.Verify(SignJwt(a_, kPayload)), Status::OK);
    EXPECT_EQ(v.Verify(SignJwt(b_, kPayload)), Status::OK);
    EXPECT_EQ(v.Verify(SignJwt(ec_, kPayload)), Status::OK);
    EXPECT_EQ(v.Verify(SignJwt(stranger_, kPayload)), Status::ERR_KID_NOT_FOUND);
    TestKey a_as_b = a_;
    a_as_b.kid = b_.kid;
    EXPECT_EQ(v.Verify(SignJwt(a_as_b, kPayload)), Status::ERR_SIGNATURE_INVALID);
  }
};

TEST_F(X509MapTest, InlineObjectAndStringAreDetected) {
  const std::string map = X509Map({&a_, &b_, &ec_});
  for (const std::string& local : {R"("inline":)" + map, R"("inline":)" + JsonQuote(map)}) {
    auto v = Make(Config(local));
    ASSERT_TRUE(v);
    ExpectKidsSelectKeys(*v);
  }
}

TEST_F(X509MapTest, NamedFormatAndKidsInStats) {
  auto v = Make(Config(R"("format":"x509","inline":)" + X509Map({&a_, &b_, &ec_})));
  ASSERT_TRUE(v);
  ExpectKidsSelectKeys(*v);
  const std::string stats = v->StatsJson(/*with_keys=*/true);
  EXPECT_NE(stats.find("\"firebase-a\""), std::string::npos) << stats;
  EXPECT_NE(stats.find("\"ec-1\""), std::string::npos) << stats;
}

TEST_F(X509MapTest, FromAFileDetectedOrNamed) {
  const std::string path = ::testing::TempDir() + "x509_map_test_" + std::to_string(::getpid()) + ".json";
  {
    std::ofstream out(path, std::ios::binary);
    out << X509Map({&a_, &b_, &ec_});
  }
  for (std::string_view format : {"", R"("format":"x509",)"}) {
    auto v = Make(Config(std::string(format) + R"("file":)" + JsonQuote(path)));
    ASSERT_TRUE(v) << format;
    ExpectKidsSelectKeys(*v);
  }
  // Named as a JWK set, the same file is malformed.
  EXPECT_EQ(CreateStatus(Config(R"("format":"jwks","file":)" + JsonQuote(path))), Status::ERR_JWKS_MALFORMED);
  std::remove(path.c_str());
}

TEST_F(X509MapTest, JwksStillLoadWithEitherDetectionOrFormat) {
  const std::string jwks = Jwks({&a_, &b_, &ec_});
  for (std::string_view format : {"", R"("format":"jwks",)"}) {
    auto v = Make(Config(std::string(format) + R"("inline":)" + jwks));
    ASSERT_TRUE(v) << format;
    ExpectKidsSelectKeys(*v);
  }
  // A JWK set named as an x509 map is malformed ("keys" is not a certificate).
  EXPECT_EQ(CreateStatus(Config(R"("format":"x509","inline":)" + jwks)), Status::ERR_JWKS_MALFORMED);
}

TEST_F(X509MapTest, MalformedDocumentsAreJwksMalformed) {
  const std::string pem_json = PemJson(a_.PublicPem("certificate"));
  for (const std::string& doc : {
           std::string(R"({"k": 5})"),                                   // a value that is not a string
           R"({"a":)" + pem_json + R"(,"b":["x"]})",                     // one of them
           std::string(R"({"a":"-----BEGIN CERTIFICATE-----","b":7})"),  // ... after a broken certificate
           R"({"":)" + pem_json + "}",                                   // an empty kid
           R"({"a":)" + pem_json + R"(,"a":)" + pem_json + "}",          // a kid twice (strict JSON)
           std::string("[]"),                                            // not an object
           std::string(R"({"a":"-----BEGIN CERTIFICATE-----\n)"),        // not JSON
       }) {
    std::string message;
    EXPECT_EQ(CreateStatus(Config(R"("format":"x509","inline":)" + JsonQuote(doc)), &message),
              Status::ERR_JWKS_MALFORMED)
        << doc;
    EXPECT_FALSE(message.empty()) << doc;
  }
  // Detected by its first value, then malformed by another.
  EXPECT_EQ(CreateStatus(Config(R"("inline":{"a":)" + pem_json + R"(,"b":7})")), Status::ERR_JWKS_MALFORMED);
  // Neither a JWK set nor a certificate map.
  EXPECT_EQ(CreateStatus(Config(R"("inline":{"a":"b"})")), Status::ERR_JWKS_MALFORMED);
  // "format" takes two values, and does not apply to "pem".
  EXPECT_EQ(CreateStatus(Config(R"("format":"pem","inline":{})")), Status::ERR_CONFIG);
  EXPECT_EQ(CreateStatus(Config(R"("format":"x509","pem":)" + pem_json)), Status::ERR_CONFIG);
}

TEST_F(X509MapTest, UnusableCertificatesFollowTheKeyRules) {
  std::string message;
  // Not a certificate: a public key block, garbage inside the block, two certificates under one kid.
  const std::string spki = PemJson(a_.PublicPem("spki"));
  EXPECT_EQ(CreateStatus(Config(R"("inline":{"a":)" + spki + "}"), &message), Status::ERR_JWK_INVALID);
  EXPECT_NE(message.find("x509[\"a\"]"), std::string::npos) << message;
  EXPECT_EQ(CreateStatus(Config(
                R"("format":"x509","inline":{"a":"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"})")),
            Status::ERR_JWK_INVALID);
  EXPECT_EQ(CreateStatus(
                Config(R"("inline":{"a":)" + PemJson(a_.PublicPem("certificate") + b_.PublicPem("certificate")) + "}")),
            Status::ERR_JWK_INVALID);
  // An RSA key under 2048 bits is weak, as in a JWK set: skipped beside a
  // usable certificate (a token naming it gets its status), fatal alone or
  // with strictKeySet.
  const TestKey weak = MakeKey("RS256", "weak", 1024);
  auto v = Make(Config(R"("inline":)" + X509Map({&a_, &weak}), ""));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->Verify(SignJwt(a_, kPayload)), Status::OK);
  EXPECT_EQ(v->Verify(SignJwt(weak, kPayload)), Status::ERR_JWK_WEAK);
  EXPECT_NE(v->StatsJson(false).find(R"("kid":"weak")"), std::string::npos) << v->StatsJson(false);
  EXPECT_EQ(CreateStatus(Config(R"("inline":)" + X509Map({&weak}), "")), Status::ERR_JWK_WEAK);
  EXPECT_EQ(CreateStatus(Config(R"("inline":)" + X509Map({&a_, &weak}), R"("strictKeySet":true)")),
            Status::ERR_JWK_WEAK);
}

// The dispatcher on its own: the configured format wins over the document's looks.
TEST(KeySetFormat, DispatchesOnFormat) {
  const TestKey a = MakeKey("ES256", "a");
  const std::string map = X509Map({&a});
  const std::string jwks = Jwks({&a});
  using internal::KeySetFormat;
  using internal::ParseKeySetDocument;
  Error err;
  EXPECT_TRUE(ParseKeySetDocument(map, KeySetFormat::kDetect, &err).ok()) << err.message;
  EXPECT_TRUE(ParseKeySetDocument(map, KeySetFormat::kX509, &err).ok()) << err.message;
  EXPECT_EQ(ParseKeySetDocument(map, KeySetFormat::kJwks, &err).status(), Status::ERR_JWKS_MALFORMED);
  EXPECT_TRUE(ParseKeySetDocument(jwks, KeySetFormat::kDetect, &err).ok()) << err.message;
  EXPECT_EQ(ParseKeySetDocument(jwks, KeySetFormat::kX509, &err).status(), Status::ERR_JWKS_MALFORMED);
  auto set = ParseKeySetDocument(map, KeySetFormat::kDetect, &err);
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(set.value()->size(), 1u);
  EXPECT_EQ(set.value()->keys()[0]->kid(), "a");
  EXPECT_FALSE(set.value()->ignores_kid());
}

}  // namespace
}  // namespace tokenverify
