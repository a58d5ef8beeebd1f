// Ed25519 keys verify through libsodium (core/src/keys/key_ed25519.cc): the
// RFC 8032 section 7.1 vectors, honest signatures from OpenSSL and libsodium
// keys on random messages (nothing a real issuer produces may be refused),
// the exact statuses of a bad or wrongly sized signature, and the small-order
// refusal at load. The Wycheproof files run in tests/vectors/.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sodium.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "keys/key.h"
#include "support/signer.h"
#include "tokenverify/verifier.h"

namespace tokenverify::internal {
namespace {

using testing::B64;

std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return out;
}

std::span<const uint8_t> S(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

std::string Ed25519Jwk(const std::string& x) { return R"({"kty":"OKP","crv":"Ed25519","x":")" + B64(x) + "\"}"; }

std::unique_ptr<Key> Load(const std::string& x) {
  Error err;
  auto r = ParseJwk(Ed25519Jwk(x), &err);
  EXPECT_TRUE(r.ok()) << err.message;
  return r.ok() ? std::move(r).value() : nullptr;
}

// RFC 8032 section 7.1: TEST 1, 2, 3 and SHA(abc) (TEST 1024, the long
// message, is in the Wycheproof file as "draft-josefsson-eddsa-ed25519-02: Test 1024").
TEST(Ed25519, Rfc8032Vectors) {
  const struct {
    const char *name, *pk, *msg, *sig;
  } kVectors[] = {
      {"TEST 1", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe2"
       "465"
       "5141438e7a100b"},
      {"TEST 2", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302ae"
       "e"
       "b00d291612bb0c00"},
      {"TEST 3", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
       "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28"
       "d"
       "c027beceea1ec40a"},
      {"TEST SHA(abc)", "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
       "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80"
       "e"
       "2a9ac94fa54ca49f",
       "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17"
       "a"
       "d9bef1177331a704"},
  };
  for (const auto& v : kVectors) {
    const std::unique_ptr<Key> key = Load(Hex(v.pk));
    ASSERT_NE(key, nullptr) << v.name;
    const std::string msg = Hex(v.msg), sig = Hex(v.sig);
    EXPECT_EQ(key->Verify(Alg::kEdDSA, S(msg), S(sig)), Status::OK) << v.name;
    EXPECT_EQ(key->Verify(Alg::kEd25519, S(msg), S(sig)), Status::OK) << v.name;
    std::string flipped = sig;
    flipped[7] ^= 0x20;
    EXPECT_EQ(key->Verify(Alg::kEdDSA, S(msg), S(flipped)), Status::ERR_SIGNATURE_INVALID) << v.name;
    EXPECT_EQ(key->Verify(Alg::kEdDSA, S(msg + "x"), S(sig)), Status::ERR_SIGNATURE_INVALID) << v.name;
    EXPECT_EQ(key->Verify(Alg::kEdDSA, S(msg), S(sig.substr(1))), Status::ERR_SIGNATURE_LENGTH) << v.name;
    EXPECT_EQ(key->Verify(Alg::kEdDSA, S(msg), S(sig + '\0')), Status::ERR_SIGNATURE_LENGTH) << v.name;
    EXPECT_EQ(key->Verify(Alg::kEdDSA, S(msg), S(std::string())), Status::ERR_SIGNATURE_LENGTH) << v.name;
    // An Ed25519 key never verifies Ed448, whatever the signature.
    EXPECT_EQ(key->Verify(Alg::kEd448, S(msg), S(sig)), Status::ERR_SIGNATURE_INVALID) << v.name;
  }
}

std::string RandomBytes(size_t n) {
  std::string s(n, '\0');
  if (n > 0) {
    EXPECT_EQ(RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), static_cast<int>(n)), 1);
  }
  return s;
}

// Honest signatures from OpenSSL's Ed25519 (fresh keys, random messages of
// random lengths) all verify; one bit flipped anywhere in the signature never does.
TEST(Ed25519, HonestOpenSslSignaturesVerify) {
  constexpr int kKeys = 20, kMessagesPerKey = 20;
  int verified = 0;
  for (int k = 0; k < kKeys; ++k) {
    EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    ASSERT_NE(raw, nullptr);
    std::shared_ptr<EVP_PKEY> pkey(raw, EVP_PKEY_free);
    uint8_t pub[32];
    size_t pub_len = sizeof pub;
    ASSERT_EQ(EVP_PKEY_get_raw_public_key(pkey.get(), pub, &pub_len), 1);
    const std::unique_ptr<Key> key = Load(std::string(reinterpret_cast<char*>(pub), pub_len));
    ASSERT_NE(key, nullptr);
    for (int m = 0; m < kMessagesPerKey; ++m) {
      uint8_t len_byte = 0;
      RAND_bytes(&len_byte, 1);
      const std::string msg = RandomBytes(m == 0 ? 0 : len_byte * 4u);
      std::string sig(64, '\0');
      size_t sig_len = sig.size();
      std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
      ASSERT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()), 1);
      ASSERT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                               reinterpret_cast<const unsigned char*>(msg.data()), msg.size()),
                1);
      ASSERT_EQ(sig_len, 64u);
      ASSERT_EQ(key->Verify(Alg::kEdDSA, S(msg), S(sig)), Status::OK) << "key " << k << " message " << m;
      verified += 1;
      std::string bad = sig;
      bad[static_cast<uint8_t>(msg.size() + m) % 64] ^= static_cast<char>(1u << (m % 8));
      EXPECT_EQ(key->Verify(Alg::kEdDSA, S(msg), S(bad)), Status::ERR_SIGNATURE_INVALID);
    }
  }
  EXPECT_EQ(verified, kKeys * kMessagesPerKey);
}

// The same for keys and signatures made by libsodium itself.
TEST(Ed25519, HonestLibsodiumSignaturesVerify) {
  ASSERT_GE(sodium_init(), 0);
  for (int k = 0; k < 10; ++k) {
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    const std::unique_ptr<Key> key = Load(std::string(reinterpret_cast<char*>(pk), sizeof pk));
    ASSERT_NE(key, nullptr);
    for (int m = 0; m < 20; ++m) {
      const std::string msg = RandomBytes(static_cast<size_t>(m) * 37);
      std::string sig(crypto_sign_BYTES, '\0');
      crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                           reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), sk);
      EXPECT_EQ(key->Verify(Alg::kEd25519, S(msg), S(sig)), Status::OK) << "key " << k << " message " << m;
    }
  }
}

// Through the whole verifier: tokens signed by OpenSSL (the test signer) verify.
TEST(Ed25519, TokensFromTheTestSignerVerifyThroughTheVerifier) {
  for (const char* alg : {"EdDSA", "Ed25519"}) {
    const testing::TestKey key = testing::MakeKey(alg, "ed");
    const std::string config = R"({"providers":[{"name":"p","jwks":{"local":{"inline":)" +
                               testing::JsonQuote(testing::Jwks({&key})) + R"(}}}],"now":1800000000})";
    Error err;
    auto v = Verifier::Create(config, &err);
    ASSERT_TRUE(v.ok()) << err.message;
    for (int i = 0; i < 50; ++i) {
      const std::string payload =
          R"({"sub":")" + B64(RandomBytes(static_cast<size_t>(i))) + R"(","iat":1799999000,"exp":1800003600})";
      const std::string token = testing::SignJwt(key, payload);
      EXPECT_EQ((*v)->Verify(token), Status::OK) << alg << " " << token;
      std::string bad = token;
      bad[bad.size() - 3] = bad[bad.size() - 3] == 'A' ? 'B' : 'A';
      EXPECT_EQ((*v)->Verify(bad), Status::ERR_SIGNATURE_INVALID) << alg << " " << bad;
    }
  }
}

// The one class of signature OpenSSL accepted and libsodium refuses that a
// key's owner can make (docs/fuzzing.md, "small-order-R"): R = the identity,
// S = H(R || A || M) * a satisfies the cofactorless equation, so OpenSSL's
// EVP_DigestVerify accepts it; libsodium refuses a small-order R. No signer
// produces it (R = r * B with r from a hash is never the identity).
TEST(Ed25519, IdentityRForgedByTheOwnerIsRefused) {
  ASSERT_GE(sodium_init(), 0);
  const std::string seed = Hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");  // RFC 8032 TEST 1
  unsigned char pk[32], sk[64], h[64], a[32], wide[64] = {0};
  crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(seed.data()));
  crypto_hash_sha512(h, reinterpret_cast<const unsigned char*>(seed.data()), 32);
  h[0] &= 248;
  h[31] &= 127;
  h[31] |= 64;
  std::memcpy(wide, h, 32);
  crypto_core_ed25519_scalar_reduce(a, wide);  // the secret scalar mod L
  const std::string msg = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJtYWxsb3J5In0";
  unsigned char sig[64] = {1};  // R = the identity (y = 1, x = 0)
  crypto_hash_sha512_state st;
  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, sig, 32);
  crypto_hash_sha512_update(&st, pk, 32);
  crypto_hash_sha512_update(&st, reinterpret_cast<const unsigned char*>(msg.data()), msg.size());
  crypto_hash_sha512_final(&st, wide);
  unsigned char k[32];
  crypto_core_ed25519_scalar_reduce(k, wide);
  crypto_core_ed25519_scalar_mul(sig + 32, k, a);  // S = k * a

  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> openssl_key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pk, sizeof pk), EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  ASSERT_EQ(EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, openssl_key.get()), 1);
  EXPECT_EQ(
      EVP_DigestVerify(ctx.get(), sig, sizeof sig, reinterpret_cast<const unsigned char*>(msg.data()), msg.size()), 1)
      << "OpenSSL no longer accepts a small-order R: update docs/fuzzing.md";

  const std::unique_ptr<Key> key = Load(std::string(reinterpret_cast<char*>(pk), sizeof pk));
  ASSERT_NE(key, nullptr);
  const std::string sig_bytes(reinterpret_cast<char*>(sig), sizeof sig);
  EXPECT_EQ(key->Verify(Alg::kEdDSA, S(msg), S(sig_bytes)), Status::ERR_SIGNATURE_INVALID);
}

// The small-order refusal stays at load (the identity, and y = 1 encoded as p + 1).
TEST(Ed25519, SmallOrderKeysAreStillWeak) {
  Error err;
  std::string identity(32, '\0');
  identity[0] = 1;
  EXPECT_EQ(ParseJwk(Ed25519Jwk(identity), &err).status(), Status::ERR_JWK_WEAK);
  std::string p_plus_1(32, '\xff');
  p_plus_1[0] = '\xee';
  p_plus_1[31] = '\x7f';
  EXPECT_EQ(ParseJwk(Ed25519Jwk(p_plus_1), &err).status(), Status::ERR_JWK_WEAK);
}

}  // namespace
}  // namespace tokenverify::internal
