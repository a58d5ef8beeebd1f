// The padding check of an RSA signature: given the message representative
// that the public-key operation recovered from the signature (RFC 8017
// RSAVP1, done by OpenSSL), does it encode this digest as RS* (EMSA-PKCS1-v1_5)
// or PS* (EMSA-PSS with MGF1 on the same hash and a salt as long as the hash)
// would?
//
// Why our own and not EVP_PKEY_verify's: OpenSSL 3.0 checks PSS through
// EVP_MD_CTX objects, a digest init (with its provider dispatch) per 32
// bytes of mask and an allocation for the data block: about 1.1 us of a
// 17 us PS256 verification with a 2048-bit key, where the same hashes on a
// stack context take about 0.3 us. PKCS#1 v1.5 there allocates and
// re-encodes the DigestInfo. Everything checked here is public (the
// signature, the key, the digest of a token anyone can read), so nothing
// needs constant time. Checked against OpenSSL's own decisions in the unit
// tests (RsaPadding.*), the fuzz/rsa_padding_differential target, and every
// RSA Wycheproof vector the suites run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "token/alg.h"

namespace tokenverify::internal {

// RFC 8017 8.2.2 step 3-4: `em` (the modulus's length in bytes) is exactly
// 0x00 0x01, 0xff bytes, 0x00, the DigestInfo of `alg`'s hash with NULL
// parameters, and `digest`. Compared byte for byte at fixed places, as if
// the encoding were built and compared, so no other encoding passes.
bool Pkcs1v15EncodingMatches(Alg alg, std::span<const uint8_t> em, std::span<const uint8_t> digest) noexcept;

// RFC 8017 9.1.2 (EMSA-PSS-VERIFY) with emBits = modulus_bits - 1, MGF1 on
// `alg`'s hash and sLen = hLen: `em` is the modulus's length in bytes (one
// more than emLen when modulus_bits - 1 is a multiple of 8; that byte must
// be zero).
bool PssEncodingMatches(Alg alg, std::span<const uint8_t> em, size_t modulus_bits,
                        std::span<const uint8_t> digest) noexcept;

}  // namespace tokenverify::internal
