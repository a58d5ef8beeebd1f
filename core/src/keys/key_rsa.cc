// RSA keys (kty "RSA"): RS256/384/512 (PKCS#1 v1.5) and PS256/384/512 (PSS
// with MGF1 on the same hash and a salt exactly as long as the hash).
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <memory>
#include <string>

#include "keys/key_impl.h"
#include "keys/rsa_padding.h"

namespace tokenverify::internal {
namespace {

constexpr int kMinModulusBits = 2048;
// OpenSSL refuses larger moduli when verifying.
constexpr int kMaxModulusBits = OPENSSL_RSA_MAX_MODULUS_BITS;
// The public exponent is at most 2^32 (real keys use 65537). Verifying costs
// one modular multiplication per bit of e: a key with a huge e would make
// every forged token cost milliseconds, for anyone who can send one.
constexpr size_t kMaxExponentBytes = 4;

int BitLength(Bytes stripped) noexcept {
  if (stripped.empty()) return 0;
  int top = 0;
  for (unsigned v = stripped[0]; v != 0; v >>= 1) ++top;
  return static_cast<int>((stripped.size() - 1) * 8) + top;
}

bool IsPss(Alg alg) noexcept { return alg == Alg::kPS256 || alg == Alg::kPS384 || alg == Alg::kPS512; }

// ROCA (CVE-2017-15361): Infineon's RSALib built primes as k * M + (65537^a
// mod M), M the product of the first primes (always at least those up to
// 167). So for each such prime r, n mod r is a power of 65537 mod r. A random
// modulus has that property for all 38 odd primes with negligible probability,
// and a modulus that has it can be factored: refuse it.
constexpr uint16_t kRocaPrimes[] = {3,   5,   7,   11,  13,  17,  19,  23,  29,  31,  37,  41,  43,
                                    47,  53,  59,  61,  67,  71,  73,  79,  83,  89,  97,  101, 103,
                                    107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167};

bool HasRocaFingerprint(Bytes n) noexcept {
  for (const uint32_t r : kRocaPrimes) {
    uint32_t rem = 0;
    for (const uint8_t b : n) rem = (rem * 256 + b) % r;
    const uint32_t g = 65537 % r;
    uint32_t power = 1;
    bool in_subgroup = false;
    for (uint32_t i = 0; i < r && !in_subgroup; ++i) {  // the powers of g cycle within r - 1 steps
      in_subgroup = power == rem;
      power = power * g % r;
    }
    if (!in_subgroup) return false;
  }
  return true;
}

// Prepares an EVP_PKEY_CTX that recovers the message representative from a
// signature (RFC 8017 RSAVP1: s^e mod n, refusing s >= n), on the calling
// thread's own copy of the key; the padding is checked by rsa_padding.cc,
// for either padding (why not OpenSSL's: rsa_padding.h). Why a copy: every
// RSA public-key operation takes a read lock on its key (to fetch the cached
// Montgomery form of n), which is two atomic writes to a cache line that all
// threads verifying with a shared key would fight over. The copy (a few
// hundred bytes per key and thread, freed with the cached context) keeps
// that line to one thread.
bool InitRsaCtx(EVP_PKEY* pkey, Alg, VerifyCtx* out) noexcept {
  EVP_PKEY* own = EVP_PKEY_dup(pkey);
  if (own == nullptr) return false;
  out->pkey_ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, own, nullptr);
  EVP_PKEY_free(own);  // the context holds its own reference
  EVP_PKEY_CTX* ctx = out->pkey_ctx;
  return ctx != nullptr && EVP_PKEY_verify_recover_init(ctx) == 1 &&
         EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) == 1;
}

class RsaKey final : public KeyBase {
 public:
  RsaKey(EvpPkeyPtr pkey, int bits, JwkCommon&& common) noexcept
      : KeyBase(KeyType::kRsa, kRsaAlgs, std::move(common)),
        pkey_(std::move(pkey)),
        bits_(bits),
        signature_bytes_((static_cast<size_t>(bits) + 7) / 8) {}

  Status Verify(Alg alg, std::span<const uint8_t> signing_input,
                std::span<const uint8_t> signature) const noexcept override {
    uint8_t digest[EVP_MAX_MD_SIZE];
    return VerifyDigest(alg, {digest, HashForAlg(alg, signing_input, digest)}, signature);
  }

  Status VerifyDigest(Alg alg, std::span<const uint8_t> digest,
                      std::span<const uint8_t> signature) const noexcept override {
    if (!FamilyAllows(alg)) return Status::ERR_SIGNATURE_INVALID;
    // RFC 7518 3.3/3.5: the signature is exactly as long as the modulus.
    if (signature.size() != signature_bytes_) return Status::ERR_SIGNATURE_LENGTH;
    if (digest.size() != SignedDigestBytes(alg)) return Status::ERR_SIGNATURE_INVALID;
    // One context per key and thread serves every RSA alg: it only recovers.
    VerifyCtx* ctx = CachedVerifyCtx(id(), Alg::kRS256, pkey_.get(), &InitRsaCtx);
    if (ctx == nullptr) {
      ERR_clear_error();
      return Status::ERR_INTERNAL;
    }
    uint8_t em[kMaxModulusBits / 8];
    size_t em_len = sizeof em;
    if (EVP_PKEY_verify_recover(ctx->pkey_ctx, em, &em_len, signature.data(), signature.size()) != 1) {
      ERR_clear_error();  // s >= n: a bad signature is not an error worth keeping in the thread's queue
      return Status::ERR_SIGNATURE_INVALID;
    }
    const std::span<const uint8_t> recovered(em, em_len);
    const bool matches = em_len == signature_bytes_ &&
                         (IsPss(alg) ? PssEncodingMatches(alg, recovered, static_cast<size_t>(bits_), digest)
                                     : Pkcs1v15EncodingMatches(alg, recovered, digest));
    return matches ? Status::OK : Status::ERR_SIGNATURE_INVALID;
  }

  size_t bits() const noexcept override { return static_cast<size_t>(bits_); }

 private:
  EvpPkeyPtr pkey_;
  int bits_;
  size_t signature_bytes_;
};

// Builds the EVP_PKEY from n and e (both big-endian, leading zeros stripped).
EvpPkeyPtr RsaFromParams(Bytes n, Bytes e) noexcept {
  BIGNUM* bn_n = BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* ctx = nullptr;
  EVP_PKEY* pkey = nullptr;
  if (bn_n != nullptr && bn_e != nullptr && bld != nullptr &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1 &&
      (params = OSSL_PARAM_BLD_to_param(bld)) != nullptr &&
      (ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr)) != nullptr && EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) pkey = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_e);
  BN_free(bn_n);
  ERR_clear_error();
  return EvpPkeyPtr(pkey);
}

}  // namespace

KeyResult NewRsaKey(Bytes n, Bytes e, JwkCommon common, std::string* why) {
  // RFC 7518 forbids leading zero octets, but real key sets (kgateway's
  // example among them) carry one, and they change nothing: accept and strip.
  n = StripLeadingZeros(n);
  e = StripLeadingZeros(e);
  const int bits = BitLength(n);
  if (bits < kMinModulusBits) {
    *why = Cat({"\"n\" is a ", std::to_string(bits), "-bit modulus; at least ", std::to_string(kMinModulusBits),
                " bits are required"});
    return Status::ERR_JWK_WEAK;
  }
  if (bits > kMaxModulusBits) {
    *why = Cat({"\"n\" is a ", std::to_string(bits), "-bit modulus; at most ", std::to_string(kMaxModulusBits),
                " bits are supported"});
    return Status::ERR_JWK_INVALID;
  }
  if ((n.back() & 1) == 0) {
    *why = "\"n\" is even, so it is not an RSA modulus";
    return Status::ERR_JWK_INVALID;
  }
  // e = 1 makes every message its own signature; an even e is not an RSA exponent.
  if (e.empty() || (e.back() & 1) == 0 || (e.size() == 1 && e[0] < 3)) {
    *why = "\"e\" must be odd and at least 3";
    return Status::ERR_JWK_WEAK;
  }
  if (e.size() > n.size() ||
      (e.size() == n.size() && !std::lexicographical_compare(e.begin(), e.end(), n.begin(), n.end()))) {
    *why = "\"e\" is not smaller than \"n\"";
    return Status::ERR_JWK_INVALID;
  }
  // 2^32 itself is even, refused above: so e < 2^32 here once it fits 4 bytes.
  if (e.size() > kMaxExponentBytes) {
    *why = Cat({"\"e\" is ", std::to_string(BitLength(e)),
                " bits long; at most 2^32 is accepted (a larger exponent makes every verification slow)"});
    return Status::ERR_JWK_INVALID;
  }
  if (HasRocaFingerprint(n)) {
    *why = "\"n\" has the ROCA fingerprint (CVE-2017-15361): the key can be factored";
    return Status::ERR_JWK_WEAK;
  }
  EvpPkeyPtr pkey = RsaFromParams(n, e);
  if (pkey == nullptr) {
    *why = "OpenSSL refused the RSA public key";
    return Status::ERR_JWK_INVALID;
  }
  std::unique_ptr<Key> key(new RsaKey(std::move(pkey), bits, std::move(common)));
  SetThumbprint(*key, JwkThumbprint({{"e", Base64urlEncode(e)}, {"kty", "RSA"}, {"n", Base64urlEncode(n)}}));
  return key;
}

}  // namespace tokenverify::internal
