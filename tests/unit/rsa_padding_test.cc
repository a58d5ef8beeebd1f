// The RSA padding checks (keys/rsa_padding.h) against OpenSSL's own: honest
// encodings made by OpenSSL for every shape of modulus length (bits - 1 a
// multiple of 8 or not), every single-bit change of them, other salt
// lengths, other digests, the DigestInfo without its NULL. OpenSSL is asked
// the same question each time and must answer alike. (Run again with
// TOKENVERIFY_FORCE_IMPLEMENTATION=fallback by ctest's unit_fallback_kernel,
// for the path without the SHA extensions.)
//
// OpenSSL's padding functions take the low-level RSA type, deprecated in
// OpenSSL 3 but supported; they are the reference here.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "keys/rsa_padding.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <random>
#include <string>
#include <vector>

#include "support/oracle/rsa_padding_openssl.h"

namespace tokenverify::internal {
namespace {

using Buf = std::vector<uint8_t>;
using testing::OpenSslDigestInfo;
using testing::RsaOfModulusBits;
using testing::RsaPtr;

const EVP_MD* Md(Alg alg) { return testing::ShaOfLength(SignedDigestBytes(alg)); }

Buf RandomBytes(size_t n) {
  Buf b(n);
  RAND_bytes(b.data(), static_cast<int>(n));
  return b;
}

// OpenSSL's EMSA-PSS encoding of `digest` with a random salt of s_len bytes.
Buf OpenSslPss(RSA* rsa, Alg alg, const Buf& digest, int s_len) {
  Buf em(static_cast<size_t>(RSA_size(rsa)));
  EXPECT_EQ(RSA_padding_add_PKCS1_PSS_mgf1(rsa, em.data(), digest.data(), Md(alg), Md(alg), s_len), 1);
  return em;
}

bool OpenSslAcceptsPss(RSA* rsa, Alg alg, const Buf& digest, const Buf& em) {
  return testing::OpenSslAcceptsPss(rsa, Md(alg), digest, em);
}

bool OursAcceptsPss(RSA* rsa, Alg alg, const Buf& digest, const Buf& em) {
  return PssEncodingMatches(alg, em, static_cast<size_t>(RSA_bits(rsa)), digest);
}

Buf DigestInfo(Alg alg, const Buf& digest, bool with_null) { return OpenSslDigestInfo(Md(alg), digest, with_null); }

// OpenSSL's EMSA-PKCS1-v1_5 encoding of `t` in k bytes.
Buf OpenSslPkcs1(size_t k, const Buf& t) {
  Buf em(k);
  EXPECT_EQ(RSA_padding_add_PKCS1_type_1(em.data(), static_cast<int>(k), t.data(), static_cast<int>(t.size())), 1);
  return em;
}

constexpr Alg kPss[] = {Alg::kPS256, Alg::kPS384, Alg::kPS512};
constexpr Alg kPkcs1[] = {Alg::kRS256, Alg::kRS384, Alg::kRS512};
// 2048 + 1 and 4096 + 1: emBits a multiple of 8, so the recovered value
// starts with a zero byte that is not part of EM.
constexpr int kModulusBits[] = {2048, 2049, 2050, 2052, 2055, 2056, 2057, 3072, 4095, 4096, 4097};

TEST(RsaPadding, PssHonestEncodingsMatchForEveryModulusShape) {
  for (const int bits : kModulusBits) {
    const RsaPtr rsa = RsaOfModulusBits(bits);
    for (const Alg alg : kPss) {
      for (int i = 0; i < 4; ++i) {
        const Buf digest = RandomBytes(SignedDigestBytes(alg));
        const Buf em = OpenSslPss(rsa.get(), alg, digest, RSA_PSS_SALTLEN_DIGEST);
        SCOPED_TRACE(std::to_string(bits) + " bits, alg " + std::to_string(static_cast<int>(alg)));
        EXPECT_TRUE(OpenSslAcceptsPss(rsa.get(), alg, digest, em));
        EXPECT_TRUE(OursAcceptsPss(rsa.get(), alg, digest, em));
      }
    }
  }
}

TEST(RsaPadding, PssRefusesEveryBitFlipAsOpenSslDoes) {
  for (const int bits : {2048, 2049, 2055}) {
    const RsaPtr rsa = RsaOfModulusBits(bits);
    for (const Alg alg : kPss) {
      const Buf digest = RandomBytes(SignedDigestBytes(alg));
      const Buf em = OpenSslPss(rsa.get(), alg, digest, RSA_PSS_SALTLEN_DIGEST);
      int refused = 0;
      for (size_t bit = 0; bit < em.size() * 8; ++bit) {
        Buf flipped = em;
        flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
        const bool ours = OursAcceptsPss(rsa.get(), alg, digest, flipped);
        ASSERT_EQ(ours, OpenSslAcceptsPss(rsa.get(), alg, digest, flipped)) << bits << " bits, bit " << bit;
        refused += ours ? 0 : 1;
      }
      EXPECT_EQ(refused, static_cast<int>(em.size() * 8)) << bits << " bits";
    }
  }
}

TEST(RsaPadding, PssRefusesOtherSaltLengthsDigestsAndSizes) {
  for (const int bits : {2048, 2049}) {
    const RsaPtr rsa = RsaOfModulusBits(bits);
    for (const Alg alg : kPss) {
      const int h_len = static_cast<int>(SignedDigestBytes(alg));
      const Buf digest = RandomBytes(static_cast<size_t>(h_len));
      for (const int s_len : {0, 1, h_len - 1, h_len + 1, 2 * h_len}) {
        const Buf em = OpenSslPss(rsa.get(), alg, digest, s_len);
        EXPECT_FALSE(OursAcceptsPss(rsa.get(), alg, digest, em)) << "salt of " << s_len;
        EXPECT_FALSE(OpenSslAcceptsPss(rsa.get(), alg, digest, em)) << "salt of " << s_len;
      }
      const Buf em = OpenSslPss(rsa.get(), alg, digest, RSA_PSS_SALTLEN_DIGEST);
      Buf other = digest;
      other[0] ^= 1;
      EXPECT_FALSE(OursAcceptsPss(rsa.get(), alg, other, em));
      EXPECT_FALSE(PssEncodingMatches(alg, em, static_cast<size_t>(bits), Buf(digest.begin(), digest.end() - 1)));
      Buf longer = em;
      longer.insert(longer.begin(), 0);
      EXPECT_FALSE(PssEncodingMatches(alg, longer, static_cast<size_t>(bits), digest));
      EXPECT_FALSE(PssEncodingMatches(alg, Buf(em.begin() + 1, em.end()), static_cast<size_t>(bits), digest));
      // The same encoding under the other hashes.
      for (const Alg wrong : kPss) {
        if (wrong == alg) continue;
        EXPECT_FALSE(PssEncodingMatches(wrong, em, static_cast<size_t>(bits), digest));
      }
      EXPECT_FALSE(PssEncodingMatches(Alg::kHS256, em, static_cast<size_t>(bits), digest));
    }
  }
}

TEST(RsaPadding, PssRandomValuesAnswerAsOpenSsl) {
  std::mt19937 rng(7);
  for (const int bits : {2048, 2049, 3072}) {
    const RsaPtr rsa = RsaOfModulusBits(bits);
    for (const Alg alg : kPss) {
      const Buf digest = RandomBytes(SignedDigestBytes(alg));
      for (int i = 0; i < 300; ++i) {
        Buf em = RandomBytes(static_cast<size_t>(RSA_size(rsa.get())));
        // Half of them with the parts a quick look checks in place.
        if (i % 2 == 0) {
          em.back() = 0xbc;
          const size_t top_bits = 8 * em.size() - static_cast<size_t>(bits - 1);  // 8: a whole zero byte
          em[0] = top_bits >= 8 ? 0 : static_cast<uint8_t>(em[0] & (0xff >> top_bits));
        }
        EXPECT_EQ(OursAcceptsPss(rsa.get(), alg, digest, em), OpenSslAcceptsPss(rsa.get(), alg, digest, em));
        EXPECT_FALSE(OursAcceptsPss(rsa.get(), alg, digest, em));
      }
    }
  }
}

TEST(RsaPadding, Pkcs1v15AcceptsOnlyTheEncodingOpenSslBuilds) {
  for (const int bits : {2048, 2049, 3072, 4096}) {
    const size_t k = static_cast<size_t>(bits + 7) / 8;
    for (const Alg alg : kPkcs1) {
      SCOPED_TRACE(std::to_string(bits) + " bits, alg " + std::to_string(static_cast<int>(alg)));
      const Buf digest = RandomBytes(SignedDigestBytes(alg));
      const Buf em = OpenSslPkcs1(k, DigestInfo(alg, digest, true));
      EXPECT_TRUE(Pkcs1v15EncodingMatches(alg, em, digest));
      EXPECT_TRUE(testing::OpenSslAcceptsPkcs1(Md(alg), digest, em));
      int refused = 0;
      for (size_t bit = 0; bit < em.size() * 8; ++bit) {
        Buf flipped = em;
        flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
        const bool ours = Pkcs1v15EncodingMatches(alg, flipped, digest);
        ASSERT_EQ(ours, testing::OpenSslAcceptsPkcs1(Md(alg), digest, flipped)) << bits << " bits, bit " << bit;
        refused += ours ? 0 : 1;
      }
      EXPECT_EQ(refused, static_cast<int>(em.size() * 8));
      // The DigestInfo without its NULL (an encoding some signers once made).
      EXPECT_FALSE(Pkcs1v15EncodingMatches(alg, OpenSslPkcs1(k, DigestInfo(alg, digest, false)), digest));
      Buf other = digest;
      other.back() ^= 0x80;
      EXPECT_FALSE(Pkcs1v15EncodingMatches(alg, em, other));
      EXPECT_FALSE(Pkcs1v15EncodingMatches(alg, em, Buf(digest.begin(), digest.end() - 1)));
      for (const Alg wrong : kPkcs1) {
        if (wrong == alg) continue;
        EXPECT_FALSE(Pkcs1v15EncodingMatches(wrong, em, Buf(SignedDigestBytes(wrong))));
      }
      // The leading zero byte dropped. (An encoding one byte longer is right
      // for a longer modulus: the key compares the length, key_rsa.cc.)
      EXPECT_FALSE(Pkcs1v15EncodingMatches(alg, Buf(em.begin() + 1, em.end()), digest));
    }
  }
  // Too short for eight 0xff bytes, as OpenSSL's encoder also refuses.
  const Buf digest(32, 7);
  const Buf t = DigestInfo(Alg::kRS256, digest, true);
  Buf em(t.size() + 10, 0xff);
  em[0] = 0;
  em[1] = 1;
  em[em.size() - t.size() - 1] = 0;
  std::copy(t.begin(), t.end(), em.end() - static_cast<std::ptrdiff_t>(t.size()));
  EXPECT_FALSE(Pkcs1v15EncodingMatches(Alg::kRS256, em, digest));
  em.insert(em.begin() + 2, 0xff);
  EXPECT_TRUE(Pkcs1v15EncodingMatches(Alg::kRS256, em, digest));
}

}  // namespace
}  // namespace tokenverify::internal
