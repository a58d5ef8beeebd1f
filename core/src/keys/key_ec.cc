// EC keys (kty "EC"): P-256 for ES256, P-384 for ES384, P-521 for ES512 and
// secp256k1 for ES256K (RFC 8812) only.
// JWS signatures are raw r||s; OpenSSL wants DER, which we build on the stack.
#include <openssl/core_names.h>
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
// SEQUENCE header (3) + two INTEGERs of header (2) + sign pad (1) + value.
constexpr size_t kMaxDerBytes = 3 + 2 * (2 + 1 + kMaxCoordBytes);

// Writes the minimal DER INTEGER of the unsigned big-endian `v`; returns its size.
size_t PutDerInteger(const uint8_t* v, size_t n, uint8_t* out) noexcept {
  size_t i = 0;
  while (i < n && v[i] == 0) ++i;
  const uint8_t* digits = v + i;
  size_t len = n - i;
  static constexpr uint8_t kZero = 0;
  if (len == 0) {  // r or s = 0: encode 0 and let OpenSSL refuse it (0 < r,s < n)
    digits = &kZero;
    len = 1;
  }
  const size_t pad = (digits[0] & 0x80) ? 1 : 0;  // keep the INTEGER positive
  out[0] = 0x02;
  out[1] = static_cast<uint8_t>(len + pad);  // at most 67: short form
  out[2] = 0;
  std::memcpy(out + 2 + pad, digits, len);
  return 2 + pad + len;
}

// DER-encodes the raw signature r||s (each half coord_bytes long).
size_t RawToDer(const uint8_t* sig, size_t coord_bytes, uint8_t* out) noexcept {
  uint8_t body[kMaxDerBytes];
  size_t body_len = PutDerInteger(sig, coord_bytes, body);
  body_len += PutDerInteger(sig + coord_bytes, coord_bytes, body + body_len);
  size_t h = 0;
  out[h++] = 0x30;
  if (body_len >= 0x80) out[h++] = 0x81;  // at most 138 bytes: one length octet
  out[h++] = static_cast<uint8_t>(body_len);
  std::memcpy(out + h, body, body_len);
  return h + body_len;
}

bool InitEcCtx(EVP_PKEY* pkey, Alg alg, VerifyCtx* out) noexcept {
  out->pkey_ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr);
  const EVP_MD* md = MdForAlg(alg);
  return out->pkey_ctx != nullptr && md != nullptr && EVP_PKEY_verify_init(out->pkey_ctx) == 1 &&
         EVP_PKEY_CTX_set_signature_md(out->pkey_ctx, md) == 1;
}

class EcKey final : public KeyBase {
 public:
  EcKey(EvpPkeyPtr pkey, const Curve& curve, JwkCommon&& common) noexcept
      : KeyBase(KeyType::kEc, AlgBit(curve.alg), std::move(common)), pkey_(std::move(pkey)), curve_(curve) {}

  Status Verify(Alg alg, std::span<const uint8_t> signing_input,
                std::span<const uint8_t> signature) const noexcept override {
    if (alg != curve_.alg) return Status::ERR_SIGNATURE_INVALID;
    if (signature.size() != 2 * curve_.coord_bytes) return Status::ERR_SIGNATURE_LENGTH;
    uint8_t der[kMaxDerBytes];
    const size_t der_len = RawToDer(signature.data(), curve_.coord_bytes, der);
    uint8_t digest[EVP_MAX_MD_SIZE];
    const size_t digest_len = HashForAlg(alg, signing_input, digest);
    VerifyCtx* ctx = CachedVerifyCtx(id(), alg, pkey_.get(), &InitEcCtx);
    if (ctx == nullptr) {
      ERR_clear_error();
      return Status::ERR_INTERNAL;
    }
    // OpenSSL refuses r or s outside [1, n-1] (and any DER that is not ours).
    if (EVP_PKEY_verify(ctx->pkey_ctx, der, der_len, digest, digest_len) == 1) return Status::OK;
    ERR_clear_error();
    return Status::ERR_SIGNATURE_INVALID;
  }

  std::string_view curve() const noexcept override { return curve_.jwk_name; }

 private:
  EvpPkeyPtr pkey_;
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
  std::unique_ptr<Key> key(new EcKey(std::move(pkey), *curve, std::move(common)));
  SetThumbprint(
      *key,
      JwkThumbprint({{"crv", curve->jwk_name}, {"kty", "EC"}, {"x", Base64urlEncode(x)}, {"y", Base64urlEncode(y)}}));
  return key;
}

}  // namespace tokenverify::internal
