// RSA signature padding checks: see rsa_padding.h.
#include "keys/rsa_padding.h"

#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <cstring>
#include <initializer_list>

#include "keys/sha256_ni.h"

namespace tokenverify::internal {
namespace {

using Bytes = std::span<const uint8_t>;

// The largest modulus OpenSSL verifies with (key_rsa.cc refuses larger keys), in bytes.
constexpr size_t kMaxModulusBytes = OPENSSL_RSA_MAX_MODULUS_BITS / 8;

// The hash of `hash_bytes` (32, 48 or 64: SHA-256/384/512) over the parts
// one after the other, into out. The parts are short (a seed and a counter,
// or the 72 to 136 bytes of PSS's M'): on the SHA extensions, SHA-256 runs
// its blocks without a context (sha256_ni::Digest); else OpenSSL's
// low-level SHA-2 on a stack context (no EVP fetch or allocation).
void HashParts(size_t hash_bytes, std::initializer_list<Bytes> parts, uint8_t* out) noexcept {
#if defined(__x86_64__)
  size_t total = 0;
  for (const Bytes p : parts) total += p.size();
  uint8_t message[2 * SHA256_CBLOCK];  // M' of PS256 is 72 bytes, the longest part list for SHA-256
  if (hash_bytes == SHA256_DIGEST_LENGTH && total <= sizeof message && sha256_ni::Active()) {
    size_t n = 0;
    for (const Bytes p : parts) {
      std::memcpy(message + n, p.data(), p.size());
      n += p.size();
    }
    sha256_ni::Digest(message, n, out);
    return;
  }
#endif
  if (hash_bytes == SHA256_DIGEST_LENGTH) {
    SHA256_CTX c;
    SHA256_Init(&c);
    for (const Bytes p : parts) SHA256_Update(&c, p.data(), p.size());
    SHA256_Final(out, &c);
    return;
  }
  SHA512_CTX c;
  if (hash_bytes == SHA384_DIGEST_LENGTH) {
    SHA384_Init(&c);
  } else {
    SHA512_Init(&c);
  }
  for (const Bytes p : parts) SHA512_Update(&c, p.data(), p.size());
  if (hash_bytes == SHA384_DIGEST_LENGTH) {
    SHA384_Final(out, &c);
  } else {
    SHA512_Final(out, &c);
  }
}

// RFC 8017 B.2.1: data ^= MGF1(seed) over data's length.
void XorMgf1Mask(size_t hash_bytes, Bytes seed, uint8_t* data, size_t n) noexcept {
  uint8_t block[SHA512_DIGEST_LENGTH];
  uint32_t counter = 0;
  for (size_t at = 0; at < n; at += hash_bytes, ++counter) {
    const uint8_t c[4] = {static_cast<uint8_t>(counter >> 24), static_cast<uint8_t>(counter >> 16),
                          static_cast<uint8_t>(counter >> 8), static_cast<uint8_t>(counter)};
    HashParts(hash_bytes, {seed, Bytes(c, sizeof c)}, block);
    const size_t take = n - at < hash_bytes ? n - at : hash_bytes;
    for (size_t i = 0; i < take; ++i) data[at + i] ^= block[i];
  }
}

// RFC 8017 9.2 note 1: the DER of DigestInfo up to the digest itself.
Bytes DigestInfoPrefix(size_t hash_bytes) noexcept {
  static constexpr uint8_t kSha256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                        0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
  static constexpr uint8_t kSha384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                        0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
  static constexpr uint8_t kSha512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                        0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};
  switch (hash_bytes) {
    case SHA256_DIGEST_LENGTH:
      return kSha256;
    case SHA384_DIGEST_LENGTH:
      return kSha384;
    case SHA512_DIGEST_LENGTH:
      return kSha512;
    default:
      return {};
  }
}

}  // namespace

bool Pkcs1v15EncodingMatches(Alg alg, Bytes em, Bytes digest) noexcept {
  const size_t h_len = SignedDigestBytes(alg);
  const Bytes prefix = DigestInfoPrefix(h_len);
  if (prefix.empty() || digest.size() != h_len) return false;
  const size_t t_len = prefix.size() + h_len;
  // At least eight 0xff bytes (8.2.2 step 3 via 9.2 step 5).
  if (em.size() < t_len + 11) return false;
  const size_t ps_end = em.size() - t_len - 1;
  if (em[0] != 0x00 || em[1] != 0x01 || em[ps_end] != 0x00) return false;
  for (size_t i = 2; i < ps_end; ++i)
    if (em[i] != 0xff) return false;
  return std::memcmp(em.data() + ps_end + 1, prefix.data(), prefix.size()) == 0 &&
         std::memcmp(em.data() + ps_end + 1 + prefix.size(), digest.data(), h_len) == 0;
}

bool PssEncodingMatches(Alg alg, Bytes em, size_t modulus_bits, Bytes digest) noexcept {
  const size_t h_len = SignedDigestBytes(alg), s_len = h_len;
  if (h_len == 0 || digest.size() != h_len || modulus_bits < 2 || em.size() != (modulus_bits + 7) / 8 ||
      em.size() > kMaxModulusBytes)
    return false;
  const size_t em_bits = modulus_bits - 1, em_len = (em_bits + 7) / 8;
  if (em_len < em.size()) {  // emBits a multiple of 8: the recovered value has a leading zero byte
    if (em[0] != 0x00) return false;
    em = em.subspan(1);
  }
  // Steps 3-5.
  if (em_len < h_len + s_len + 2 || em[em_len - 1] != 0xbc) return false;
  const size_t db_len = em_len - h_len - 1;
  const Bytes h = em.subspan(db_len, h_len);
  // Step 6: the bits above emBits are zero.
  const unsigned top_bits = static_cast<unsigned>(8 * em_len - em_bits);  // 0..7
  const auto top_mask = static_cast<uint8_t>(0xff00u >> top_bits);        // those bits of the first byte
  if ((em[0] & top_mask) != 0) return false;
  // Steps 7-9.
  uint8_t db[kMaxModulusBytes];
  std::memcpy(db, em.data(), db_len);
  XorMgf1Mask(h_len, h, db, db_len);
  db[0] &= static_cast<uint8_t>(~top_mask);
  // Step 10: zeros, then 0x01, then the salt.
  const size_t one_at = db_len - s_len - 1;
  for (size_t i = 0; i < one_at; ++i)
    if (db[i] != 0x00) return false;
  if (db[one_at] != 0x01) return false;
  // Steps 12-14: H = Hash(0x00 x 8 || mHash || salt).
  static constexpr uint8_t kZeros[8] = {};
  uint8_t expected[SHA512_DIGEST_LENGTH];
  HashParts(h_len, {Bytes(kZeros), digest, Bytes(db + one_at + 1, s_len)}, expected);
  return std::memcmp(expected, h.data(), h_len) == 0;
}

}  // namespace tokenverify::internal
