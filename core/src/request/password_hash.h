// A configured Basic password, parsed once at load: a hash in one of the
// formats htpasswd files and Unix password databases hold, or plain text,
// which is hashed at load and not kept. The slow hashes go to well-kept
// libraries: libxcrypt (bcrypt, sha-crypt, yescrypt, md5-crypt) and libargon2;
// Apache's $apr1$ and {SHA} are built on OpenSSL.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "tokenverify/result.h"

namespace tokenverify::internal {

// A keyed SHA-256 under a random key made once per process: for plain-text
// passwords and the remembered-success cache, so neither holds a digest an
// attacker could precompute.
using KeyedDigest = std::array<uint8_t, 32>;
KeyedDigest KeyedHash(std::string_view domain, std::string_view a, std::string_view b = {});

class StoredPassword {
 public:
  enum class Scheme { kBcrypt, kShaCrypt256, kShaCrypt512, kYescrypt, kMd5Crypt, kArgon2, kApr1, kSha1, kPlain };

  // ERR_CONFIG with err->message for text that starts like a hash format but
  // is not a valid hash of it ("$2y$10$short", unknown argon2 parameters,
  // {SHA} that is not 28 base64 characters, a cost beyond the limits below):
  // it is never taken for a plain-text password. Anything else is plain text.
  static Result<StoredPassword> Parse(std::string_view stored, Error* err);

  // Whether `password` is the one; compares in constant time.
  bool Matches(std::string_view password) const;

  Scheme scheme() const { return scheme_; }
  std::string_view scheme_name() const;
  // A hash worth remembering a success of (milliseconds, not microseconds).
  bool slow() const { return scheme_ != Scheme::kSha1 && scheme_ != Scheme::kPlain; }

 private:
  Scheme scheme_ = Scheme::kPlain;
  std::string stored_;    // the hash as configured; empty for plain text
  KeyedDigest digest_{};  // plain text: KeyedHash("plain", password)
};

}  // namespace tokenverify::internal
