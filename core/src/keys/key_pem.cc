// PEM public keys (SubjectPublicKeyInfo, PKCS#1 RSA, certificates) as a key
// set. OpenSSL decodes the DER; the key material then goes through the same
// factories as a JWK, so every rule (RSA size, curve points, small-order
// Ed25519) applies to PEM keys too.
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "keys/key.h"
#include "keys/key_impl.h"

namespace tokenverify::internal {
namespace {

// At most this many PEM blocks in one document (the same bound as JWK sets).
constexpr size_t kMaxPemKeys = 256;

Status Fail(Error* err, Status s, std::string message) {
  if (err != nullptr) {
    err->status = s;
    err->message = std::move(message);
  }
  return s;
}

struct BnDeleter {
  void operator()(BIGNUM* b) const noexcept { BN_free(b); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;

// A big-endian copy of one BIGNUM parameter, left-padded to `width` bytes
// (0: its natural length). False if absent or wider than `width`.
bool BnParam(const EVP_PKEY* pkey, const char* name, int width, std::vector<uint8_t>* out) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) return false;
  BnPtr bn(raw);
  const int n = width > 0 ? width : BN_num_bytes(bn.get());
  out->assign(static_cast<size_t>(n), 0);
  return BN_bn2binpad(bn.get(), out->data(), n) == n;
}

// The key material of `pkey`, through the JWK factories.
KeyResult KeyFromPkey(const EVP_PKEY* pkey, JwkCommon common, std::string* why) {
  switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA: {
      std::vector<uint8_t> n, e;
      if (!BnParam(pkey, OSSL_PKEY_PARAM_RSA_N, 0, &n) || !BnParam(pkey, OSSL_PKEY_PARAM_RSA_E, 0, &e)) {
        *why = "cannot read the RSA modulus and exponent";
        return Status::ERR_JWK_INVALID;
      }
      return NewRsaKey(n, e, std::move(common), why);
    }
    case EVP_PKEY_EC: {
      char group[64] = {};
      if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, nullptr) != 1) {
        *why = "an EC key without a named curve";
        return Status::ERR_JWK_INVALID;
      }
      struct Curve {
        const char* openssl;
        const char* jwk;
        int bytes;
      };
      static constexpr Curve kCurves[] = {{"prime256v1", "P-256", 32},
                                          {"secp384r1", "P-384", 48},
                                          {"secp521r1", "P-521", 66},
                                          {"secp256k1", "secp256k1", 32}};
      for (const Curve& c : kCurves) {
        if (std::strcmp(group, c.openssl) != 0) continue;
        std::vector<uint8_t> x, y;
        if (!BnParam(pkey, OSSL_PKEY_PARAM_EC_PUB_X, c.bytes, &x) ||
            !BnParam(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, c.bytes, &y)) {
          *why = "cannot read the EC public point";
          return Status::ERR_JWK_INVALID;
        }
        return NewEcKey(c.jwk, x, y, std::move(common), why);
      }
      *why = Cat({"EC curve ", group, " is not P-256, P-384, P-521 or secp256k1"});
      return Status::ERR_JWK_INVALID;
    }
    case EVP_PKEY_ED25519:
    case EVP_PKEY_ED448: {
      uint8_t raw[57];
      size_t len = sizeof raw;
      if (EVP_PKEY_get_raw_public_key(pkey, raw, &len) != 1) {
        *why = "cannot read the EdDSA public key";
        return Status::ERR_JWK_INVALID;
      }
      const bool ed25519 = EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519;
      return NewOkpKey(ed25519 ? "Ed25519" : "Ed448", Bytes(raw, len), std::move(common), why);
    }
    default:
      *why = "unsupported key type (RSA, EC P-256/384/521/secp256k1, Ed25519 and Ed448 are)";
      return Status::ERR_JWK_INVALID;
  }
}

// One PEM block: its label and its DER bytes (OpenSSL's, freed with it).
struct PemBlock {
  std::string label;
  unsigned char* der = nullptr;
  long len = 0;
  PemBlock() = default;
  PemBlock(const PemBlock&) = delete;
  PemBlock& operator=(const PemBlock&) = delete;
  ~PemBlock() { OPENSSL_free(der); }
};

// Reads the next PEM block of `bio` into *out. False at the end of the text
// or on a broken block: ERR_peek_last_error() tells which (PEM_R_NO_START_LINE
// is the end).
bool ReadPemBlock(BIO* bio, PemBlock* out) {
  char* name = nullptr;
  char* header = nullptr;
  ERR_clear_error();
  if (PEM_read_bio(bio, &name, &header, &out->der, &out->len) != 1) return false;
  out->label = name;
  OPENSSL_free(name);
  OPENSSL_free(header);
  return true;
}

// Decodes the DER of one PEM block named `name` into a public key.
EvpPkeyPtr DecodeBlock(const std::string& name, const uint8_t* der, long len, std::string* why) {
  const uint8_t* p = der;
  EvpPkeyPtr pkey;
  if (name == "PUBLIC KEY") {
    pkey.reset(d2i_PUBKEY(nullptr, &p, len));
  } else if (name == "RSA PUBLIC KEY") {
    pkey.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, len));
  } else if (name == "CERTIFICATE") {
    X509* cert = d2i_X509(nullptr, &p, len);
    if (cert != nullptr) pkey.reset(X509_get_pubkey(cert));
    X509_free(cert);
  } else if (name.find("PRIVATE KEY") != std::string::npos) {
    *why = "is a private key; give the public key (openssl pkey -pubout)";
    return nullptr;
  } else {
    *why = Cat({"is a \"", name, "\" block; expected PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE"});
    return nullptr;
  }
  if (pkey == nullptr || p != der + len) {
    *why = "holds DER that does not decode as its label says";
    return nullptr;
  }
  return pkey;
}

Result<std::shared_ptr<const KeySet>> ParsePemKeysImpl(std::string_view pem, Error* err, UnusableKeys unusable) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (bio == nullptr) return Fail(err, Status::ERR_OUT_OF_MEMORY, "out of memory");
  std::vector<std::unique_ptr<Key>> keys;
  std::vector<SkippedKey> skipped;  // key material the JWK rules refuse (a weak RSA key, ...)
  for (size_t block = 0;; ++block) {
    PemBlock pem_block;
    if (!ReadPemBlock(bio.get(), &pem_block)) {
      // "No start line" is the normal end of the text; anything else is a broken block.
      if (ERR_GET_REASON(ERR_peek_last_error()) == PEM_R_NO_START_LINE) break;
      return Fail(err, Status::ERR_JWK_INVALID,
                  Cat({"PEM block ", std::to_string(block), " is malformed (bad base64 or no END line)"}));
    }
    const std::string where = Cat({"PEM block ", std::to_string(block), " (", pem_block.label, ")"});
    std::string why;
    EvpPkeyPtr pkey = DecodeBlock(pem_block.label, pem_block.der, pem_block.len, &why);
    if (pkey == nullptr) return Fail(err, Status::ERR_JWK_INVALID, Cat({where, " ", why}));
    KeyResult key = KeyFromPkey(pkey.get(), JwkCommon{}, &why);
    if (key.ok()) {
      keys.push_back(std::move(key).value());
    } else {
      if (key.status() == Status::ERR_OUT_OF_MEMORY || unusable == UnusableKeys::kRefuse)
        return Fail(err, key.status(), Cat({where, ": ", why}));
      SkippedKey s;
      s.status = key.status();
      s.reason = Cat({where, ": ", why});
      switch (EVP_PKEY_get_base_id(pkey.get())) {
        case EVP_PKEY_RSA:
          s.kty = "RSA";
          s.family = kRsaAlgs;
          break;
        case EVP_PKEY_EC:
          s.kty = "EC";
          s.family = kEcdsaAlgs;
          break;
        case EVP_PKEY_ED25519:
          s.kty = "OKP";
          s.family = kEd25519Algs;
          break;
        case EVP_PKEY_ED448:
          s.kty = "OKP";
          s.family = kEd448Algs;
          break;
        default:
          break;
      }
      skipped.push_back(std::move(s));
    }
    if (keys.size() + skipped.size() > kMaxPemKeys)
      return Fail(err, Status::ERR_JWKS_MALFORMED, Cat({"more than ", std::to_string(kMaxPemKeys), " PEM keys"}));
  }
  if (keys.empty() && !skipped.empty()) {
    std::string message = skipped.front().reason;
    if (skipped.size() > 1)
      message += Cat({" (and ", std::to_string(skipped.size() - 1), " more keys skipped: no usable key)"});
    return Fail(err, skipped.front().status, std::move(message));
  }
  if (keys.empty()) return Fail(err, Status::ERR_JWK_INVALID, "no PEM block (-----BEGIN PUBLIC KEY----- ...) found");
  return KeySet::Build(std::move(keys), err, /*ignore_kid=*/true, std::move(skipped));
}

}  // namespace

KeyResult NewKeyFromCertificatePem(std::string_view pem, JwkCommon common, std::string* why) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (bio == nullptr) throw std::bad_alloc();
  PemBlock cert;
  if (!ReadPemBlock(bio.get(), &cert)) {
    ERR_clear_error();
    *why = "is not a PEM certificate (bad base64, or no BEGIN or END line)";
    return Status::ERR_JWK_INVALID;
  }
  const std::string& label = cert.label;
  EvpPkeyPtr pkey;
  if (label == "CERTIFICATE")
    pkey = DecodeBlock(label, cert.der, cert.len, why);
  else
    *why = Cat({"is a \"", label.substr(0, 40), "\" block; expected one CERTIFICATE"});
  if (pkey != nullptr) {
    // One certificate per kid: a second block would be a key nobody can name.
    if (PemBlock more; ReadPemBlock(bio.get(), &more)) {
      *why = "holds more than one PEM block; expected one CERTIFICATE";
      pkey.reset();
    }
  } else if (label == "CERTIFICATE") {
    *why = Cat({"certificate ", *why});
  }
  ERR_clear_error();
  if (pkey == nullptr) return Status::ERR_JWK_INVALID;
  return KeyFromPkey(pkey.get(), std::move(common), why);
}

Result<std::shared_ptr<const KeySet>> ParsePemKeys(std::string_view pem, Error* err, KeyPolicy policy) {
  if (pem.size() > (1u << 20)) return Fail(err, Status::ERR_JWK_INVALID, "PEM text larger than 1 MiB");
  try {
    auto r = ParsePemKeysImpl(pem, err, policy.unusable);
    ERR_clear_error();
    return r;
  } catch (const std::bad_alloc&) {
    ERR_clear_error();
    return Fail(err, Status::ERR_OUT_OF_MEMORY, "out of memory while loading PEM keys");
  }
}

}  // namespace tokenverify::internal
