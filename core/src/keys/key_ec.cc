// EC keys (kty "EC"): P-256 for ES256, P-384 for ES384, P-521 for ES512 and
// secp256k1 for ES256K (RFC 8812) only.
// JWS signatures are raw r||s, which ECDSA_do_verify takes as two numbers.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include <cstring>
#include <memory>
#include <string>

#include "keys/key_impl.h"

namespace tokenverify::internal {
namespace {

struct Curve {
  std::string_view jwk_name;  // "crv"
  const char* group;          // OpenSSL group name
  size_t coord_bytes;
  Alg alg;
};

constexpr Curve kCurves[] = {
    {"P-256", "prime256v1", 32, Alg::kES256},
    {"P-384", "secp384r1", 48, Alg::kES384},
    {"P-521", "secp521r1", 66, Alg::kES512},
    {"secp256k1", "secp256k1", 32, Alg::kES256K},
};

constexpr size_t kMaxCoordBytes = 66;

// The r and s of the signature being verified, as OpenSSL numbers held by one
// ECDSA_SIG per thread: BN_bin2bn refills them in place, so a warm thread
// verifies without allocating (EVP_PKEY_verify would decode a DER signature
// into new numbers on every call).
class ThreadSignature {
 public:
  ThreadSignature() noexcept {
    BIGNUM* r = BN_new();
    BIGNUM* s = BN_new();
    sig_ = ECDSA_SIG_new();
    if (sig_ != nullptr && r != nullptr && s != nullptr && ECDSA_SIG_set0(sig_, r, s) == 1) {
      r_ = r;
      s_ = s;
      return;
    }
    ECDSA_SIG_free(sig_);
    sig_ = nullptr;
    BN_free(r);
    BN_free(s);
  }
  ~ThreadSignature() { ECDSA_SIG_free(sig_); }  // frees r_ and s_ too
  ThreadSignature(const ThreadSignature&) = delete;
  ThreadSignature& operator=(const ThreadSignature&) = delete;

  // The raw JWS signature r||s (each half `coord_bytes` long) as an ECDSA_SIG,
  // or nullptr when OpenSSL could not allocate.
  const ECDSA_SIG* Load(const uint8_t* raw, size_t coord_bytes) noexcept {
    if (sig_ == nullptr || BN_bin2bn(raw, static_cast<int>(coord_bytes), r_) == nullptr ||
        BN_bin2bn(raw + coord_bytes, static_cast<int>(coord_bytes), s_) == nullptr)
      return nullptr;
    return sig_;
  }

 private:
  ECDSA_SIG* sig_ = nullptr;
  BIGNUM* r_ = nullptr;  // owned by sig_
  BIGNUM* s_ = nullptr;
};

// ECDSA verifies through the EC_KEY API (deprecated in OpenSSL 3, still
// supported; the core is built with OPENSSL_SUPPRESS_DEPRECATED): the same
// verification EVP_PKEY_verify ends in, without the provider dispatch and the
// DER round trip of the signature, about 1 % of an ES256 verification.
// Concurrent verifications only read the EC_KEY, as the provider's own do.
class EcKey final : public KeyBase {
 public:
  EcKey(EvpPkeyPtr pkey, EC_KEY* ec, const Curve& curve, JwkCommon&& common) noexcept
      : KeyBase(KeyType::kEc, AlgBit(curve.alg), std::move(common)), pkey_(std::move(pkey)), ec_(ec), curve_(curve) {}
  ~EcKey() override { EC_KEY_free(ec_); }

  Status Verify(Alg alg, std::span<const uint8_t> signing_input,
                std::span<const uint8_t> signature) const noexcept override {
    uint8_t digest[EVP_MAX_MD_SIZE];
    return VerifyDigest(alg, {digest, HashForAlg(alg, signing_input, digest)}, signature);
  }

  Status VerifyDigest(Alg alg, std::span<const uint8_t> digest,
                      std::span<const uint8_t> signature) const noexcept override {
    if (alg != curve_.alg) return Status::ERR_SIGNATURE_INVALID;
    if (signature.size() != 2 * curve_.coord_bytes) return Status::ERR_SIGNATURE_LENGTH;
    // ECDSA_do_verify would take (and truncate) a digest of any length: only alg's hash output is one.
    if (digest.size() != SignedDigestBytes(alg)) return Status::ERR_SIGNATURE_INVALID;
    thread_local ThreadSignature thread_signature;
    const ECDSA_SIG* sig = thread_signature.Load(signature.data(), curve_.coord_bytes);
    if (sig == nullptr) {
      ERR_clear_error();
      return Status::ERR_OUT_OF_MEMORY;
    }
    // OpenSSL refuses r or s outside [1, n-1].
    if (ECDSA_do_verify(digest.data(), static_cast<int>(digest.size()), sig, ec_) == 1) return Status::OK;
    ERR_clear_error();
    return Status::ERR_SIGNATURE_INVALID;
  }

  std::string_view curve() const noexcept override { return curve_.jwk_name; }

 private:
  EvpPkeyPtr pkey_;
  EC_KEY* ec_;  // the same public key, for ECDSA_do_verify
  const Curve& curve_;
};

// Builds the EVP_PKEY from the uncompressed point and checks it: on the curve,
// not the point at infinity, coordinates below p.
EvpPkeyPtr EcFromPoint(const Curve& curve, Bytes x, Bytes y) noexcept {
  uint8_t point[1 + 2 * kMaxCoordBytes];
  point[0] = 0x04;  // uncompressed
  std::memcpy(point + 1, x.data(), curve.coord_bytes);
  std::memcpy(point + 1 + curve.coord_bytes, y.data(), curve.coord_bytes);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* ctx = nullptr;
  EVP_PKEY_CTX* check = nullptr;
  EVP_PKEY* pkey = nullptr;
  if (bld != nullptr && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve.group, 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * curve.coord_bytes) == 1 &&
      (params = OSSL_PARAM_BLD_to_param(bld)) != nullptr &&
      (ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr)) != nullptr && EVP_PKEY_fromdata_init(ctx) == 1 &&
      EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1) {
    check = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
    if (check == nullptr || EVP_PKEY_public_check(check) != 1) {
      EVP_PKEY_free(pkey);
      pkey = nullptr;
    }
  }
  EVP_PKEY_CTX_free(check);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  ERR_clear_error();
  return EvpPkeyPtr(pkey);
}

}  // namespace

KeyResult NewEcKey(std::string_view crv, Bytes x, Bytes y, JwkCommon common, std::string* why) {
  const Curve* curve = nullptr;
  for (const Curve& c : kCurves) {
    if (c.jwk_name == crv) curve = &c;
  }
  if (curve == nullptr) {
    *why = Cat({"\"crv\" \"", crv.substr(0, 32), "\" is not P-256, P-384, P-521 or secp256k1"});
    return Status::ERR_JWK_INVALID;
  }
  // RFC 7518 6.2.1.2: coordinates are exactly the field size, leading zeros kept.
  for (auto [name, v] : {std::pair{"x", x}, std::pair{"y", y}}) {
    if (v.size() != curve->coord_bytes) {
      *why = Cat({"\"", name, "\" is ", std::to_string(v.size()), " bytes, ", curve->jwk_name, " needs ",
                  std::to_string(curve->coord_bytes)});
      return Status::ERR_JWK_INVALID;
    }
  }
  EvpPkeyPtr pkey = EcFromPoint(*curve, x, y);
  if (pkey == nullptr) {
    *why = Cat({"(\"x\", \"y\") is not a point on ", curve->jwk_name});
    return Status::ERR_JWK_INVALID;
  }
  std::unique_ptr<EC_KEY, decltype(&EC_KEY_free)> ec(EVP_PKEY_get1_EC_KEY(pkey.get()), &EC_KEY_free);
  if (ec == nullptr) {
    ERR_clear_error();
    *why = Cat({"OpenSSL could not use the ", curve->jwk_name, " key"});
    return Status::ERR_JWK_INVALID;
  }
  std::unique_ptr<Key> key(new EcKey(std::move(pkey), ec.get(), *curve, std::move(common)));
  ec.release();  // the key owns it now
  SetThumbprint(
      *key,
      JwkThumbprint({{"crv", curve->jwk_name}, {"kty", "EC"}, {"x", Base64urlEncode(x)}, {"y", Base64urlEncode(y)}}));
  return key;
}

}  // namespace tokenverify::internal
