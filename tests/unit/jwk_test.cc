// Loading JWKs and JWK sets: what is accepted, what is refused, with which
// status, and what the error message says.
#include <gtest/gtest.h>
#include <openssl/bn.h>

#include <string>
#include <vector>

#include "base64url/base64url.h"
#include "keys/key.h"
#include "support/key_set_verifier.h"
#include "support/signer.h"

namespace tokenverify::internal {
namespace {

using testing::B64;
using testing::Jwks;
using testing::MakeKey;
using testing::SignJwt;
using testing::TestKey;

std::string Unb64(std::string_view s) {
  std::string out(Base64urlDecodedLength(s.size()) + kBase64urlOutputSlack, '\0');
  EXPECT_TRUE(Base64urlDecode(s, reinterpret_cast<uint8_t*>(out.data()))) << s;
  out.resize(Base64urlDecodedLength(s.size()));
  return out;
}

// The value of a string member in the simple JWK text that PublicJwk writes.
std::string Member(const std::string& jwk, const std::string& name) {
  const std::string open = "\"" + name + "\":\"";
  const size_t at = jwk.find(open);
  if (at == std::string::npos) {
    ADD_FAILURE() << name << " not in " << jwk;
    return "";
  }
  const size_t begin = at + open.size();
  return jwk.substr(begin, jwk.find('"', begin) - begin);
}

std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return out;
}

struct Loaded {
  Status status;
  std::string message;
  std::shared_ptr<const KeySet> set;
  std::string json;  // the document, for VerifyWith
};

Loaded Load(std::string_view json) {
  Error err;
  auto r = ParseJwks(json, &err);
  Loaded out{r.status(), err.message, nullptr, std::string(json)};
  if (r.ok()) out.set = r.value();
  EXPECT_EQ(r.ok(), err.message.empty()) << err.message;
  if (!r.ok()) {
    EXPECT_EQ(err.status, r.status());
  }
  return out;
}

Status LoadStatus(std::string_view json) { return Load(json).status; }

std::string EcJwk(std::string_view crv, std::string_view x, std::string_view y, std::string_view extra = "") {
  std::string j = R"({"kty":"EC","crv":")" + std::string(crv) + R"(","x":")" + B64(x) + R"(","y":")" + B64(y) + "\"";
  if (!extra.empty()) j += "," + std::string(extra);
  return j + "}";
}

std::string RsaJwk(std::string_view n, std::string_view e) {
  return R"({"kty":"RSA","n":")" + B64(n) + R"(","e":")" + B64(e) + "\"}";
}

std::string OkpJwk(std::string_view crv, std::string_view x) {
  return R"({"kty":"OKP","crv":")" + std::string(crv) + R"(","x":")" + B64(x) + "\"}";
}

std::string OctJwk(std::string_view k) { return R"({"kty":"oct","k":")" + B64(k) + "\"}"; }

// ---------------------------------------------------------------- every family loads

TEST(Jwks, LoadsEveryFamilyAndDescribesIt) {
  const struct {
    const char* alg;
    const char* describe;
  } cases[] = {
      {"RS256", "RSA 2048"}, {"PS256", "RSA 2048"},    {"ES256", "EC P-256"},  {"ES384", "EC P-384"},
      {"ES512", "EC P-521"}, {"EdDSA", "OKP Ed25519"}, {"Ed448", "OKP Ed448"}, {"HS256", "oct 256"},
      {"HS384", "oct 384"},  {"HS512", "oct 512"},
  };
  for (const auto& c : cases) {
    const TestKey key = MakeKey(c.alg, "k");
    Loaded l = Load(Jwks({&key}));
    ASSERT_EQ(l.status, Status::OK) << c.alg << ": " << l.message;
    ASSERT_EQ(l.set->size(), 1u);
    EXPECT_EQ(l.set->keys()[0]->Describe(), c.describe);
    EXPECT_EQ(l.set->keys()[0]->kid(), "k");
    EXPECT_FALSE(l.set->ignores_kid());  // a JWK set, even of oct keys: kids bind
  }
}

TEST(Jwks, LoadsTheKgatewayExampleKeyWithItsLeadingZero) {
  const char* kJwks =
      R"({"keys":[{"kty":"RSA","kid":"solo-public-key-001","use":"sig","alg":"RS256","n":"AOfIaJMUm7564sWWNHaXt_hS8H0O1Ew59-nRqruMQosfQqa7tWne5lL3m9sMAkfa3Twx0LMN_7QqRDoztvV3Wa_JwbMzb9afWE-IfKIuDqkvog6s-xGIFNhtDGBTuL8YAQYtwCF7l49SMv-GqyLe-nO9yJW-6wIGoOqImZrCxjxXFzF6mTMOBpIODFj0LUZ54QQuDcD1Nue2LMLsUvGa7V1ZHsYuGvUqzvXFBXMmMS2OzGir9ckpUhrUeHDCGFpEM4IQnu-9U8TbAJxKE5Zp8Nikefr2ISIG2Hk1K2rBAc_HwoPeWAcAWUAR5tWHAxx-UXClSZQ9TMFK850gQGenUp8","e":"AQAB"}]})";
  Loaded l = Load(kJwks);
  ASSERT_EQ(l.status, Status::OK) << l.message;
  ASSERT_EQ(l.set->size(), 1u);
  const Key* k = l.set->FindByKid("solo-public-key-001");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->Describe(), "RSA 2048");
  EXPECT_EQ(k->CheckUsableFor(Alg::kRS256), Status::OK);
  EXPECT_EQ(k->CheckUsableFor(Alg::kPS256), Status::ERR_KEY_ALG_MISMATCH);  // pinned by "alg"
}

TEST(Jwks, AcceptsASingleBareJwk) {
  const TestKey key = MakeKey("ES256", "single");
  Loaded l = Load(key.PublicJwk());
  ASSERT_EQ(l.status, Status::OK) << l.message;
  ASSERT_EQ(l.set->size(), 1u);
  EXPECT_NE(l.set->FindByKid("single"), nullptr);
}

TEST(Jwks, ASetWithoutAnyKeyIsRefused) {
  // Nothing could ever verify with it; a refresh that brings it is a failure.
  Loaded l = Load(R"({"keys":[]})");
  EXPECT_EQ(l.status, Status::ERR_KEYS_UNAVAILABLE);
  EXPECT_EQ(l.message, "key set: it holds no key");
}

TEST(Jwks, IgnoresPrivateAndUnknownMembersOfPublicKeys) {
  const TestKey key = MakeKey("RS256");
  Loaded l = Load(Jwks({&key}, R"("d":"AQAB","p":"AQAB","q":"AQAB","x5t":"abc","extra":{"a":[1,2]})"));
  ASSERT_EQ(l.status, Status::OK) << l.message;
  EXPECT_EQ(l.set->size(), 1u);
}

// ---------------------------------------------------------------- document shape

TEST(Jwks, RefusesDocumentsThatAreNotKeySets) {
  for (const char* bad : {
           "", "[]", "42", R"("keys")", "{}", R"({"keys":{}})", R"({"keys":"x"})", R"({"keys":[1]})",
           R"({"keys":[[]]})",
           R"({"keys":[],"keys":[]})",                     // duplicate member
           R"({"keys":[]} x)",                             // trailing content
           "\xEF\xBB\xBF{\"keys\":[]}",                    // BOM
           R"({"keys":[{"kty":"oct","k":"a","k":"b"}]})",  // duplicate inside a key
       }) {
    EXPECT_EQ(LoadStatus(bad), Status::ERR_JWKS_MALFORMED) << bad;
  }
}

TEST(Jwks, RefusesDeepNesting) {
  std::string deep = R"({"keys":[],"x":)" + std::string(40, '[') + std::string(40, ']') + "}";
  EXPECT_EQ(LoadStatus(deep), Status::ERR_JWKS_MALFORMED);
}

TEST(Jwks, CapsTheNumberOfKeys) {
  std::string many = R"({"keys":[)";
  for (int i = 0; i < 1025; ++i) many += i ? R"(,{"kty":"none"})" : R"({"kty":"none"})";
  many += "]}";
  Loaded l = Load(many);
  EXPECT_EQ(l.status, Status::ERR_JWKS_MALFORMED);
  EXPECT_NE(l.message.find("1025 keys"), std::string::npos) << l.message;
  // 1024 keys are fine, even when all but one are skipped.
  std::string ok = R"({"keys":[)" + MakeKey("ES256").PublicJwk();
  for (int i = 1; i < 1024; ++i) ok += R"(,{"kty":"none"})";
  ok += "]}";
  Loaded l1024 = Load(ok);
  ASSERT_EQ(l1024.status, Status::OK) << l1024.message;
  EXPECT_EQ(l1024.set->size(), 1u);
  EXPECT_EQ(l1024.set->skipped().size(), 1023u);
}

TEST(Jwks, WrongMemberTypesAreMalformed) {
  const TestKey ec = MakeKey("ES256");
  const std::string x = Member(ec.PublicJwk(), "x"), y = Member(ec.PublicJwk(), "y");
  auto with = [&](const std::string& members) { return R"({"keys":[{)" + members + "}]}"; };
  const std::string ok_ec = R"("crv":"P-256","x":")" + x + R"(","y":")" + y + "\"";
  EXPECT_EQ(LoadStatus(with(R"("kty":"EC",)" + ok_ec)), Status::OK);
  EXPECT_EQ(LoadStatus(with(ok_ec)), Status::ERR_JWKS_MALFORMED);  // no kty
  EXPECT_EQ(LoadStatus(with(R"("kty":1,)" + ok_ec)), Status::ERR_JWKS_MALFORMED);
  EXPECT_EQ(LoadStatus(with(R"("kty":null,)" + ok_ec)), Status::ERR_JWKS_MALFORMED);
  for (const char* bad : {R"("kid":1)", R"("kid":null)", R"("alg":["ES256"])", R"("use":true)", R"("key_ops":"verify")",
                          R"("key_ops":["verify",1])", R"("key_ops":{"verify":true})", R"("crv":256)"}) {
    std::string members = R"("kty":"EC",)" + std::string(bad) + ",";
    if (std::string(bad).find("crv") == std::string::npos) {
      members += ok_ec;
    } else {
      members += R"("x":")" + x + R"(","y":")" + y + "\"";
    }
    EXPECT_EQ(LoadStatus(with(members)), Status::ERR_JWKS_MALFORMED) << members;
  }
  EXPECT_EQ(LoadStatus(with(R"("kty":"EC","crv":"P-256","x":1,"y":")" + y + "\"")), Status::ERR_JWKS_MALFORMED);
  EXPECT_EQ(LoadStatus(with(R"("kty":"oct","k":["x"])")), Status::ERR_JWKS_MALFORMED);
}

// ---------------------------------------------------------------- skipped keys

TEST(Jwks, SkipsUnknownKeyTypesAndKeyAgreementCurves) {
  const TestKey ec = MakeKey("ES256", "kept");
  const std::string doc = R"({"keys":[{"kty":"weird","kid":"a"},)"
                          R"({"kty":"OKP","crv":"X25519","kid":"b","x":"not even base64!"},)"
                          R"({"kty":"OKP","crv":"X448","kid":"c"},)" +
                          ec.PublicJwk() + "]}";
  Loaded l = Load(doc);
  ASSERT_EQ(l.status, Status::OK) << l.message;
  ASSERT_EQ(l.set->size(), 1u);
  EXPECT_EQ(l.set->keys()[0]->kid(), "kept");
  EXPECT_EQ(l.set->FindByKid("a"), nullptr);

  Error err;
  auto one = ParseJwk(R"({"kty":"OKP","crv":"X25519","x":"AAAA"})", &err);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one.value(), nullptr);
}

TEST(Jwks, AKidSharedWithASkippedSigningKeyIsStillAmbiguous) {
  // A retired weak key under the new key's kid: a token naming "same" could
  // mean either, so the usable one is skipped too.
  const TestKey rs = MakeKey("RS256", "same"), other = MakeKey("ES256", "other");
  const TestKey weak = MakeKey("RS256", "same", 1024);
  Loaded l = Load(Jwks({&weak, &rs, &other}));
  ASSERT_EQ(l.status, Status::OK) << l.message;
  EXPECT_EQ(l.set->size(), 1u);
  ASSERT_EQ(l.set->skipped().size(), 2u);
  EXPECT_EQ(l.set->skipped()[0].status, Status::ERR_JWK_WEAK);
  EXPECT_EQ(l.set->skipped()[1].status, Status::ERR_JWKS_DUPLICATE_KID);
  EXPECT_EQ(l.set->skipped()[1].reason,
            R"(keys[1] (kid "same"): the kid is shared by keys[0], keys[1]; a kid must name one key)");
  EXPECT_EQ(l.set->StatusForMissingKid("same"), Status::ERR_JWKS_DUPLICATE_KID);
}

TEST(Jwks, AnEncryptionKeyUnderTheSigningKeysKidLeavesItUsable) {
  // Published for encryption or key agreement, a key can never verify a
  // token: it does not make its kid ambiguous, the signing key keeps verifying.
  const TestKey ec = MakeKey("ES256", "same"), rs = MakeKey("RS256", "pair");
  const TestKey rs_enc = MakeKey("RS256", "pair-enc");
  std::string enc_jwk = rs_enc.PublicJwk(R"("use":"enc","alg":"RSA-OAEP")");
  enc_jwk.replace(enc_jwk.find(R"("kid":"pair-enc")"), 16, R"("kid":"pair")");
  Loaded l = Load(R"({"keys":[{"kty":"OKP","crv":"X25519","kid":"same","x":"AAAA"},)" + ec.PublicJwk() + "," + enc_jwk +
                  "," + rs.PublicJwk() + "]}");
  ASSERT_EQ(l.status, Status::OK) << l.message;
  EXPECT_EQ(l.set->size(), 2u);
  ASSERT_EQ(l.set->skipped().size(), 2u);
  EXPECT_EQ(l.set->skipped()[0].status, Status::ERR_KEY_USE_MISMATCH);
  EXPECT_EQ(l.set->skipped()[1].status, Status::ERR_KEY_USE_MISMATCH);
  ASSERT_NE(l.set->FindByKid("same"), nullptr);
  EXPECT_EQ(l.set->FindByKid("same")->kty(), "EC");
  ASSERT_NE(l.set->FindByKid("pair"), nullptr);
  EXPECT_EQ(l.set->FindByKid("pair")->kty(), "RSA");
}

// ---------------------------------------------------------------- EC

TEST(JwkEc, CoordinatesMustHaveTheExactLength) {
  const TestKey key = MakeKey("ES256");
  const std::string x = Unb64(Member(key.PublicJwk(), "x"));
  const std::string y = Unb64(Member(key.PublicJwk(), "y"));
  EXPECT_EQ(LoadStatus(EcJwk("P-256", x, y)), Status::OK);

  Loaded l = Load(R"({"keys":[{"kty":"EC","kid":"abc","crv":"P-256","x":")" + B64(x.substr(1)) + R"(","y":")" + B64(y) +
                  "\"}]}");
  EXPECT_EQ(l.status, Status::ERR_JWK_INVALID);
  EXPECT_EQ(l.message, R"(keys[0] (kid "abc"): "x" is 31 bytes, P-256 needs 32)");
  EXPECT_EQ(LoadStatus(EcJwk("P-256", std::string(1, '\0') + x, y)), Status::ERR_JWK_INVALID);  // 33
  EXPECT_EQ(LoadStatus(EcJwk("P-256", x, y.substr(1))), Status::ERR_JWK_INVALID);
  EXPECT_EQ(LoadStatus(EcJwk("P-384", x, y)), Status::ERR_JWK_INVALID);  // 32 for a 48-byte field
}

TEST(JwkEc, ShortCoordinateWithLeadingZeroStrippedIsRefused) {
  // RFC 7518 6.2.1.2: the coordinate keeps its leading zeros. A key whose x
  // happens to start with 0x00, sent without it, is not silently padded.
  const std::string x = Hex("00") + std::string(31, '\x11');
  EXPECT_EQ(LoadStatus(EcJwk("P-256", x.substr(1), std::string(32, '\x22'))), Status::ERR_JWK_INVALID);
}

TEST(JwkEc, PointMustBeOnTheCurve) {
  const TestKey key = MakeKey("ES256");
  const std::string x = Unb64(Member(key.PublicJwk(), "x"));
  std::string y = Unb64(Member(key.PublicJwk(), "y"));
  y.back() ^= 1;
  Loaded l = Load(R"({"keys":[)" + EcJwk("P-256", x, y, R"("kid":"off")") + "]}");
  EXPECT_EQ(l.status, Status::ERR_JWK_INVALID);
  EXPECT_NE(l.message.find("not a point on P-256"), std::string::npos) << l.message;
  // (0, 0) is neither on the curve nor a valid encoding of infinity.
  EXPECT_EQ(LoadStatus(EcJwk("P-256", std::string(32, '\0'), std::string(32, '\0'))), Status::ERR_JWK_INVALID);
  // x = p (>= the field prime) is refused even though x mod p might be on the curve.
  const std::string p256 = Hex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
  EXPECT_EQ(LoadStatus(EcJwk("P-256", p256, y)), Status::ERR_JWK_INVALID);
  // A P-384 point given as P-521 (same lengths impossible; try P-256 key as P-384 padded).
  const TestKey k384 = MakeKey("ES384");
  const std::string x384 = Unb64(Member(k384.PublicJwk(), "x"));
  const std::string y384 = Unb64(Member(k384.PublicJwk(), "y"));
  EXPECT_EQ(LoadStatus(EcJwk("P-384", x384, y384)), Status::OK);
  EXPECT_EQ(LoadStatus(EcJwk("P-521", std::string(18, '\0') + x384, std::string(18, '\0') + y384)),
            Status::ERR_JWK_INVALID);
}

TEST(JwkEc, UnknownOrMissingCurveIsInvalid) {
  const std::string x(32, '\x01'), y(32, '\x02');
  for (const char* crv : {"secp256k1", "P-192", "p-256", "P256", "Ed25519", ""})
    EXPECT_EQ(LoadStatus(EcJwk(crv, x, y)), Status::ERR_JWK_INVALID) << crv;
  EXPECT_EQ(LoadStatus(R"({"kty":"EC","x":")" + B64(x) + R"(","y":")" + B64(y) + "\"}"), Status::ERR_JWK_INVALID);
}

TEST(JwkEc, MissingCoordinateIsInvalid) {
  const TestKey key = MakeKey("ES256");
  const std::string x = Member(key.PublicJwk(), "x");
  Loaded l = Load(R"({"keys":[{"kty":"EC","crv":"P-256","kid":"k","x":")" + x + "\"}]}");
  EXPECT_EQ(l.status, Status::ERR_JWK_INVALID);
  EXPECT_EQ(l.message, R"(keys[0] (kid "k"): "y" is missing)");
}

TEST(JwkEc, BadBase64urlIsInvalid) {
  const TestKey key = MakeKey("ES256");
  const std::string x = Member(key.PublicJwk(), "x"), y = Member(key.PublicJwk(), "y");
  for (const std::string& bad_x : {x + "=", "+" + x.substr(1), x.substr(0, 10) + " " + x.substr(11),
                                   x.substr(0, x.size() - 1) + "B" /* nonzero trailing bits */}) {
    Loaded l = Load(R"({"keys":[{"kty":"EC","crv":"P-256","x":")" + bad_x + R"(","y":")" + y + "\"}]}");
    EXPECT_EQ(l.status, Status::ERR_JWK_INVALID) << bad_x;
    EXPECT_NE(l.message.find("base64url"), std::string::npos) << l.message;
  }
}

// ---------------------------------------------------------------- RSA

class JwkRsa : public ::testing::Test {
 protected:
  void SetUp() override {
    const TestKey key = MakeKey("RS256");
    n_ = Unb64(Member(key.PublicJwk(), "n"));
    e_ = Unb64(Member(key.PublicJwk(), "e"));
  }
  std::string n_, e_;
};

TEST_F(JwkRsa, LeadingZeroOctetsInTheModulusAreAccepted) {
  for (int zeros : {0, 1, 2}) {
    Loaded l = Load(RsaJwk(std::string(zeros, '\0') + n_, e_));
    ASSERT_EQ(l.status, Status::OK) << zeros << ": " << l.message;
    EXPECT_EQ(l.set->keys()[0]->Describe(), "RSA 2048");
  }
  EXPECT_EQ(LoadStatus(RsaJwk(n_, std::string(1, '\0') + e_)), Status::OK);
}

TEST_F(JwkRsa, SmallModuliAreWeak) {
  const TestKey small = MakeKey("RS256", "", 1024);
  // The key has no kid of its own; the extra member gives it one for the message.
  Loaded l = Load(R"({"keys":[)" + small.PublicJwk(R"("kid":"old")") + "]}");
  EXPECT_EQ(l.status, Status::ERR_JWK_WEAK);
  EXPECT_EQ(l.message, R"(keys[0] (kid "old"): "n" is a 1024-bit modulus; at least 2048 bits are required)");
  // 2047 bits: drop the top bit of a 2048-bit modulus.
  std::string n = n_;
  n[0] = static_cast<char>(static_cast<uint8_t>(n[0]) & 0x7f);
  EXPECT_EQ(LoadStatus(RsaJwk(n, e_)), Status::ERR_JWK_WEAK);
  EXPECT_EQ(LoadStatus(RsaJwk("", e_)), Status::ERR_JWK_WEAK);
}

TEST_F(JwkRsa, ExponentMustBeOddAndAtLeastThree) {
  EXPECT_EQ(LoadStatus(RsaJwk(n_, Hex("01"))), Status::ERR_JWK_WEAK);
  EXPECT_EQ(LoadStatus(RsaJwk(n_, Hex("02"))), Status::ERR_JWK_WEAK);
  EXPECT_EQ(LoadStatus(RsaJwk(n_, Hex("010000"))), Status::ERR_JWK_WEAK);  // 65536
  EXPECT_EQ(LoadStatus(RsaJwk(n_, Hex("00"))), Status::ERR_JWK_WEAK);
  EXPECT_EQ(LoadStatus(RsaJwk(n_, "")), Status::ERR_JWK_WEAK);
  EXPECT_EQ(LoadStatus(RsaJwk(n_, Hex("03"))), Status::OK);
  EXPECT_EQ(LoadStatus(RsaJwk(n_, Hex("010001"))), Status::OK);
}

TEST_F(JwkRsa, EvenModulusOrHugeExponentIsInvalid) {
  std::string even = n_;
  even.back() = static_cast<char>(static_cast<uint8_t>(even.back()) & 0xfe);
  EXPECT_EQ(LoadStatus(RsaJwk(even, e_)), Status::ERR_JWK_INVALID);
  std::string big_e = n_;  // e = n is not smaller than n
  EXPECT_EQ(LoadStatus(RsaJwk(n_, big_e)), Status::ERR_JWK_INVALID);
}

TEST_F(JwkRsa, RocaModuliAreWeak) {
  // A modulus with Infineon RSALib's structure, k * M + (65537^a mod M) with M
  // the product of the primes up to 167, as ROCA-vulnerable keys have.
  BN_CTX* ctx = BN_CTX_new();
  BIGNUM *m = BN_new(), *g = BN_new(), *a = BN_new(), *k = BN_new(), *n = BN_new();
  BN_one(m);
  for (int p = 2; p <= 167; ++p) {
    bool prime = true;
    for (int d = 2; d * d <= p; ++d) prime = prime && p % d != 0;
    if (prime) BN_mul_word(m, p);
  }
  BN_set_word(g, 65537);
  BN_set_word(a, 123456789);
  BN_mod_exp(g, g, a, m, ctx);
  // An a-bit k times the b-bit M has a + b - 1 or a + b bits: at least 2048.
  BN_rand(k, 2049 - BN_num_bits(m), BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY);
  BN_mul(n, k, m, ctx);
  BN_add(n, n, g);
  std::string bytes(BN_num_bytes(n), '\0');
  BN_bn2bin(n, reinterpret_cast<unsigned char*>(bytes.data()));
  for (BIGNUM* b : {m, g, a, k, n}) BN_free(b);
  BN_CTX_free(ctx);
  ASSERT_GE(bytes.size(), 256u);
  Loaded l = Load(RsaJwk(bytes, e_));
  EXPECT_EQ(l.status, Status::ERR_JWK_WEAK);
  EXPECT_NE(l.message.find("ROCA"), std::string::npos) << l.message;
  // Our own generated keys are not flagged (MakeKey keys load everywhere else too).
  EXPECT_EQ(LoadStatus(RsaJwk(n_, e_)), Status::OK);
}

TEST_F(JwkRsa, MissingParameterIsInvalid) {
  EXPECT_EQ(LoadStatus(R"({"kty":"RSA","e":"AQAB"})"), Status::ERR_JWK_INVALID);
  EXPECT_EQ(LoadStatus(R"({"kty":"RSA","n":")" + B64(n_) + "\"}"), Status::ERR_JWK_INVALID);
}

// ---------------------------------------------------------------- OKP

TEST(JwkOkp, KeyLengthMustMatchTheCurve) {
  const TestKey ed = MakeKey("EdDSA");
  const std::string x = Unb64(Member(ed.PublicJwk(), "x"));
  EXPECT_EQ(LoadStatus(OkpJwk("Ed25519", x)), Status::OK);
  EXPECT_EQ(LoadStatus(OkpJwk("Ed25519", x.substr(1))), Status::ERR_JWK_INVALID);
  EXPECT_EQ(LoadStatus(OkpJwk("Ed25519", x + "x")), Status::ERR_JWK_INVALID);
  EXPECT_EQ(LoadStatus(OkpJwk("Ed448", x)), Status::ERR_JWK_INVALID);
  const TestKey ed448 = MakeKey("Ed448");
  const std::string x448 = Unb64(Member(ed448.PublicJwk(), "x"));
  EXPECT_EQ(x448.size(), 57u);
  EXPECT_EQ(LoadStatus(OkpJwk("Ed448", x448)), Status::OK);
  EXPECT_EQ(LoadStatus(OkpJwk("Ed448", x448.substr(1))), Status::ERR_JWK_INVALID);
  EXPECT_EQ(LoadStatus(OkpJwk("Ed25519ph", x)), Status::ERR_JWK_INVALID);
  EXPECT_EQ(LoadStatus(R"({"kty":"OKP","x":")" + B64(x) + "\"}"), Status::ERR_JWK_INVALID);
}

TEST(JwkOkp, SmallOrderEd25519KeysAreWeak) {
  // The encodings of the eight points of order 1, 2, 4 and 8 (each y with both
  // signs of x where x != 0 could carry one), plus non-canonical y = p and y = p + 1.
  const char* kSmallOrder[] = {
      "0100000000000000000000000000000000000000000000000000000000000000",  // identity
      "0100000000000000000000000000000000000000000000000000000000000080",  // y=1, sign set
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // order 2
      "0000000000000000000000000000000000000000000000000000000000000000",  // order 4
      "0000000000000000000000000000000000000000000000000000000000000080",  // order 4
      "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  // order 8
      "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  // order 8
      "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  // order 8
      "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  // order 8
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = p (0)
      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = p + 1
      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  // y = p + 1, sign
  };
  for (const char* hex : kSmallOrder) {
    Loaded l = Load(OkpJwk("Ed25519", Hex(hex)));
    EXPECT_EQ(l.status, Status::ERR_JWK_WEAK) << hex;
    EXPECT_NE(l.message.find("small-order"), std::string::npos) << l.message;
  }
  // Neighbours are not refused by this rule.
  EXPECT_NE(LoadStatus(OkpJwk("Ed25519", Hex("0200000000000000000000000000000000000000000000000000000000000000"))),
            Status::ERR_JWK_WEAK);
  EXPECT_NE(LoadStatus(OkpJwk("Ed25519", Hex("efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"))),
            Status::ERR_JWK_WEAK);
}

TEST(JwkOkp, SmallOrderEd448KeysAreWeak) {
  // y = 0, 1, p - 1 and the non-canonical p, p + 1 (p = 2^448 - 2^224 - 1);
  // the 57th byte carries the sign of x.
  const std::string ff27(27, '\xff'), zero27(27, '\0');
  const std::string ys[] = {
      std::string(56, '\0'),
      Hex("01") + std::string(55, '\0'),
      Hex("fe") + ff27 + Hex("fe") + ff27,
      Hex("ff") + ff27 + Hex("fe") + ff27,
      Hex("00") + zero27 + std::string(28, '\xff'),
  };
  for (const std::string& y : ys) {
    for (const char* sign : {"00", "80"}) {
      const std::string x = y + Hex(sign);
      ASSERT_EQ(x.size(), 57u);
      Loaded l = Load(OkpJwk("Ed448", x));
      EXPECT_EQ(l.status, Status::ERR_JWK_WEAK) << sign;
      EXPECT_NE(l.message.find("small-order Ed448"), std::string::npos) << l.message;
    }
  }
  EXPECT_EQ(LoadStatus(OkpJwk("Ed448", Hex("02") + std::string(56, '\0'))), Status::OK);
}

// ---------------------------------------------------------------- oct

TEST(JwkOct, SecretsShorterThan32BytesAreWeak) {
  Loaded l = Load(R"({"keys":[{"kty":"oct","kid":"s","k":")" + B64(std::string(31, 'k')) + "\"}]}");
  EXPECT_EQ(l.status, Status::ERR_JWK_WEAK);
  EXPECT_EQ(l.message, R"(keys[0] (kid "s"): "k" is 31 bytes; an HMAC secret needs at least 32)");
  EXPECT_EQ(LoadStatus(R"({"kty":"oct","k":""})"), Status::ERR_JWK_WEAK);
  EXPECT_EQ(LoadStatus(OctJwk(std::string(32, 'k'))), Status::OK);
  EXPECT_EQ(LoadStatus(R"({"kty":"oct"})"), Status::ERR_JWK_INVALID);
}

TEST(JwkOct, KeySetFromSecret) {
  Error err;
  const std::string short_secret(31, 's');
  auto weak = KeySetFromSecret({reinterpret_cast<const uint8_t*>(short_secret.data()), short_secret.size()}, &err);
  EXPECT_EQ(weak.status(), Status::ERR_JWK_WEAK);
  EXPECT_EQ(err.status, Status::ERR_JWK_WEAK);
  EXPECT_FALSE(err.message.empty());

  const std::string secret(48, 's');
  auto set = KeySetFromSecret({reinterpret_cast<const uint8_t*>(secret.data()), secret.size()}, nullptr);
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set.value()->ignores_kid());
  ASSERT_EQ(set.value()->size(), 1u);
  EXPECT_EQ(set.value()->keys()[0]->kid(), "");
  EXPECT_EQ(set.value()->keys()[0]->Describe(), "oct 384");
  EXPECT_EQ(set.value()->CandidatesFor(Alg::kHS384).size(), 1u);
  EXPECT_EQ(set.value()->CandidatesFor(Alg::kHS512).size(), 0u);  // weak for HS512
}

// ---------------------------------------------------------------- set rules

TEST(Jwks, KeysSharingAKidAreSkippedAsAmbiguous) {
  const TestKey a = MakeKey("ES256", "dup"), b = MakeKey("RS256", "dup"), c = MakeKey("ES384", "other");
  Loaded l = Load(Jwks({&c, &a, &b}));
  ASSERT_EQ(l.status, Status::OK) << l.message;
  ASSERT_EQ(l.set->size(), 1u);
  EXPECT_EQ(l.set->keys()[0]->kid(), "other");
  ASSERT_EQ(l.set->skipped().size(), 2u);
  for (const SkippedKey& s : l.set->skipped()) {
    EXPECT_EQ(s.kid, "dup");
    EXPECT_EQ(s.status, Status::ERR_JWKS_DUPLICATE_KID);
  }
  EXPECT_EQ(l.set->skipped()[0].reason,
            R"(keys[1] (kid "dup"): the kid is shared by keys[1], keys[2]; a kid must name one key)");
  EXPECT_EQ(l.set->skipped()[1].kty, "RSA");
  EXPECT_EQ(l.set->FindByKid("dup"), nullptr);
  EXPECT_EQ(l.set->StatusForMissingKid("dup"), Status::ERR_JWKS_DUPLICATE_KID);
  EXPECT_EQ(l.set->StatusForMissingKid("nobody"), Status::ERR_KID_NOT_FOUND);
  // Only ambiguous keys: none is usable, so the set is refused.
  Loaded only = Load(Jwks({&a, &b}));
  EXPECT_EQ(only.status, Status::ERR_JWKS_DUPLICATE_KID);
  EXPECT_EQ(only.message, R"(keys[0] (kid "dup"): the kid is shared by keys[0], keys[1]; a kid must name one key)"
                          " (and 1 more keys skipped: the set has no usable key)");
  // A message names a few of the keys sharing a kid, not all of them.
  std::string many = R"({"keys":[)" + c.PublicJwk();
  for (int i = 0; i < 6; ++i) many += "," + MakeKey("ES256", "same").PublicJwk();
  Loaded crowd = Load(many + "]}");
  ASSERT_EQ(crowd.status, Status::OK) << crowd.message;
  ASSERT_EQ(crowd.set->skipped().size(), 6u);
  EXPECT_EQ(crowd.set->skipped()[5].reason,
            R"(keys[6] (kid "same"): the kid is shared by keys[1], keys[2], keys[3], keys[4] and 2 more; )"
            "a kid must name one key");
  // Keys without a kid never collide.
  const TestKey d = MakeKey("ES256"), e = MakeKey("ES384");
  EXPECT_EQ(LoadStatus(Jwks({&d, &e})), Status::OK);
}

TEST(Jwks, SecretAndPublicKeysDoNotMix) {
  const TestKey hs = MakeKey("HS256", "h"), es = MakeKey("ES256", "e");
  Loaded l = Load(Jwks({&es, &hs}));
  EXPECT_EQ(l.status, Status::ERR_JWKS_MIXED);
  EXPECT_NE(l.message.find("keys[1] (kid \"h\")"), std::string::npos) << l.message;
  EXPECT_EQ(LoadStatus(Jwks({&hs, &es})), Status::ERR_JWKS_MIXED);
  const TestKey hs2 = MakeKey("HS512", "h2");
  Loaded secrets = Load(Jwks({&hs, &hs2}));
  ASSERT_EQ(secrets.status, Status::OK);
  EXPECT_FALSE(secrets.set->ignores_kid());
}

TEST(Jwks, BuildChecksTheSameRules) {
  auto parse = [](const std::string& jwk) {
    auto r = ParseJwk(jwk, nullptr);
    EXPECT_TRUE(r.ok());
    return std::move(r).value();
  };
  std::vector<std::unique_ptr<Key>> keys;
  keys.push_back(parse(MakeKey("ES256", "x").PublicJwk()));
  keys.push_back(parse(MakeKey("ES384", "x").PublicJwk()));
  Error err;
  EXPECT_EQ(KeySet::Build(std::move(keys), &err).status(), Status::ERR_JWKS_DUPLICATE_KID);
  EXPECT_EQ(err.status, Status::ERR_JWKS_DUPLICATE_KID);

  std::vector<std::unique_ptr<Key>> mixed;
  mixed.push_back(parse(MakeKey("HS256", "h").PublicJwk()));
  mixed.push_back(parse(MakeKey("ES256", "e").PublicJwk()));
  EXPECT_EQ(KeySet::Build(std::move(mixed), nullptr).status(), Status::ERR_JWKS_MIXED);
}

TEST(Jwk, ParseJwkNamesTheKeyInMessages) {
  Error err;
  auto r = ParseJwk(R"({"kty":"oct","kid":"tiny","k":"AAAA"})", &err);
  EXPECT_EQ(r.status(), Status::ERR_JWK_WEAK);
  EXPECT_EQ(err.message, R"(jwk (kid "tiny"): "k" is 3 bytes; an HMAC secret needs at least 32)");
  auto m = ParseJwk("[]", &err);
  EXPECT_EQ(m.status(), Status::ERR_JWKS_MALFORMED);
}

}  // namespace
}  // namespace tokenverify::internal

namespace tokenverify::internal {
namespace {

// RFC 7638 section 3.1: the example RSA key and its thumbprint.
TEST(Jwks, ThumbprintMatchesRfc7638Example) {
  Error err;
  auto key = ParseJwk(
      R"({"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"})",
      &err);
  ASSERT_TRUE(key.ok()) << err.message;
  EXPECT_EQ((*key)->thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  EXPECT_EQ((*key)->kty(), "RSA");
  EXPECT_EQ((*key)->member_alg(), "RS256");
}

// ---------------------------------------------------------------- unusable keys beside usable ones

// The token through Verify, with the loaded document as a provider's inline key set.
Status VerifyWith(const Loaded& loaded, const std::string& token, size_t max_keys_without_kid = 4) {
  Error err;
  const auto v = testing::KeySetVerifier(loaded.json, &err, max_keys_without_kid);
  if (v == nullptr) {
    ADD_FAILURE() << "the key set does not load in a verifier: " << err.message;
    return err.status;
  }
  return v->Verify(token);
}

// The JWK `jwk` with member `name` (a base64url string) replaced by `value`.
std::string WithMember(std::string jwk, const std::string& name, const std::string& value) {
  const std::string old = Member(jwk, name);
  const std::string open = "\"" + name + "\":\"";
  jwk.replace(jwk.find(open) + open.size(), old.size(), value);
  return jwk;
}

// base64url text as standard base64 with padding, as Battle.net publishes "n".
std::string StandardBase64(std::string s) {
  for (char& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4 != 0) s += '=';
  return s;
}

TEST(JwksSkips, EveryUnusableKeyIsSkippedWithItsOwnStatusAndTheRestVerify) {
  const TestKey sig1 = MakeKey("RS256", "sig1"), ec = MakeKey("ES256", "ec");
  const TestKey enc1 = MakeKey("RS256", "enc1", 1024), old = MakeKey("RS256", "old", 1024);
  const TestKey d1 = MakeKey("ES384", "d1"), d2 = MakeKey("ES384", "d2");
  const TestKey p521 = MakeKey("ES512", "p521");
  const std::string short_x = B64(Unb64(Member(p521.PublicJwk(), "x")).substr(1));
  const std::string doc = "{\"keys\":[" + sig1.PublicJwk(R"("use":"sig","alg":"RS256")") + "," +
                          enc1.PublicJwk(R"("use":"enc","alg":"RSA-OAEP")") + "," +  // 1: weak, and enc
                          old.PublicJwk() + "," +                                    // 2: weak
                          WithMember(p521.PublicJwk(), "x", short_x) + "," +         // 3: point one octet short
                          R"({"kty":"EC","kid":"p192","crv":"P-192","x":"AAAA","y":"AAAA"},)"  // 4: unknown curve
                          R"({"kty":"weird","kid":"w"},)"                                      // 5: unknown kty
                          R"({"kty":"OKP","kid":"x25519","crv":"X25519","x":"AAAA"},)" +       // 6: key agreement
                          MakeKey("ES256", "ops").PublicJwk(R"("key_ops":["encrypt"])") +
                          "," +  // 7: key_ops
                          WithMember(MakeKey("RS256", "b64").PublicJwk(), "n",
                                     StandardBase64(Member(MakeKey("RS256", "b64").PublicJwk(), "n"))) +
                          "," +                                           // 8: base64
                          R"({"kty":"EC","kid":"typo","crv":5})" + "," +  // 9: wrong member type
                          d1.PublicJwk() + "," + WithMember(d2.PublicJwk(), "kid", "d1") +
                          "," +  // 10, 11: one kid, two keys
                          ec.PublicJwk() + "]}";
  Loaded l = Load(doc);
  ASSERT_EQ(l.status, Status::OK) << l.message;
  EXPECT_EQ(l.set->size(), 2u);
  const struct {
    const char* kid;
    Status status;
    const char* kty;
  } want[] = {
      {"enc1", Status::ERR_JWK_WEAK, "RSA"},       {"old", Status::ERR_JWK_WEAK, "RSA"},
      {"p521", Status::ERR_JWK_INVALID, "EC"},     {"p192", Status::ERR_JWK_INVALID, "EC"},
      {"w", Status::ERR_JWK_INVALID, "weird"},     {"x25519", Status::ERR_KEY_USE_MISMATCH, "OKP"},
      {"ops", Status::ERR_KEY_USE_MISMATCH, "EC"}, {"b64", Status::ERR_JWK_INVALID, "RSA"},
      {"typo", Status::ERR_JWKS_MALFORMED, "EC"},
  };
  ASSERT_EQ(l.set->skipped().size(), 11u);
  for (size_t i = 0; i < 9; ++i) {
    SCOPED_TRACE(want[i].kid);
    const SkippedKey& s = l.set->skipped()[i];
    EXPECT_EQ(s.kid, want[i].kid);
    EXPECT_EQ(s.kty, want[i].kty);
    EXPECT_EQ(s.status, want[i].status) << s.reason;
    EXPECT_EQ(s.reason.rfind("keys[" + std::to_string(i + 1) + "] (kid \"" + want[i].kid + "\"): ", 0), 0u) << s.reason;
    EXPECT_EQ(l.set->StatusForMissingKid(want[i].kid), want[i].status);
  }
  EXPECT_EQ(l.set->skipped()[1].reason,
            R"(keys[2] (kid "old"): "n" is a 1024-bit modulus; at least 2048 bits are required)");
  EXPECT_EQ(l.set->skipped()[2].reason, R"(keys[3] (kid "p521"): "x" is 65 bytes, P-521 needs 66)");
  EXPECT_EQ(l.set->skipped()[7].reason, R"(keys[8] (kid "b64"): "n" is not strict unpadded base64url)");
  EXPECT_EQ(l.set->skipped()[9].status, Status::ERR_JWKS_DUPLICATE_KID);
  EXPECT_EQ(l.set->skipped()[10].status, Status::ERR_JWKS_DUPLICATE_KID);

  // The usable keys verify; a token naming a skipped key gets that key's status.
  EXPECT_EQ(VerifyWith(l, SignJwt(sig1, "{}")), Status::OK);
  EXPECT_EQ(VerifyWith(l, SignJwt(ec, "{}")), Status::OK);
  EXPECT_EQ(VerifyWith(l, SignJwt(enc1, "{}")), Status::ERR_JWK_WEAK);
  EXPECT_EQ(VerifyWith(l, SignJwt(old, "{}")), Status::ERR_JWK_WEAK);
  EXPECT_EQ(VerifyWith(l, SignJwt(p521, "{}")), Status::ERR_JWK_INVALID);
  EXPECT_EQ(VerifyWith(l, SignJwt(MakeKey("ES256", "ops"), "{}")), Status::ERR_KEY_USE_MISMATCH);
  EXPECT_EQ(VerifyWith(l, SignJwt(MakeKey("RS256", "b64"), "{}")), Status::ERR_JWK_INVALID);
  EXPECT_EQ(VerifyWith(l, SignJwt(d1, "{}")), Status::ERR_JWKS_DUPLICATE_KID);
  EXPECT_EQ(VerifyWith(l, SignJwt(MakeKey("ES256", "nobody"), "{}")), Status::ERR_KID_NOT_FOUND);
  // Without a kid: the only ES384 and ES512 keys were skipped, and say why.
  const TestKey anon384 = MakeKey("ES384"), anon512 = MakeKey("ES512");
  EXPECT_EQ(VerifyWith(l, SignJwt(anon512, "{}")), Status::ERR_JWK_INVALID);
  EXPECT_EQ(VerifyWith(l, SignJwt(anon384, "{}")), Status::ERR_JWKS_DUPLICATE_KID);
  // An X25519 key would never have verified EdDSA: nothing more precise to say.
  EXPECT_EQ(VerifyWith(l, SignJwt(MakeKey("EdDSA"), "{}")), Status::ERR_NO_MATCHING_KEY);
}

TEST(JwksSkips, EnvoysP521KeyOneOctetShortLeavesItsEs256AndEs384KeysVerifying) {
  const TestKey es256 = MakeKey("ES256", "es256"), es384 = MakeKey("ES384", "es384"), es512 = MakeKey("ES512", "es512");
  const std::string y = Member(es512.PublicJwk(), "y");
  const std::string short_y = B64(Unb64(y).substr(1));
  Loaded l = Load("{\"keys\":[" + es256.PublicJwk() + "," + WithMember(es512.PublicJwk(), "y", short_y) + "," +
                  es384.PublicJwk() + "]}");
  ASSERT_EQ(l.status, Status::OK) << l.message;
  EXPECT_EQ(VerifyWith(l, SignJwt(es256, "{}")), Status::OK);
  EXPECT_EQ(VerifyWith(l, SignJwt(es384, "{}")), Status::OK);
  EXPECT_EQ(VerifyWith(l, SignJwt(es512, "{}")), Status::ERR_JWK_INVALID);
}

TEST(JwksSkips, StandardBase64ModulusIsSkippedAndTheGoodKeyVerifies) {
  const TestKey good = MakeKey("RS256", "good"), battle = MakeKey("RS256", "battle");
  const std::string n = Member(battle.PublicJwk(), "n");
  Loaded l =
      Load("{\"keys\":[" + WithMember(battle.PublicJwk(), "n", StandardBase64(n)) + "," + good.PublicJwk() + "]}");
  ASSERT_EQ(l.status, Status::OK) << l.message;
  ASSERT_EQ(l.set->skipped().size(), 1u);
  EXPECT_EQ(l.set->skipped()[0].status, Status::ERR_JWK_INVALID);
  EXPECT_EQ(VerifyWith(l, SignJwt(good, "{}")), Status::OK);
  EXPECT_EQ(VerifyWith(l, SignJwt(battle, "{}")), Status::ERR_JWK_INVALID);
}

TEST(JwksSkips, StrictModeRefusesTheSetForAnyUnusableKey) {
  const TestKey good = MakeKey("RS256", "good"), weak = MakeKey("RS256", "weak", 1024);
  const std::string doc = Jwks({&good, &weak});
  Error err;
  auto strict = ParseJwks(doc, &err, KeyPolicy{UnusableKeys::kRefuse});
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status(), Status::ERR_JWK_WEAK);
  EXPECT_EQ(err.message, R"(keys[1] (kid "weak"): "n" is a 1024-bit modulus; at least 2048 bits are required)"
                         " (strictKeySet: any unusable key refuses the set)");
  EXPECT_EQ(ParseJwks(Jwks({&good}), nullptr, KeyPolicy{UnusableKeys::kRefuse}).status(), Status::OK);
  EXPECT_EQ(ParseJwks(doc, nullptr).status(), Status::OK);  // the default skips
}

TEST(JwksSkips, StructuralProblemsStillRefuseTheWholeDocument) {
  const TestKey good = MakeKey("ES256", "good");
  EXPECT_EQ(LoadStatus("{\"keys\":[" + good.PublicJwk() + ",1]}"), Status::ERR_JWKS_MALFORMED);
  EXPECT_EQ(
      LoadStatus("{\"keys\":[" + good.PublicJwk() + ",{\"kty\":\"oct\",\"k\":\"" + B64(std::string(32, 'k')) + "\"}]}"),
      Status::ERR_JWKS_MIXED);
  EXPECT_EQ(LoadStatus("{\"keys\":[" + good.PublicJwk() + "]," + R"("keys":[]})"), Status::ERR_JWKS_MALFORMED);
}

TEST(JwksSkips, KidlessTokensBeyondMaxKeysWithoutKidGetTheirOwnStatus) {
  std::vector<TestKey> keys;
  std::string doc = "{\"keys\":[";
  for (int i = 0; i < 5; ++i) {
    // MakeKey caches by (alg, kid): give each key its own kid, then drop it from the JWK.
    keys.push_back(MakeKey("ES256", "nk" + std::to_string(i)));
    std::string jwk = keys.back().PublicJwk();
    jwk.erase(jwk.find(",\"kid\":\"nk"), std::string(",\"kid\":\"nk0\"").size());
    doc += (i ? "," : "") + jwk;
  }
  doc += "]}";
  Loaded l = Load(doc);
  ASSERT_EQ(l.status, Status::OK) << l.message;
  EXPECT_EQ(l.set->keys_without_kid(), 5u);
  auto unnamed = [](const TestKey& k) { return testing::SignJws(k, R"({"alg":"ES256"})", "{}"); };
  EXPECT_EQ(VerifyWith(l, unnamed(keys[0])), Status::OK);
  EXPECT_EQ(VerifyWith(l, unnamed(keys[3])), Status::OK);
  EXPECT_EQ(VerifyWith(l, unnamed(keys[4])), Status::ERR_TOO_MANY_CANDIDATE_KEYS);
  EXPECT_EQ(VerifyWith(l, unnamed(MakeKey("ES256", "stranger"))), Status::ERR_TOO_MANY_CANDIDATE_KEYS);
  EXPECT_EQ(VerifyWith(l, unnamed(keys[4]), 5), Status::OK);
  EXPECT_EQ(VerifyWith(l, unnamed(MakeKey("ES256", "stranger")), 5), Status::ERR_SIGNATURE_INVALID);
  EXPECT_NE(l.set->Notes(4).find("5 keys have no kid"), std::string::npos) << l.set->Notes(4);
  EXPECT_EQ(l.set->Notes(5), "");
}

TEST_F(JwkRsa, ExponentAbove2To32IsInvalid) {
  EXPECT_EQ(LoadStatus(RsaJwk(n_, Hex("ffffffff"))), Status::OK);  // 2^32 - 1
  Loaded l = Load(RsaJwk(n_, Hex("0100000001")));                  // 2^32 + 1
  EXPECT_EQ(l.status, Status::ERR_JWK_INVALID);
  EXPECT_EQ(l.message,
            R"(jwk: "e" is 33 bits long; at most 2^32 is accepted (a larger exponent makes every verification slow))");
  EXPECT_EQ(LoadStatus(RsaJwk(n_, Hex("010000000000000001"))), Status::ERR_JWK_INVALID);  // 2^64 + 1
  // e = n - 2: odd, smaller than n, a valid RSA key for OpenSSL, and ~2048 bits of work per verification.
  std::string e = n_;
  e.back() = static_cast<char>(static_cast<uint8_t>(e.back()) - 2);
  EXPECT_EQ(LoadStatus(RsaJwk(n_, e)), Status::ERR_JWK_INVALID);
}

}  // namespace
}  // namespace tokenverify::internal
