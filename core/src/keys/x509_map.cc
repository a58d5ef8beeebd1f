// The x509 map key-set format: a JSON object mapping each kid to one PEM
// certificate, as Google publishes for Firebase Auth ID tokens and its v1
// certificate URLs ({"<kid>": "-----BEGIN CERTIFICATE-----\n..."}). Strict
// JSON as for JWK sets; each certificate's public key goes through the same
// key factories as a JWK, and the set binds each key to its kid.
#include <new>
#include <string>
#include <vector>

#include "json/simdjson_strict.h"
#include "keys/key.h"
#include "keys/key_impl.h"
#include "keys/key_set_format.h"

namespace tokenverify::internal {
namespace {

namespace dom = simdjson::dom;

constexpr int kMaxDepth = 32;              // as for JWK sets
constexpr size_t kMaxEntries = 1024;       // as for JWK sets
constexpr size_t kMaxPemBytes = 64 << 10;  // one certificate; real ones are 1-2 KiB

Status Fail(Error* err, Status s, std::string message) {
  if (err != nullptr) {
    err->status = s;
    err->message = std::move(message);
  }
  return s;
}

// `x509["kid"]: what`, the kid cut short for the message.
std::string Say(std::string_view kid, std::string_view what) {
  return Cat({"x509[\"", kid.substr(0, 80), "\"]: ", what});
}

// The document's shape, before any certificate is read: a malformed document
// is ERR_JWKS_MALFORMED whichever entry is at fault.
Status CheckShape(dom::object root, Error* err) {
  if (root.size() > kMaxEntries)
    return Fail(err, Status::ERR_JWKS_MALFORMED,
                Cat({"x509 key set: ", std::to_string(root.size()), " certificates; at most ",
                     std::to_string(kMaxEntries), " are accepted"}));
  for (auto [kid, value] : root) {
    if (kid.empty()) return Fail(err, Status::ERR_JWKS_MALFORMED, Say(kid, "a kid must not be empty"));
    if (!value.is_string())
      return Fail(err, Status::ERR_JWKS_MALFORMED, Say(kid, "is not a string holding a PEM certificate"));
  }
  return Status::OK;
}

// One entry: the key of the certificate `pem`, carrying `kid`.
Result<std::unique_ptr<Key>> ParseEntry(std::string_view kid, std::string_view pem, Error* err) {
  if (pem.size() > kMaxPemBytes)
    return Fail(err, Status::ERR_JWK_INVALID,
                Say(kid, Cat({"is ", std::to_string(pem.size()), " bytes; a certificate is at most ",
                              std::to_string(kMaxPemBytes)})));
  JwkCommon common;
  common.kid = std::string(kid);
  std::string why;
  auto key = NewKeyFromCertificatePem(pem, std::move(common), &why);
  if (!key.ok()) return Fail(err, key.status(), Say(kid, why));
  return key;
}

Result<std::shared_ptr<const KeySet>> ParseX509MapImpl(std::string_view json, Error* err, UnusableKeys unusable) {
  dom::parser parser;
  dom::object root;
  std::string message;
  if (const Status s = ParseKeySetObject(json, kMaxDepth, "x509 key set", &parser, &root, &message); s != Status::OK)
    return Fail(err, s, std::move(message));
  TV_RETURN_IF_ERROR(CheckShape(root, err));
  // Built as ParseJwks builds a JWK set, key by key; strict JSON has already
  // refused a repeated member, so each kid names one key. A certificate that
  // cannot be used is skipped and reported, as a JWK would be.
  std::vector<std::unique_ptr<Key>> keys;
  std::vector<SkippedKey> skipped;
  for (auto [kid, value] : root) {
    Error why;
    auto key = ParseEntry(kid, value.get_string().value_unsafe(), &why);
    if (key.ok()) {
      keys.push_back(std::move(key).value());
      continue;
    }
    if (key.status() == Status::ERR_OUT_OF_MEMORY || unusable == UnusableKeys::kRefuse) {
      std::string message = std::move(why.message);
      if (unusable == UnusableKeys::kRefuse) message += " (strictKeySet: any unusable key refuses the set)";
      return Fail(err, key.status(), std::move(message));
    }
    SkippedKey s;
    s.kid = std::string(kid);
    s.status = key.status();
    s.reason = std::move(why.message);
    skipped.push_back(std::move(s));
  }
  if (keys.empty() && !skipped.empty()) {
    std::string message = skipped.front().reason;
    if (skipped.size() > 1)
      message += Cat({" (and ", std::to_string(skipped.size() - 1), " more certificates skipped: no usable key)"});
    return Fail(err, skipped.front().status, std::move(message));
  }
  if (keys.empty()) return Fail(err, Status::ERR_KEYS_UNAVAILABLE, "x509 key set: it holds no certificate");
  return KeySet::Build(std::move(keys), err, /*ignore_kid=*/false, std::move(skipped));
}

}  // namespace

Result<std::shared_ptr<const KeySet>> ParseX509Map(std::string_view json, Error* err, KeyPolicy policy) {
  try {
    return ParseX509MapImpl(json, err, policy.unusable);
  } catch (const std::bad_alloc&) {
    return Fail(err, Status::ERR_OUT_OF_MEMORY, "out of memory while loading the x509 key set");
  }
}

}  // namespace tokenverify::internal
