// JWK and JWK set parsing (RFC 7517, 7518 section 6, 8037): strict JSON
// first, then each key's members read with simdjson's DOM API and handed to
// the family constructors in key_*.cc. Not a hot path: runs once per load.
#include <openssl/crypto.h>

#include <algorithm>
#include <new>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base64url/base64url.h"
#include "json/simdjson_strict.h"
#include "keys/key.h"
#include "keys/key_impl.h"

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
Status OptionalString(dom::object obj, std::string_view name, std::string_view* out, bool* present) noexcept {
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
      return Fail(err, Status::ERR_JWKS_MALFORMED, where.Say(Cat({"\"", name, "\" is not a string"})));
    bytes_.resize(Base64urlDecodedLength(text.size()) + kBase64urlOutputSlack);
    if (!Base64urlDecode(text, bytes_.data()))
      return Fail(err, Status::ERR_JWK_INVALID, where.Say(Cat({"\"", name, "\" is not strict unpadded base64url"})));
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
        return Fail(err, Status::ERR_JWKS_MALFORMED, where.Say("\"key_ops\" holds something other than strings"));
      verify = verify || name == "verify";
    }
    if (!verify) common->verify_allowed = false;
  }
  return Status::OK;
}

// Adds the key's location to a family constructor's failure.
Result<std::unique_ptr<Key>> Located(KeyResult r, const std::string& why, const Where& where, Error* err) {
  if (!r.ok()) return Fail(err, r.status(), where.Say(why));
  return r;
}

// Parses one JWK object. A kty we don't verify with and the key-agreement
// curves X25519/X448 give nullptr (OK), unless `report_unsupported`: then they
// fail like any other key the engine cannot use (ERR_JWK_INVALID,
// ERR_KEY_USE_MISMATCH), so that a set can report them.
Result<std::unique_ptr<Key>> ParseKeyObject(dom::object obj, std::string prefix, Error* err,
                                            bool report_unsupported = false, bool short_hmac_secrets = false) {
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
      if (crv == "X25519" || crv == "X448") {  // key agreement only
        if (!report_unsupported) return std::unique_ptr<Key>();
        return Fail(err, Status::ERR_KEY_USE_MISMATCH,
                    where.Say(Cat({"\"crv\" ", crv, " is for key agreement, not signatures"})));
      }
      TV_RETURN_IF_ERROR(x.Read(obj, "x", where, err));
      return Located(NewOkpKey(crv, x.bytes(), std::move(common), &why), why, where, err);
    }
    TV_RETURN_IF_ERROR(x.Read(obj, "x", where, err));
    TV_RETURN_IF_ERROR(y.Read(obj, "y", where, err));
    return Located(NewEcKey(crv, x.bytes(), y.bytes(), std::move(common), &why), why, where, err);
  }
  if (kty == "oct") {
    Material k;
    TV_RETURN_IF_ERROR(k.Read(obj, "k", where, err));
    return Located(NewHmacKey(k.bytes(), std::move(common), &why, short_hmac_secrets), why, where, err);
  }
  if (!report_unsupported) return std::unique_ptr<Key>();  // a key type we don't verify with
  return Fail(err, Status::ERR_JWK_INVALID,
              where.Say(Cat({"\"kty\" \"", kty.substr(0, 32), "\" is not a key type this engine verifies with"})));
}

// The algorithms a key of this kty (and crv) would sign with, to say why a
// token without a kid finds no key when the only ones of its family were skipped.
AlgSet FamilyOf(std::string_view kty, std::string_view crv) noexcept {
  if (kty == "RSA") return kRsaAlgs;
  if (kty == "oct") return kHmacAlgs;
  if (kty == "EC") {
    if (crv == "P-256") return AlgBit(Alg::kES256);
    if (crv == "P-384") return AlgBit(Alg::kES384);
    if (crv == "P-521") return AlgBit(Alg::kES512);
    if (crv == "secp256k1") return AlgBit(Alg::kES256K);
  }
  if (kty == "OKP" && crv == "Ed25519") return kEd25519Algs;
  if (kty == "OKP" && crv == "Ed448") return kEd448Algs;
  return 0;
}

// The algorithms `key` would verify but for its "alg", "use" and "key_ops".
AlgSet FamilyOf(const Key& key) noexcept {
  AlgSet family = 0;
  for (int a = 0; a < kAlgCount; ++a)
    if (key.CheckUsableFor(static_cast<Alg>(a)) != Status::ERR_KEY_ALG_MISMATCH) family |= AlgBit(static_cast<Alg>(a));
  return family;
}

// The record of a key left out of a set.
SkippedKey Skipped(dom::object obj, Status status, std::string reason) {
  SkippedKey s;
  std::string_view text;
  bool present = false;
  if (OptionalString(obj, "kid", &text, &present) == Status::OK && present) s.kid = std::string(text);
  if (OptionalString(obj, "kty", &text, &present) == Status::OK && present) s.kty = std::string(text.substr(0, 32));
  std::string_view crv;
  if (OptionalString(obj, "crv", &text, &present) == Status::OK && present) crv = text;
  s.status = status;
  s.reason = std::move(reason);
  s.family = FamilyOf(s.kty, crv);
  return s;
}

// Strict JSON, then the DOM. Every JSON-level failure of a key set is
// ERR_JWKS_MALFORMED; the message names the precise JSON problem.
Status ParseDocument(std::string_view json, dom::parser* parser, dom::object* root, Error* err) {
  std::string message;
  const Status s = ParseKeySetObject(json, kMaxJwksDepth, "key set", parser, root, &message);
  return s == Status::OK ? s : Fail(err, s, std::move(message));
}

// The keys of a set, in document order: the usable ones and the skipped ones.
struct Entries {
  std::vector<std::unique_ptr<Key>> keys;
  std::vector<size_t> key_at;                          // document position of keys[i]
  std::vector<std::pair<size_t, SkippedKey>> skipped;  // (document position, record)
};

// Parses entry `i` of the set into `out`: a usable key, or a skipped one.
// Fails only for what refuses the whole document (out of memory, mixed keys).
Status AddEntry(dom::object obj, size_t i, std::string prefix, const KeyPolicy& policy, Entries* out, bool* any_secret,
                bool* any_public, Error* err) {
  Error why;
  auto parsed = ParseKeyObject(obj, prefix, &why, /*report_unsupported=*/true, policy.short_hmac_secrets);
  if (!parsed.ok()) {
    if (parsed.status() == Status::ERR_OUT_OF_MEMORY) return Fail(err, parsed.status(), why.message);
    out->skipped.emplace_back(i, Skipped(obj, parsed.status(), std::move(why.message)));
    return Status::OK;
  }
  std::unique_ptr<Key> key = std::move(parsed).value();
  const Where where{prefix, key->kid()};
  if (!key->verify_allowed()) {
    out->skipped.emplace_back(i, Skipped(obj, Status::ERR_KEY_USE_MISMATCH,
                                         where.Say("its \"use\" or \"key_ops\" does not allow verification")));
    return Status::OK;
  }
  (key->type() == KeyType::kOct ? *any_secret : *any_public) = true;
  if (*any_secret && *any_public)
    return Fail(err, Status::ERR_JWKS_MIXED,
                where.Say("the set mixes secret (oct) and public keys; keep HMAC secrets in a "
                          "set of their own"));
  out->keys.push_back(std::move(key));
  out->key_at.push_back(i);
  return Status::OK;
}

// A kid that names two or more entries of the set that could sign (usable
// or not: a retired weak key under the new key's kid is ambiguous) is
// ambiguous: a token naming it could mean either. Moves every usable key that
// has it to the skipped ones, as ERR_JWKS_DUPLICATE_KID. A key published for
// encryption or key agreement under the signing key's kid (ERR_KEY_USE_MISMATCH)
// could never verify a token, so it leaves the signing key alone.
void SkipAmbiguousKids(Entries* e) {
  absl::flat_hash_map<std::string_view, std::vector<size_t>> positions_of;  // kid -> document positions
  for (size_t j = 0; j < e->keys.size(); ++j)
    if (!e->keys[j]->kid().empty()) positions_of[e->keys[j]->kid()].push_back(e->key_at[j]);
  for (const auto& [at, s] : e->skipped)
    if (!s.kid.empty() && s.status != Status::ERR_KEY_USE_MISMATCH) positions_of[s.kid].push_back(at);
  std::vector<bool> ambiguous(e->keys.size(), false);
  bool any = false;
  std::vector<std::pair<size_t, SkippedKey>> moved;
  for (size_t j = 0; j < e->keys.size(); ++j) {
    const Key& k = *e->keys[j];
    if (k.kid().empty()) continue;
    std::vector<size_t>& at = positions_of[k.kid()];
    if (at.size() < 2) continue;
    std::sort(at.begin(), at.end());
    // Names a few positions: a hostile set of 1024 keys with one kid must not
    // make 1024 messages of 1024 positions each.
    constexpr size_t kPositionsNamed = 4;
    std::string positions;
    for (size_t n = 0; n < at.size() && n < kPositionsNamed; ++n)
      positions += Cat({n == 0 ? "" : ", ", "keys[", std::to_string(at[n]), "]"});
    if (at.size() > kPositionsNamed) positions += Cat({" and ", std::to_string(at.size() - kPositionsNamed), " more"});
    ambiguous[j] = any = true;
    SkippedKey s;
    s.kid = k.kid();
    s.kty = std::string(k.kty());
    s.status = Status::ERR_JWKS_DUPLICATE_KID;
    s.reason = Where{Cat({"keys[", std::to_string(e->key_at[j]), "]"}), k.kid()}.Say(
        Cat({"the kid is shared by ", positions, "; a kid must name one key"}));
    s.family = FamilyOf(k);
    moved.emplace_back(e->key_at[j], std::move(s));
  }
  for (auto& m : moved) e->skipped.push_back(std::move(m));
  if (!any) return;
  Entries kept;
  for (size_t j = 0; j < e->keys.size(); ++j) {
    if (ambiguous[j]) continue;
    kept.keys.push_back(std::move(e->keys[j]));
    kept.key_at.push_back(e->key_at[j]);
  }
  e->keys = std::move(kept.keys);
  e->key_at = std::move(kept.key_at);
}

Result<std::shared_ptr<const KeySet>> ParseJwksImpl(std::string_view json, Error* err, const KeyPolicy& policy) {
  dom::parser parser;
  dom::object root;
  TV_RETURN_IF_ERROR(ParseDocument(json, &parser, &root, err));

  Entries entries;
  bool any_secret = false, any_public = false;
  dom::element keys_member;
  if (root.at_key("keys").get(keys_member) != simdjson::SUCCESS) {
    // Not a set: accept one bare JWK, as people paste single keys into configuration.
    dom::element kty;
    if (root.at_key("kty").get(kty) != simdjson::SUCCESS)
      return Fail(err, Status::ERR_JWKS_MALFORMED, "key set: neither a \"keys\" array nor a single JWK with \"kty\"");
    TV_RETURN_IF_ERROR(AddEntry(root, 0, "jwk", policy, &entries, &any_secret, &any_public, err));
  } else {
    dom::array arr;
    if (keys_member.get_array().get(arr) != simdjson::SUCCESS)
      return Fail(err, Status::ERR_JWKS_MALFORMED, "key set: \"keys\" is not an array");
    if (arr.size() > kMaxKeys)
      return Fail(
          err, Status::ERR_JWKS_MALFORMED,
          Cat({"key set: ", std::to_string(arr.size()), " keys; at most ", std::to_string(kMaxKeys), " are accepted"}));
    size_t index = 0;
    for (dom::element element : arr) {
      const size_t i = index++;
      const std::string prefix = Cat({"keys[", std::to_string(i), "]"});
      dom::object obj;
      if (element.get_object().get(obj) != simdjson::SUCCESS)
        return Fail(err, Status::ERR_JWKS_MALFORMED, Cat({prefix, ": not a JSON object"}));
      TV_RETURN_IF_ERROR(AddEntry(obj, i, prefix, policy, &entries, &any_secret, &any_public, err));
    }
  }
  SkipAmbiguousKids(&entries);
  std::stable_sort(entries.skipped.begin(), entries.skipped.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  if (!entries.skipped.empty() && (policy.unusable == UnusableKeys::kRefuse || entries.keys.empty())) {
    const SkippedKey& first = entries.skipped.front().second;
    std::string message = first.reason;
    if (policy.unusable == UnusableKeys::kRefuse)
      message += " (strictKeySet: any unusable key refuses the set)";
    else if (entries.skipped.size() > 1)
      message +=
          Cat({" (and ", std::to_string(entries.skipped.size() - 1), " more keys skipped: the set has no usable key)"});
    return Fail(err, first.status, std::move(message));
  }
  if (entries.keys.empty()) return Fail(err, Status::ERR_KEYS_UNAVAILABLE, "key set: it holds no key");
  std::vector<SkippedKey> skipped;
  skipped.reserve(entries.skipped.size());
  for (auto& [at, s] : entries.skipped) skipped.push_back(std::move(s));
  return KeySet::Build(std::move(entries.keys), err, /*ignore_kid=*/false, std::move(skipped));
}

}  // namespace

Result<std::shared_ptr<const KeySet>> ParseJwks(std::string_view json, Error* err, KeyPolicy policy) {
  try {
    return ParseJwksImpl(json, err, policy);
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

Result<std::shared_ptr<const KeySet>> KeySetFromSecret(std::span<const uint8_t> secret, Error* err, KeyPolicy policy) {
  try {
    std::string why;
    auto key = NewHmacKey(secret, JwkCommon{}, &why, policy.short_hmac_secrets);
    if (!key.ok()) return Fail(err, key.status(), Cat({"secret: ", why}));
    std::vector<std::unique_ptr<Key>> keys;
    keys.push_back(std::move(key).value());
    return KeySet::Build(std::move(keys), err, /*ignore_kid=*/true);
  } catch (const std::bad_alloc&) {
    return Fail(err, Status::ERR_OUT_OF_MEMORY, "out of memory while loading the secret");
  }
}

}  // namespace tokenverify::internal
