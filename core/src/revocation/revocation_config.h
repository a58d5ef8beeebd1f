// The "revocation" member of the configuration: the local list's bounds and,
// optionally, the Redis stream that shares revocations across machines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tokenverify::internal {

// redis://[[user]:password@]host[:port][/db], and the stream's key.
struct RedisStreamConfig {
  std::string url;  // as written, for stats and messages (without the password)
  std::string host;
  int port = 6379;
  int db = 0;
  std::string user, password;
  std::string stream = "tokenverify:revocations";
  int64_t connect_timeout_ms = 2000;
};

struct RevocationConfig {
  size_t max_entries = size_t{1} << 20;
  // How long a subject entry lives after its "before": the longest lifetime
  // of a token of any provider (a token issued before then has expired by then).
  int64_t subject_ttl_s = 24 * 3600;
  std::optional<RedisStreamConfig> redis;
};

// Parses a redis:// URL into *out (host, port, db, credentials; `url` keeps
// it without the password). False, with *why, for anything else.
bool ParseRedisUrl(std::string_view url, RedisStreamConfig* out, std::string* why);

}  // namespace tokenverify::internal
