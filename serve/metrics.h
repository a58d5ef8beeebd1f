// What `/metrics` (Prometheus text format 0.0.4) and `/healthz` report:
// requests by HTTP answer and authentication method, denials by status, a latency histogram of
// the decision (tv_authenticate and building the answer), reloads, and each
// provider's key-set health from tv_verifier_stats.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "tokenverify.h"

namespace tvserve {

class Metrics {
 public:
  // The answers counted: 200, 400, 401, 403, 413, 500, 503, and "other".
  static constexpr std::array<unsigned, 7> kCodes = {200, 400, 401, 403, 413, 500, 503};
  // Upper bounds of the latency buckets, in seconds (+Inf follows).
  static constexpr std::array<double, 12> kBuckets = {0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025,
                                                      0.0005,   0.001,   0.0025,   0.005,   0.01,   0.1};

  // Record one answered request: |method| a tv_auth_method (-1: none decided),
  // |status| the decision's own status (TV_OK when allowed): a denial is
  // counted under its status name, which the client is never told.
  void Record(int32_t method, unsigned http_status, tv_status status, uint64_t nanoseconds);
  void RecordReload(bool ok) { (ok ? reloads_ok_ : reloads_failed_).fetch_add(1, std::memory_order_relaxed); }

  // Render writes the whole exposition; |verifier| may be null (no stats).
  std::string Render(const tv_verifier* verifier) const;

  // Health is /healthz: true when every provider has usable keys; |detail|
  // names the unhealthy ones.
  static bool Health(const tv_verifier* verifier, std::string& detail);

 private:
  static constexpr size_t kMethods = 7;  // none, jwt, basic, bearer, apiKey, hmac, and "undecided"
  static constexpr size_t kCodeSlots = kCodes.size() + 1;
  std::array<std::atomic<uint64_t>, kMethods * kCodeSlots> requests_{};
  static constexpr size_t kStatuses = 1000;  // status.def numbers are 0..999
  std::array<std::atomic<uint64_t>, kStatuses> denials_{};
  std::array<std::atomic<uint64_t>, kBuckets.size() + 1> latency_buckets_{};
  std::atomic<uint64_t> latency_sum_ns_{0};
  std::atomic<uint64_t> reloads_ok_{0}, reloads_failed_{0};
};

}  // namespace tvserve
