#include "support/key_set_verifier.h"

#include <string>

#include "token/alg.h"

namespace tokenverify::testing {

std::unique_ptr<Verifier> KeySetVerifier(std::string_view jwks_json, Error* err, size_t max_keys_without_kid,
                                         std::string_view more_members) {
  std::string algs;
  for (int a = 0; a < internal::kAlgCount; ++a) {
    if (!algs.empty()) algs += ',';
    algs += '"' + std::string(internal::AlgName(static_cast<internal::Alg>(a))) + '"';
  }
  const std::string config = R"({"providers":[{"name":"keys","algorithms":[)" + algs +
                             R"(],"jwks":{"local":{"inline":)" + std::string(jwks_json) +
                             R"(}}}],"limits":{"maxKeysWithoutKid":)" + std::to_string(max_keys_without_kid) + "}" +
                             (more_members.empty() ? "" : "," + std::string(more_members)) + "}";
  auto created = Verifier::Create(config, err);
  if (!created.ok()) return nullptr;
  return std::move(created).value();
}

}  // namespace tokenverify::testing
