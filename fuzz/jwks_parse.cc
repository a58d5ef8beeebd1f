// Fuzzer for JWK set parsing (ParseJwks) and single JWKs (ParseJwk). When a
// set loads, every key is exercised as a verifier would use it: described,
// looked up by kid, asked about every algorithm, and asked to verify a
// signature of each plausible length (so fuzzed key material reaches OpenSSL).
// Invariants checked: a key with a kid is what FindByKid returns for it;
// CandidatesFor(alg) holds only keys usable for alg; Verify answers only OK,
// ERR_SIGNATURE_LENGTH or ERR_SIGNATURE_INVALID; a skipped key's kid names no
// usable key (unless the key was skipped for its "use"/"key_ops": an encryption
// key may share the signing key's kid) and answers with a refusal other than
// ERR_KID_NOT_FOUND; a set
// loads in strict mode only when the default mode skipped nothing.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "keys/key.h"
#include "token/alg.h"

namespace {

using namespace tokenverify::internal;  // NOLINT: a harness of internals
using tokenverify::Error;
using tokenverify::Status;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "jwks_parse: %s\n", what);
  std::abort();
}

// Signature lengths of every algorithm and key size a test would use.
constexpr size_t kSignatureLengths[] = {0, 1, 32, 48, 64, 96, 114, 132, 256, 257, 384, 512, 1024, 2048};
constexpr size_t kMaxVerifiedPairs = 16;  // bounds the OpenSSL work per input

volatile size_t g_sink;

void Exercise(const KeySet& set) {
  static const uint8_t kSigningInput[] = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmdXp6In0";
  static uint8_t signature[2048];
  if (signature[0] == 0) {
    for (size_t i = 0; i < sizeof signature; ++i) signature[i] = static_cast<uint8_t>(0x5A ^ (i * 7));
  }
  size_t verified_pairs = 0;
  for (const auto& key : set.keys()) {
    g_sink = key->Describe().size() + key->kid().size();
    if (!key->kid().empty() && set.FindByKid(key->kid()) != key.get()) Fail("FindByKid misses a key's own kid");
    for (int a = 0; a < kAlgCount; ++a) {
      const Alg alg = static_cast<Alg>(a);
      if (key->CheckUsableFor(alg) != Status::OK || verified_pairs == kMaxVerifiedPairs) continue;
      ++verified_pairs;
      for (size_t len : kSignatureLengths) {
        const Status s = key->Verify(alg, std::span<const uint8_t>(kSigningInput, sizeof kSigningInput - 1),
                                     std::span<const uint8_t>(signature, len));
        if (s != Status::OK && s != Status::ERR_SIGNATURE_LENGTH && s != Status::ERR_SIGNATURE_INVALID)
          Fail("Verify returned a status outside its contract");
      }
    }
  }
  if (set.size() == 0) Fail("a set loaded without a usable key");
  for (const SkippedKey& skipped : set.skipped()) {
    if (skipped.status == Status::OK) Fail("a skipped key has status OK");
    if (skipped.kid.empty()) continue;
    if (set.FindByKid(skipped.kid) != nullptr) {
      // An encryption key under the signing key's kid leaves the signing key
      // usable (SkipAmbiguousKids); any other skipped key makes the kid ambiguous.
      if (skipped.status != Status::ERR_KEY_USE_MISMATCH) Fail("a skipped key's kid names a usable key");
      continue;
    }
    if (set.StatusForMissingKid(skipped.kid) == Status::ERR_KID_NOT_FOUND) Fail("a skipped kid is not found");
  }
  for (int a = 0; a < kAlgCount; ++a) {
    const Alg alg = static_cast<Alg>(a);
    for (const Key* k : set.CandidatesFor(alg)) {
      if (k->CheckUsableFor(alg) != Status::OK) Fail("CandidatesFor holds a key unusable for the alg");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  Error err;
  auto set = ParseJwks(json, &err);
  if (set.ok()) {
    Exercise(*set.value());
  } else if (err.status != Status::OK && err.status != set.status()) {
    Fail("Error.status differs from the returned status");
  }
  const bool strict_ok = ParseJwks(json, nullptr, KeyPolicy{UnusableKeys::kRefuse}).ok();
  if (strict_ok != (set.ok() && set.value()->skipped().empty()))
    Fail("strict mode disagrees with the keys the default mode skipped");
  Error key_err;
  auto key = ParseJwk(json, &key_err);
  if (key.ok() && key.value() != nullptr) g_sink = key.value()->Describe().size();
  return 0;
}
