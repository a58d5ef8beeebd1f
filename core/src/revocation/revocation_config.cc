// redis:// URLs (see revocation_config.h).
#include "revocation/revocation_config.h"

#include <charconv>

namespace tokenverify::internal {

bool ParseRedisUrl(std::string_view url, RedisStreamConfig* out, std::string* why) {
  constexpr std::string_view kScheme = "redis://";
  if (url.rfind("rediss://", 0) == 0) {
    *why = "TLS (rediss://) is not supported; reach Redis over a private network or a local TLS tunnel";
    return false;
  }
  if (url.rfind(kScheme, 0) != 0) {
    *why = "must start with redis://";
    return false;
  }
  std::string_view rest = url.substr(kScheme.size());
  RedisStreamConfig r = *out;
  std::string shown(kScheme);
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      *why = "credentials must be user:password@ or :password@";
      return false;
    }
    r.user = std::string(userinfo.substr(0, colon));
    r.password = std::string(userinfo.substr(colon + 1));
    shown += r.user + ":***@";
    rest = rest.substr(at + 1);
  }
  std::string_view hostport = rest, db;
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    db = rest.substr(slash + 1);
  }
  std::string_view port;
  if (!hostport.empty() && hostport.front() == '[') {  // [IPv6]:port
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) {
      *why = "unclosed [ in the host";
      return false;
    }
    r.host = std::string(hostport.substr(1, close - 1));
    if (close + 1 < hostport.size()) {
      if (hostport[close + 1] != ':') {
        *why = "expected :port after ]";
        return false;
      }
      port = hostport.substr(close + 2);
    }
  } else if (const size_t colon = hostport.rfind(':'); colon != std::string_view::npos) {
    r.host = std::string(hostport.substr(0, colon));
    port = hostport.substr(colon + 1);
  } else {
    r.host = std::string(hostport);
  }
  if (r.host.empty()) {
    *why = "has no host";
    return false;
  }
  auto number = [](std::string_view text, int lo, int hi, int* v) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *v);
    return ec == std::errc() && end == text.data() + text.size() && *v >= lo && *v <= hi;
  };
  if (!port.empty() && !number(port, 1, 65535, &r.port)) {
    *why = "port must be a number from 1 to 65535";
    return false;
  }
  if (!db.empty() && !number(db, 0, 1 << 20, &r.db)) {
    *why = "the database (after /) must be a number";
    return false;
  }
  shown += std::string(rest);
  r.url = shown;
  *out = std::move(r);
  return true;
}

}  // namespace tokenverify::internal
