// OpenSSL's side of the RSA padding questions that core/src/keys/rsa_padding.h
// answers for the engine: the oracle the unit tests (RsaPadding.*) and
// fuzz/rsa_padding_differential.cc hold those checks to.
#pragma once

#include <openssl/evp.h>
#include <openssl/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace tokenverify::testing {

using Bytes = std::vector<uint8_t>;

struct RsaFree {
  void operator()(RSA* r) const noexcept;
};
using RsaPtr = std::unique_ptr<RSA, RsaFree>;

// An RSA public key whose modulus has exactly `bits` bits. OpenSSL's padding
// functions read only its length, so any odd number of that length will do.
RsaPtr RsaOfModulusBits(int bits);

// SHA-256, SHA-384 or SHA-512 by its digest length.
const EVP_MD* ShaOfLength(size_t digest_bytes);

// The DER of DigestInfo as OpenSSL builds it (X509_SIG), with the NULL
// parameters or without them.
Bytes OpenSslDigestInfo(const EVP_MD* md, std::span<const uint8_t> digest, bool with_null);

// OpenSSL's verdicts on an encoded message `em` (the modulus's length in
// bytes): EMSA-PSS with MGF1 on `md` and a salt as long as the digest
// (RSA_verify_PKCS1_PSS_mgf1); EMSA-PKCS1-v1_5 (RSA_padding_check_PKCS1_type_1,
// then the recovered bytes against OpenSSL's DigestInfo with NULL).
bool OpenSslAcceptsPss(RSA* rsa, const EVP_MD* md, std::span<const uint8_t> digest, std::span<const uint8_t> em);
bool OpenSslAcceptsPkcs1(const EVP_MD* md, std::span<const uint8_t> digest, std::span<const uint8_t> em);

}  // namespace tokenverify::testing
