// OpenSSL's padding functions take the low-level RSA type, deprecated in
// OpenSSL 3 but supported; they are the reference here.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "support/oracle/rsa_padding_openssl.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstring>

namespace tokenverify::testing {

void RsaFree::operator()(RSA* r) const noexcept { RSA_free(r); }

RsaPtr RsaOfModulusBits(int bits) {
  BIGNUM* n = BN_new();
  BIGNUM* e = BN_new();
  BN_set_bit(n, bits - 1);
  BN_set_bit(n, 0);
  BN_set_word(e, 65537);
  RsaPtr rsa(RSA_new());
  RSA_set0_key(rsa.get(), n, e, nullptr);
  return rsa;
}

const EVP_MD* ShaOfLength(size_t digest_bytes) {
  switch (digest_bytes) {
    case 32:
      return EVP_sha256();
    case 48:
      return EVP_sha384();
    default:
      return EVP_sha512();
  }
}

Bytes OpenSslDigestInfo(const EVP_MD* md, std::span<const uint8_t> digest, bool with_null) {
  X509_SIG* sig = X509_SIG_new();
  X509_ALGOR* algor = nullptr;
  ASN1_OCTET_STRING* octets = nullptr;
  X509_SIG_getm(sig, &algor, &octets);
  X509_ALGOR_set0(algor, OBJ_nid2obj(EVP_MD_get_type(md)), with_null ? V_ASN1_NULL : V_ASN1_UNDEF, nullptr);
  ASN1_OCTET_STRING_set(octets, digest.data(), static_cast<int>(digest.size()));
  unsigned char* der = nullptr;
  const int n = i2d_X509_SIG(sig, &der);
  Bytes out(der, der + (n > 0 ? n : 0));
  OPENSSL_free(der);
  X509_SIG_free(sig);
  return out;
}

bool OpenSslAcceptsPss(RSA* rsa, const EVP_MD* md, std::span<const uint8_t> digest, std::span<const uint8_t> em) {
  const int s_len = static_cast<int>(digest.size());
  const bool ok = RSA_verify_PKCS1_PSS_mgf1(rsa, digest.data(), md, md, em.data(), s_len) == 1;
  ERR_clear_error();
  return ok;
}

bool OpenSslAcceptsPkcs1(const EVP_MD* md, std::span<const uint8_t> digest, std::span<const uint8_t> em) {
  const Bytes t = OpenSslDigestInfo(md, digest, true);
  Bytes out(em.size());
  const int len = static_cast<int>(em.size());
  const int n = RSA_padding_check_PKCS1_type_1(out.data(), len, em.data(), len, len);
  ERR_clear_error();
  return n == static_cast<int>(t.size()) && std::memcmp(out.data(), t.data(), t.size()) == 0;
}

}  // namespace tokenverify::testing
