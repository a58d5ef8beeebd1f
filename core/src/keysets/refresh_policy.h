// The remote key-set refresh policy as pure functions of the configuration
// and one fetch result, so that each rule can be tested without a network.
#pragma once

#include <cstdint>

#include "keysets/http_fetch.h"
#include "keysets/key_source.h"

namespace tokenverify::internal {

// How long a freshly fetched (or revalidated) set stays fresh, in ms: the
// response's Cache-Control max-age (no-cache / no-store: 0) or else Expires
// minus Date (our clock when there is no Date), clamped to
// [min_refresh_interval, max_refresh_interval]; cache_duration when the
// response says nothing or use_cache_headers is off.
int64_t FreshLifetimeMs(const RemoteJwksConfig& cfg, const HttpFetchResult& r, int64_t now_unix_s);

// When to refresh a set that stays fresh for `lifetime_ms`: refresh_ahead
// before its end, but no earlier than half-way through.
int64_t RefreshDelayMs(const RemoteJwksConfig& cfg, int64_t lifetime_ms);

// Whether a failed fetch is worth retrying soon: network errors, timeouts,
// TLS failures, 5xx and 429. Anything else (404, an invalid key set, a body
// over the size cap) waits for the regular schedule.
bool IsRetryableFailure(const HttpFetchResult& r);

// The delay before retry number `failures` (1 for the first), in ms:
// backoff_initial * backoff_multiplier^(failures-1), capped at backoff_max,
// then jittered to [d/2, d] by `jitter` in [0, 1) (spreads retries of many
// verifiers). A Retry-After from the server lengthens it, up to cache_duration.
int64_t RetryDelayMs(const RemoteJwksConfig& cfg, uint32_t failures, double jitter, const HttpFetchResult& r);

}  // namespace tokenverify::internal
