// JWK and JWK set parsing (RFC 7517, 7518 section 6, 8037): strict JSON
// first, then each key's members read with simdjson's DOM API and handed to
// the family constructors in key_*.cc. Not a hot path: runs once per load.
#include <openssl/crypto.h>

#include <new>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "internal/base64url.h"
#include "internal/key.h"
#include "internal/key_impl.h"
#include "internal/strict_json.h"

namespace tokenverify::internal {
namespace {

constexpr int kMaxJwksDepth = 32;
// A real key set holds a handful of keys; a thousand is already absurd, and
// the cap bounds the work one document can cause.
constexpr size_t kMaxKeys = 1024;

namespace dom = simdjson::dom;

// Where a problem is, for messages: `keys[2] (kid "abc")`.
struct Where {
  std::string prefix;  // "keys[2]" or "jwk"
  std::string_view kid;

  std::string Say(std::string_view what) const {
    std::string s = prefix;
    if (!kid.empty()) {
      s += " (kid \"";
      s += kid.substr(0, 80);
      s += "\")";
    }
    s += ": ";
    s += what;
    return s;
  }
};

Status Fail(Error* err, Status s, std::string message) {
  if (err != nullptr) {
    err->status = s;
    err->message = std::move(message);
  }
  return s;
}

// Reads an optional string member. MALFORMED when present with another type.
Status OptionalString(dom::object obj, std::string_view name, std::string_view* out,
                      bool* present) noexcept {
  dom::element v;
  *present = false;
  if (obj.at_key(name).get(v) != simdjson::SUCCESS) return Status::OK;
  if (v.get_string().get(*out) != simdjson::SUCCESS) return Status::ERR_JWKS_MALFORMED;
  *present = true;
  return Status::OK;
}

// A base64url member holding key material, decoded. Missing is ERR_JWK_INVALID
// (the key lacks a parameter), a non-string is ERR_JWKS_MALFORMED, bad
// base64url is ERR_JWK_INVALID.
class Material {
 public:
  // "k" is a secret: wipe the whole buffer, including what the decoder wrote past the end.
  ~Material() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

  Status Read(dom::object obj, const char* name, const Where& where, Error* err) {
    dom::element v;
    if (obj.at_key(name).get(v) != simdjson::SUCCESS)
      return Fail(err, Status::ERR_JWK_INVALID, where.Say(Cat({"\"", name, "\" is missing"})));
    std::string_view text;
    if (v.get_string().get(text) != simdjson::SUCCESS)
      return Fail(err, Status::ERR_JWKS_MALFORMED,
                  where.Say(Cat({"\"", name, "\" is not a string"})));
    bytes_.resize(Base64urlDecodedLength(text.size()) + kBase64urlOutputSlack);
    if (!Base64urlDecode(text, bytes_.data()))
      return Fail(err, Status::ERR_JWK_INVALID,
                  where.Say(Cat({"\"", name, "\" is not strict unpadded base64url"})));
    size_ = Base64urlDecodedLength(text.size());
    return Status::OK;
  }

  Bytes bytes() const noexcept { return {bytes_.data(), size_}; }

 private:
  std::vector<uint8_t> bytes_;  // decoded bytes, then the decoder's slack
  size_t size_ = 0;
};

// Reads "alg", "use" and "key_ops" into *common.
Status ReadCommon(dom::object obj, const Where& where, JwkCommon* common, Error* err) {
  std::string_view s;
  bool present = false;
  if (OptionalString(obj, "alg", &s, &present) != Status::OK)
    return Fail(err, Status::ERR_JWKS_MALFORMED, where.Say("\"alg\" is not a string"));
  if (present) {
    // The key verifies only its own algorithm. A name we don't implement
    // (RSA-OAEP, ES521, ...) leaves it usable for nothing, without failing
    // the whole set: sets often carry encryption keys beside signing keys.
    Alg alg;
    common->member_algs = ParseAlg(s, &alg) == Status::OK ? AlgBit(alg) : 0;
  }
  if (OptionalString(obj, "use", &s, &present) != Status::OK)
    return Fail(err, Status::ERR_JWKS_MALFORMED, where.Say("\"use\" is not a string"));
  if (present && s != "sig") common->verify_allowed = false;

  dom::element ops;
  if (obj.at_key("key_ops").get(ops) == simdjson::SUCCESS) {
    dom::array arr;
    if (ops.get_array().get(arr) != simdjson::SUCCESS)
      return Fail(err, Status::ERR_JWKS_MALFORMED, where.Say("\"key_ops\" is not an array"));
    bool verify = false;
    for (dom::element op : arr) {
      std::string_view name;
      if (op.get_string().get(name) != simdjson::SUCCESS)
        return Fail(err, Status::ERR_JWKS_MALFORMED,
                    where.Say("\"key_ops\" holds something other than strings"));
      verify = verify || name == "verify";
    }
    if (!verify) common->verify_allowed = false;
  }
  return Status::OK;
}

// Adds the key's location to a family constructor's failure.
Result<std::unique_ptr<Key>> Located(KeyResult r, const std::string& why, const Where& where,
                                     Error* err) {
  if (!r.ok()) return Fail(err, r.status(), where.Say(why));
  return r;
}

// Parses one JWK object. nullptr (OK) for a key that is skipped.
Result<std::unique_ptr<Key>> ParseKeyObject(dom::object obj, std::string prefix, Error* err) {
  Where where{std::move(prefix), {}};
  std::string_view kid;
  bool present = false;
  if (OptionalString(obj, "kid", &kid, &present) != Status::OK)
    return Fail(err, Status::ERR_JWKS_MALFORMED, where.Say("\"kid\" is not a string"));
  where.kid = kid;

  std::string_view kty;
  if (OptionalString(obj, "kty", &kty, &present) != Status::OK)
    return Fail(err, Status::ERR_JWKS_MALFORMED, where.Say("\"kty\" is not a string"));
  if (!present) return Fail(err, Status::ERR_JWKS_MALFORMED, where.Say("\"kty\" is missing"));

  JwkCommon common;
  common.kid = std::string(kid);
  TV_RETURN_IF_ERROR(ReadCommon(obj, where, &common, err));

  std::string why;
  if (kty == "RSA") {
    Material n, e;
    TV_RETURN_IF_ERROR(n.Read(obj, "n", where, err));
    TV_RETURN_IF_ERROR(e.Read(obj, "e", where, err));
    return Located(NewRsaKey(n.bytes(), e.bytes(), std::move(common), &why), why, where, err);
  }
  if (kty == "EC" || kty == "OKP") {
    std::string_view crv;
    if (OptionalString(obj, "crv", &crv, &present) != Status::OK)
      return Fail(err, Status::ERR_JWKS_MALFORMED, where.Say("\"crv\" is not a string"));
    if (!present) return Fail(err, Status::ERR_JWK_INVALID, where.Say("\"crv\" is missing"));
    Material x, y;
    if (kty == "OKP") {
      if (crv == "X25519" || crv == "X448") return std::unique_ptr<Key>();  // key agreement only
      TV_RETURN_IF_ERROR(x.Read(obj, "x", where, err));
      return Located(NewOkpKey(crv, x.bytes(), std::move(common), &why), why, where, err);
    }
    TV_RETURN_IF_ERROR(x.Read(obj, "x", where, err));
    TV_RETURN_IF_ERROR(y.Read(obj, "y", where, err));
    return Located(NewEcKey(crv, x.bytes(), y.bytes(), std::move(common), &why), why, where,
                   err);
  }
  if (kty == "oct") {
    Material k;
    TV_RETURN_IF_ERROR(k.Read(obj, "k", where, err));
    return Located(NewHmacKey(k.bytes(), std::move(common), &why), why, where, err);
  }
  return std::unique_ptr<Key>();  // a key type we don't verify with: skipped
}

// Strict JSON, then the DOM. Every JSON-level failure of a key set is
// ERR_JWKS_MALFORMED; the message names the precise JSON problem.
Status ParseDocument(std::string_view json, dom::parser* parser, dom::object* root,
                     Error* err) {
  const Status strict = ValidateStrictJsonObject(json, kMaxJwksDepth);
  if (strict == Status::ERR_OUT_OF_MEMORY) return Fail(err, strict, "out of memory");
  if (strict != Status::OK) {
    const std::string what = strict == Status::ERR_JSON_NOT_OBJECT
                                 ? "not a JSON object"
                                 : Cat({StatusMessage(strict), " (", StatusName(strict), ")"});
    return Fail(err, Status::ERR_JWKS_MALFORMED, Cat({"key set: ", what}));
  }
  dom::element doc;
  if (auto e = parser->parse(json.data(), json.size()).get(doc)) {
    if (e == simdjson::MEMALLOC) return Fail(err, Status::ERR_OUT_OF_MEMORY, "out of memory");
    return Fail(err, Status::ERR_JWKS_MALFORMED,
                std::string("key set: ") + simdjson::error_message(e));
  }
  if (doc.get_object().get(*root) != simdjson::SUCCESS)
    return Fail(err, Status::ERR_JWKS_MALFORMED, "key set: not a JSON object");
  return Status::OK;
}

Result<std::shared_ptr<const KeySet>> ParseJwksImpl(std::string_view json, Error* err) {
  dom::parser parser;
  dom::object root;
  TV_RETURN_IF_ERROR(ParseDocument(json, &parser, &root, err));

  std::vector<std::unique_ptr<Key>> keys;
  dom::element keys_member;
  if (root.at_key("keys").get(keys_member) != simdjson::SUCCESS) {
    // Not a set: accept one bare JWK, as people paste single keys into configuration.
    dom::element kty;
    if (root.at_key("kty").get(kty) != simdjson::SUCCESS)
      return Fail(err, Status::ERR_JWKS_MALFORMED,
                  "key set: neither a \"keys\" array nor a single JWK with \"kty\"");
    TV_ASSIGN_OR_RETURN(auto key, ParseKeyObject(root, "jwk", err));
    if (key != nullptr) keys.push_back(std::move(key));
    return KeySet::Build(std::move(keys), err);
  }
  dom::array arr;
  if (keys_member.get_array().get(arr) != simdjson::SUCCESS)
    return Fail(err, Status::ERR_JWKS_MALFORMED, "key set: \"keys\" is not an array");
  if (arr.size() > kMaxKeys)
    return Fail(err, Status::ERR_JWKS_MALFORMED,
                Cat({"key set: ", std::to_string(arr.size()), " keys; at most ",
                     std::to_string(kMaxKeys), " are accepted"}));

  absl::flat_hash_map<std::string_view, size_t> kid_at;  // kid -> document position
  bool any_secret = false, any_public = false;
  size_t index = 0;
  for (dom::element element : arr) {
    const size_t i = index++;
    const std::string prefix = Cat({"keys[", std::to_string(i), "]"});
    dom::object obj;
    if (element.get_object().get(obj) != simdjson::SUCCESS)
      return Fail(err, Status::ERR_JWKS_MALFORMED, Cat({prefix, ": not a JSON object"}));
    TV_ASSIGN_OR_RETURN(std::unique_ptr<Key> key, ParseKeyObject(obj, prefix, err));
    if (key == nullptr) continue;
    const Where where{prefix, key->kid()};
    (key->type() == KeyType::kOct ? any_secret : any_public) = true;
    if (any_secret && any_public)
      return Fail(err, Status::ERR_JWKS_MIXED,
                  where.Say("the set mixes secret (oct) and public keys; keep HMAC secrets in a "
                            "set of their own"));
    if (!key->kid().empty()) {
      auto [it, inserted] = kid_at.emplace(key->kid(), i);
      if (!inserted)
        return Fail(err, Status::ERR_JWKS_DUPLICATE_KID,
                    where.Say(Cat({"the kid is already used by keys[", std::to_string(it->second), "]"})));
    }
    keys.push_back(std::move(key));
  }
  return KeySet::Build(std::move(keys), err);
}

}  // namespace

Result<std::shared_ptr<const KeySet>> ParseJwks(std::string_view json, Error* err) {
  try {
    return ParseJwksImpl(json, err);
  } catch (const std::bad_alloc&) {
    return Fail(err, Status::ERR_OUT_OF_MEMORY, "out of memory while loading the key set");
  }
}

Result<std::unique_ptr<Key>> ParseJwk(std::string_view json, Error* err) {
  try {
    dom::parser parser;
    dom::object root;
    TV_RETURN_IF_ERROR(ParseDocument(json, &parser, &root, err));
    return ParseKeyObject(root, "jwk", err);
  } catch (const std::bad_alloc&) {
    return Fail(err, Status::ERR_OUT_OF_MEMORY, "out of memory while loading the key");
  }
}

Result<std::shared_ptr<const KeySet>> KeySetFromSecret(std::span<const uint8_t> secret,
                                                       Error* err) {
  try {
    std::string why;
    auto key = NewHmacKey(secret, JwkCommon{}, &why);
    if (!key.ok()) return Fail(err, key.status(), Cat({"secret: ", why}));
    std::vector<std::unique_ptr<Key>> keys;
    keys.push_back(std::move(key).value());
    return KeySet::Build(std::move(keys), err, /*ignore_kid=*/true);
  } catch (const std::bad_alloc&) {
    return Fail(err, Status::ERR_OUT_OF_MEMORY, "out of memory while loading the secret");
  }
}

}  // namespace tokenverify::internal
