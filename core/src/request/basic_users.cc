#include "request/basic_users.h"

#include <algorithm>
#include <mutex>

namespace tokenverify::internal {

struct BasicUsers::Cache {
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable std::mutex mu;
    absl::flat_hash_map<KeyedDigest, int64_t> expiry;  // keyed hash of user and password -> unix s
  };
  explicit Cache(size_t entries) : per_shard(std::max<size_t>(1, entries / kShards)) {}

  Shard& For(const KeyedDigest& key) { return shards[key[0] % kShards]; }

  bool Has(const KeyedDigest& key, int64_t now_s) {
    Shard& s = For(key);
    std::lock_guard lock(s.mu);
    const auto it = s.expiry.find(key);
    return it != s.expiry.end() && it->second > now_s;
  }

  void Remember(const KeyedDigest& key, int64_t expires_s, int64_t now_s) {
    Shard& s = For(key);
    std::lock_guard lock(s.mu);
    if (s.expiry.size() >= per_shard && !s.expiry.contains(key)) {
      absl::erase_if(s.expiry, [&](const auto& entry) { return entry.second <= now_s; });
      if (s.expiry.size() >= per_shard) {
        // Still full of live entries: the one closest to expiry goes.
        auto soonest = std::min_element(s.expiry.begin(), s.expiry.end(),
                                        [](const auto& a, const auto& b) { return a.second < b.second; });
        s.expiry.erase(soonest);
      }
    }
    s.expiry[key] = expires_s;
  }

  size_t Size() const {
    size_t n = 0;
    for (const Shard& s : shards) {
      std::lock_guard lock(s.mu);
      n += s.expiry.size();
    }
    return n;
  }

  size_t per_shard;
  Shard shards[kShards];
};

BasicUsers::~BasicUsers() = default;

Result<std::unique_ptr<BasicUsers>> BasicUsers::Build(const std::vector<std::pair<std::string, std::string>>& users,
                                                      Error* err, Options options) {
  auto fail = [&](size_t i, std::string_view member, std::string message) {
    err->status = Status::ERR_CONFIG;
    err->field = "users[" + std::to_string(i) + "]." + std::string(member);
    err->message = std::move(message);
    return Status::ERR_CONFIG;
  };
  std::unique_ptr<BasicUsers> b(new BasicUsers());
  b->remembered_for_s_ = options.remembered_for_s;
  bool have_dummy = false;
  for (size_t i = 0; i < users.size(); ++i) {
    const auto& [name, stored] = users[i];
    if (name.empty()) return fail(i, "username", "must not be empty");
    for (unsigned char c : name) {
      if (c == ':') return fail(i, "username", "must not contain ':' (RFC 7617)");
      if (c < 0x20 || c == 0x7f) return fail(i, "username", "must not contain control characters");
    }
    Error hash_err;
    auto parsed = StoredPassword::Parse(stored, &hash_err);
    if (!parsed.ok()) return fail(i, "password", hash_err.message);
    if (!have_dummy || (parsed->slow() && !b->dummy_.slow())) {
      b->dummy_ = parsed.value();
      have_dummy = true;
    }
    if (!b->users_.emplace(name, std::move(parsed).value()).second)
      return fail(i, "username", "\"" + name + "\" is listed twice");
  }
  if (b->dummy_.slow() && options.remembered_entries > 0)
    b->cache_ = std::make_unique<Cache>(options.remembered_entries);
  return b;
}

Status BasicUsers::Check(std::string_view user, std::string_view password, int64_t now_s) const {
  const auto it = users_.find(absl::string_view(user.data(), user.size()));  // Debian's abseil has its own string_view
  const StoredPassword& stored = it != users_.end() ? it->second : dummy_;
  KeyedDigest key{};
  const bool cached = cache_ != nullptr && stored.slow() && it != users_.end();
  if (cached) {
    key = KeyedHash("basic", user, password);
    if (cache_->Has(key, now_s)) return Status::OK;
  }
  const bool matches = stored.Matches(password);
  if (it == users_.end() || !matches) return Status::ERR_BAD_CREDENTIALS;
  if (cached) cache_->Remember(key, now_s + remembered_for_s_, now_s);
  return Status::OK;
}

size_t BasicUsers::remembered() const { return cache_ ? cache_->Size() : 0; }

}  // namespace tokenverify::internal
