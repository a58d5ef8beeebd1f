// Ed25519 keys (RFC 8037 "OKP" with "crv":"Ed25519") verified by libsodium's
// crypto_sign_verify_detached, about twice as fast as OpenSSL 3.0's
// EVP_DigestVerify. key_okp.cc parses and checks the JWK (length, small-order
// refusal, thumbprint) and hands the 32 bytes here; Ed448 stays on OpenSSL.
//
// libsodium's verification is stricter than OpenSSL's in edge cases no honest
// signer produces: it refuses a small-order R, a non-canonical A (y >= p) and
// a small-order A (refused at load here anyway); both refuse S >= L and
// compare R byte for byte, so a non-canonical R never verifies. The vector
// deviations (tests/vectors/deviations.txt) and the differential fuzzer
// (fuzz/ed25519_differential.cc, docs/fuzzing.md) pin these classes.
#include <sodium.h>

#include <cstring>
#include <memory>

#include "keys/key_impl.h"

namespace tokenverify::internal {
namespace {

constexpr size_t kPublicKeyBytes = crypto_sign_PUBLICKEYBYTES;  // 32
constexpr size_t kSignatureBytes = crypto_sign_BYTES;           // 64

class Ed25519Key final : public KeyBase {
 public:
  Ed25519Key(Bytes x, JwkCommon&& common) noexcept : KeyBase(KeyType::kOkp, kEd25519Algs, std::move(common)) {
    std::memcpy(public_key_, x.data(), kPublicKeyBytes);
  }

  Status Verify(Alg alg, std::span<const uint8_t> signing_input,
                std::span<const uint8_t> signature) const noexcept override {
    if (!FamilyAllows(alg)) return Status::ERR_SIGNATURE_INVALID;
    if (signature.size() != kSignatureBytes) return Status::ERR_SIGNATURE_LENGTH;
    return crypto_sign_verify_detached(signature.data(), signing_input.data(), signing_input.size(), public_key_) == 0
               ? Status::OK
               : Status::ERR_SIGNATURE_INVALID;
  }

  std::string_view curve() const noexcept override { return "Ed25519"; }

 private:
  uint8_t public_key_[kPublicKeyBytes];
};

}  // namespace

bool SodiumReady() noexcept {
  // sodium_init is thread-safe and idempotent (0: done now, 1: done before);
  // the static makes it run once.
  static const bool ready = sodium_init() >= 0;
  return ready;
}

KeyResult NewEd25519Key(Bytes x, JwkCommon common, std::string* why) {
  if (x.size() != kPublicKeyBytes) {
    *why = Cat({"\"x\" is ", std::to_string(x.size()), " bytes, Ed25519 needs 32"});
    return Status::ERR_JWK_INVALID;
  }
  if (!SodiumReady()) {
    *why = "libsodium could not be initialised";
    return Status::ERR_INTERNAL;
  }
  return std::unique_ptr<Key>(new Ed25519Key(x, std::move(common)));
}

}  // namespace tokenverify::internal
