// The formats a key-set document may have, and the one entry point that turns
// a loaded or fetched document into a KeySet in the format configured for it.
#pragma once

#include <memory>
#include <string_view>

#include "keys/key.h"
#include "tokenverify/result.h"

namespace tokenverify::internal {

enum class KeySetFormat {
  kDetect,  // an x509 map when the document looks like one, else a JWK set
  kJwks,    // a JWK set, or one bare JWK (ParseJwks)
  kX509,    // {"<kid>": "-----BEGIN CERTIFICATE-----..."} (ParseX509Map)
};

// ParseKeySetDocument parses `text` as `format`. kDetect picks the x509 map
// for a JSON object without "keys" or "kty" whose first member is a string
// holding a PEM block (Google's and Firebase's certificate documents), and a
// JWK set for anything else. Errors are those of the chosen parser.
Result<std::shared_ptr<const KeySet>> ParseKeySetDocument(std::string_view text, KeySetFormat format, Error* err,
                                                          KeyPolicy policy = {});

// ParseX509Map parses a JSON object mapping each kid to one PEM certificate
// into a KeySet whose keys carry those kids (the certificates are not
// validated: only their public keys are used, with the same rules as a JWK).
// Strict JSON as for JWK sets. Errors: ERR_JWKS_MALFORMED (not such an object,
// a value that is not a string, an empty kid, too many entries). A
// certificate that cannot be used (ERR_JWK_INVALID: not exactly one PEM
// certificate, or an unusable key; ERR_JWK_WEAK: e.g. RSA under 2048 bits) is
// skipped and reported as a JWK would be; with UnusableKeys::kRefuse, or when
// no usable key is left, it refuses the document with its own status.
// `err->message` names the kid.
Result<std::shared_ptr<const KeySet>> ParseX509Map(std::string_view json, Error* err, KeyPolicy policy = {});

}  // namespace tokenverify::internal
