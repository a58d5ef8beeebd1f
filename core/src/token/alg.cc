#include "token/alg.h"

#include "base/ascii.h"

#include <array>

namespace tokenverify::internal {
namespace {

constexpr std::array<std::string_view, kAlgCount> kNames = {
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512",   "PS256", "PS384",
    "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519", "Ed448", "ES256K",
};

}  // namespace

Status ParseAlg(std::string_view name, Alg* out) noexcept {
  for (int i = 0; i < kAlgCount; ++i) {
    if (kNames[i] == name) {
      *out = static_cast<Alg>(i);
      return Status::OK;
    }
  }
  if (AsciiEqualsIgnoreCase(name, "none")) return Status::ERR_ALG_NONE;
  return Status::ERR_ALG_UNSUPPORTED;
}

std::string_view AlgName(Alg a) noexcept { return kNames[static_cast<size_t>(a)]; }

}  // namespace tokenverify::internal
