// HttpFetch against the in-process JWKS server: every outcome, the caching
// headers, redirects, limits, cancellation and concurrent use; and the header
// parsers on hostile input.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "keysets/http_fetch.h"
#include "support/jwks_server.h"

namespace tokenverify::internal {

void PrintTo(HttpFetchResult::Outcome outcome, std::ostream* os) { *os << HttpFetchOutcomeName(outcome); }

namespace {

using testing::HttpRequestSeen;
using testing::JwksServer;
using testing::ServerResponse;
using Outcome = HttpFetchResult::Outcome;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kJwks = R"({"keys":[{"kty":"oct","kid":"a","k":"c2VjcmV0"}]})";
constexpr int64_t kNov1994 = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example)

HttpFetchRequest Request(std::string url, int64_t timeout_ms = 5000) {
  HttpFetchRequest req;
  req.url = std::move(url);
  req.timeout_ms = timeout_ms;
  return req;
}

HttpFetchResult Get(const std::string& url) { return HttpFetch(Request(url)); }

int64_t MsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

ServerResponse Raw(std::string bytes) {
  ServerResponse r;
  r.mode = ServerResponse::Mode::kRawBytes;
  r.raw_bytes = std::move(bytes);
  return r;
}

// ---------------------------------------------------------------- responses

TEST(HttpFetch, OkParsesBodyEtagAndCachingHeaders) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  ServerResponse r = testing::JwksResponse(std::string(kJwks), "\"v1\"");
  r.headers.emplace_back("Cache-Control", "public, max-age=300");
  r.headers.emplace_back("Expires", "Thu, 01 Dec 2044 16:00:00 GMT");
  r.headers.emplace_back("Date", "Sun, 06 Nov 1994 08:49:37 GMT");
  server->Serve(r);

  HttpFetchResult got = Get(server->Url());
  ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
  EXPECT_EQ(got.http_status, 200);
  EXPECT_EQ(got.body, kJwks);
  EXPECT_EQ(got.etag, "\"v1\"");
  EXPECT_EQ(got.max_age_s, 300);
  EXPECT_FALSE(got.no_cache);
  EXPECT_FALSE(got.no_store);
  EXPECT_EQ(got.expires_unix, 2364220800);
  EXPECT_EQ(got.date_unix, kNov1994);
  EXPECT_EQ(got.retry_after_s, std::nullopt);

  ASSERT_EQ(server->request_count(), 1);
  const HttpRequestSeen seen = server->requests().at(0);
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.path, "/jwks");
  EXPECT_EQ(seen.headers.at("user-agent"), "tokenverify/" TV_PROJECT_VERSION);
  EXPECT_EQ(seen.headers.at("accept"), "application/json");
  EXPECT_EQ(seen.headers.count("if-none-match"), 0u);
}

TEST(HttpFetch, MissingHeadersStayUnset) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  ServerResponse r;
  r.body = "{}";
  server->Serve(r);
  HttpFetchResult got = Get(server->Url());
  ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
  EXPECT_EQ(got.body, "{}");
  EXPECT_EQ(got.etag, "");
  EXPECT_EQ(got.max_age_s, std::nullopt);
  EXPECT_EQ(got.expires_unix, std::nullopt);
  EXPECT_EQ(got.date_unix, std::nullopt);
  EXPECT_EQ(got.retry_after_s, std::nullopt);
}

TEST(HttpFetch, ConditionalGetAnswers304) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->ServeJwks(std::string(kJwks), "\"v1\"", 60);

  HttpFetchRequest req = Request(server->Url());
  req.if_none_match = "\"v1\"";
  HttpFetchResult same = HttpFetch(req);
  ASSERT_EQ(same.outcome, Outcome::kResponse) << same.error;
  EXPECT_EQ(same.http_status, 304);
  EXPECT_EQ(same.body, "");
  EXPECT_EQ(same.etag, "\"v1\"");  // a 304 refreshes the caching headers too
  EXPECT_EQ(same.max_age_s, 60);
  EXPECT_EQ(server->requests().at(0).headers.at("if-none-match"), "\"v1\"");

  req.if_none_match = "\"v0\"";
  HttpFetchResult changed = HttpFetch(req);
  ASSERT_EQ(changed.outcome, Outcome::kResponse) << changed.error;
  EXPECT_EQ(changed.http_status, 200);
  EXPECT_EQ(changed.body, kJwks);
  EXPECT_EQ(changed.etag, "\"v1\"");
}

TEST(HttpFetch, IfNoneMatchThatCouldInjectHeadersIsNotSent) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->ServeJwks(std::string(kJwks), "\"v1\"");
  HttpFetchRequest req = Request(server->Url());
  req.if_none_match = "\"v1\"\r\nX-Injected: 1";
  HttpFetchResult got = HttpFetch(req);
  ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
  EXPECT_EQ(got.http_status, 200);  // unconditional GET
  const HttpRequestSeen seen = server->requests().at(0);
  EXPECT_EQ(seen.headers.count("if-none-match"), 0u);
  EXPECT_EQ(seen.headers.count("x-injected"), 0u);
}

TEST(HttpFetch, SendsConfiguredHeaders) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->ServeJwks(std::string(kJwks), "\"v1\"");
  HttpFetchRequest req = Request(server->Url());
  req.headers = {{"X-Api-Key", "k-123"}, {"User-Agent", "my-agent/1"}};
  HttpFetchResult got = HttpFetch(req);
  ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
  const HttpRequestSeen seen = server->requests().at(0);
  EXPECT_EQ(seen.headers.at("x-api-key"), "k-123");
  EXPECT_EQ(seen.headers.at("user-agent"), "my-agent/1");  // replaces tokenverify's own
  EXPECT_EQ(seen.headers.at("accept"), "application/json");

  // An Accept of the caller's replaces the default one rather than joining it.
  req.headers = {{"accept", "application/jwk-set+json"}};
  ASSERT_EQ(HttpFetch(req).outcome, Outcome::kResponse);
  EXPECT_EQ(server->requests().at(1).headers.at("accept"), "application/jwk-set+json");
}

TEST(HttpFetch, ErrorStatusesAreResponsesWithoutBody) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  for (int status : {404, 500, 503}) {
    ServerResponse r;
    r.status = status;
    r.body = "error page";
    server->Serve(r);
    HttpFetchResult got = Get(server->Url());
    ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
    EXPECT_EQ(got.http_status, status);
    EXPECT_EQ(got.body, "") << "only a 200 carries a body";
  }
}

TEST(HttpFetch, RetryAfterInSecondsOrAsDate) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  ServerResponse r;
  r.status = 429;
  r.headers = {{"Retry-After", "7"}};
  server->Serve(r);
  HttpFetchResult got = Get(server->Url());
  ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
  EXPECT_EQ(got.http_status, 429);
  EXPECT_EQ(got.retry_after_s, 7);

  // A date counts from the response's own Date, so clock skew does not matter.
  r.status = 503;
  r.headers = {{"Date", "Sun, 06 Nov 1994 08:49:37 GMT"}, {"Retry-After", "Sun, 06 Nov 1994 08:51:37 GMT"}};
  server->Serve(r);
  got = Get(server->Url());
  EXPECT_EQ(got.http_status, 503);
  EXPECT_EQ(got.retry_after_s, 120);

  // A date in the past is "now"; junk is ignored.
  r.headers = {{"Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT"}};
  server->Serve(r);
  EXPECT_EQ(Get(server->Url()).retry_after_s, 0);
  for (const char* junk : {"-5", "soon", "1.5", ""}) {
    r.headers = {{"Retry-After", junk}};
    server->Serve(r);
    EXPECT_EQ(Get(server->Url()).retry_after_s, std::nullopt) << junk;
  }
}

TEST(HttpFetch, InvalidExpiresMeansAlreadyExpired) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  for (const char* value : {"0", "-1", "yesterday"}) {
    ServerResponse r;
    r.body = "{}";
    r.headers = {{"Expires", value}, {"Date", "nonsense"}};
    server->Serve(r);
    HttpFetchResult got = Get(server->Url());
    ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
    EXPECT_EQ(got.expires_unix, 0) << value;
    EXPECT_EQ(got.date_unix, std::nullopt);
  }
}

TEST(HttpFetch, HeaderParsingIsCaseInsensitiveAndSurvivesJunk) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  const std::string long_line = "X-Long: " + std::string(20000, 'a') + "\r\n";
  server->Serve(
      Raw("HTTP/1.1 200 OK\r\n"
          "etag: \"first\"\r\n"
          "ETAG: \"second\"\r\n"
          "CACHE-CONTROL: max-age=100\r\n"
          "cache-control: No-Cache\r\n"
          "Expires : Sun, 06 Nov 1994 08:49:37 GMT\r\n"  // space before the colon: not a header
          "X-Junk: \x01\x7f\xff\r\n" +
          long_line +
          "Content-Length: 2\r\n"
          "Connection: close\r\n\r\n{}"));
  HttpFetchResult got = Get(server->Url());
  ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
  EXPECT_EQ(got.body, "{}");
  EXPECT_EQ(got.etag, "\"first\"");
  EXPECT_EQ(got.max_age_s, 100);
  EXPECT_TRUE(got.no_cache);
  EXPECT_EQ(got.expires_unix, std::nullopt);
}

TEST(HttpFetch, EtagWithControlCharactersIsDropped) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->Serve(Raw("HTTP/1.1 200 OK\r\nETag: \"a\rb\"\r\nContent-Length: 2\r\n\r\n{}"));
  HttpFetchResult got = Get(server->Url());
  ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
  EXPECT_EQ(got.etag, "");
}

TEST(HttpFetch, ChunkedTrailersAreIgnored) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->Serve(
      Raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nCache-Control: max-age=5\r\n\r\n"
          "2\r\n{}\r\n0\r\nETag: \"trailer\"\r\nCache-Control: max-age=99999\r\n\r\n"));
  HttpFetchResult got = Get(server->Url());
  ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
  EXPECT_EQ(got.body, "{}");
  EXPECT_EQ(got.etag, "");
  EXPECT_EQ(got.max_age_s, 5);
}

// ---------------------------------------------------------------- failures

TEST(HttpFetch, HangingServerTimesOut) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  ServerResponse r = testing::JwksResponse(std::string(kJwks));
  r.mode = ServerResponse::Mode::kHang;
  r.hang_ms = 10000;
  server->Serve(r);
  const auto start = Clock::now();
  HttpFetchResult got = HttpFetch(Request(server->Url(), 300));
  const int64_t ms = MsSince(start);
  EXPECT_EQ(got.outcome, Outcome::kTimeout) << got.error;
  EXPECT_GE(ms, 250);
  EXPECT_LT(ms, 2000);
}

TEST(HttpFetch, SlowServerWithinTheTimeoutIsFine) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  ServerResponse r = testing::JwksResponse(std::string(kJwks));
  r.mode = ServerResponse::Mode::kHang;
  r.hang_ms = 100;  // then answers
  server->Serve(r);
  HttpFetchResult got = HttpFetch(Request(server->Url(), 5000));
  ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
  EXPECT_EQ(got.body, kJwks);
}

TEST(HttpFetch, TrickleSlowerThanTheTimeoutTimesOut) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  ServerResponse r = testing::JwksResponse(std::string(kJwks));
  r.mode = ServerResponse::Mode::kTrickle;
  r.trickle_interval_ms = 20;  // ~200 bytes: ~4 s, data flowing all the time
  server->Serve(r);
  const auto start = Clock::now();
  HttpFetchResult got = HttpFetch(Request(server->Url(), 300));
  const int64_t ms = MsSince(start);
  EXPECT_EQ(got.outcome, Outcome::kTimeout) << got.error;
  EXPECT_LT(ms, 2000);
}

TEST(HttpFetch, TrickleWithinTheTimeoutArrivesWhole) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  ServerResponse r = testing::JwksResponse(std::string(kJwks));
  r.mode = ServerResponse::Mode::kTrickle;
  r.trickle_interval_ms = 1;
  server->Serve(r);
  HttpFetchResult got = HttpFetch(Request(server->Url(), 10000));
  ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
  EXPECT_EQ(got.body, kJwks);
}

// Decision: a reply that is not HTTP is kNetworkError, never a kResponse with
// status 0, so callers need not special-case a zero status.
TEST(HttpFetch, GarbageAndBrokenRepliesAreNetworkErrors) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  const std::vector<std::string> replies = {
      "this is not http\r\n\r\n",
      std::string("\x00\x01\x02\xff\xfe garbage", 13),
      "HTTP/1.1 abc\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ntruncated",  // closes before the 100 bytes
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nbad chunk\r\n",
  };
  for (const std::string& reply : replies) {
    server->Serve(Raw(reply));
    HttpFetchResult got = Get(server->Url());
    EXPECT_EQ(got.outcome, Outcome::kNetworkError) << reply << " -> " << got.error;
    EXPECT_FALSE(got.error.empty());
  }
  ServerResponse close;
  close.mode = ServerResponse::Mode::kCloseWithoutResponse;
  server->Serve(close);
  HttpFetchResult got = Get(server->Url());
  EXPECT_EQ(got.outcome, Outcome::kNetworkError) << got.error;
}

TEST(HttpFetch, BodyOverTheCapIsTooLargeWhateverTheFraming) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  using Framing = ServerResponse::Framing;
  for (Framing framing : {Framing::kContentLength, Framing::kChunked, Framing::kUntilClose}) {
    ServerResponse r;
    r.body = std::string(200000, 'x');
    r.framing = framing;
    server->Serve(r);
    HttpFetchRequest req = Request(server->Url());
    req.max_body_bytes = 1000;
    HttpFetchResult got = HttpFetch(req);
    EXPECT_EQ(got.outcome, Outcome::kTooLarge) << static_cast<int>(framing) << ": " << got.error;
    EXPECT_EQ(got.body, "");
    EXPECT_EQ(got.error, "body larger than 1000 bytes");

    // Exactly at the cap is fine.
    r.body.resize(1000);
    server->Serve(r);
    got = HttpFetch(req);
    ASSERT_EQ(got.outcome, Outcome::kResponse) << static_cast<int>(framing) << ": " << got.error;
    EXPECT_EQ(got.body.size(), 1000u);
  }
}

TEST(HttpFetch, ContentLengthOverTheCapAbortsBeforeTheBody) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  // Claims a gigabyte, sends three bytes and hangs: only the header can end this quickly.
  ServerResponse r = Raw("HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\nabc");
  server->Serve(r);
  const auto start = Clock::now();
  HttpFetchResult got = HttpFetch(Request(server->Url(), 5000));
  EXPECT_EQ(got.outcome, Outcome::kTooLarge) << got.error;
  EXPECT_EQ(got.http_status, 200);
  EXPECT_LT(MsSince(start), 2000);

  server->Serve(Raw("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nabc"));
  EXPECT_EQ(Get(server->Url()).outcome, Outcome::kTooLarge);

  // A 304 may announce the length of the full representation; it has no body.
  server->Serve(Raw("HTTP/1.1 304 Not Modified\r\nContent-Length: 1000000000\r\nETag: \"v1\"\r\n\r\n"));
  got = Get(server->Url());
  ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
  EXPECT_EQ(got.http_status, 304);
}

TEST(HttpFetch, ConnectionRefused) {
  const uint16_t port = JwksServer::UnusedPort();
  ASSERT_NE(port, 0);
  HttpFetchResult got = Get("http://127.0.0.1:" + std::to_string(port) + "/jwks");
  EXPECT_EQ(got.outcome, Outcome::kConnectFailed) << got.error;
  EXPECT_FALSE(got.error.empty());
}

TEST(HttpFetch, OnlyAbsoluteHttpAndHttpsUrls) {
  for (const char* url : {"ftp://127.0.0.1/jwks", "file:///etc/passwd", "notaurl", "", "http://", "https://",
                          "gopher://127.0.0.1/", "dict://127.0.0.1/", "//127.0.0.1/jwks", "/jwks",
                          "http://127.0.0.1/a b", "http://127.0.0.1/\r\nX: y", "javascript:alert(1)"}) {
    HttpFetchResult got = Get(url);
    EXPECT_EQ(got.outcome, Outcome::kBadUrl) << url << " -> " << got.error;
    EXPECT_FALSE(got.error.empty());
  }
  EXPECT_EQ(Get(std::string("http://127.0.0.1/\0x", 19)).outcome, Outcome::kBadUrl);
}

TEST(HttpFetch, SchemeIsCaseInsensitive) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->ServeJwks(std::string(kJwks));
  HttpFetchResult got = Get("HTTP://127.0.0.1:" + std::to_string(server->port()) + "/jwks");
  ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
  EXPECT_EQ(got.body, kJwks);
}

// ---------------------------------------------------------------- redirects

// Routes by path: /jwks is the key set, anything else answers `other`.
JwksServer::Handler ByPath(ServerResponse other) {
  return [other, jwks = testing::JwksHandler(std::string(kJwks), "\"v1\"")](const HttpRequestSeen& req) {
    return req.path == "/jwks" ? jwks(req) : other;
  };
}

TEST(HttpFetch, FollowsHttpRedirects) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  for (int status : {301, 302, 307, 308}) {
    server->SetHandler(ByPath(testing::RedirectResponse(status, "/jwks")));
    HttpFetchResult got = Get(server->Url("/old"));
    ASSERT_EQ(got.outcome, Outcome::kResponse) << status << ": " << got.error;
    EXPECT_EQ(got.http_status, 200);
    EXPECT_EQ(got.body, kJwks);
    EXPECT_EQ(got.etag, "\"v1\"");  // the final response's headers, not the redirect's
  }
}

TEST(HttpFetch, RedirectsNotFollowedWhenAskedNotTo) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler(ByPath(testing::RedirectResponse(302, "/jwks")));
  HttpFetchRequest req = Request(server->Url("/old"));
  req.follow_redirects = false;
  HttpFetchResult got = HttpFetch(req);
  ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
  EXPECT_EQ(got.http_status, 302);
  EXPECT_EQ(got.body, "");
  EXPECT_EQ(got.error, "a redirect, not followed (followRedirects: false)");
  ASSERT_EQ(server->request_count(), 1);  // the destination was never asked
  EXPECT_EQ(server->requests().at(0).path, "/old");
}

TEST(HttpFetch, RedirectToOtherSchemesIsRefused) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  for (const char* target : {"file:///etc/passwd", "ftp://127.0.0.1/jwks", "gopher://127.0.0.1/", "dict://x/"}) {
    server->SetHandler(ByPath(testing::RedirectResponse(302, target)));
    HttpFetchResult got = Get(server->Url("/old"));
    EXPECT_EQ(got.outcome, Outcome::kNetworkError) << target << " -> " << got.error;
    EXPECT_EQ(got.body, "");
    EXPECT_NE(got.error.find("redirect refused"), std::string::npos) << got.error;
  }
}

TEST(HttpFetch, AtMostThreeRedirects) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler(ByPath(testing::RedirectResponse(302, "/loop")));
  HttpFetchResult got = Get(server->Url("/loop"));
  ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
  EXPECT_EQ(got.http_status, 302);
  EXPECT_EQ(server->request_count(), 4);  // the request and three redirects followed

  // A 3xx without Location is simply the response.
  ServerResponse r;
  r.status = 302;
  server->Serve(r);
  got = Get(server->Url());
  ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
  EXPECT_EQ(got.http_status, 302);
}

// ---------------------------------------------------------------- cancellation

TEST(HttpFetch, CancelStopsAHangingFetchPromptly) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  ServerResponse r;
  r.mode = ServerResponse::Mode::kHang;
  r.hang_ms = 10000;
  server->Serve(r);
  std::atomic<bool> cancel{false};
  Clock::time_point cancelled_at;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancelled_at = Clock::now();
    cancel.store(true);
  });
  HttpFetchRequest req = Request(server->Url(), 10000);
  req.cancel = &cancel;
  HttpFetchResult got = HttpFetch(req);
  const Clock::time_point returned_at = Clock::now();
  canceller.join();
  EXPECT_EQ(got.outcome, Outcome::kCancelled) << got.error;
  const int64_t latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(returned_at - cancelled_at).count();
  EXPECT_LT(latency_ms, 250);  // the loop looks every kCancelPollMs; slack for loaded CI machines
}

TEST(HttpFetch, CancelStopsATransferThatIsMoving) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  ServerResponse r = testing::JwksResponse(std::string(kJwks));
  r.mode = ServerResponse::Mode::kTrickle;
  r.trickle_interval_ms = 5;
  server->Serve(r);
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    cancel.store(true);
  });
  HttpFetchRequest req = Request(server->Url(), 10000);
  req.cancel = &cancel;
  const auto start = Clock::now();
  HttpFetchResult got = HttpFetch(req);
  canceller.join();
  EXPECT_EQ(got.outcome, Outcome::kCancelled) << got.error;
  EXPECT_LT(MsSince(start), 1000);
}

TEST(HttpFetch, AlreadyCancelledReturnsAtOnce) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  ServerResponse r;
  r.mode = ServerResponse::Mode::kHang;
  server->Serve(r);
  std::atomic<bool> cancel{true};
  HttpFetchRequest req = Request(server->Url(), 10000);
  req.cancel = &cancel;
  const auto start = Clock::now();
  EXPECT_EQ(HttpFetch(req).outcome, Outcome::kCancelled);
  EXPECT_LT(MsSince(start), 250);
}

// ---------------------------------------------------------------- concurrency

TEST(HttpFetch, ConcurrentFetchesWhileOthersHang) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  ServerResponse hang;
  hang.mode = ServerResponse::Mode::kHang;
  hang.hang_ms = 5000;
  server->SetHandler(ByPath(hang));

  constexpr int kThreads = 4, kFetchesEach = 10;
  std::atomic<int> ok{0}, timeouts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kFetchesEach; ++i) {
        if (t == 0 && i < 2) {  // one thread also hits the hanging path; the others must not notice
          if (HttpFetch(Request(server->Url("/hang"), 300)).outcome == Outcome::kTimeout) timeouts.fetch_add(1);
          continue;
        }
        HttpFetchResult got = HttpFetch(Request(server->Url()));
        if (got.outcome == Outcome::kResponse && got.http_status == 200 && got.body == kJwks) ok.fetch_add(1);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * kFetchesEach - 2);
  EXPECT_EQ(timeouts.load(), 2);
  EXPECT_EQ(server->request_count(), kThreads * kFetchesEach);
}

// ---------------------------------------------------------------- the server's own bounds

TEST(JwksServer, StopEndsHangingConnectionsPromptly) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  ServerResponse r;
  r.mode = ServerResponse::Mode::kHang;  // the 30 s cap
  server->Serve(r);
  HttpFetchResult got;
  std::thread client([&] { got = HttpFetch(Request(server->Url(), 10000)); });
  while (server->request_count() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto start = Clock::now();
  server->Stop();
  EXPECT_LT(MsSince(start), 1000);
  client.join();
  EXPECT_EQ(got.outcome, Outcome::kNetworkError) << got.error;  // closed without a reply
}

TEST(JwksServer, RefusesConnectionsAfterItsRequestBudget) {
  JwksServer::Options options;
  options.max_requests = 2;
  auto server = JwksServer::Start(options);
  ASSERT_NE(server, nullptr);
  server->ServeJwks(std::string(kJwks));
  EXPECT_EQ(Get(server->Url()).http_status, 200);
  EXPECT_EQ(Get(server->Url()).http_status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the accept loop looks every 20 ms
  EXPECT_EQ(Get(server->Url()).outcome, Outcome::kConnectFailed);
  EXPECT_EQ(server->request_count(), 2);
}

// ---------------------------------------------------------------- TLS

TEST(HttpFetch, TlsVerificationAgainstASelfSignedServer) {
  JwksServer::Options options;
  options.tls = true;
  auto server = JwksServer::Start(options);
  ASSERT_NE(server, nullptr);
  server->ServeJwks(std::string(kJwks), "\"v1\"");
  ASSERT_EQ(server->Url().substr(0, 8), "https://");

  HttpFetchResult got = Get(server->Url());  // the system store does not know this certificate
  EXPECT_EQ(got.outcome, Outcome::kTlsError) << got.error;

  HttpFetchRequest req = Request(server->Url());
  req.ca_file = server->ca_file();
  got = HttpFetch(req);
  ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
  EXPECT_EQ(got.body, kJwks);
  EXPECT_EQ(got.etag, "\"v1\"");

  // The certificate names 127.0.0.1, not localhost.
  req.url = "https://localhost:" + std::to_string(server->port()) + "/jwks";
  EXPECT_EQ(HttpFetch(req).outcome, Outcome::kTlsError);

  req = Request(server->Url());
  req.verify_tls = false;
  got = HttpFetch(req);
  ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
  EXPECT_EQ(got.body, kJwks);

  // A CA file that does not exist is a TLS error, not a silent fallback.
  req = Request(server->Url());
  req.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(HttpFetch(req).outcome, Outcome::kTlsError);
}

TEST(HttpFetch, NoRedirectFromHttpsDownToHttp) {
  auto plain = JwksServer::Start();
  ASSERT_NE(plain, nullptr);
  plain->ServeJwks(std::string(kJwks));
  JwksServer::Options options;
  options.tls = true;
  auto tls = JwksServer::Start(options);
  ASSERT_NE(tls, nullptr);
  tls->SetHandler(ByPath(testing::RedirectResponse(302, plain->Url())));

  HttpFetchRequest req = Request(tls->Url("/old"));
  req.ca_file = tls->ca_file();
  HttpFetchResult got = HttpFetch(req);
  EXPECT_EQ(got.outcome, Outcome::kNetworkError) << got.error;
  EXPECT_NE(got.error.find("redirect refused"), std::string::npos) << got.error;
  EXPECT_EQ(plain->request_count(), 0);

  // https -> https is followed.
  tls->SetHandler(ByPath(testing::RedirectResponse(302, tls->Url())));
  got = HttpFetch(req);
  ASSERT_EQ(got.outcome, Outcome::kResponse) << got.error;
  EXPECT_EQ(got.body, kJwks);
}

// ---------------------------------------------------------------- header parsers

HttpFetchResult CacheControl(std::string_view value) {
  HttpFetchResult r;
  ParseCacheControl(value, &r);
  return r;
}

TEST(ParseCacheControl, Directives) {
  struct Case {
    std::string_view value;
    std::optional<int64_t> max_age;
    bool no_cache = false, no_store = false;
  };
  constexpr int64_t kCap = int64_t{1} << 31;
  const Case cases[] = {
      {"max-age=60", 60},
      {"MAX-AGE=60", 60},
      {"public, max-age=60, must-revalidate", 60},
      {"max-age=60, s-maxage=30", 30},
      {"s-maxage=120, max-age=60", 120},  // s-maxage wins even when longer
      {"max-age=\"60\"", 60},             // quoted form
      {"max-age = 60", 60},
      {",,, ,max-age=5,,,", 5},
      {"max-age=0", 0},
      {"max-age=007", 7},
      {"max-age=60, max-age=30", 30},  // repeated: the smallest
      {"max-age=99999999999999999999999999", kCap},
      {"max-age=2147483649", kCap},
      // Malformed values make the response stale.
      {"max-age=abc", 0},
      {"max-age=-1", 0},
      {"max-age=1.5", 0},
      {"max-age=", 0},
      {"max-age", 0},
      {"max-age=5;", 0},
      {"max-age=\"60", 0},
      {"max-age=\"60\"junk", 0},
      {"max-age=\"6\\0\"", 0},
      {"max-age=60, max-age=junk", 0},
      // Flags.
      {"no-cache", std::nullopt, true},
      {"No-Store", std::nullopt, false, true},
      {"no-cache, no-store, max-age=60", 60, true, true},
      {"no-cache=\"set-cookie, max-age=5\"", std::nullopt, true},  // the comma inside quotes is not a separator
      {"private=\"a,b\", max-age=10", 10},
      // Nothing we know.
      {"", std::nullopt},
      {"maxage=5", std::nullopt},
      {"max-ages=5", std::nullopt},
      {"x-max-age=5", std::nullopt},
      {"=5", std::nullopt},
      {"\"max-age=5\"", std::nullopt},
      {"no-cachex", std::nullopt},
      {std::string_view("\0\xff garbage ===,,\"\"\"", 19), std::nullopt},
  };
  for (const Case& c : cases) {
    const HttpFetchResult r = CacheControl(c.value);
    EXPECT_EQ(r.max_age_s, c.max_age) << c.value;
    EXPECT_EQ(r.no_cache, c.no_cache) << c.value;
    EXPECT_EQ(r.no_store, c.no_store) << c.value;
  }
}

TEST(ParseCacheControl, RandomBytesNeverBreakIt) {
  std::mt19937 rng(42);
  const std::string alphabet = "max-ageno-cachestore=\",\\ \t0123456789\x01\xff";
  for (int i = 0; i < 20000; ++i) {
    std::string value(rng() % 64, ' ');
    for (char& c : value) c = (i % 2 == 0) ? alphabet[rng() % alphabet.size()] : static_cast<char>(rng());
    const HttpFetchResult r = CacheControl(value);
    if (r.max_age_s) {
      EXPECT_GE(*r.max_age_s, 0) << value;
      EXPECT_LE(*r.max_age_s, int64_t{1} << 31) << value;
    }
  }
}

TEST(ParseHttpDate, TheThreeFormsAndJunk) {
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), kNov1994);   // IMF-fixdate
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), kNov1994);  // RFC 850
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), kNov1994);        // asctime
  EXPECT_EQ(ParseHttpDate("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
  EXPECT_EQ(ParseHttpDate("Fri, 31 Dec 9999 23:59:59 GMT"), 253402300799);
  for (std::string_view junk :
       {std::string_view("0"), std::string_view("-1"), std::string_view(""), std::string_view("garbage"),
        std::string_view("Sun, 32 Nov 1994 08:49:37 GMT"), std::string_view("Sun, 06 Nov 1994 25:49:37 GMT"),
        std::string_view("1994"), std::string_view("99999999999"),
        std::string_view("Sun, 06 Nov 1994\0 08:49:37 GMT", 30)}) {
    EXPECT_EQ(ParseHttpDate(junk), std::nullopt) << junk;
  }
  const std::string long_date = "Sun, 06 Nov 1994 08:49:37 GMT" + std::string(200, ' ');
  EXPECT_EQ(ParseHttpDate(long_date), std::nullopt);
}

TEST(ParseHttpDate, RandomBytesNeverBreakIt) {
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string value(rng() % 48, ' ');
    for (char& c : value) c = static_cast<char>(rng());
    (void)ParseHttpDate(value);
  }
}

}  // namespace
}  // namespace tokenverify::internal
