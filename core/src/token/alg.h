// JWS signature algorithms (RFC 7518 section 3, RFC 8037, RFC 8812 ES256K and
// RFC 9864's fully specified Ed25519 and Ed448).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tokenverify/status.h"

namespace tokenverify::internal {

enum class Alg : uint8_t {
  kHS256,
  kHS384,
  kHS512,
  kRS256,
  kRS384,
  kRS512,
  kPS256,
  kPS384,
  kPS512,
  kES256,
  kES384,
  kES512,
  kEdDSA,    // RFC 8037, deprecated by RFC 9864: EdDSA on the key's curve
  kEd25519,  // RFC 9864
  kEd448,    // RFC 9864
  kES256K,   // RFC 8812: ECDSA on secp256k1 with SHA-256
};
inline constexpr int kAlgCount = 16;

// A set of algorithms as a bit mask (bit i = Alg(i)).
using AlgSet = uint32_t;
inline constexpr AlgSet kAllAlgs = (1u << kAlgCount) - 1;
constexpr AlgSet AlgBit(Alg a) noexcept { return 1u << static_cast<unsigned>(a); }
constexpr bool AlgSetHas(AlgSet s, Alg a) noexcept { return (s & AlgBit(a)) != 0; }
// What a provider allows when its configuration lists no algorithms: every
// algorithm but ES256K, which few issuers use and which must be asked for.
inline constexpr AlgSet kDefaultAllowedAlgs = kAllAlgs & ~AlgBit(Alg::kES256K);

// The length of the SHA-2 digest an RS*, PS* or ES* signature signs (32, 48
// or 64 bytes: SHA-256, SHA-384, SHA-512); 0 for HS* (a MAC over the whole
// signing input) and EdDSA (which hashes inside the signature scheme).
constexpr size_t SignedDigestBytes(Alg a) noexcept {
  switch (a) {
    case Alg::kRS256:
    case Alg::kPS256:
    case Alg::kES256:
    case Alg::kES256K:
      return 32;
    case Alg::kRS384:
    case Alg::kPS384:
    case Alg::kES384:
      return 48;
    case Alg::kRS512:
    case Alg::kPS512:
    case Alg::kES512:
      return 64;
    default:
      return 0;
  }
}

// ParseAlg maps an exact, case-sensitive JWS alg name to *out.
// Returns OK, ERR_ALG_NONE for "none" (in any letter case: it is never
// accepted and deserves its own code), or ERR_ALG_UNSUPPORTED.
Status ParseAlg(std::string_view name, Alg* out) noexcept;

// AlgName returns the JWS name, e.g. "RS256".
std::string_view AlgName(Alg a) noexcept;

}  // namespace tokenverify::internal
