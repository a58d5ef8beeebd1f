// Revoked tokens (by jti) and revoked subjects ("log out everywhere": every
// token of a sub issued before a time), checked after a token has verified,
// on the full path and on a token-cache hit alike (ERR_REVOKED).
//
// Strings are kept as 128-bit keyed digests (base/keyed_hash.h), so an entry
// is 32 bytes whatever the jti or sub. One open-addressing table, linear
// probing, at most half full; readers take no lock: they hold the table
// through a SnapshotCell and read its slots as atomics, while one writer at a
// time (a mutex) fills empty slots in place or, when the table would pass half
// full, builds a bigger one without the expired entries and publishes it.
//
// Bounds: at most `max_entries` live entries; the table has at most
// 2 * RoundUpPow2(max_entries) slots of 32 bytes, and while it grows the old
// one lives on beside the new one until no reader holds it: memory stays under
// 96 * RoundUpPow2(max_entries) bytes (the README states it). A revocation
// that finds the list full of live entries is refused and counted
// (`rejectedFull`), never silently lost.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>

#include "base/keyed_hash.h"
#include "keysets/snapshot.h"

namespace tokenverify::internal {

// What a verified token is looked up by, computed once per token (and kept in
// its token-cache entry, so a hit does not hash again).
struct RevocationKeys {
  bool has_jti = false, has_sub = false, has_iat = false;
  Digest128 jti, sub;
  uint64_t iss = 0;  // keyed hash of the token's iss, 0 when it has none
  int64_t iat = 0;
};

struct RevocationStats {
  uint64_t tokens = 0, subjects = 0;  // live entries (expired ones leave at the next rebuild)
  uint64_t rejected_full = 0;
  uint64_t capacity = 0;      // slots of the current table
  uint64_t memory_bytes = 0;  // of the current table
  uint64_t max_entries = 0;
};

class RevocationList {
 public:
  explicit RevocationList(size_t max_entries);
  ~RevocationList();
  RevocationList(const RevocationList&) = delete;
  RevocationList& operator=(const RevocationList&) = delete;

  enum class Added { kAdded, kUpdated, kAlreadyExpired, kFull };

  // The token whose jti is `jti` (limited to issuer `iss` unless empty) is
  // refused until `until_s` (unix seconds; its exp plus the leeway).
  Added RevokeToken(std::string_view jti, std::string_view iss, int64_t until_s, int64_t now_s);
  // Every token of `sub` (of issuer `iss` unless empty) with an iat before
  // `before_s`, or without an iat, is refused until `until_s`.
  Added RevokeSubject(std::string_view sub, std::string_view iss, int64_t before_s, int64_t until_s, int64_t now_s);

  static RevocationKeys KeysFor(bool has_jti, std::string_view jti, bool has_sub, std::string_view sub, bool has_iss,
                                std::string_view iss, bool has_iat, int64_t iat) noexcept;

  bool empty() const noexcept { return live_.load(std::memory_order_relaxed) == 0; }

  // Lock-free. Inline for the empty list: one relaxed load.
  bool IsRevoked(const RevocationKeys& k, int64_t now_s) const noexcept {
    if (live_.load(std::memory_order_relaxed) == 0) return false;
    return Lookup(k, now_s);
  }
  // The same for a token whose keys are not computed yet: only the digests
  // the list can match are made (no jti digest without token entries, no iss
  // hash without issuer-limited entries).
  bool IsRevoked(bool has_jti, std::string_view jti, bool has_sub, std::string_view sub, bool has_iss,
                 std::string_view iss, bool has_iat, int64_t iat, int64_t now_s) const noexcept {
    if (live_.load(std::memory_order_relaxed) == 0) return false;
    return Lookup(KeysFor(has_jti && token_entries_.load(std::memory_order_relaxed) != 0, jti,
                          has_sub && subject_entries_.load(std::memory_order_relaxed) != 0, sub,
                          has_iss && scoped_entries_.load(std::memory_order_relaxed) != 0, iss, has_iat, iat),
                  now_s);
  }

  RevocationStats Stats() const;

 private:
  struct Table;
  bool Lookup(const RevocationKeys& k, int64_t now_s) const noexcept;
  Added Add(const Digest128& d, uint64_t iss, int64_t before_s, int64_t until_s, int64_t now_s, bool subject);

  size_t max_entries_;
  size_t max_capacity_;  // slots: 2 * RoundUpPow2(max_entries)
  SnapshotCell<Table> table_;
  Table* writing_ = nullptr;       // the published table, for the writer (under write_mu_)
  std::atomic<uint64_t> live_{0};  // entries ever added and not yet dropped by a rebuild (expired ones included)
  // Of those: by jti, by sub, and limited to an issuer (what a lookup needs digests of).
  std::atomic<uint64_t> token_entries_{0}, subject_entries_{0}, scoped_entries_{0};
  mutable std::mutex write_mu_;
  uint64_t rejected_full_ = 0;  // under write_mu_
  int64_t full_until_s_ = 0;    // full of live entries until then (under write_mu_)
};

}  // namespace tokenverify::internal
