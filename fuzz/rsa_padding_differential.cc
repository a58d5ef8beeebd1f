// Differential fuzzer for the RSA padding checks (core/src/keys/rsa_padding.h)
// against OpenSSL's: RSA_verify_PKCS1_PSS_mgf1 with the salt as long as the
// hash (PS*), and RSA_padding_check_PKCS1_type_1 followed by a comparison with
// the DigestInfo OpenSSL encodes (RS*). Each input picks an alg and a modulus
// length, builds an encoding of a digest (honest, with another salt length,
// under the DigestInfo without NULL, or raw bytes from the input), applies the
// input's byte changes and asks both.
//
// What must hold (any violation aborts with "differential mismatch"):
//  1. Both answer alike, for every input.
//  2. An honest encoding left unchanged is accepted.
//
// Input: byte 0 the alg (mod 6: RS256, RS384, RS512, PS256, PS384, PS512),
// bytes 1-2 the modulus length (2048 + value mod 2049 bits), byte 3 the
// construction (mod 4, below), byte 4 its parameter, bytes 5-20 hashed into
// the digest; then groups of three bytes (position, 2 bytes; xor value)
// changing the encoding.
#define OPENSSL_SUPPRESS_DEPRECATED  // OpenSSL's padding functions take the low-level RSA type
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "keys/rsa_padding.h"
#include "support/oracle/rsa_padding_openssl.h"

namespace {

using namespace tokenverify::internal;  // NOLINT: a harness of internals
using namespace tokenverify::testing;   // NOLINT: and of its OpenSSL oracle
using Buf = std::vector<uint8_t>;

constexpr Alg kAlgs[] = {Alg::kRS256, Alg::kRS384, Alg::kRS512, Alg::kPS256, Alg::kPS384, Alg::kPS512};
constexpr size_t kHeader = 21;

const EVP_MD* Md(Alg alg) { return ShaOfLength(SignedDigestBytes(alg)); }

bool IsPss(Alg alg) { return alg == Alg::kPS256 || alg == Alg::kPS384 || alg == Alg::kPS512; }

Buf Hash(const EVP_MD* md, const Buf& in) {
  Buf out(static_cast<size_t>(EVP_MD_get_size(md)));
  EVP_Digest(in.data(), in.size(), out.data(), nullptr, md, nullptr);
  return out;
}

// RFC 8017 9.1.1 with a salt derived from the digest (deterministic, unlike
// OpenSSL's encoder): EM in the modulus's length, leading zero byte included.
Buf PssEncode(Alg alg, int bits, const Buf& digest, size_t s_len) {
  const EVP_MD* md = Md(alg);
  const size_t h_len = digest.size(), k = static_cast<size_t>(bits + 7) / 8;
  const size_t em_bits = static_cast<size_t>(bits) - 1, em_len = (em_bits + 7) / 8;
  if (s_len + h_len + 2 > em_len) s_len = em_len - h_len - 2;
  Buf salt = Hash(EVP_sha512(), digest);
  salt.resize(s_len, 0x5a);
  Buf m(8, 0);
  m.insert(m.end(), digest.begin(), digest.end());
  m.insert(m.end(), salt.begin(), salt.end());
  const Buf h = Hash(md, m);
  const size_t db_len = em_len - h_len - 1;
  Buf db(db_len, 0);
  db[db_len - s_len - 1] = 0x01;
  std::memcpy(db.data() + db_len - s_len, salt.data(), s_len);
  Buf mask(db_len);
  PKCS1_MGF1(mask.data(), static_cast<long>(db_len), h.data(), static_cast<long>(h_len), md);
  for (size_t i = 0; i < db_len; ++i) db[i] ^= mask[i];
  db[0] &= static_cast<uint8_t>(0xff >> (8 * em_len - em_bits));
  Buf em(k - em_len, 0);
  em.insert(em.end(), db.begin(), db.end());
  em.insert(em.end(), h.begin(), h.end());
  em.push_back(0xbc);
  return em;
}

Buf Pkcs1Encode(int bits, const Buf& t) {
  Buf em(static_cast<size_t>(bits + 7) / 8);
  if (RSA_padding_add_PKCS1_type_1(em.data(), static_cast<int>(em.size()), t.data(), static_cast<int>(t.size())) != 1)
    std::abort();
  return em;
}

bool OpenSslAccepts(Alg alg, RSA* rsa, const Buf& digest, const Buf& em) {
  return IsPss(alg) ? OpenSslAcceptsPss(rsa, Md(alg), digest, em) : OpenSslAcceptsPkcs1(Md(alg), digest, em);
}

[[noreturn]] void Mismatch(const char* what, Alg alg, int bits, int construction, bool ours, bool theirs) {
  std::fprintf(stderr, "differential mismatch: %s (alg %d, %d bits, construction %d): ours %d, OpenSSL %d\n", what,
               static_cast<int>(alg), bits, construction, ours, theirs);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < kHeader) return 0;
  const Alg alg = kAlgs[data[0] % 6];
  const int bits = 2048 + static_cast<int>((data[1] << 8 | data[2]) % 2049);
  const int construction = data[3] % 4;
  const uint8_t param = data[4];
  const Buf digest = Hash(Md(alg), Buf(data + 5, data + kHeader));
  const size_t h_len = digest.size();

  Buf em;
  switch (construction) {
    case 0:  // honest
      em = IsPss(alg) ? PssEncode(alg, bits, digest, h_len)
                      : Pkcs1Encode(bits, OpenSslDigestInfo(Md(alg), digest, true));
      break;
    case 1:  // PSS: another salt length; PKCS#1: the DigestInfo without NULL
      em = IsPss(alg) ? PssEncode(alg, bits, digest, param == h_len ? 0 : param)
                      : Pkcs1Encode(bits, OpenSslDigestInfo(Md(alg), digest, false));
      break;
    case 2: {  // raw bytes: the changes below, cycled over the whole length
      em.assign(static_cast<size_t>(bits + 7) / 8, param);
      for (size_t i = 0, n = size - kHeader; n > 0 && i < em.size(); ++i) em[i] = data[kHeader + i % n];
      break;
    }
    default: {  // honest for another digest
      Buf other = digest;
      other[param % h_len] ^= 1;
      em = IsPss(alg) ? PssEncode(alg, bits, other, h_len) : Pkcs1Encode(bits, OpenSslDigestInfo(Md(alg), other, true));
      break;
    }
  }
  bool changed = false;
  if (construction != 2) {
    for (size_t at = kHeader; at + 3 <= size; at += 3) {
      const size_t pos = (static_cast<size_t>(data[at]) << 8 | data[at + 1]) % em.size();
      em[pos] ^= data[at + 2];
      changed = changed || data[at + 2] != 0;
    }
  }

  const bool theirs = OpenSslAccepts(alg, RsaOfModulusBits(bits).get(), digest, em);
  const bool ours = IsPss(alg) ? PssEncodingMatches(alg, em, static_cast<size_t>(bits), digest)
                               : Pkcs1v15EncodingMatches(alg, em, digest);
  if (ours != theirs) Mismatch("the two checks disagree", alg, bits, construction, ours, theirs);
  if (construction == 0 && !changed && !ours)
    Mismatch("an honest encoding is refused", alg, bits, construction, ours, theirs);
  return 0;
}
