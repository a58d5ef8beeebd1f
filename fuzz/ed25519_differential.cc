// Differential fuzzer for Ed25519 verification: the engine's key (ParseJwk +
// Key::Verify, which runs libsodium's crypto_sign_verify_detached since
// core/src/keys/key_ed25519.cc), libsodium called directly, and OpenSSL's
// EVP_DigestVerify (the engine's path before). Each input picks a key (one of
// four fixed keys or one from a seed in the input), signs a message from the
// input honestly, then mutates the signature, the message or the key and asks
// all three.
//
// What must hold (any violation aborts with "differential mismatch"):
//  1. A 32-byte key the engine refuses at load is small-order (ERR_JWK_WEAK);
//     a key it loads answers exactly as libsodium does, with OK or
//     TV_ERR_SIGNATURE_INVALID, nothing else.
//  2. libsodium never accepts what OpenSSL refuses (it is only stricter).
//  3. OpenSSL accepts what libsodium refuses only in the documented classes
//     (docs/fuzzing.md, "Ed25519: expected disagreements"):
//       small-order-R    R is the encoding (either sign bit, y reduced mod p)
//                        of a point of order 1, 2, 4 or 8. libsodium refuses
//                        it; OpenSSL checks only the equation, so R = identity
//                        with S = H(R || A || M) * a verifies there (a forgery
//                        only the key's owner can make, but a second valid
//                        signature for the message);
//       non-canonical-A  the key encodes y >= p. libsodium refuses every
//                        signature; OpenSSL reduces y mod p. No honest key is
//                        encoded so, and every such y that decodes is
//                        small-order or of unknown discrete log;
//       small-order-A    the key is a point of order 1, 2, 4 or 8: refused at
//                        load by the engine (ERR_JWK_WEAK) and by libsodium's
//                        verify; OpenSSL accepts e.g. R = identity, S = 0.
//     Classes where both agree, exercised here too: S >= L (S + L, S + 2^253,
//     ...: both refuse), non-canonical R (y >= p: both compare R byte for
//     byte, so both refuse), mixed-order A (A + a point of order 8: both use
//     the cofactorless equation, so both accept exactly when 8 divides the
//     hash, and both refuse otherwise).
//  4. An honest signature (operation 0) verifies on every path.
//
// TV_FUZZ_VERBOSE=1 prints, at exit, how often each operation ended in each
// (libsodium, OpenSSL) verdict pair, to check that the classes are reached.
//
// Input: byte 0 selects the key (bits 0-1: fixed key 0-3; bit 2: a random key
// whose seed is the SHA-256 of the whole input), byte 1 the operation (below),
// bytes 2-3 its parameter, the rest is the message.
#include <openssl/err.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "keys/key.h"

namespace {

using namespace tokenverify::internal;  // NOLINT: a harness of internals
using tokenverify::Status;
using tokenverify::StatusName;

constexpr size_t kKeyBytes = 32, kSigBytes = 64;

// L = 2^252 + 27742317777372353535851937790883648493, little-endian.
constexpr uint8_t kL[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                            0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                            0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};

// The encodings of y (x's sign bit clear) of the points of order 1, 2, 4 and
// 8, canonical and not: libsodium's list (ge25519_has_small_order).
constexpr uint8_t kSmallOrder[][32] = {
    {0},  // y = 0 (order 4)
    {1},  // y = 1 (identity)
    {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
     0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},  // order 8
    {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
     0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},  // order 8
    {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},  // p - 1 (order 2)
    {0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},  // p (y = 0)
    {0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},  // p + 1 (y = 1)
};
constexpr size_t kSmallOrderCount = sizeof kSmallOrder / sizeof kSmallOrder[0];

bool IsSmallOrder(const uint8_t* p) {
  for (const auto& s : kSmallOrder) {
    if (std::memcmp(p, s, 31) == 0 && (p[31] & 0x7f) == s[31]) return true;
  }
  return false;
}

// y >= p: bytes 1..30 all 0xff, byte 31 (sign bit aside) 0x7f, byte 0 >= 0xed.
bool IsNonCanonical(const uint8_t* p) {
  if ((p[31] & 0x7f) != 0x7f || p[0] < 0xed) return false;
  for (int i = 1; i < 31; ++i)
    if (p[i] != 0xff) return false;
  return true;
}

// x += y for 256-bit little-endian integers (the carry out of bit 255 is dropped).
void Add256(uint8_t* x, const uint8_t* y) {
  unsigned carry = 0;
  for (int i = 0; i < 32; ++i) {
    carry += static_cast<unsigned>(x[i]) + y[i];
    x[i] = static_cast<uint8_t>(carry);
    carry >>= 8;
  }
}

struct KeyPair {
  uint8_t seed[32];
  uint8_t pk[32];
  uint8_t sk[64];
  uint8_t a[32];  // the secret scalar, reduced mod L
};

void MakeKeyPair(const uint8_t* seed, KeyPair* kp) {
  std::memcpy(kp->seed, seed, 32);
  crypto_sign_seed_keypair(kp->pk, kp->sk, seed);
  uint8_t h[64];
  crypto_hash_sha512(h, seed, 32);
  h[0] &= 248;
  h[31] &= 127;
  h[31] |= 64;
  uint8_t wide[64] = {0};
  std::memcpy(wide, h, 32);
  crypto_core_ed25519_scalar_reduce(kp->a, wide);
}

// H(R || A || M) mod L.
void Challenge(const uint8_t* r, const uint8_t* a, const std::string& msg, uint8_t* h) {
  crypto_hash_sha512_state st;
  uint8_t wide[64];
  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, r, 32);
  crypto_hash_sha512_update(&st, a, 32);
  crypto_hash_sha512_update(&st, reinterpret_cast<const uint8_t*>(msg.data()), msg.size());
  crypto_hash_sha512_final(&st, wide);
  crypto_core_ed25519_scalar_reduce(h, wide);
}

// A signature (R, S) with S = r + H(R || key || msg) * a for the key encoding
// `key` (not necessarily kp.pk) and R = r * B (R given when r_is_zero: then R
// is the identity and S = H * a).
void SignWith(const KeyPair& kp, const uint8_t* key, const std::string& msg, const uint8_t* r, uint8_t* sig) {
  uint8_t h[32], ha[32];
  if (r == nullptr) {
    std::memset(sig, 0, 32);
    sig[0] = 1;  // the identity
  } else if (crypto_scalarmult_ed25519_base_noclamp(sig, r) != 0) {
    std::memset(sig, 0, 32);
    sig[0] = 1;
  }
  Challenge(sig, key, msg, h);
  crypto_core_ed25519_scalar_mul(ha, h, kp.a);
  if (r == nullptr) {
    std::memcpy(sig + 32, ha, 32);
  } else {
    crypto_core_ed25519_scalar_add(sig + 32, r, ha);
  }
}

const KeyPair& FixedKey(int i) {
  static const auto keys = [] {
    auto k = std::make_unique<KeyPair[]>(4);
    for (int j = 0; j < 4; ++j) {
      uint8_t seed[32];
      const std::string label = "tokenverify ed25519 fuzz key " + std::to_string(j);
      crypto_hash_sha256(seed, reinterpret_cast<const uint8_t*>(label.data()), label.size());
      MakeKeyPair(seed, &k[j]);
    }
    return k;
  }();
  return keys[i];
}

bool OpenSslAccepts(const uint8_t* pk, const std::string& msg, const uint8_t* sig) {
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pk, kKeyBytes);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = pkey != nullptr && ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
            EVP_DigestVerify(ctx, sig, kSigBytes, reinterpret_cast<const uint8_t*>(msg.data()), msg.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  ERR_clear_error();
  return ok;
}

std::string Hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

[[noreturn]] void Mismatch(const char* what, int op, const uint8_t* pk, const uint8_t* sig, const std::string& msg,
                           const char* engine, bool sodium, bool openssl) {
  std::fprintf(stderr,
               "ed25519_differential: differential mismatch: %s\n  op %d\n  pk  %s\n  sig %s\n  msg %s\n"
               "  engine %s, libsodium %s, OpenSSL %s\n",
               what, op, Hex(pk, 32).c_str(), Hex(sig, 64).c_str(),
               Hex(reinterpret_cast<const uint8_t*>(msg.data()), msg.size()).c_str(), engine,
               sodium ? "accepts" : "refuses", openssl ? "accepts" : "refuses");
  std::abort();
}

constexpr int kOps = 13;
// counts[op][libsodium accepts][OpenSSL accepts], printed with TV_FUZZ_VERBOSE=1.
unsigned long counts[kOps][2][2];

void PrintCounts() {
  std::fprintf(stderr, "ed25519_differential: op: both refuse / OpenSSL only / libsodium only / both accept\n");
  for (int op = 0; op < kOps; ++op)
    std::fprintf(stderr, "  op %2d: %lu / %lu / %lu / %lu\n", op, counts[op][0][0], counts[op][0][1], counts[op][1][0],
                 counts[op][1][1]);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (sodium_init() < 0) std::abort();
  const char* verbose = std::getenv("TV_FUZZ_VERBOSE");
  if (verbose != nullptr && verbose[0] == '1') std::atexit(PrintCounts);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  const uint8_t key_sel = data[0], op_byte = data[1];
  const unsigned param = data[2] | (static_cast<unsigned>(data[3]) << 8);
  std::string msg(reinterpret_cast<const char*>(data + 4), size - 4);

  KeyPair random_key;
  const KeyPair* kp = &FixedKey(key_sel & 3);
  uint8_t digest[64];
  crypto_hash_sha512(digest, data, size);  // the source of every derived value
  if (key_sel & 4) {
    MakeKeyPair(digest, &random_key);
    kp = &random_key;
  }
  uint8_t pk[32], sig[64];
  std::memcpy(pk, kp->pk, 32);
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), kp->sk);

  const int op = op_byte % kOps;
  switch (op) {
    case 0:  // honest
      break;
    case 1:  // flip one bit of the signature
      sig[(param >> 3) % 64] ^= static_cast<uint8_t>(1u << (param & 7));
      break;
    case 2:  // flip one bit of the message (or append a byte to an empty one)
      if (msg.empty())
        msg.push_back(static_cast<char>(param));
      else
        msg[(param >> 3) % msg.size()] ^= static_cast<char>(1u << (param & 7));
      break;
    case 3:  // flip one bit of the key
      pk[(param >> 3) % 32] ^= static_cast<uint8_t>(1u << (param & 7));
      break;
    case 4:  // R := a small-order encoding (either sign bit), S kept
      std::memcpy(sig, kSmallOrder[param % kSmallOrderCount], 32);
      sig[31] |= static_cast<uint8_t>((param >> 8) & 0x80);
      break;
    case 5:  // R := identity, S := H(R || A || M) * a: satisfies the equation (class small-order-R)
      SignWith(*kp, pk, msg, nullptr, sig);
      break;
    case 6: {  // S := S + k * L for k in 1..15 (S + 15 L < 2^256): the same scalar mod L
      for (unsigned k = 0; k <= param % 15; ++k) Add256(sig + 32, kL);
      break;
    }
    case 7:  // S += 2^(252 + param % 4): high bits set
      sig[63] = static_cast<uint8_t>(sig[63] + (0x10u << (param % 4)));
      break;
    case 8:  // R := a non-canonical encoding y = p + k (k < 19), either sign bit
      std::memcpy(sig, kSmallOrder[5], 32);
      sig[0] = static_cast<uint8_t>(0xed + param % 19);
      sig[31] |= static_cast<uint8_t>((param >> 8) & 0x80);
      break;
    case 9:  // A := a non-canonical encoding y = p + k (k < 19), either sign bit, signature kept
      std::memcpy(pk, kSmallOrder[5], 32);
      pk[0] = static_cast<uint8_t>(0xed + param % 19);
      pk[31] |= static_cast<uint8_t>((param >> 8) & 0x80);
      break;
    case 10:  // A := a small-order point, R := identity, S := 0 or random (class small-order-A)
      std::memcpy(pk, kSmallOrder[param % kSmallOrderCount], 32);
      pk[31] |= static_cast<uint8_t>((param >> 8) & 0x80);
      std::memset(sig, 0, 64);
      sig[0] = 1;
      if (param & 0x4000) crypto_core_ed25519_scalar_reduce(sig + 32, digest);
      break;
    case 11: {  // A := A + T (T of order 8: mixed order), signed with a over that encoding
      uint8_t t[32];
      std::memcpy(t, kSmallOrder[2 + (param & 1)], 32);
      t[31] |= static_cast<uint8_t>((param >> 1) & 1) << 7;
      uint8_t mixed[32];
      if (crypto_core_ed25519_add(mixed, kp->pk, t) != 0) return 0;
      std::memcpy(pk, mixed, 32);
      uint8_t r[32];
      crypto_core_ed25519_scalar_reduce(r, digest);
      SignWith(*kp, pk, msg, r, sig);
      break;
    }
    case 12:  // the signature replaced by input-derived bytes (R, S arbitrary)
      std::memcpy(sig, digest, 64);
      break;
  }

  // The engine, as a verifier loads and uses the key.
  const std::string jwk = std::string(R"({"kty":"OKP","crv":"Ed25519","x":")") + [&] {
    char b64[64];
    sodium_bin2base64(b64, sizeof b64, pk, 32, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return std::string(b64);
  }() + "\"}";
  tokenverify::Error err;
  auto loaded = ParseJwk(jwk, &err);
  const bool sodium =
      crypto_sign_verify_detached(sig, reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), pk) == 0;
  const bool openssl = OpenSslAccepts(pk, msg, sig);
  counts[op][sodium][openssl] += 1;
  const char* engine = "refused the key";
  if (!loaded.ok()) {
    if (loaded.status() != Status::ERR_JWK_WEAK || !IsSmallOrder(pk))
      Mismatch("a 32-byte key that is not small-order was refused at load", op, pk, sig, msg,
               StatusName(loaded.status()).data(), sodium, openssl);
    if (sodium) Mismatch("libsodium accepts with a small-order key", op, pk, sig, msg, engine, sodium, openssl);
  } else {
    const Status st =
        (*loaded)->Verify(Alg::kEdDSA, {reinterpret_cast<const uint8_t*>(msg.data()), msg.size()}, {sig, kSigBytes});
    engine = st == Status::OK ? "accepts" : "refuses";
    if (st != Status::OK && st != Status::ERR_SIGNATURE_INVALID)
      Mismatch("the engine answered neither OK nor TV_ERR_SIGNATURE_INVALID", op, pk, sig, msg, StatusName(st).data(),
               sodium, openssl);
    if ((st == Status::OK) != sodium)
      Mismatch("the engine and libsodium disagree", op, pk, sig, msg, engine, sodium, openssl);
  }
  if (sodium && !openssl) Mismatch("libsodium accepts what OpenSSL refuses", op, pk, sig, msg, engine, sodium, openssl);
  if (openssl && !sodium && !IsSmallOrder(sig) && !IsNonCanonical(pk) && !IsSmallOrder(pk))
    Mismatch("OpenSSL accepts what libsodium refuses, outside the documented classes", op, pk, sig, msg, engine, sodium,
             openssl);
  if (op == 0 && !(sodium && openssl))
    Mismatch("an honest signature was refused", op, pk, sig, msg, engine, sodium, openssl);
  return 0;
}
