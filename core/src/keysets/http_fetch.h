// One HTTP GET of a key set (JWKS) with libcurl: bounded in time and size,
// cancellable, http/https only, and the caching headers parsed for the
// refresh scheduler. No policy here: the caller decides what a status or a
// Cache-Control value means for its schedule.
//
// Proxies: libcurl's defaults apply, so http_proxy / https_proxy / no_proxy
// from the environment are honoured.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tokenverify::internal {

struct HttpFetchRequest {
  std::string url;                  // http:// or https:// only
  std::string if_none_match;        // ETag of the copy we hold; "" = unconditional GET
  int64_t timeout_ms = 10000;       // whole transfer, connect included; values < 1 count as 1
  size_t max_body_bytes = 1 << 20;  // larger body -> kTooLarge, as soon as it is known
  bool verify_tls = true;           // peer and host name verification
  std::string ca_file;              // optional CA bundle (PEM) for https; "" = system store
  bool follow_redirects = true;     // up to 3 (never https -> http); false: a 3xx is the final response
  // Extra request headers, already checked (http token names, no control
  // characters in values). One named Accept replaces the default one.
  std::vector<std::pair<std::string, std::string>> headers;
  // When it becomes true the transfer is abandoned within ~kCancelPollMs.
  const std::atomic<bool>* cancel = nullptr;
};

struct HttpFetchResult {
  enum class Outcome {
    kResponse,       // a final response arrived (any status, including 3xx not followed)
    kBadUrl,         // not an absolute http:// or https:// URL
    kConnectFailed,  // name not resolved, or connection refused / unreachable
    kTimeout,        // timeout_ms elapsed (connect, hang or slow body)
    kTooLarge,       // body longer than max_body_bytes (Content-Length or counted)
    kTlsError,       // handshake or certificate verification failed
    kCancelled,      // *cancel became true
    kNetworkError,   // anything else: reset, garbage reply, refused redirect, out of memory
  };
  Outcome outcome = Outcome::kNetworkError;
  long http_status = 0;  // status of the last response seen (0: none); meaningful with kResponse
  std::string body;      // only when outcome == kResponse and http_status == 200
  std::string etag;      // ETag response header, verbatim ("" if none)
  // Freshness of the final response. max_age_s: Cache-Control max-age, or
  // s-maxage when present; an invalid value counts as 0 (stale). no-cache and
  // no-store should be treated as max-age 0 by the caller.
  std::optional<int64_t> max_age_s;
  bool no_store = false;
  bool no_cache = false;
  std::optional<int64_t> expires_unix;   // Expires; an invalid date (e.g. "0") gives 0: already expired
  std::optional<int64_t> date_unix;      // Date
  std::optional<int64_t> retry_after_s;  // Retry-After: seconds, or an HTTP-date minus the response's
                                         // Date (our clock when absent), never negative
  std::string error;                     // human text for logs (curl's message, "body larger than N bytes", ...)
};

// "response", "bad_url", "connect_failed", "timeout", "too_large",
// "tls_error", "cancelled", "network_error": for logs and stats.
const char* HttpFetchOutcomeName(HttpFetchResult::Outcome outcome) noexcept;

// Cancellation is noticed at least this often while a transfer waits.
inline constexpr int kCancelPollMs = 20;

// HttpFetch performs one GET. Redirects: at most 3, to http or https only,
// and never from https down to http (a refused redirect is kNetworkError; a
// 3xx past the limit is kResponse with that status). Never throws; any
// number of calls may run concurrently.
HttpFetchResult HttpFetch(const HttpFetchRequest& req) noexcept;

// Header parsing, exposed for unit tests. Both accept hostile input.

// ParseCacheControl adds what one Cache-Control value (or several joined by
// commas) says to *into: max_age_s, no_store, no_cache. Directive names are
// case-insensitive; values may be quoted; unknown directives are ignored.
// Delta-seconds above 2^31 count as 2^31 (RFC 9111 §1.2.2); a malformed or
// repeated max-age keeps the smallest value, 0 for malformed.
void ParseCacheControl(std::string_view value, HttpFetchResult* into) noexcept;

// ParseHttpDate returns the Unix time of an HTTP-date (IMF-fixdate, RFC 850
// or asctime form, RFC 9110 §5.6.7; curl_getdate, which also takes some looser
// spellings), or nullopt when `text` is not a date.
std::optional<int64_t> ParseHttpDate(std::string_view text) noexcept;

}  // namespace tokenverify::internal
