// Private to the key files: the constructors of each key family, the base
// class that lets them set Key's members, and the per-thread cache of prepared
// OpenSSL verification contexts.
#pragma once

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base64url/base64url.h"
#include "keys/key.h"

namespace tokenverify::internal {

inline constexpr AlgSet kHmacAlgs = AlgBit(Alg::kHS256) | AlgBit(Alg::kHS384) | AlgBit(Alg::kHS512);
inline constexpr AlgSet kRsaAlgs = AlgBit(Alg::kRS256) | AlgBit(Alg::kRS384) | AlgBit(Alg::kRS512) |
                                   AlgBit(Alg::kPS256) | AlgBit(Alg::kPS384) | AlgBit(Alg::kPS512);
inline constexpr AlgSet kEcdsaAlgs =
    AlgBit(Alg::kES256) | AlgBit(Alg::kES384) | AlgBit(Alg::kES512) | AlgBit(Alg::kES256K);
// An Edwards key verifies its curve's RFC 9864 name and the polymorphic
// "EdDSA" (RFC 8037), which means that same curve's algorithm for this key.
inline constexpr AlgSet kEd25519Algs = AlgBit(Alg::kEdDSA) | AlgBit(Alg::kEd25519);
inline constexpr AlgSet kEd448Algs = AlgBit(Alg::kEdDSA) | AlgBit(Alg::kEd448);

// What a JWK's common members ("kid", "alg", "use", "key_ops") say.
struct JwkCommon {
  std::string kid;
  AlgSet member_algs = kAllAlgs;  // 0 when "alg" names an algorithm we don't know
  bool verify_allowed = true;
};

// Each factory builds one key from decoded key material. On failure it returns
// ERR_JWK_INVALID or ERR_JWK_WEAK and writes why into *why, naming the JWK
// member (e.g. `"x" is 31 bytes, P-256 needs 32`); the caller adds which key.
using KeyResult = Result<std::unique_ptr<Key>>;
using Bytes = std::span<const uint8_t>;

KeyResult NewRsaKey(Bytes n, Bytes e, JwkCommon common, std::string* why);
// crv is the JWK "crv" value ("P-256", "P-384", "P-521" or "secp256k1").
KeyResult NewEcKey(std::string_view crv, Bytes x, Bytes y, JwkCommon common, std::string* why);
// crv is "Ed25519" or "Ed448" (signing curves only; the caller skips X25519/X448).
KeyResult NewOkpKey(std::string_view crv, Bytes x, JwkCommon common, std::string* why);
// The Ed25519 key that verifies through libsodium (key_ed25519.cc), from the
// 32 bytes of "x" that NewOkpKey has checked (length, not small-order); no
// thumbprint set. ERR_INTERNAL if libsodium cannot be initialised.
KeyResult NewEd25519Key(Bytes x, JwkCommon common, std::string* why);
// Runs sodium_init() once per process (thread-safe); false if it failed.
bool SodiumReady() noexcept;
// A secret shorter than 32 bytes is ERR_JWK_WEAK, unless `short_secrets`
// (KeyPolicy::short_hmac_secrets): then only an empty one is.
KeyResult NewHmacKey(Bytes secret, JwkCommon common, std::string* why, bool short_secrets = false);
// The public key of the one PEM "CERTIFICATE" block in `pem` (the certificate
// itself is not validated), through the factories above. ERR_JWK_INVALID when
// `pem` is not exactly one certificate.
KeyResult NewKeyFromCertificatePem(std::string_view pem, JwkCommon common, std::string* why);

// The RFC 7638 thumbprint of the JWK with these required members, given in
// lexicographic order with their string values: base64url(SHA-256(JSON)).
std::string JwkThumbprint(std::initializer_list<std::pair<std::string_view, std::string_view>> members);
void SetThumbprint(Key& key, std::string thumbprint) noexcept;

// The base of every key family: sets Key's protected members and gives each
// key an id that is never reused in this process (unlike its address), so that
// per-thread caches keyed by it can never confuse a freed key with a new one.
class KeyBase : public Key {
 protected:
  KeyBase(KeyType type, AlgSet family_algs, JwkCommon&& common) noexcept;
  uint64_t id() const noexcept { return id_; }
  // Does family_algs_ allow alg? Verify re-checks, cheaply, in case a caller skipped CheckUsableFor.
  bool FamilyAllows(Alg alg) const noexcept { return AlgSetHas(family_algs_, alg); }

 private:
  uint64_t id_;
};

// A prepared verification context for one (key, alg): either an EVP_PKEY_CTX
// after EVP_PKEY_verify_init and its parameters (RSA, ECDSA), or an
// EVP_MD_CTX after EVP_DigestVerifyInit (Ed448; Ed25519 keys use libsodium).
struct VerifyCtx {
  EVP_PKEY_CTX* pkey_ctx = nullptr;
  EVP_MD_CTX* md_ctx = nullptr;
};

// Builds a fresh context for `alg`, or returns false. Called on a cache miss.
using VerifyCtxInit = bool (*)(EVP_PKEY* pkey, Alg alg, VerifyCtx* out) noexcept;

// Returns this thread's prepared context for (key_id, alg), building it with
// `init` on a miss; nullptr if that fails (out of memory). The context stays
// owned by the thread's cache: use it before the next call on this thread.
VerifyCtx* CachedVerifyCtx(uint64_t key_id, Alg alg, EVP_PKEY* pkey, VerifyCtxInit init) noexcept;

// Frees both members of `ctx`.
void FreeVerifyCtx(VerifyCtx* ctx) noexcept;

// An owning EVP_PKEY pointer.
struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

// Concatenates the parts of a message (numbers go through std::to_string at
// the call site). Used instead of chains of operator+, which GCC 12 warns
// about spuriously (-Wrestrict) and which copy more.
inline std::string Cat(std::initializer_list<std::string_view> parts) {
  size_t n = 0;
  for (std::string_view p : parts) n += p.size();
  std::string s;
  s.reserve(n);
  for (std::string_view p : parts) s.append(p);
  return s;
}

// Drops leading zero octets (for big-endian integers such as n and e).
inline Bytes StripLeadingZeros(Bytes b) noexcept {
  size_t i = 0;
  while (i < b.size() && b[i] == 0) ++i;
  return b.subspan(i);
}

// The SHA-2 hash of RS/PS/ES `alg` over `input` into out[64]; returns its
// length (SignedDigestBytes, 0 for other algs). Low-level SHA-2 on a stack
// context: OpenSSL 3's one-shot SHA256() goes through EVP_Q_digest, which
// fetches and allocates on every call. (The low-level API is deprecated in
// OpenSSL 3 but supported; the core is built with OPENSSL_SUPPRESS_DEPRECATED
// for it.)
inline size_t HashForAlg(Alg alg, Bytes input, uint8_t* out) noexcept {
  switch (SignedDigestBytes(alg)) {
    case 32: {
      SHA256_CTX c;
      SHA256_Init(&c);
      SHA256_Update(&c, input.data(), input.size());
      SHA256_Final(out, &c);
      return 32;
    }
    case 48: {
      SHA512_CTX c;
      SHA384_Init(&c);
      SHA384_Update(&c, input.data(), input.size());
      SHA384_Final(out, &c);
      return 48;
    }
    case 64: {
      SHA512_CTX c;
      SHA512_Init(&c);
      SHA512_Update(&c, input.data(), input.size());
      SHA512_Final(out, &c);
      return 64;
    }
    default:
      return 0;
  }
}

// One whole block into a SHA-2 context that holds no partial block (num ==
// 0), as its Update would take it: the compression function alone, and the
// bit count Update keeps. For hashes stepped a block at a time beside other
// work (keys/mac_in_progress.h, keys/digest_in_progress.h): Update's
// bookkeeping on every stepped block cost paired HS256 1.66x -> 1.62x.
template <typename Ctx, void (*Transform)(Ctx*, const unsigned char*), size_t kBlockBytes>
inline void AbsorbWholeBlock(Ctx* c, const uint8_t* block) noexcept {
  Transform(c, block);
  const auto before = c->Nl;
  c->Nl += kBlockBytes * 8;
  if (c->Nl < before) ++c->Nh;
}

// The EVP_MD of the hash HashForAlg uses (null for HS*/EdDSA).
inline const EVP_MD* MdForAlg(Alg alg) noexcept {
  switch (SignedDigestBytes(alg)) {
    case 32:
      return EVP_sha256();
    case 48:
      return EVP_sha384();
    case 64:
      return EVP_sha512();
    default:
      return nullptr;
  }
}

}  // namespace tokenverify::internal
