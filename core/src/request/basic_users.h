// The users of one Basic auth (RFC 7617): their stored passwords, a dummy
// hash for unknown users, and a small cache of recent successes.
//
// An unknown user is checked against the hash of a configured user (the
// first with a slow hash), and the answer is still "no": it costs what a
// wrong password costs and gets the same status. A success with a slow hash
// is remembered, keyed by a keyed hash of user and password (like Apache's
// AuthnCacheSOCache), so a returning client costs one SHA-256 instead of a
// bcrypt; a failure is never remembered. The cache is bounded: under a flood
// of distinct successful credentials the entries closest to expiry go first.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "request/password_hash.h"
#include "tokenverify/result.h"

namespace tokenverify::internal {

class BasicUsers {
 public:
  struct Options {
    size_t remembered_entries = 1024;  // bound on remembered successes; 0: none
    int64_t remembered_for_s = 300;    // how long a success is remembered
  };

  // ERR_CONFIG with err->field relative to the users list ("users[2].password",
  // "users[1].username") for an empty user name, one with ':' (RFC 7617
  // §2) or a control character, a user listed twice, or a password that is not
  // a valid hash of the format it starts like.
  static Result<std::unique_ptr<BasicUsers>> Build(const std::vector<std::pair<std::string, std::string>>& users,
                                                   Error* err, Options options);
  static Result<std::unique_ptr<BasicUsers>> Build(const std::vector<std::pair<std::string, std::string>>& users,
                                                   Error* err) {
    return Build(users, err, Options());
  }

  // OK or ERR_BAD_CREDENTIALS (unknown user and wrong password alike).
  // Thread-safe. `now_s` is the clock of the success cache.
  Status Check(std::string_view user, std::string_view password, int64_t now_s) const;

  size_t remembered() const;  // live and expired entries held, for tests and stats

  ~BasicUsers();

 private:
  struct Cache;
  BasicUsers() = default;

  absl::flat_hash_map<std::string, StoredPassword> users_;
  StoredPassword dummy_;  // what an unknown user's password is checked against
  std::unique_ptr<Cache> cache_;
  int64_t remembered_for_s_ = 300;
};

}  // namespace tokenverify::internal
