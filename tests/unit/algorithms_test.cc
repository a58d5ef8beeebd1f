// RFC 9864's fully specified Edwards names ("Ed25519", "Ed448") beside the
// deprecated "EdDSA", and ES256K (RFC 8812) on secp256k1 keys, through the
// public Verifier: which key accepts which name, the allow-list, and the
// ECDSA range checks on secp256k1.
#include <gtest/gtest.h>
#include <openssl/bn.h>

#include <string>

#include "support/signer.h"
#include "tokenverify/verifier.h"

namespace tokenverify {
namespace {

using testing::B64;
using testing::JsonQuote;
using testing::Jwks;
using testing::MakeKey;
using testing::SignJws;
using testing::SignRaw;
using testing::TestKey;

constexpr int64_t kNow = 1800000000;
constexpr std::string_view kPayload = R"({"sub":"alice","iat":1799999000,"exp":1800003600})";

// `s` as a JSON string literal; PEM text needs its newlines escaped.
std::string JsonString(std::string_view s) {
  std::string out;
  for (char c : JsonQuote(s)) out += c == '\n' ? std::string("\\n") : std::string(1, c);
  return out;
}

// One provider around `key_set` (JWK set or PEM with `source` "pem"), with `provider_extra` members.
std::string Config(const std::string& key_set, std::string_view provider_extra = "",
                   std::string_view source = "inline") {
  std::string s =
      R"({"providers":[{"name":"p","jwks":{"local":{")" + std::string(source) + "\":" + JsonString(key_set) + "}}";
  if (!provider_extra.empty()) s += "," + std::string(provider_extra);
  return s + "}],\"now\":" + std::to_string(kNow) + "}";
}

std::unique_ptr<Verifier> Make(const std::string& config) {
  Error err;
  auto v = Verifier::Create(config, &err);
  EXPECT_TRUE(v.ok()) << err.message << "\nconfig: " << config;
  return v.ok() ? std::move(v).value() : nullptr;
}

// A token signed by `key` whose header names `alg` (and the key's kid, if any).
std::string TokenWithAlg(const TestKey& key, std::string_view alg) {
  std::string header = R"({"alg":")" + std::string(alg) + "\"";
  if (!key.kid.empty()) header += R"(,"kid":)" + JsonQuote(key.kid);
  return SignJws(key, header + "}", kPayload);
}

TEST(Rfc9864, Ed25519KeyAcceptsEd25519AndEdDsaButNotEd448) {
  const TestKey key = MakeKey("Ed25519", "ed25519");
  auto v = Make(Config(Jwks({&key})));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->Verify(TokenWithAlg(key, "Ed25519")), Status::OK);
  EXPECT_EQ(v->Verify(TokenWithAlg(key, "EdDSA")), Status::OK);
  EXPECT_EQ(v->Verify(TokenWithAlg(key, "Ed448")), Status::ERR_KEY_ALG_MISMATCH);
  // Without a kid the key is found among the candidates for the named algorithm.
  const TestKey no_kid = MakeKey("Ed25519");
  auto v2 = Make(Config(Jwks({&no_kid})));
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->Verify(TokenWithAlg(no_kid, "Ed25519")), Status::OK);
  EXPECT_EQ(v2->Verify(TokenWithAlg(no_kid, "EdDSA")), Status::OK);
  EXPECT_EQ(v2->Verify(TokenWithAlg(no_kid, "Ed448")), Status::ERR_NO_MATCHING_KEY);
}

TEST(Rfc9864, Ed448KeyAcceptsEd448AndEdDsaButNeverEd25519) {
  const TestKey key = MakeKey("Ed448", "ed448");
  auto v = Make(Config(Jwks({&key})));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->Verify(TokenWithAlg(key, "Ed448")), Status::OK);
  EXPECT_EQ(v->Verify(TokenWithAlg(key, "EdDSA")), Status::OK);
  EXPECT_EQ(v->Verify(TokenWithAlg(key, "Ed25519")), Status::ERR_KEY_ALG_MISMATCH);
}

TEST(Rfc9864, PemAndCertificateKeysAcceptBothNames) {
  const TestKey key = MakeKey("Ed25519");
  for (const char* form : {"spki", "certificate"}) {
    auto v = Make(Config(key.PublicPem(form), "", "pem"));
    ASSERT_TRUE(v) << form;
    EXPECT_EQ(v->Verify(TokenWithAlg(key, "Ed25519")), Status::OK) << form;
    EXPECT_EQ(v->Verify(TokenWithAlg(key, "EdDSA")), Status::OK) << form;
  }
}

// A JWK's "alg" names the one algorithm the key verifies (RFC 7517 section
// 4.4), the RFC 9864 names included: "alg":"Ed25519" does not take "EdDSA"
// tokens, and "alg":"EdDSA" does not take "Ed25519" ones.
TEST(Rfc9864, JwkAlgMemberNamesTheOnlyAlgorithm) {
  const TestKey key = MakeKey("Ed25519", "k");
  auto fully = Make(Config(Jwks({&key}, R"("alg":"Ed25519")")));
  ASSERT_TRUE(fully);
  EXPECT_EQ(fully->Verify(TokenWithAlg(key, "Ed25519")), Status::OK);
  EXPECT_EQ(fully->Verify(TokenWithAlg(key, "EdDSA")), Status::ERR_KEY_ALG_MISMATCH);
  EXPECT_EQ(fully->Verify(TokenWithAlg(key, "Ed448")), Status::ERR_KEY_ALG_MISMATCH);

  auto polymorphic = Make(Config(Jwks({&key}, R"("alg":"EdDSA")")));
  ASSERT_TRUE(polymorphic);
  EXPECT_EQ(polymorphic->Verify(TokenWithAlg(key, "EdDSA")), Status::OK);
  EXPECT_EQ(polymorphic->Verify(TokenWithAlg(key, "Ed25519")), Status::ERR_KEY_ALG_MISMATCH);

  // An Ed448 key labelled "Ed25519" verifies nothing.
  const TestKey ed448 = MakeKey("Ed448", "k448");
  auto mislabelled = Make(Config(Jwks({&ed448}, R"("alg":"Ed25519")")));
  ASSERT_TRUE(mislabelled);
  EXPECT_EQ(mislabelled->Verify(TokenWithAlg(ed448, "Ed25519")), Status::ERR_KEY_ALG_MISMATCH);
  EXPECT_EQ(mislabelled->Verify(TokenWithAlg(ed448, "Ed448")), Status::ERR_KEY_ALG_MISMATCH);
  EXPECT_EQ(mislabelled->Verify(TokenWithAlg(ed448, "EdDSA")), Status::ERR_KEY_ALG_MISMATCH);
}

TEST(Rfc9864, AllowListTakesEachNameOnItsOwn) {
  const TestKey ed = MakeKey("Ed25519", "ed");
  const TestKey ed448 = MakeKey("Ed448", "ed448");
  auto only_new = Make(Config(Jwks({&ed, &ed448}), R"("algorithms":["Ed25519"])"));
  ASSERT_TRUE(only_new);
  EXPECT_EQ(only_new->Verify(TokenWithAlg(ed, "Ed25519")), Status::OK);
  EXPECT_EQ(only_new->Verify(TokenWithAlg(ed, "EdDSA")), Status::ERR_ALG_NOT_ALLOWED);
  EXPECT_EQ(only_new->Verify(TokenWithAlg(ed448, "Ed448")), Status::ERR_ALG_NOT_ALLOWED);

  auto only_old = Make(Config(Jwks({&ed, &ed448}), R"("algorithms":["EdDSA"])"));
  ASSERT_TRUE(only_old);
  EXPECT_EQ(only_old->Verify(TokenWithAlg(ed, "EdDSA")), Status::OK);
  EXPECT_EQ(only_old->Verify(TokenWithAlg(ed448, "EdDSA")), Status::OK);
  EXPECT_EQ(only_old->Verify(TokenWithAlg(ed, "Ed25519")), Status::ERR_ALG_NOT_ALLOWED);

  auto ed448_only = Make(Config(Jwks({&ed, &ed448}), R"("algorithms":["Ed448"])"));
  ASSERT_TRUE(ed448_only);
  EXPECT_EQ(ed448_only->Verify(TokenWithAlg(ed448, "Ed448")), Status::OK);
  EXPECT_EQ(ed448_only->Verify(TokenWithAlg(ed, "Ed25519")), Status::ERR_ALG_NOT_ALLOWED);

  // The default allow-list has both names.
  auto defaults = Make(Config(Jwks({&ed, &ed448})));
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->Verify(TokenWithAlg(ed, "Ed25519")), Status::OK);
  EXPECT_EQ(defaults->Verify(TokenWithAlg(ed448, "Ed448")), Status::OK);

  // Names stay case-sensitive.
  Error err;
  EXPECT_EQ(Verifier::Create(Config(Jwks({&ed}), R"("algorithms":["ed25519"])"), &err).status(), Status::ERR_CONFIG);
}

// ---------------------------------------------------------------- ES256K

TEST(Es256k, VerifiesOnSecp256k1KeysWhenListed) {
  const TestKey key = MakeKey("ES256K", "k1");
  auto v = Make(Config(Jwks({&key}), R"("algorithms":["ES256K"])"));
  ASSERT_TRUE(v);
  const std::string token = TokenWithAlg(key, "ES256K");
  EXPECT_EQ(v->Verify(token), Status::OK);
  std::string tampered = token;
  tampered[token.rfind('.') + 3] = tampered[token.rfind('.') + 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(v->Verify(tampered), Status::ERR_SIGNATURE_INVALID);
  // Raw r||s of exactly 64 bytes.
  const std::string input = token.substr(0, token.rfind('.'));
  const std::string sig = SignRaw(key, input);
  ASSERT_EQ(sig.size(), 64u);
  EXPECT_EQ(v->Verify(input + "." + B64(sig.substr(1))), Status::ERR_SIGNATURE_LENGTH);
  EXPECT_EQ(v->Verify(input + "." + B64(sig + '\0')), Status::ERR_SIGNATURE_LENGTH);

  // The same key from PEM (SubjectPublicKeyInfo and certificate).
  for (const char* form : {"spki", "certificate"}) {
    auto pem = Make(Config(key.PublicPem(form), R"("algorithms":["ES256K"])", "pem"));
    ASSERT_TRUE(pem) << form;
    EXPECT_EQ(pem->Verify(token), Status::OK) << form;
  }
}

TEST(Es256k, NeverAllowedUnlessListed) {
  const TestKey key = MakeKey("ES256K", "k1");
  const std::string token = TokenWithAlg(key, "ES256K");
  // The default allow-list leaves ES256K out, and listing other EC algorithms does not imply it.
  for (std::string_view extra : {std::string_view(""), std::string_view(R"("algorithms":["ES256","ES384","ES512"])")}) {
    auto v = Make(Config(Jwks({&key}), extra));
    ASSERT_TRUE(v);
    EXPECT_EQ(v->Verify(token), Status::ERR_ALG_NOT_ALLOWED) << extra;
  }
}

TEST(Es256k, CurveAndAlgorithmMustMatch) {
  const TestKey k1 = MakeKey("ES256K", "k1");
  const TestKey p256 = MakeKey("ES256", "p256");
  auto v = Make(Config(Jwks({&k1, &p256}), R"("algorithms":["ES256","ES256K"])"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->Verify(TokenWithAlg(k1, "ES256K")), Status::OK);
  EXPECT_EQ(v->Verify(TokenWithAlg(p256, "ES256")), Status::OK);
  // A P-256 key never verifies ES256K, a secp256k1 key never ES256 (same hash, same lengths).
  EXPECT_EQ(v->Verify(TokenWithAlg(p256, "ES256K")), Status::ERR_KEY_ALG_MISMATCH);
  EXPECT_EQ(v->Verify(TokenWithAlg(k1, "ES256")), Status::ERR_KEY_ALG_MISMATCH);
  // A JWK "alg":"ES256K" on a P-256 key verifies nothing.
  auto mislabelled = Make(Config(Jwks({&p256}, R"("alg":"ES256K")"), R"("algorithms":["ES256","ES256K"])"));
  ASSERT_TRUE(mislabelled);
  EXPECT_EQ(mislabelled->Verify(TokenWithAlg(p256, "ES256K")), Status::ERR_KEY_ALG_MISMATCH);
  EXPECT_EQ(mislabelled->Verify(TokenWithAlg(p256, "ES256")), Status::ERR_KEY_ALG_MISMATCH);
}

// The secp256k1 group order n, big-endian.
std::string Secp256k1Order() {
  BIGNUM* n = nullptr;
  EXPECT_GT(BN_hex2bn(&n, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"), 0);
  std::string out(32, '\0');
  BN_bn2binpad(n, reinterpret_cast<unsigned char*>(out.data()), 32);
  BN_free(n);
  return out;
}

// n - s on 32-byte big-endian integers.
std::string Sub256(const std::string& a, const std::string& b) {
  std::string out(32, '\0');
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = static_cast<unsigned char>(a[i]) - static_cast<unsigned char>(b[i]) - borrow;
    borrow = d < 0;
    out[i] = static_cast<char>(d & 0xff);
  }
  return out;
}

// Low-S is not required (RFC 8812 does not ask for it), but r and s must lie
// in [1, n-1] as for every ECDSA curve: 0 and n are refused.
TEST(Es256k, HighSAcceptedButRAndSRangeChecked) {
  const TestKey key = MakeKey("ES256K", "k1");
  auto v = Make(Config(Jwks({&key}), R"("algorithms":["ES256K"])"));
  ASSERT_TRUE(v);
  const std::string token = TokenWithAlg(key, "ES256K");
  const std::string input = token.substr(0, token.rfind('.'));
  const std::string sig = SignRaw(key, input);
  const std::string r = sig.substr(0, 32), s = sig.substr(32);
  const std::string n = Secp256k1Order();
  const std::string zero(32, '\0');
  EXPECT_EQ(v->Verify(input + "." + B64(r + s)), Status::OK);
  EXPECT_EQ(v->Verify(input + "." + B64(r + Sub256(n, s))), Status::OK);  // the other of (s, n - s)
  EXPECT_EQ(v->Verify(input + "." + B64(zero + s)), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(v->Verify(input + "." + B64(r + zero)), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(v->Verify(input + "." + B64(n + s)), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(v->Verify(input + "." + B64(r + n)), Status::ERR_SIGNATURE_INVALID);
}

TEST(Es256k, Secp256k1JwkWithAPointOffTheCurveIsInvalid) {
  const std::string x(32, '\x01'), y(32, '\x02');
  const std::string jwk =
      R"({"keys":[{"kty":"EC","crv":"secp256k1","kid":"k","x":")" + B64(x) + R"(","y":")" + B64(y) + "\"}]}";
  Error err;
  EXPECT_EQ(Verifier::Create(Config(jwk, R"("algorithms":["ES256K"])"), &err).status(), Status::ERR_JWK_INVALID);
}

}  // namespace
}  // namespace tokenverify
