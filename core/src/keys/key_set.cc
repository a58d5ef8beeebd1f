// Key::CheckUsableFor and the immutable KeySet (kid index, per-alg candidates).
#include <atomic>
#include <new>
#include <string>
#include <utility>

#include <openssl/sha.h>

#include "base64url/base64url.h"
#include "keys/key.h"
#include "keys/key_impl.h"

namespace tokenverify::internal {
namespace {

// Process-wide: a unique id per Key ever built, so that the per-thread
// context cache (key_ctx_cache.cc) can never mistake a new key for a freed
// one at the same address. 0 marks an empty cache slot.
std::atomic<uint64_t> g_next_key_id{1};

void SetError(Error* err, Status s, std::string message) {
  if (err == nullptr) return;
  err->status = s;
  err->message = std::move(message);
}

}  // namespace

KeyBase::KeyBase(KeyType type, AlgSet family_algs, JwkCommon&& common) noexcept
    : id_(g_next_key_id.fetch_add(1, std::memory_order_relaxed)) {
  type_ = type;
  kid_ = std::move(common.kid);
  family_algs_ = family_algs;
  member_algs_ = common.member_algs;
  verify_allowed_ = common.verify_allowed;
}

std::string JwkThumbprint(std::initializer_list<std::pair<std::string_view, std::string_view>> members) {
  // The values here are base64url, curve names and kty names: no JSON escaping needed.
  std::string json = "{";
  for (const auto& [name, value] : members) {
    if (json.size() > 1) json += ',';
    json.append("\"").append(name).append("\":\"").append(value).append("\"");
  }
  json += '}';
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const uint8_t*>(json.data()), json.size(), digest);
  return Base64urlEncode(std::span<const uint8_t>(digest, sizeof digest));
}

void SetThumbprint(Key& key, std::string thumbprint) noexcept { key.thumbprint_ = std::move(thumbprint); }

std::string_view Key::kty() const noexcept {
  switch (type_) {
    case KeyType::kRsa:
      return "RSA";
    case KeyType::kEc:
      return "EC";
    case KeyType::kOkp:
      return "OKP";
    case KeyType::kOct:
      return "oct";
  }
  return "";
}

std::string Key::Describe() const {
  const std::string_view c = curve();
  return Cat({kty(), " ", c.empty() ? std::to_string(bits()) : std::string(c)});
}

std::string_view Key::member_alg() const noexcept {
  // A JWK "alg" narrows member_algs_ to exactly one algorithm.
  if (member_algs_ == 0 || (member_algs_ & (member_algs_ - 1)) != 0) return "";
  return AlgName(static_cast<Alg>(__builtin_ctz(member_algs_)));
}

bool Key::BeginMac(Alg, std::span<const uint8_t>, MacInProgress*) const noexcept { return false; }

Status Key::VerifyDigest(Alg, std::span<const uint8_t>, std::span<const uint8_t>) const noexcept {
  return Status::ERR_SIGNATURE_INVALID;
}

Status Key::CheckUsableFor(Alg alg) const noexcept {
  // An HMAC secret too short for this hash is a weak key, not a wrong family:
  // only the length restriction is left out of this first test.
  const AlgSet family = type_ == KeyType::kOct ? kHmacAlgs : family_algs_;
  if (!AlgSetHas(family, alg)) return Status::ERR_KEY_ALG_MISMATCH;
  if (!AlgSetHas(member_algs_, alg)) return Status::ERR_KEY_ALG_MISMATCH;
  if (!verify_allowed_) return Status::ERR_KEY_USE_MISMATCH;
  if (!AlgSetHas(family_algs_, alg)) return Status::ERR_JWK_WEAK;
  return Status::OK;
}

const Key* KeySet::FindByKid(std::string_view kid) const noexcept {
  // Every verification with a kid looks it up. Key sets are small (a JWKS
  // holds a few keys): comparing the kids in order, where the length check
  // rejects most, costs less than hashing the token's kid.
  if (keys_.size() <= kKidsInOrder) {
    if (kid.empty()) return nullptr;  // keys without a kid are not in by_kid_ either
    for (const auto& k : keys_)
      if (k->kid() == kid) return k.get();
    return nullptr;
  }
  // Debian's abseil has its own string_view type, which the heterogeneous lookup wants.
  auto it = by_kid_.find(absl::string_view(kid.data(), kid.size()));
  return it == by_kid_.end() ? nullptr : it->second;
}

Status KeySet::StatusForMissingKid(std::string_view kid) const noexcept {
  if (skipped_by_kid_.empty() || kid.empty()) return Status::ERR_KID_NOT_FOUND;
  auto it = skipped_by_kid_.find(absl::string_view(kid.data(), kid.size()));
  return it == skipped_by_kid_.end() ? Status::ERR_KID_NOT_FOUND : it->second;
}

std::string KeySet::Notes(size_t max_keys_without_kid) const {
  std::string notes;
  if (!skipped_.empty()) {
    notes += Cat({"; ", std::to_string(skipped_.size()), skipped_.size() == 1 ? " key" : " keys",
                  " skipped (tokens naming them are refused)"});
    constexpr size_t kReasonsNamed = 16;  // an event is a log line, not the whole document
    for (size_t i = 0; i < skipped_.size() && i < kReasonsNamed; ++i)
      notes += Cat({"; ", skipped_[i].reason, " [", StatusName(skipped_[i].status), "]"});
    if (skipped_.size() > kReasonsNamed)
      notes += Cat({"; and ", std::to_string(skipped_.size() - kReasonsNamed), " more (see skippedKeys in the stats)"});
  }
  if (keys_without_kid_ > max_keys_without_kid)
    notes += Cat({"; ", std::to_string(keys_without_kid_),
                  " keys have no kid but a token without a kid is tried "
                  "against at most ",
                  std::to_string(max_keys_without_kid),
                  " compatible keys (limits.maxKeysWithoutKid): the others fail such tokens with "
                  "TV_ERR_TOO_MANY_CANDIDATE_KEYS"});
  return notes;
}

std::span<const Key* const> KeySet::CandidatesFor(Alg alg) const noexcept {
  const auto& v = by_alg_[static_cast<size_t>(alg)];
  return {v.data(), v.size()};
}

Result<std::shared_ptr<const KeySet>> KeySet::Build(std::vector<std::unique_ptr<Key>> keys, Error* err, bool ignore_kid,
                                                    std::vector<SkippedKey> skipped) {
  auto set = std::shared_ptr<KeySet>(new KeySet());
  bool any_secret = false, any_public = false;
  for (size_t i = 0; i < keys.size(); ++i) {
    const Key* k = keys[i].get();
    (k->type() == KeyType::kOct ? any_secret : any_public) = true;
    if (any_secret && any_public) {
      SetError(err, Status::ERR_JWKS_MIXED,
               "key set mixes secret (oct) and public keys; keep HMAC secrets in a set of their own");
      return Status::ERR_JWKS_MIXED;
    }
    if (!k->kid().empty() && !set->by_kid_.emplace(k->kid(), k).second) {
      SetError(err, Status::ERR_JWKS_DUPLICATE_KID,
               Cat({"two keys have kid \"", k->kid(), "\"; a kid must name one key"}));
      return Status::ERR_JWKS_DUPLICATE_KID;
    }
    if (k->kid().empty()) ++set->keys_without_kid_;
    for (int a = 0; a < kAlgCount; ++a) {
      if (k->CheckUsableFor(static_cast<Alg>(a)) == Status::OK) set->by_alg_[a].push_back(k);
    }
  }
  for (const SkippedKey& s : skipped) {
    if (s.kid.empty()) continue;
    // The first skipped key with the kid speaks for it, unless the kid is
    // ambiguous: then that is what a token naming it is refused for.
    auto [it, inserted] = set->skipped_by_kid_.emplace(s.kid, s.status);
    if (!inserted && s.status == Status::ERR_JWKS_DUPLICATE_KID) it->second = s.status;
  }
  set->skipped_ = std::move(skipped);
  set->ignores_kid_ = ignore_kid;
  set->keys_ = std::move(keys);
  return std::shared_ptr<const KeySet>(std::move(set));
}

}  // namespace tokenverify::internal
