// HttpFetch: one GET with libcurl, one easy handle per call.
//
// The transfer runs in our own curl_multi loop rather than curl_easy_perform
// because cancellation must be prompt: curl_easy_perform calls its progress
// (xferinfo) callback only about once a second while a connection is idle, so
// a hanging server would hold up a cancel for that long. Here the loop wakes
// at least every kCancelPollMs to look at the flag; the xferinfo callback
// still stops a busy transfer between two wake-ups.
#include "keysets/http_fetch.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>

#include "base/ascii.h"

namespace tokenverify::internal {
namespace {

constexpr long kMaxRedirects = 3;
// RFC 9111 §1.2.2: delta-seconds too large to represent count as 2^31.
constexpr int64_t kDeltaSecondsCap = int64_t{1} << 31;
// No header we read is longer than this; longer lines are ignored.
constexpr size_t kMaxHeaderLine = 8192;
// All Cache-Control lines of one response together.
constexpr size_t kMaxCacheControl = 16384;

bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (IsOws(s.front()) || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (IsOws(s.back()) || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// Non-empty decimal digits, capped at kDeltaSecondsCap; nullopt otherwise.
std::optional<int64_t> ParseDeltaSeconds(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (!AsciiIsDigit(c)) return std::nullopt;
    v = std::min(v * 10 + (c - '0'), kDeltaSecondsCap);
  }
  return v;
}

void KeepSmallest(std::optional<int64_t>* slot, int64_t v) { *slot = slot->has_value() ? std::min(**slot, v) : v; }

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool CurlGlobalInit() {
  static std::once_flag once;
  static CURLcode code = CURLE_FAILED_INIT;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return code == CURLE_OK;
}

// Checks the URL before curl sees it, so that a bad one is kBadUrl rather
// than some later transfer error. Sets *https for the redirect policy.
bool CheckUrl(const std::string& url, bool* https, std::string* why) {
  if (url.find('\0') != std::string::npos) {
    *why = "URL contains a NUL byte";
    return false;
  }
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(), &curl_url_cleanup);
  if (!parsed) {
    *why = "out of memory";
    return false;
  }
  // No flags: the scheme must be given, spaces and control bytes are refused.
  if (CURLUcode rc = curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0); rc != CURLUE_OK) {
    *why = std::string("not a URL: ") + curl_url_strerror(rc);
    return false;
  }
  char* scheme = nullptr;
  if (curl_url_get(parsed.get(), CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK || scheme == nullptr) {
    *why = "URL has no scheme";
    return false;
  }
  const bool is_http = AsciiEqualsIgnoreCase(scheme, "http");
  *https = AsciiEqualsIgnoreCase(scheme, "https");
  const std::string scheme_copy = scheme;
  curl_free(scheme);
  if (!is_http && !*https) {
    *why = "scheme \"" + scheme_copy + "\" is not allowed (only http and https)";
    return false;
  }
  char* host = nullptr;
  const bool has_host =
      curl_url_get(parsed.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK && host != nullptr && host[0] != '\0';
  curl_free(host);
  if (!has_host) {
    *why = "URL has no host";
    return false;
  }
  return true;
}

// State of one transfer, shared with curl's callbacks. Header fields belong
// to the response being received and are reset at each status line, so after
// redirects and interim (1xx) responses only the final response's remain.
struct Transfer {
  const HttpFetchRequest* req = nullptr;
  long status = 0;
  bool in_headers = false;  // between a status line and the blank line after it
  std::string body;
  std::optional<std::string> etag, expires, date, retry_after;
  std::string cache_control;  // every Cache-Control line, joined by commas
  bool too_large = false;
  bool out_of_memory = false;

  void StartResponse(long new_status) {
    status = new_status;
    in_headers = true;
    body.clear();
    etag.reset();
    expires.reset();
    date.reset();
    retry_after.reset();
    cache_control.clear();
  }
};

bool BodyForbidden(long status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

// "HTTP/1.1 200 OK" or "HTTP/2 200": the status, or 0 if malformed.
long ParseStatusLine(std::string_view line) {
  const size_t space = line.find(' ');
  if (space == std::string_view::npos || line.size() < space + 4) return 0;
  long status = 0;
  for (size_t i = space + 1; i < space + 4; ++i) {
    if (!AsciiIsDigit(line[i])) return 0;
    status = status * 10 + (line[i] - '0');
  }
  return status;
}

// Records the first occurrence of a header; later duplicates are ignored.
void KeepFirst(std::optional<std::string>* slot, std::string_view value) {
  if (!slot->has_value()) slot->emplace(value);
}

// Returns false to abort the transfer.
bool OnHeaderLine(Transfer* t, std::string_view line) {
  if (line.size() >= 5 && line.substr(0, 5) == "HTTP/") {
    t->StartResponse(ParseStatusLine(line));
    return true;
  }
  if (TrimOws(line).empty()) {  // end of this response's headers (or of chunked trailers)
    t->in_headers = false;
    return true;
  }
  // Trailers after a chunked body and over-long lines carry nothing we trust.
  if (!t->in_headers || line.size() > kMaxHeaderLine) return true;
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return true;
  const std::string_view name = line.substr(0, colon);
  if (std::any_of(name.begin(), name.end(), [](char c) { return IsOws(c); })) return true;  // includes obs-fold
  const std::string_view value = TrimOws(line.substr(colon + 1));

  if (AsciiEqualsIgnoreCase(name, "content-length")) {
    if (BodyForbidden(t->status)) return true;
    const std::optional<int64_t> length = ParseDeltaSeconds(value);  // same grammar: 1*DIGIT
    if (length && static_cast<uint64_t>(*length) > t->req->max_body_bytes) {
      t->too_large = true;
      return false;
    }
  } else if (AsciiEqualsIgnoreCase(name, "etag")) {
    if (!HasControlChar(value)) KeepFirst(&t->etag, value);
  } else if (AsciiEqualsIgnoreCase(name, "cache-control")) {
    if (t->cache_control.size() + value.size() + 1 <= kMaxCacheControl) {
      if (!t->cache_control.empty()) t->cache_control += ',';
      t->cache_control += value;
    }
  } else if (AsciiEqualsIgnoreCase(name, "expires")) {
    KeepFirst(&t->expires, value);
  } else if (AsciiEqualsIgnoreCase(name, "date")) {
    KeepFirst(&t->date, value);
  } else if (AsciiEqualsIgnoreCase(name, "retry-after")) {
    KeepFirst(&t->retry_after, value);
  }
  return true;
}

// curl callbacks: C functions that must not throw.

size_t HeaderCallback(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  try {
    return OnHeaderLine(t, std::string_view(data, n)) ? n : 0;
  } catch (...) {  // std::bad_alloc
    t->out_of_memory = true;
    return 0;
  }
}

size_t WriteCallback(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (n > t->req->max_body_bytes - t->body.size()) {  // body.size() never exceeds the cap
    t->too_large = true;
    return 0;
  }
  try {
    t->body.append(data, n);
  } catch (...) {
    t->out_of_memory = true;
    return 0;
  }
  return n;
}

bool CancelRequested(const HttpFetchRequest& req) {
  return req.cancel != nullptr && req.cancel->load(std::memory_order_acquire);
}

int XferInfoCallback(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return CancelRequested(*static_cast<const Transfer*>(user)->req) ? 1 : 0;
}

bool IsTlsError(CURLcode rc) {
  switch (rc) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return true;
    default:
      return false;
  }
}

// Owns the handles of one transfer and releases them in the order curl needs.
struct CurlHandles {
  CURL* easy = curl_easy_init();
  CURLM* multi = curl_multi_init();
  curl_slist* headers = nullptr;
  bool added = false;

  CurlHandles() = default;
  CurlHandles(const CurlHandles&) = delete;
  CurlHandles& operator=(const CurlHandles&) = delete;
  ~CurlHandles() {
    if (added) curl_multi_remove_handle(multi, easy);
    if (easy) curl_easy_cleanup(easy);
    if (multi) curl_multi_cleanup(multi);
    curl_slist_free_all(headers);
  }

  bool AddHeader(const std::string& line) {
    curl_slist* grown = curl_slist_append(headers, line.c_str());
    if (grown == nullptr) return false;
    headers = grown;
    return true;
  }
};

HttpFetchResult Fail(HttpFetchResult::Outcome outcome, std::string error) {
  HttpFetchResult r;
  r.outcome = outcome;
  r.error = std::move(error);
  return r;
}

// Fills the caching fields of a final response from its headers.
void TakeResponseHeaders(Transfer& t, HttpFetchResult* r) {
  if (t.etag) r->etag = std::move(*t.etag);
  if (!t.cache_control.empty()) ParseCacheControl(t.cache_control, r);
  if (t.date) r->date_unix = ParseHttpDate(*t.date);
  if (t.expires) r->expires_unix = ParseHttpDate(*t.expires).value_or(0);  // RFC 9111 §5.3: invalid = expired
  if (t.retry_after) {
    const std::string_view value = *t.retry_after;
    if (std::optional<int64_t> seconds = ParseDeltaSeconds(value)) {
      r->retry_after_s = *seconds;
    } else if (std::optional<int64_t> when = ParseHttpDate(value)) {
      // Measured against the server's own clock when it sent one, so clock skew does not matter.
      r->retry_after_s = std::max<int64_t>(0, *when - r->date_unix.value_or(UnixNow()));
    }
  }
}

HttpFetchResult Fetch(const HttpFetchRequest& req) {
  bool https = false;
  std::string why;
  if (!CheckUrl(req.url, &https, &why)) return Fail(HttpFetchResult::Outcome::kBadUrl, std::move(why));
  if (!CurlGlobalInit()) return Fail(HttpFetchResult::Outcome::kNetworkError, "curl_global_init failed");

  CurlHandles h;
  if (h.easy == nullptr || h.multi == nullptr) return Fail(HttpFetchResult::Outcome::kNetworkError, "out of memory");

  Transfer t;
  t.req = &req;
  char curl_error[CURL_ERROR_SIZE] = {};

  // A stored ETag that could break the header line is not sent: an
  // unconditional GET is always correct.
  bool headers_ok = true;
  bool own_accept = false;
  for (const auto& [name, value] : req.headers) {
    own_accept = own_accept || AsciiEqualsIgnoreCase(name, "accept");
    headers_ok = headers_ok && h.AddHeader(name + ": " + value);
  }
  if (!headers_ok || (!own_accept && !h.AddHeader("Accept: application/json")) ||
      (!req.if_none_match.empty() && !HasControlChar(req.if_none_match) &&
       !h.AddHeader("If-None-Match: " + req.if_none_match))) {
    return Fail(HttpFetchResult::Outcome::kNetworkError, "out of memory");
  }

  const long timeout_ms = static_cast<long>(std::clamp<int64_t>(req.timeout_ms, 1, int64_t{24} * 3600 * 1000));
  CURLcode rc = CURLE_OK;
  auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(h.easy, option, value);
  };
  set(CURLOPT_URL, req.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");  // never https -> http
  set(CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
  set(CURLOPT_MAXREDIRS, kMaxRedirects);
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_TIMEOUT_MS, timeout_ms);
  set(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  set(CURLOPT_USERAGENT, "tokenverify/" TV_PROJECT_VERSION);
  set(CURLOPT_HTTPHEADER, h.headers);
  set(CURLOPT_HEADERFUNCTION, &HeaderCallback);
  set(CURLOPT_HEADERDATA, static_cast<void*>(&t));
  set(CURLOPT_WRITEFUNCTION, &WriteCallback);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&t));
  set(CURLOPT_NOPROGRESS, 0L);
  set(CURLOPT_XFERINFOFUNCTION, &XferInfoCallback);
  set(CURLOPT_XFERINFODATA, static_cast<void*>(&t));
  set(CURLOPT_ERRORBUFFER, curl_error);
  set(CURLOPT_SSL_VERIFYPEER, req.verify_tls ? 1L : 0L);
  set(CURLOPT_SSL_VERIFYHOST, req.verify_tls ? 2L : 0L);
  if (!req.ca_file.empty()) set(CURLOPT_CAINFO, req.ca_file.c_str());
  if (rc != CURLE_OK)
    return Fail(HttpFetchResult::Outcome::kNetworkError, std::string("curl setup: ") + curl_easy_strerror(rc));

  if (curl_multi_add_handle(h.multi, h.easy) != CURLM_OK)
    return Fail(HttpFetchResult::Outcome::kNetworkError, "curl_multi_add_handle failed");
  h.added = true;

  int running = 1;
  for (;;) {
    CURLMcode mc = curl_multi_perform(h.multi, &running);
    if (mc == CURLM_OK && running != 0) mc = curl_multi_poll(h.multi, nullptr, 0, kCancelPollMs, nullptr);
    if (mc != CURLM_OK) return Fail(HttpFetchResult::Outcome::kNetworkError, curl_multi_strerror(mc));
    if (running == 0) break;
    if (CancelRequested(req)) return Fail(HttpFetchResult::Outcome::kCancelled, "cancelled");
  }
  int queued = 0;
  rc = CURLE_FAILED_INIT;
  while (CURLMsg* msg = curl_multi_info_read(h.multi, &queued)) {
    if (msg->msg == CURLMSG_DONE) rc = msg->data.result;
  }

  HttpFetchResult r;
  r.http_status = t.status;
  curl_easy_getinfo(h.easy, CURLINFO_RESPONSE_CODE, &r.http_status);
  const std::string curl_message = curl_error[0] != '\0' ? curl_error : curl_easy_strerror(rc);
  using Outcome = HttpFetchResult::Outcome;
  if (t.out_of_memory) {
    r.outcome = Outcome::kNetworkError;
    r.error = "out of memory";
  } else if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    r.outcome = Outcome::kTooLarge;
    r.error = "body larger than " + std::to_string(req.max_body_bytes) + " bytes";
  } else if (rc == CURLE_OK || rc == CURLE_TOO_MANY_REDIRECTS) {
    r.outcome = Outcome::kResponse;
    if (rc == CURLE_TOO_MANY_REDIRECTS) r.error = curl_message;
    if (!req.follow_redirects && r.http_status >= 300 && r.http_status < 400 && r.http_status != 304)
      r.error = "a redirect, not followed (followRedirects: false)";
    TakeResponseHeaders(t, &r);
    if (r.http_status == 200) r.body = std::move(t.body);
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    r.outcome = Outcome::kTimeout;
    r.error = curl_message;
  } else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY) {
    r.outcome = Outcome::kConnectFailed;
    r.error = curl_message;
  } else if (rc == CURLE_ABORTED_BY_CALLBACK) {  // the xferinfo callback saw the cancel flag
    r.outcome = Outcome::kCancelled;
    r.error = "cancelled";
  } else if (IsTlsError(rc)) {
    r.outcome = Outcome::kTlsError;
    r.error = curl_message;
  } else {
    r.outcome = Outcome::kNetworkError;
    // The URL was checked, so an unsupported protocol now means a redirect was refused.
    if (rc == CURLE_UNSUPPORTED_PROTOCOL && t.status >= 300 && t.status < 400)
      r.error = std::string("redirect refused (only http/https, never https to http): ") + curl_message;
    else
      r.error = curl_message;
  }
  return r;
}

}  // namespace

void ParseCacheControl(std::string_view value, HttpFetchResult* into) noexcept {
  std::optional<int64_t> max_age, s_maxage;
  size_t i = 0;
  const size_t n = value.size();
  while (i < n) {
    while (i < n && (value[i] == ',' || IsOws(value[i]))) ++i;
    if (i == n) break;
    const size_t name_start = i;
    while (i < n && value[i] != '=' && value[i] != ',') ++i;
    const std::string_view name = TrimOws(value.substr(name_start, i - name_start));

    std::optional<int64_t> seconds;  // the argument as delta-seconds, if it is one
    if (i < n && value[i] == '=') {
      ++i;
      while (i < n && IsOws(value[i])) ++i;
      std::string_view arg;
      bool well_formed = true;
      if (i < n && value[i] == '"') {  // quoted-string; a comma inside does not end the directive
        const size_t start = ++i;
        while (i < n && value[i] != '"') i += (value[i] == '\\' && i + 1 < n) ? 2 : 1;
        arg = value.substr(start, std::min(i, n) - start);
        if (i >= n)
          well_formed = false;  // unterminated
        else
          ++i;
        for (; i < n && value[i] != ','; ++i)
          if (!IsOws(value[i])) well_formed = false;  // junk after the closing quote
      } else {
        const size_t start = i;
        while (i < n && value[i] != ',') ++i;
        arg = TrimOws(value.substr(start, i - start));
      }
      if (well_formed) seconds = ParseDeltaSeconds(arg);
    }

    // A malformed or missing max-age makes the response stale (RFC 9111 §4.2.1).
    if (AsciiEqualsIgnoreCase(name, "max-age")) {
      KeepSmallest(&max_age, seconds.value_or(0));
    } else if (AsciiEqualsIgnoreCase(name, "s-maxage")) {
      KeepSmallest(&s_maxage, seconds.value_or(0));
    } else if (AsciiEqualsIgnoreCase(name, "no-cache")) {
      into->no_cache = true;  // also the field-qualified form: we cache the whole body or nothing
    } else if (AsciiEqualsIgnoreCase(name, "no-store")) {
      into->no_store = true;
    }
  }
  const std::optional<int64_t>& chosen = s_maxage ? s_maxage : max_age;
  if (chosen) KeepSmallest(&into->max_age_s, *chosen);
}

std::optional<int64_t> ParseHttpDate(std::string_view text) noexcept {
  // curl_getdate needs a C string; no HTTP-date is anywhere near this long.
  char buf[128];
  if (text.size() >= sizeof buf || text.find('\0') != std::string_view::npos) return std::nullopt;
  text.copy(buf, text.size());
  buf[text.size()] = '\0';
  const time_t t = curl_getdate(buf, nullptr);
  if (t == -1) return std::nullopt;  // also 1969-12-31T23:59:59Z, which no server sends
  return static_cast<int64_t>(t);
}

const char* HttpFetchOutcomeName(HttpFetchResult::Outcome outcome) noexcept {
  using Outcome = HttpFetchResult::Outcome;
  switch (outcome) {
    case Outcome::kResponse:
      return "response";
    case Outcome::kBadUrl:
      return "bad_url";
    case Outcome::kConnectFailed:
      return "connect_failed";
    case Outcome::kTimeout:
      return "timeout";
    case Outcome::kTooLarge:
      return "too_large";
    case Outcome::kTlsError:
      return "tls_error";
    case Outcome::kCancelled:
      return "cancelled";
    case Outcome::kNetworkError:
      return "network_error";
  }
  return "unknown";
}

HttpFetchResult HttpFetch(const HttpFetchRequest& req) noexcept {
  try {
    return Fetch(req);
  } catch (...) {  // std::bad_alloc or std::system_error from call_once
    HttpFetchResult r;
    r.outcome = HttpFetchResult::Outcome::kNetworkError;
    r.error = "out of memory";
    return r;
  }
}

}  // namespace tokenverify::internal
