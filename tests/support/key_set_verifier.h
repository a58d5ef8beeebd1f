// A Verifier around one key set, for suites that check keys and signatures
// through the production pipeline: one provider that allows every algorithm
// (ES256K included), no claim rules, the key set inline.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "tokenverify/result.h"
#include "tokenverify/verifier.h"

namespace tokenverify::testing {

// The verifier, or null with *err (not null) saying why the key set or the
// configuration was refused. `jwks_json` is the key-set document, inserted
// verbatim as {"local": {"inline": ...}}; it must be JSON. `more_members`,
// when not empty, is added to the top-level object, e.g. R"("now": 1300819379)".
std::unique_ptr<Verifier> KeySetVerifier(std::string_view jwks_json, Error* err, size_t max_keys_without_kid = 4,
                                         std::string_view more_members = "");

}  // namespace tokenverify::testing
