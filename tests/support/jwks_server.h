// An in-process HTTP/1.1 server for key-set (JWKS) tests that can misbehave
// on demand: hang, trickle, send garbage, close without answering, lie about
// lengths. Optionally HTTPS, with a throwaway self-signed certificate.
//
// Plain POSIX sockets on 127.0.0.1, an ephemeral port, one accept thread and
// one short-lived thread per connection, so a hanging response never holds up
// another request. Every connection is answered once and closed
// ("Connection: close"). The server bounds itself: it stops accepting after
// Options::max_lifetime_s or max_requests, hangs and trickles are capped, and
// every socket operation has a deadline. Stop() (or the destructor) returns
// within ~50 ms plus the time a handler takes.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace tokenverify::testing {

struct HttpRequestSeen {
  std::string method, path;
  std::map<std::string, std::string> headers;  // lower-case names; repeated headers joined with ", "
};

struct ServerResponse {
  int status = 200;
  std::string body;
  // Sent verbatim, in order, e.g. {"Cache-Control", "max-age=60"}, {"ETag", "\"v1\""}.
  std::vector<std::pair<std::string, std::string>> headers;

  enum class Mode {
    kNormal,
    kHang,      // read the request, send nothing for hang_ms (<= 0: the cap), then respond normally;
                // ends early, without a response, when the client closes
    kTrickle,   // send the whole response one byte per trickle_interval_ms
    kRawBytes,  // send raw_bytes verbatim, then close
    kCloseWithoutResponse,
  } mode = Mode::kNormal;
  int hang_ms = 0;
  int trickle_interval_ms = 0;
  std::string raw_bytes;

  // How the body is delimited, unless `headers` already has Content-Length or
  // Transfer-Encoding (then nothing is added, so a test can send a false length).
  enum class Framing {
    kContentLength,
    kChunked,     // Transfer-Encoding: chunked, chunks of at most 16 KiB
    kUntilClose,  // no length at all: the body ends when the connection closes
  } framing = Framing::kContentLength;
};

class JwksServer {
 public:
  using Handler = std::function<ServerResponse(const HttpRequestSeen&)>;

  struct Options {
    int max_lifetime_s = 300;    // stops accepting connections after this
    int max_requests = 1000000;  // ... or after this many requests
    bool tls = false;            // HTTPS with a self-signed certificate for 127.0.0.1
    uint16_t port = 0;           // 0: ephemeral; else this port (a test restarting a stopped server)
  };

  // Caps that keep a misbehaving response from outliving its test.
  static constexpr int kMaxHangMs = 30000;
  static constexpr int kMaxTrickleMs = 30000;
  static constexpr int kMaxConnections = 256;            // more at once are closed unanswered
  static constexpr size_t kMaxRecordedRequests = 10000;  // requests() keeps the first ones

  // Starts listening; on failure records a test failure (ADD_FAILURE) and
  // returns null, so callers write ASSERT_NE(server, nullptr).
  static std::unique_ptr<JwksServer> Start(Options options);
  static std::unique_ptr<JwksServer> Start() { return Start(Options{}); }
  ~JwksServer();  // Stop()
  JwksServer(const JwksServer&) = delete;
  JwksServer& operator=(const JwksServer&) = delete;

  // Stops accepting, ends every open connection and joins every thread. Idempotent.
  void Stop();

  // "http://127.0.0.1:PORT/jwks" (https:// with Options::tls).
  std::string Url(std::string_view path = "/jwks") const;
  uint16_t port() const { return port_; }

  // With TLS: the PEM certificate, and a temporary file holding it (a CA
  // bundle for HttpFetchRequest::ca_file), removed by the destructor.
  const std::string& cert_pem() const { return cert_pem_; }
  const std::string& ca_file() const { return ca_file_; }

  // Every following request gets `r`.
  void Serve(ServerResponse r);
  // Or compute each response; `h` runs on connection threads, maybe
  // concurrently, and must be thread-safe. The default answers 404.
  void SetHandler(Handler h);
  // Serve(JwksResponse(...)), answering 304 when If-None-Match matches `etag`.
  void ServeJwks(std::string body, std::string etag = "", std::optional<int> max_age_s = std::nullopt);

  int request_count() const { return request_count_.load(); }  // requests fully read so far
  // Connection threads started and not yet joined (a finished one is joined
  // within ~20 ms). Zero means no thread of this server is being created,
  // serving or ending: what a test that forks waits for (see fork_test.cc).
  int live_connection_threads() const { return live_connection_threads_.load(); }
  std::vector<HttpRequestSeen> requests() const;

  // A port on 127.0.0.1 where nothing listens (bound, then closed), for
  // "connection refused".
  static uint16_t UnusedPort();

 private:
  class Connection;
  struct ConnectionThread {
    std::thread thread;
    std::atomic<bool> done{false};
  };
  explicit JwksServer(Options options) : options_(options) {}
  bool Listen(std::string* why);
  bool SetUpTls(std::string* why);
  void AcceptLoop();
  void ServeConnection(int fd);
  bool Respond(Connection& conn, const ServerResponse& r);

  Options options_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::once_flag stop_once_;
  std::thread accept_thread_;
  // Touched only by the accept thread, and by Stop() once that has ended.
  std::vector<std::unique_ptr<ConnectionThread>> connections_;
  std::atomic<int> live_connection_threads_{0};

  SSL_CTX* ssl_ctx_ = nullptr;
  std::string cert_pem_;
  std::string ca_file_;

  mutable std::mutex mu_;
  Handler handler_;                        // guarded by mu_
  std::vector<HttpRequestSeen> requests_;  // guarded by mu_
  std::atomic<int> request_count_{0};
};

// A 200 with `body`, Content-Type: application/json, and an ETag and
// Cache-Control: max-age when given.
ServerResponse JwksResponse(std::string body, std::string etag = "", std::optional<int> max_age_s = std::nullopt);

// Like JwksResponse, but answers 304 (with the same ETag and Cache-Control)
// when the request's If-None-Match lists `etag` (weak or strong) or is "*".
JwksServer::Handler JwksHandler(std::string body, std::string etag = "", std::optional<int> max_age_s = std::nullopt);

// A redirect (301, 302, 307, 308) to `location`.
ServerResponse RedirectResponse(int status, std::string location);

}  // namespace tokenverify::testing
