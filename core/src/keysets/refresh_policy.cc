#include "keysets/refresh_policy.h"

#include <algorithm>
#include <cmath>

namespace tokenverify::internal {

int64_t FreshLifetimeMs(const RemoteJwksConfig& cfg, const HttpFetchResult& r, int64_t now_unix_s) {
  if (!cfg.use_cache_headers) return cfg.cache_duration_ms;
  int64_t seconds;
  if (r.no_store || r.no_cache)
    seconds = 0;
  else if (r.max_age_s)
    seconds = *r.max_age_s;
  else if (r.expires_unix)
    seconds = *r.expires_unix - r.date_unix.value_or(now_unix_s);
  else
    return cfg.cache_duration_ms;
  seconds = std::clamp<int64_t>(seconds, 0, int64_t{1} << 31);
  return std::clamp(seconds * 1000, cfg.min_refresh_interval_ms, cfg.max_refresh_interval_ms);
}

int64_t RefreshDelayMs(const RemoteJwksConfig& cfg, int64_t lifetime_ms) {
  return lifetime_ms - std::min(cfg.refresh_ahead_ms, lifetime_ms / 2);
}

bool IsRetryableFailure(const HttpFetchResult& r) {
  using O = HttpFetchResult::Outcome;
  switch (r.outcome) {
    case O::kConnectFailed:
    case O::kTimeout:
    case O::kTlsError:
    case O::kNetworkError:
      return true;
    case O::kResponse:
      return r.http_status >= 500 || r.http_status == 429;
    case O::kBadUrl:
    case O::kTooLarge:
    case O::kCancelled:
      return false;
  }
  return false;
}

int64_t RetryDelayMs(const RemoteJwksConfig& cfg, uint32_t failures, double jitter, const HttpFetchResult& r) {
  double d = static_cast<double>(cfg.backoff_initial_ms);
  for (uint32_t i = 1; i < failures && d < static_cast<double>(cfg.backoff_max_ms); ++i) d *= cfg.backoff_multiplier;
  d = std::min(d, static_cast<double>(cfg.backoff_max_ms));
  int64_t delay = static_cast<int64_t>(d * (1.0 - std::clamp(jitter, 0.0, 1.0) / 2));
  if (r.retry_after_s) {
    const int64_t asked = std::min<int64_t>(*r.retry_after_s, int64_t{1} << 31) * 1000;
    delay = std::max(delay, std::min(asked, cfg.cache_duration_ms));
  }
  return std::max<int64_t>(delay, 1);
}

}  // namespace tokenverify::internal
