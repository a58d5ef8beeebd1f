// Symmetric keys (kty "oct"): HS256/384/512.
//
// HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)). The two key blocks are the
// same for every token, so we absorb them once, at load, and keep the SHA-2
// states. Verifying then costs the message hash plus one outer block, on
// stack copies of those states: no allocation, no EVP fetch, no shared writes.
// The low-level SHA-2 API is deprecated in OpenSSL 3 but still supported; the
// core is compiled with OPENSSL_SUPPRESS_DEPRECATED for exactly this.
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>

#include "base/constant_time.h"
#include "keys/key_impl.h"
#include "keys/mac_in_progress.h"

namespace tokenverify::internal {
namespace {

constexpr size_t kMinSecretBytes = 32;

// One hash function's view of the SHA-2 API.
template <typename Ctx, int (*Init)(Ctx*), int (*Update)(Ctx*, const void*, size_t), int (*Final)(unsigned char*, Ctx*),
          void (*Transform)(Ctx*, const unsigned char*), size_t kBlock, size_t kOut>
struct Sha2 {
  using Context = Ctx;
  static constexpr size_t kBlockBytes = kBlock;
  static constexpr size_t kOutBytes = kOut;
  static void Hash(const uint8_t* p, size_t n, uint8_t* out) noexcept {
    Ctx c;
    Init(&c);
    Update(&c, p, n);
    Final(out, &c);
    OPENSSL_cleanse(&c, sizeof c);
  }
  static void Start(Ctx* c) noexcept { Init(c); }
  static void Absorb(Ctx* c, const uint8_t* p, size_t n) noexcept { Update(c, p, n); }
  // One whole block, nothing buffered (AbsorbWholeBlock, key_impl.h).
  static void AbsorbBlock(Ctx* c, const uint8_t* p) noexcept { AbsorbWholeBlock<Ctx, Transform, kBlock>(c, p); }
  static void Finish(Ctx* c, uint8_t* out) noexcept { Final(out, c); }
  // The chaining value and bit count a MacFirstBlockMemo keeps, for the hash
  // that has one (HMAC-SHA-256, the only one begun).
  static constexpr bool kHasMemo = sizeof Ctx::h + sizeof Ctx::Nl + sizeof Ctx::Nh == MacFirstBlockMemo::kStateBytes;
  static void SaveChain(const Ctx* c, uint8_t* state) noexcept {
    static_assert(kHasMemo);
    std::memcpy(state, c->h, sizeof c->h);
    std::memcpy(state + sizeof c->h, &c->Nl, sizeof c->Nl);
    std::memcpy(state + sizeof c->h + sizeof c->Nl, &c->Nh, sizeof c->Nh);
  }
  static void LoadChain(Ctx* c, const uint8_t* state) noexcept {
    static_assert(kHasMemo);
    std::memcpy(c->h, state, sizeof c->h);
    std::memcpy(&c->Nl, state + sizeof c->h, sizeof c->Nl);
    std::memcpy(&c->Nh, state + sizeof c->h + sizeof c->Nl, sizeof c->Nh);
  }
};

using Sha256 = Sha2<SHA256_CTX, SHA256_Init, SHA256_Update, SHA256_Final, SHA256_Transform, 64, 32>;
using Sha384 = Sha2<SHA512_CTX, SHA384_Init, SHA384_Update, SHA384_Final, SHA512_Transform, 128, 48>;
using Sha512 = Sha2<SHA512_CTX, SHA512_Init, SHA512_Update, SHA512_Final, SHA512_Transform, 128, 64>;

// The inner and outer states of HMAC-H for one key.
template <typename H>
struct HmacState {
  typename H::Context inner, outer;

  void Init(Bytes key) noexcept {
    uint8_t block[H::kBlockBytes] = {};
    if (key.size() > H::kBlockBytes) {
      H::Hash(key.data(), key.size(), block);  // RFC 2104: long keys are hashed first
    } else {
      std::copy(key.begin(), key.end(), block);
    }
    uint8_t pad[H::kBlockBytes];
    for (size_t i = 0; i < H::kBlockBytes; ++i) pad[i] = block[i] ^ 0x36;
    H::Start(&inner);
    H::Absorb(&inner, pad, sizeof pad);
    for (size_t i = 0; i < H::kBlockBytes; ++i) pad[i] = block[i] ^ 0x5c;
    H::Start(&outer);
    H::Absorb(&outer, pad, sizeof pad);
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
  }

  Status Verify(Bytes message, Bytes tag) const noexcept {
    if (tag.size() != H::kOutBytes) return Status::ERR_SIGNATURE_LENGTH;
    uint8_t inner_hash[H::kOutBytes], mac[H::kOutBytes];
    typename H::Context c = inner;  // a copy on the stack; the key's state stays shared and read-only
    H::Absorb(&c, message.data(), message.size());
    H::Finish(&c, inner_hash);
    c = outer;
    H::Absorb(&c, inner_hash, sizeof inner_hash);
    H::Finish(&c, mac);
    static_assert(H::kOutBytes % 8 == 0);
    const bool ok = MacsEqual(mac, tag.data(), H::kOutBytes);
    WipeStack(&c, sizeof c);
    WipeStack(mac, sizeof mac);
    return ok ? Status::OK : Status::ERR_SIGNATURE_INVALID;
  }

  // Verify, begun in *out for its owner to advance (keys/mac_in_progress.h),
  // from the state `memo` keeps when the message starts with its block.
  void Begin(const Key* key, Alg alg, Bytes message, MacInProgress* out, MacFirstBlockMemo* memo) const noexcept {
    static_assert(sizeof(typename H::Context) <= MacInProgress::kContextBytes);
    static_assert(H::kOutBytes <= MacInProgress::kMaxOutBytes);
    auto* ctx = static_cast<typename H::Context*>(out->context());
    std::memcpy(ctx, &inner, sizeof inner);
    if constexpr (H::kHasMemo) {
      static_assert(H::kBlockBytes == MacFirstBlockMemo::kBlockBytes);
      uint8_t state[MacFirstBlockMemo::kStateBytes];
      if (message.size() >= H::kBlockBytes && memo->Find(message.data(), state)) {
        H::LoadChain(ctx, state);
        WipeStack(state, sizeof state);
        out->Begin(key, alg, message, &kBegunHash, this, H::kBlockBytes);
        return;
      }
    }
    out->Begin(key, alg, message, &kBegunHash, this, 0, memo);
  }

  void Wipe() noexcept { OPENSSL_cleanse(this, sizeof *this); }

 private:
  // The hash of Begin.
  static constexpr MacInProgress::Hash kBegunHash = {
      H::kBlockBytes,
      H::kOutBytes,
      [](void* ctx, const uint8_t* p, size_t n) noexcept { H::Absorb(static_cast<typename H::Context*>(ctx), p, n); },
      [](void* ctx, const uint8_t* p) noexcept { H::AbsorbBlock(static_cast<typename H::Context*>(ctx), p); },
      [](void* ctx, uint8_t* out) noexcept { H::Finish(static_cast<typename H::Context*>(ctx), out); },
      [](const void* state, void* ctx) noexcept {
        *static_cast<typename H::Context*>(ctx) = static_cast<const HmacState*>(state)->outer;
      },
      H::kHasMemo ? +[](const void* ctx, uint8_t* state) noexcept {
        if constexpr (H::kHasMemo) H::SaveChain(static_cast<const typename H::Context*>(ctx), state);
      } : nullptr,
      std::is_same_v<typename H::Context, SHA256_CTX> && H::kOutBytes == 32,
  };
};

// HS256 needs 32 bytes of secret, HS384 48, HS512 64 (RFC 7518 3.2: a key at
// least as long as the hash output), unless short secrets were asked for.
AlgSet AlgsForSecretLength(size_t n, bool short_secrets) noexcept {
  if (short_secrets) return kHmacAlgs;
  AlgSet s = AlgBit(Alg::kHS256);
  if (n >= 48) s |= AlgBit(Alg::kHS384);
  if (n >= 64) s |= AlgBit(Alg::kHS512);
  return s;
}

class HmacKey final : public KeyBase {
 public:
  HmacKey(Bytes secret, bool short_secrets, JwkCommon&& common) noexcept
      : KeyBase(KeyType::kOct, AlgsForSecretLength(secret.size(), short_secrets), std::move(common)),
        bits_(secret.size() * 8) {
    s256_.Init(secret);
    s384_.Init(secret);
    s512_.Init(secret);
  }

  ~HmacKey() override {
    s256_.Wipe();
    s384_.Wipe();
    s512_.Wipe();
  }

  Status Verify(Alg alg, std::span<const uint8_t> signing_input,
                std::span<const uint8_t> signature) const noexcept override {
    if (!FamilyAllows(alg)) return Status::ERR_SIGNATURE_INVALID;
    switch (alg) {
      case Alg::kHS256:
        return s256_.Verify(signing_input, signature);
      case Alg::kHS384:
        return s384_.Verify(signing_input, signature);
      case Alg::kHS512:
        return s512_.Verify(signing_input, signature);
      default:
        return Status::ERR_SIGNATURE_INVALID;
    }
  }

  // HS256 only: SHA-256 runs on the CPU's SHA extensions, a latency-bound
  // chain the payload's walk can fill. SHA-384/512 run in software, already
  // busy on every unit: stepped between members they were slower (HS384
  // +6 %, HS512 +2 % per verification).
  bool BeginMac(Alg alg, std::span<const uint8_t> signing_input, MacInProgress* out) const noexcept override {
    if (alg != Alg::kHS256 || !FamilyAllows(alg)) return false;
    s256_.Begin(this, alg, signing_input, out, &first_block_);
    return true;
  }

  size_t bits() const noexcept override { return bits_; }

 private:
  size_t bits_;
  HmacState<Sha256> s256_;
  HmacState<Sha384> s384_;
  HmacState<Sha512> s512_;
  // The HS256 inner state after the first block of the last token it
  // verified (keys/mac_first_block_memo.h).
  mutable MacFirstBlockMemo first_block_;
};

}  // namespace

KeyResult NewHmacKey(Bytes secret, JwkCommon common, std::string* why, bool short_secrets) {
  if (secret.size() < kMinSecretBytes && (!short_secrets || secret.empty())) {
    *why = short_secrets ? std::string("\"k\" is empty")
                         : Cat({"\"k\" is ", std::to_string(secret.size()), " bytes; an HMAC secret needs at least ",
                                std::to_string(kMinSecretBytes)});
    return Status::ERR_JWK_WEAK;
  }
  std::unique_ptr<Key> key(new HmacKey(secret, short_secrets, std::move(common)));
  SetThumbprint(*key, JwkThumbprint({{"k", Base64urlEncode(secret)}, {"kty", "oct"}}));
  return key;
}

}  // namespace tokenverify::internal
