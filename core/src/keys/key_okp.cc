// OKP keys (kty "OKP", RFC 8037): Ed25519 and Ed448, each for its RFC 9864
// name ("Ed25519", "Ed448") and for the deprecated polymorphic "EdDSA".
// X25519/X448 are key-agreement curves and are skipped by the JWK parser
// before this file. Both curves are checked here (length, small-order
// refusal, thumbprint); Ed25519 keys then verify through libsodium
// (key_ed25519.cc), Ed448 keys through OpenSSL's EVP_DigestVerify below.
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include <cstring>
#include <memory>
#include <string>

#include "keys/key_impl.h"

namespace tokenverify::internal {
namespace {

struct EdCurve {
  std::string_view jwk_name;
  const char* key_type;  // OpenSSL key type name
  size_t key_bytes;
  size_t signature_bytes;
  AlgSet algs;  // the algorithms this curve's keys verify
};

constexpr EdCurve kEd25519 = {"Ed25519", "ED25519", 32, 64, kEd25519Algs};
constexpr EdCurve kEd448 = {"Ed448", "ED448", 57, 114, kEd448Algs};

// The y coordinates (little-endian, reduced mod p = 2^255 - 19) of the eight
// points of order dividing 8: the identity (y = 1), the point of order 2
// (y = p - 1), the two of order 4 (y = 0) and the four of order 8 (y = +-y8,
// where y8^2 = (sqrt(1 + d) - 1) / d). A public key among them makes every
// signature with s = 0 and a small-order R verify for many messages, so the
// key proves nothing. Checked by point arithmetic: 8 * (x, y8) = identity
// and no smaller multiple is.
constexpr uint8_t kSmallOrderY[][32] = {
    {0},  // 0
    {1},  // 1
    {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},  // p - 1
    {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
     0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},  // y8
    {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
     0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},  // p - y8
};

bool IsSmallOrderEd25519(const uint8_t* key) noexcept {
  uint8_t y[32];
  std::memcpy(y, key, 32);
  y[31] &= 0x7f;  // bit 255 is the sign of x
  // Reduce mod p. Only y in [p, 2^255) needs it: those are p + k for k < 19,
  // i.e. bytes 1..30 all 0xff, byte 31 = 0x7f and byte 0 >= 0xed.
  bool ge_p = y[31] == 0x7f && y[0] >= 0xed;
  for (int i = 1; i < 31 && ge_p; ++i) ge_p = y[i] == 0xff;
  if (ge_p) {
    const uint8_t k = static_cast<uint8_t>(y[0] - 0xed);
    std::memset(y, 0, sizeof y);
    y[0] = k;
  }
  for (const auto& s : kSmallOrderY) {
    if (std::memcmp(y, s, 32) == 0) return true;
  }
  return false;
}

// Ed448 (cofactor 4) has four points of small order: the identity (y = 1),
// (0, -1) of order 2 and (+-1, 0) of order 4. As for Ed25519, such a key
// proves nothing. The encodings of y (56 bytes, little-endian) that reduce to
// 0, 1 or p - 1 for p = 2^448 - 2^224 - 1 are 0, 1, p - 1, p and p + 1.
struct Ed448Y {
  uint8_t b[56];
};
constexpr Ed448Y Ed448Encoding(uint8_t low, uint8_t mid_low, uint8_t at28, uint8_t high) {
  Ed448Y y{};
  y.b[0] = low;
  for (int i = 1; i < 28; ++i) y.b[i] = mid_low;
  y.b[28] = at28;
  for (int i = 29; i < 56; ++i) y.b[i] = high;
  return y;
}
constexpr Ed448Y kSmallOrderEd448Y[] = {
    Ed448Encoding(0x00, 0x00, 0x00, 0x00),  // 0
    Ed448Encoding(0x01, 0x00, 0x00, 0x00),  // 1
    Ed448Encoding(0xfe, 0xff, 0xfe, 0xff),  // p - 1
    Ed448Encoding(0xff, 0xff, 0xfe, 0xff),  // p (= 0)
    Ed448Encoding(0x00, 0x00, 0xff, 0xff),  // p + 1 (= 1)
};

bool IsSmallOrderEd448(const uint8_t* key) noexcept {
  // Byte 56 holds only the sign of x; other bits there make the key
  // undecodable, which verification refuses anyway.
  if ((key[56] & 0x7f) != 0) return false;
  for (const Ed448Y& y : kSmallOrderEd448Y) {
    if (std::memcmp(key, y.b, sizeof y.b) == 0) return true;
  }
  return false;
}

// Can one EVP_MD_CTX, initialised once, run EVP_DigestVerify again and again?
// (Ed448 keys only: Ed25519 keys verify through libsodium.)
// OpenSSL 3.0 allows it for EdDSA (the one-shot keeps no state), but a library
// may mark the context finalised after one call; then we re-initialise it
// before each use. Probed once per process with a throwaway key.
bool ProbeReusableOneShot() noexcept {
  bool reusable = false;
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED448");
  EVP_MD_CTX* sign = EVP_MD_CTX_new();
  EVP_MD_CTX* verify = EVP_MD_CTX_new();
  uint8_t sig[114];
  size_t sig_len = sizeof sig;
  static constexpr uint8_t kMsg[] = {'p', 'r', 'o', 'b', 'e'};
  if (key != nullptr && sign != nullptr && verify != nullptr &&
      EVP_DigestSignInit(sign, nullptr, nullptr, nullptr, key) == 1 &&
      EVP_DigestSign(sign, sig, &sig_len, kMsg, sizeof kMsg) == 1 &&
      EVP_DigestVerifyInit(verify, nullptr, nullptr, nullptr, key) == 1 &&
      EVP_DigestVerify(verify, sig, sig_len, kMsg, sizeof kMsg) == 1) {
    reusable = EVP_DigestVerify(verify, sig, sig_len, kMsg, sizeof kMsg) == 1;
  }
  EVP_MD_CTX_free(verify);
  EVP_MD_CTX_free(sign);
  EVP_PKEY_free(key);
  ERR_clear_error();
  return reusable;
}

bool OneShotIsReusable() noexcept {
  static const bool reusable = ProbeReusableOneShot();
  return reusable;
}

bool InitEdCtx(EVP_PKEY* pkey, Alg, VerifyCtx* out) noexcept {
  out->md_ctx = EVP_MD_CTX_new();
  return out->md_ctx != nullptr && EVP_DigestVerifyInit(out->md_ctx, nullptr, nullptr, nullptr, pkey) == 1;
}

class OkpKey final : public KeyBase {
 public:
  OkpKey(EvpPkeyPtr pkey, const EdCurve& curve, JwkCommon&& common) noexcept
      : KeyBase(KeyType::kOkp, curve.algs, std::move(common)),
        pkey_(std::move(pkey)),
        curve_(curve),
        reuse_ctx_(OneShotIsReusable()) {}

  Status Verify(Alg alg, std::span<const uint8_t> signing_input,
                std::span<const uint8_t> signature) const noexcept override {
    if (!AlgSetHas(curve_.algs, alg)) return Status::ERR_SIGNATURE_INVALID;
    if (signature.size() != curve_.signature_bytes) return Status::ERR_SIGNATURE_LENGTH;
    VerifyCtx* ctx = CachedVerifyCtx(id(), alg, pkey_.get(), &InitEdCtx);
    if (ctx == nullptr ||
        (!reuse_ctx_ && EVP_DigestVerifyInit(ctx->md_ctx, nullptr, nullptr, nullptr, pkey_.get()) != 1)) {
      ERR_clear_error();
      return Status::ERR_INTERNAL;
    }
    if (EVP_DigestVerify(ctx->md_ctx, signature.data(), signature.size(), signing_input.data(), signing_input.size()) ==
        1)
      return Status::OK;
    ERR_clear_error();
    return Status::ERR_SIGNATURE_INVALID;
  }

  std::string_view curve() const noexcept override { return curve_.jwk_name; }

 private:
  EvpPkeyPtr pkey_;
  const EdCurve& curve_;
  bool reuse_ctx_;
};

EvpPkeyPtr EdFromPublic(const EdCurve& curve, Bytes x) noexcept {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* ctx = nullptr;
  EVP_PKEY* pkey = nullptr;
  if (bld != nullptr && OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, x.data(), x.size()) == 1 &&
      (params = OSSL_PARAM_BLD_to_param(bld)) != nullptr &&
      (ctx = EVP_PKEY_CTX_new_from_name(nullptr, curve.key_type, nullptr)) != nullptr &&
      EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) pkey = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  ERR_clear_error();
  return EvpPkeyPtr(pkey);
}

}  // namespace

KeyResult NewOkpKey(std::string_view crv, Bytes x, JwkCommon common, std::string* why) {
  const EdCurve* curve = crv == kEd25519.jwk_name ? &kEd25519 : crv == kEd448.jwk_name ? &kEd448 : nullptr;
  if (curve == nullptr) {
    *why = Cat({"\"crv\" \"", crv.substr(0, 32), "\" is not Ed25519 or Ed448"});
    return Status::ERR_JWK_INVALID;
  }
  if (x.size() != curve->key_bytes) {
    *why = Cat({"\"x\" is ", std::to_string(x.size()), " bytes, ", curve->jwk_name, " needs ",
                std::to_string(curve->key_bytes)});
    return Status::ERR_JWK_INVALID;
  }
  if (curve == &kEd25519 ? IsSmallOrderEd25519(x.data()) : IsSmallOrderEd448(x.data())) {
    *why = Cat({"\"x\" is a small-order ", curve->jwk_name, " point"});
    return Status::ERR_JWK_WEAK;
  }
  std::unique_ptr<Key> key;
  if (curve == &kEd25519) {
    KeyResult ed25519 = NewEd25519Key(x, std::move(common), why);
    if (!ed25519.ok()) return ed25519.status();
    key = std::move(ed25519).value();
  } else {
    EvpPkeyPtr pkey = EdFromPublic(*curve, x);
    if (pkey == nullptr) {
      *why = Cat({"OpenSSL refused the ", curve->jwk_name, " public key"});
      return Status::ERR_JWK_INVALID;
    }
    key.reset(new OkpKey(std::move(pkey), *curve, std::move(common)));
  }
  SetThumbprint(*key, JwkThumbprint({{"crv", curve->jwk_name}, {"kty", "OKP"}, {"x", Base64urlEncode(x)}}));
  return key;
}

}  // namespace tokenverify::internal
