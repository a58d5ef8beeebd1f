// The remote key-set refresh policy (keysets/refresh_policy.h): each rule as
// a pure function of the configuration and one fetch result.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "keysets/refresh_policy.h"

namespace tokenverify::internal {
namespace {

using Outcome = HttpFetchResult::Outcome;

constexpr int64_t kNow = 1'700'000'000;  // unix seconds

RemoteJwksConfig Config() {
  RemoteJwksConfig c;  // the documented defaults, restated so the tests read alone
  c.cache_duration_ms = 300'000;
  c.min_refresh_interval_ms = 60'000;
  c.max_refresh_interval_ms = 86'400'000;
  c.refresh_ahead_ms = 30'000;
  c.backoff_initial_ms = 1'000;
  c.backoff_multiplier = 2.0;
  c.backoff_max_ms = 10'000;
  return c;
}

HttpFetchResult Response(long status) {
  HttpFetchResult r;
  r.outcome = Outcome::kResponse;
  r.http_status = status;
  return r;
}

HttpFetchResult Failure(Outcome o) {
  HttpFetchResult r;
  r.outcome = o;
  return r;
}

TEST(FreshLifetime, NoCachingHeadersMeansCacheDuration) {
  EXPECT_EQ(FreshLifetimeMs(Config(), Response(200), kNow), 300'000);
}

TEST(FreshLifetime, IgnoresHeadersWhenUseCacheHeadersIsOff) {
  RemoteJwksConfig c = Config();
  c.use_cache_headers = false;
  HttpFetchResult r = Response(200);
  r.max_age_s = 7200;
  r.no_store = true;
  EXPECT_EQ(FreshLifetimeMs(c, r, kNow), 300'000);
}

TEST(FreshLifetime, MaxAgeWithinTheClampIsTakenAsIs) {
  HttpFetchResult r = Response(200);
  r.max_age_s = 120;
  EXPECT_EQ(FreshLifetimeMs(Config(), r, kNow), 120'000);
}

TEST(FreshLifetime, MaxAgeIsClampedToMinAndMax) {
  HttpFetchResult r = Response(200);
  r.max_age_s = 5;
  EXPECT_EQ(FreshLifetimeMs(Config(), r, kNow), 60'000);
  r.max_age_s = 0;
  EXPECT_EQ(FreshLifetimeMs(Config(), r, kNow), 60'000);
  r.max_age_s = int64_t{10} * 365 * 86'400;
  EXPECT_EQ(FreshLifetimeMs(Config(), r, kNow), 86'400'000);
  r.max_age_s = INT64_MAX;  // no overflow on the way to milliseconds
  EXPECT_EQ(FreshLifetimeMs(Config(), r, kNow), 86'400'000);
}

TEST(FreshLifetime, NoCacheAndNoStoreMeanTheMinimum) {
  for (bool no_store : {false, true}) {
    HttpFetchResult r = Response(200);
    r.max_age_s = 3600;  // overridden by the directive
    r.no_store = no_store;
    r.no_cache = !no_store;
    EXPECT_EQ(FreshLifetimeMs(Config(), r, kNow), 60'000) << "no_store=" << no_store;
  }
}

TEST(FreshLifetime, ExpiresMinusDate) {
  HttpFetchResult r = Response(200);
  r.date_unix = kNow - 1000;  // the server's clock is behind ours: only the difference counts
  r.expires_unix = kNow - 1000 + 600;
  EXPECT_EQ(FreshLifetimeMs(Config(), r, kNow), 600'000);
}

TEST(FreshLifetime, ExpiresWithoutDateUsesOurClock) {
  HttpFetchResult r = Response(200);
  r.expires_unix = kNow + 900;
  EXPECT_EQ(FreshLifetimeMs(Config(), r, kNow), 900'000);
  r.expires_unix = kNow - 900;  // already expired
  EXPECT_EQ(FreshLifetimeMs(Config(), r, kNow), 60'000);
  r.expires_unix = 0;  // an invalid date
  EXPECT_EQ(FreshLifetimeMs(Config(), r, kNow), 60'000);
}

TEST(FreshLifetime, MaxAgeWinsOverExpires) {
  HttpFetchResult r = Response(200);
  r.max_age_s = 200;
  r.expires_unix = kNow + 5000;
  EXPECT_EQ(FreshLifetimeMs(Config(), r, kNow), 200'000);
}

TEST(RefreshDelay, RefreshesAheadOfExpiry) { EXPECT_EQ(RefreshDelayMs(Config(), 300'000), 270'000); }

TEST(RefreshDelay, RefreshAheadIsAtMostHalfTheLifetime) {
  EXPECT_EQ(RefreshDelayMs(Config(), 40'000), 20'000);
  EXPECT_EQ(RefreshDelayMs(Config(), 60'000), 30'000);
  EXPECT_EQ(RefreshDelayMs(Config(), 1), 1);
  RemoteJwksConfig c = Config();
  c.refresh_ahead_ms = 0;
  EXPECT_EQ(RefreshDelayMs(c, 40'000), 40'000);
  for (int64_t lifetime = 1; lifetime < 200'000; lifetime = lifetime * 3 + 1) {
    const int64_t d = RefreshDelayMs(Config(), lifetime);
    EXPECT_GE(d, lifetime - lifetime / 2) << lifetime;
    EXPECT_LE(d, lifetime) << lifetime;
  }
}

TEST(RetryDelay, GrowsByTheMultiplierUpToTheCap) {
  const HttpFetchResult r = Response(503);
  const RemoteJwksConfig c = Config();
  EXPECT_EQ(RetryDelayMs(c, 1, 0.0, r), 1'000);
  EXPECT_EQ(RetryDelayMs(c, 2, 0.0, r), 2'000);
  EXPECT_EQ(RetryDelayMs(c, 3, 0.0, r), 4'000);
  EXPECT_EQ(RetryDelayMs(c, 4, 0.0, r), 8'000);
  EXPECT_EQ(RetryDelayMs(c, 5, 0.0, r), 10'000);
  EXPECT_EQ(RetryDelayMs(c, 6, 0.0, r), 10'000);
  EXPECT_EQ(RetryDelayMs(c, 4'000'000'000u, 0.0, r), 10'000);  // no overflow, no endless loop
}

TEST(RetryDelay, MultiplierOfOneKeepsTheInitialDelay) {
  RemoteJwksConfig c = Config();
  c.backoff_multiplier = 1.0;
  for (uint32_t n : {1u, 2u, 10u, 1000u}) EXPECT_EQ(RetryDelayMs(c, n, 0.0, Response(500)), 1'000) << n;
}

TEST(RetryDelay, JitterStaysWithinHalfToWholeDelay) {
  const RemoteJwksConfig c = Config();
  EXPECT_EQ(RetryDelayMs(c, 3, 0.5, Response(500)), 3'000);  // 4000 * (1 - 0.25)
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  for (uint32_t failures = 1; failures <= 8; ++failures) {
    const int64_t full = RetryDelayMs(c, failures, 0.0, Response(500));
    int64_t lo = full, hi = 0;
    for (int i = 0; i < 2000; ++i) {
      const int64_t d = RetryDelayMs(c, failures, jitter(rng), Response(500));
      ASSERT_GE(d, full / 2) << failures;
      ASSERT_LE(d, full) << failures;
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    // The jitter actually spreads the retries over most of the range.
    EXPECT_LT(lo, full * 6 / 10) << failures;
    EXPECT_GT(hi, full * 9 / 10) << failures;
  }
  // Out-of-range jitter is clamped, never below half or above the whole.
  EXPECT_EQ(RetryDelayMs(c, 1, -3.0, Response(500)), 1'000);
  EXPECT_EQ(RetryDelayMs(c, 1, 7.0, Response(500)), 500);
}

TEST(RetryDelay, NeverZero) {
  RemoteJwksConfig c = Config();
  c.backoff_initial_ms = 1;
  c.backoff_max_ms = 1;
  EXPECT_EQ(RetryDelayMs(c, 1, 0.99, Response(500)), 1);
}

TEST(RetryDelay, RetryAfterLengthensUpToCacheDuration) {
  const RemoteJwksConfig c = Config();
  HttpFetchResult r = Response(429);
  r.retry_after_s = 30;
  EXPECT_EQ(RetryDelayMs(c, 1, 0.0, r), 30'000);
  r.retry_after_s = 3600;  // longer than cacheDuration (300 s): capped there
  EXPECT_EQ(RetryDelayMs(c, 1, 0.0, r), 300'000);
  r.retry_after_s = INT64_MAX;
  EXPECT_EQ(RetryDelayMs(c, 1, 0.0, r), 300'000);
  r.retry_after_s = 0;  // never shortens the backoff
  EXPECT_EQ(RetryDelayMs(c, 4, 0.0, r), 8'000);
  r.retry_after_s = 2;
  EXPECT_EQ(RetryDelayMs(c, 4, 0.0, r), 8'000);
}

TEST(Retryable, NetworkFailuresAreRetried) {
  for (Outcome o : {Outcome::kConnectFailed, Outcome::kTimeout, Outcome::kTlsError, Outcome::kNetworkError})
    EXPECT_TRUE(IsRetryableFailure(Failure(o))) << static_cast<int>(o);
}

TEST(Retryable, ServerErrorsAndTooManyRequestsAreRetried) {
  for (long s : {500L, 502L, 503L, 504L, 599L, 429L}) EXPECT_TRUE(IsRetryableFailure(Response(s))) << s;
}

TEST(Retryable, ClientErrorsAndLocalLimitsWaitForTheSchedule) {
  for (long s : {400L, 401L, 403L, 404L, 410L, 301L, 302L}) EXPECT_FALSE(IsRetryableFailure(Response(s))) << s;
  for (Outcome o : {Outcome::kBadUrl, Outcome::kTooLarge, Outcome::kCancelled})
    EXPECT_FALSE(IsRetryableFailure(Failure(o))) << static_cast<int>(o);
}

}  // namespace
}  // namespace tokenverify::internal
