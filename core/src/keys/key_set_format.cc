// Chooses the parser for a key-set document: the configured format, or, when
// none is configured, the x509 map for documents shaped like Google's
// certificate lists and a JWK set for everything else.
#include <simdjson.h>

#include <new>
#include <string_view>

#include "keys/key_set_format.h"

namespace tokenverify::internal {
namespace {

// An object with neither "keys" nor "kty" whose first member's value is a
// string starting with a PEM line. Only a guess at the shape: the parser that
// runs next checks the whole document strictly. A document simdjson cannot
// read goes to the JWK parser, which says what is wrong with it.
bool LooksLikeX509Map(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  if (parser.parse(text.data(), text.size()).get_object().get(root) != simdjson::SUCCESS) return false;
  if (root.at_key("keys").error() != simdjson::NO_SUCH_FIELD || root.at_key("kty").error() != simdjson::NO_SUCH_FIELD)
    return false;
  for (auto [kid, value] : root) {
    std::string_view pem;
    if (value.get_string().get(pem) != simdjson::SUCCESS) return false;
    const size_t start = pem.find_first_not_of(" \t\r\n");
    return start != std::string_view::npos && pem.substr(start).starts_with("-----BEGIN ");
  }
  return false;  // {}: not a certificate map by its looks
}

}  // namespace

Result<std::shared_ptr<const KeySet>> ParseKeySetDocument(std::string_view text, KeySetFormat format, Error* err,
                                                          KeyPolicy policy) {
  switch (format) {
    case KeySetFormat::kJwks:
      return ParseJwks(text, err, policy);
    case KeySetFormat::kX509:
      return ParseX509Map(text, err, policy);
    case KeySetFormat::kDetect:
      break;
  }
  try {
    if (LooksLikeX509Map(text)) return ParseX509Map(text, err, policy);
  } catch (const std::bad_alloc&) {
    if (err != nullptr) {
      err->status = Status::ERR_OUT_OF_MEMORY;
      err->message = "out of memory while reading the key set";
    }
    return Status::ERR_OUT_OF_MEMORY;
  }
  return ParseJwks(text, err, policy);
}

}  // namespace tokenverify::internal
