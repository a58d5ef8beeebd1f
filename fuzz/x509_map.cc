// Fuzzer for the x509 map key-set format ({"<kid>": "<PEM certificate>"},
// ParseX509Map) and the format detection in front of it
// (ParseKeySetDocument with kDetect). Invariants checked: a loaded set binds
// every key to a non-empty kid that FindByKid returns it for; a failure's
// Error.status is the returned status; detection returns what one of the two
// parsers returns for the same text.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "keys/key.h"
#include "keys/key_set_format.h"

namespace {

using namespace tokenverify::internal;  // NOLINT: a harness of internals
using tokenverify::Error;
using tokenverify::Status;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "x509_map: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  Error err;
  auto set = ParseX509Map(json, &err);
  if (set.ok()) {
    if (set.value()->ignores_kid()) Fail("an x509 map set ignores kids");
    for (const auto& key : set.value()->keys()) {
      if (key->kid().empty()) Fail("a key of an x509 map has no kid");
      if (set.value()->FindByKid(key->kid()) != key.get()) Fail("FindByKid misses a key's own kid");
    }
  } else if (err.status != Status::OK && err.status != set.status()) {
    Fail("Error.status differs from the returned status");
  }
  Error detect_err;
  const Status detected = ParseKeySetDocument(json, KeySetFormat::kDetect, &detect_err).status();
  Error jwks_err;
  if (detected != set.status() && detected != ParseJwks(json, &jwks_err).status())
    Fail("detection answered what neither parser answers");
  return 0;
}
