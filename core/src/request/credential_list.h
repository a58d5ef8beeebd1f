// The bearer tokens or API keys of one rule. Each is configured as text
// (hashed at load; the text is not kept) or as the hex SHA-256 of the text,
// so a configuration need not hold the secrets. A presented value is found by
// its SHA-256 in one hash lookup and confirmed with a constant-time compare
// of the whole digest: the lookup reveals nothing a client could use, since
// finding a value with a chosen digest prefix is a preimage search.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "tokenverify/result.h"

namespace tokenverify::internal {

class CredentialList {
 public:
  using Digest = std::array<uint8_t, 32>;

  // Add one entry: exactly one of `text` and `sha256_hex` is non-empty (the
  // caller's configuration parser checks that). ERR_CONFIG with err->message
  // for a digest that is not 64 hex digits, and for a value listed twice.
  Status Add(std::string name, std::string_view text, std::string_view sha256_hex, Error* err);

  // The name of the entry whose value is `presented`, or nullptr.
  const std::string* Find(std::string_view presented) const;

  size_t size() const { return entries_.size(); }

  static Digest Sha256(std::string_view data);

 private:
  struct Entry {
    std::string name;
    Digest digest;
  };
  std::vector<Entry> entries_;
  absl::flat_hash_map<uint64_t, uint32_t> by_prefix_;  // the digest's first 8 bytes -> entry
};

}  // namespace tokenverify::internal
