#include "metrics.h"

#include <simdjson.h>

#include <cstdio>
#include <string_view>

namespace tvserve {
namespace {

constexpr const char* kMethodNames[] = {"none", "jwt", "basic", "bearer", "apiKey", "hmac", "undecided"};

// A Prometheus label value: backslash, double quote and line feed escaped.
std::string LabelValue(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void Line(std::string& out, const char* text) { out.append(text).push_back('\n'); }

template <typename T>
void Sample(std::string& out, const std::string& name_and_labels, T value) {
  out += name_and_labels;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

// Stats calls the visitor with each provider's object from tv_verifier_stats.
template <typename Visit>
bool ForEachProvider(const tv_verifier* v, Visit visit) {
  char* json = nullptr;
  size_t len = 0;
  if (v == nullptr || tv_verifier_stats(v, &json, &len, 0) != TV_OK) return false;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const bool ok = parser.parse(json, len).get(doc) == simdjson::SUCCESS;
  tv_string_free(json);
  simdjson::dom::array providers;
  if (!ok || doc["providers"].get_array().get(providers) != simdjson::SUCCESS) return false;
  for (simdjson::dom::element p : providers) visit(p);
  return true;
}

}  // namespace

void Metrics::Record(int32_t method, unsigned http_status, tv_status status, uint64_t nanoseconds) {
  if (status != TV_OK && status >= 0 && static_cast<size_t>(status) < kStatuses)
    denials_[static_cast<size_t>(status)].fetch_add(1, std::memory_order_relaxed);
  const size_t m =
      method >= 0 && method < static_cast<int32_t>(kMethods) - 1 ? static_cast<size_t>(method) : kMethods - 1;
  size_t c = kCodes.size();
  for (size_t i = 0; i < kCodes.size(); ++i)
    if (kCodes[i] == http_status) c = i;
  requests_[m * kCodeSlots + c].fetch_add(1, std::memory_order_relaxed);
  const double seconds = static_cast<double>(nanoseconds) * 1e-9;
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  latency_buckets_[b].fetch_add(1, std::memory_order_relaxed);
  latency_sum_ns_.fetch_add(nanoseconds, std::memory_order_relaxed);
}

std::string Metrics::Render(const tv_verifier* verifier) const {
  std::string out;
  Line(out,
       "# HELP tokenverify_serve_requests_total Forward-auth requests answered, by HTTP answer and authentication "
       "method.");
  Line(out, "# TYPE tokenverify_serve_requests_total counter");
  for (size_t m = 0; m < kMethods; ++m) {
    for (size_t c = 0; c < kCodeSlots; ++c) {
      const uint64_t n = requests_[m * kCodeSlots + c].load(std::memory_order_relaxed);
      if (n == 0) continue;
      const std::string code = c < kCodes.size() ? std::to_string(kCodes[c]) : "other";
      Sample(out,
             std::string("tokenverify_serve_requests_total{code=\"") + code + "\",decision=\"" +
                 (code == "200" ? "allow" : "deny") + "\",method=\"" + kMethodNames[m] + "\"}",
             n);
    }
  }
  Line(out,
       "# HELP tokenverify_serve_denials_total Requests refused, by the decision's status (never sent to the client).");
  Line(out, "# TYPE tokenverify_serve_denials_total counter");
  for (size_t st = 1; st < kStatuses; ++st) {
    const uint64_t n = denials_[st].load(std::memory_order_relaxed);
    if (n != 0)
      Sample(
          out,
          std::string("tokenverify_serve_denials_total{status=\"") + tv_status_name(static_cast<tv_status>(st)) + "\"}",
          n);
  }
  Line(out, "# HELP tokenverify_serve_decision_seconds Time to decide one request (authentication and the answer).");
  Line(out, "# TYPE tokenverify_serve_decision_seconds histogram");
  uint64_t cumulative = 0;
  for (size_t b = 0; b <= kBuckets.size(); ++b) {
    cumulative += latency_buckets_[b].load(std::memory_order_relaxed);
    const std::string le = b < kBuckets.size() ? Seconds(kBuckets[b]) : "+Inf";
    Sample(out, "tokenverify_serve_decision_seconds_bucket{le=\"" + le + "\"}", cumulative);
  }
  out += "tokenverify_serve_decision_seconds_sum " +
         Seconds(static_cast<double>(latency_sum_ns_.load(std::memory_order_relaxed)) * 1e-9) + "\n";
  Sample(out, "tokenverify_serve_decision_seconds_count", cumulative);
  Line(out, "# HELP tokenverify_serve_reloads_total Configuration reloads (SIGHUP), by result.");
  Line(out, "# TYPE tokenverify_serve_reloads_total counter");
  Sample(out, "tokenverify_serve_reloads_total{result=\"ok\"}", reloads_ok_.load(std::memory_order_relaxed));
  Sample(out, "tokenverify_serve_reloads_total{result=\"failed\"}", reloads_failed_.load(std::memory_order_relaxed));

  std::string healthy, keys, failures, cache_hits, cache_misses;
  ForEachProvider(verifier, [&](simdjson::dom::element p) {
    std::string_view name;
    if (p["name"].get_string().get(name) != simdjson::SUCCESS) return;
    const std::string label = "{provider=\"" + LabelValue(name) + "\"}";
    bool is_healthy = false;
    int64_t n = 0;
    if (p["healthy"].get_bool().get(is_healthy) == simdjson::SUCCESS)
      Sample(healthy, "tokenverify_provider_healthy" + label, is_healthy ? 1 : 0);
    if (p["keyCount"].get_int64().get(n) == simdjson::SUCCESS) Sample(keys, "tokenverify_provider_keys" + label, n);
    if (p["consecutiveFailures"].get_int64().get(n) == simdjson::SUCCESS)
      Sample(failures, "tokenverify_provider_consecutive_refresh_failures" + label, n);
    if (p["tokenCache"]["hits"].get_int64().get(n) == simdjson::SUCCESS)
      Sample(cache_hits, "tokenverify_token_cache_hits_total" + label, n);
    if (p["tokenCache"]["misses"].get_int64().get(n) == simdjson::SUCCESS)
      Sample(cache_misses, "tokenverify_token_cache_misses_total" + label, n);
  });
  auto family = [&](const char* name, const char* type, const char* help, const std::string& samples) {
    if (samples.empty()) return;
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + samples;
  };
  family("tokenverify_provider_healthy", "gauge", "1 when the provider has usable keys.", healthy);
  family("tokenverify_provider_keys", "gauge", "Keys loaded for the provider.", keys);
  family("tokenverify_provider_consecutive_refresh_failures", "gauge", "Key-set refreshes failed in a row.", failures);
  family("tokenverify_token_cache_hits_total", "counter", "Verified-token cache hits.", cache_hits);
  family("tokenverify_token_cache_misses_total", "counter", "Verified-token cache misses.", cache_misses);
  return out;
}

bool Metrics::Health(const tv_verifier* verifier, std::string& detail) {
  bool all = true;
  const bool read = ForEachProvider(verifier, [&](simdjson::dom::element p) {
    bool healthy = false;
    std::string_view name;
    if (p["healthy"].get_bool().get(healthy) == simdjson::SUCCESS && healthy) return;
    all = false;
    if (p["name"].get_string().get(name) != simdjson::SUCCESS) name = "?";
    detail += detail.empty() ? "unhealthy: " : ", ";
    detail += name;
  });
  if (!read) {
    detail = "no stats";
    return false;
  }
  return all;
}

}  // namespace tvserve
