// PEM public keys as key sets (ParsePemKeys) and as "jwks": {"local": {"pem"}}.
#include <gtest/gtest.h>

#include <string>

#include "keys/key.h"
#include "support/signer.h"
#include "tokenverify/verifier.h"

namespace tokenverify::internal {
namespace {

using testing::MakeKey;
using testing::PemJson;
using testing::SignJwt;
using testing::TestKey;

std::unique_ptr<Verifier> VerifierFor(const std::string& pem) {
  Error err;
  auto v = Verifier::Create(R"({"providers":[{"jwks":{"local":{"pem":)" + PemJson(pem) + "}}}]}", &err);
  EXPECT_TRUE(v.ok()) << err.field << ": " << err.message;
  return v.ok() ? std::move(v).value() : nullptr;
}

TEST(PemKeys, EveryFamilyAndFormVerifies) {
  struct Case {
    const char* alg;
    const char* form;
  };
  for (Case c :
       {Case{"RS256", "spki"}, Case{"RS256", "pkcs1"}, Case{"PS384", "certificate"}, Case{"ES256", "spki"},
        Case{"ES384", "certificate"}, Case{"ES512", "spki"}, Case{"EdDSA", "spki"}, Case{"Ed448", "certificate"}}) {
    SCOPED_TRACE(std::string(c.alg) + " " + c.form);
    const TestKey key = MakeKey(c.alg, "pem-key");
    auto v = VerifierFor(key.PublicPem(c.form));
    ASSERT_TRUE(v);
    // The token names a kid; a PEM set has none and ignores it.
    EXPECT_EQ(v->Verify(SignJwt(key, R"({"sub":"a"})")), Status::OK);
    const TestKey other = MakeKey(c.alg, "other-key");
    EXPECT_EQ(v->Verify(SignJwt(other, R"({"sub":"a"})")), Status::ERR_SIGNATURE_INVALID);
  }
}

TEST(PemKeys, SeveralBlocksMakeOneSet) {
  const TestKey rsa = MakeKey("RS256", "r"), ec = MakeKey("ES256", "e");
  Error err;
  auto set = ParsePemKeys("leading text is ignored\n" + rsa.PublicPem() + ec.PublicPem("certificate"), &err);
  ASSERT_TRUE(set.ok()) << err.message;
  EXPECT_EQ((*set)->size(), 2u);
  EXPECT_TRUE((*set)->ignores_kid());
  auto v = VerifierFor(rsa.PublicPem() + ec.PublicPem());
  ASSERT_TRUE(v);
  EXPECT_EQ(v->Verify(SignJwt(rsa, "{}")), Status::OK);
  EXPECT_EQ(v->Verify(SignJwt(ec, "{}")), Status::OK);
}

TEST(PemKeys, RefusesWhatIsNotAUsablePublicKey) {
  struct Case {
    std::string pem;
    Status status;
    std::string message;
  };
  const std::string good = MakeKey("ES256").PublicPem();
  std::string bad_base64 = good;
  bad_base64[good.find('\n') + 5] = '*';
  const Case cases[] = {
      {"", Status::ERR_JWK_INVALID, "no PEM block"},
      {"not pem at all", Status::ERR_JWK_INVALID, "no PEM block"},
      {"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", Status::ERR_JWK_INVALID, "is a private key"},
      {"-----BEGIN SOMETHING-----\nAAAA\n-----END SOMETHING-----\n", Status::ERR_JWK_INVALID, "\"SOMETHING\" block"},
      {"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", Status::ERR_JWK_INVALID, "does not decode"},
      {bad_base64, Status::ERR_JWK_INVALID, "PEM block 0"},
      {good + "-----BEGIN PUBLIC KEY-----\nAAAA\n", Status::ERR_JWK_INVALID, "PEM block 1"},
      {MakeKey("RS256", "small", 1024).PublicPem(), Status::ERR_JWK_WEAK, "PEM block 0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.pem.substr(0, 40));
    Error err;
    auto set = ParsePemKeys(c.pem, &err);
    ASSERT_FALSE(set.ok());
    EXPECT_EQ(set.status(), c.status);
    EXPECT_NE(err.message.find(c.message), std::string::npos) << err.message;
  }
}

TEST(PemKeys, ConfigurationErrorsNameTheField) {
  Error err;
  auto v = Verifier::Create(R"({"providers":[{"jwks":{"local":{"pem":"nothing"}}}]})", &err);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status(), Status::ERR_JWK_INVALID);
  EXPECT_EQ(err.field, "providers[0].jwks.local.pem");
}

}  // namespace
}  // namespace tokenverify::internal
