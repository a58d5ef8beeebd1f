#include "support/jwks_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "base/ascii.h"

namespace tokenverify::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Each socket operation (reading the request, writing a response) must finish within this.
constexpr auto kIoTimeout = std::chrono::seconds(5);
// How often blocked threads look at the stop flag.
constexpr int kPollSliceMs = 20;
constexpr size_t kMaxRequestHeaderBytes = 64 * 1024;
constexpr size_t kChunkBytes = 16 * 1024;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), internal::AsciiLower);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string ChunkEncode(std::string_view body) {
  std::string out;
  char size_line[32];
  for (size_t at = 0; at < body.size(); at += kChunkBytes) {
    const std::string_view chunk = body.substr(at, kChunkBytes);
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
    out += size_line;
    out += chunk;
    out += "\r\n";
  }
  return out + "0\r\n\r\n";
}

std::string SerializeResponse(const ServerResponse& r) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + ReasonPhrase(r.status) + "\r\n";
  bool framed_by_caller = false;
  for (const auto& [name, value] : r.headers) {
    out += name + ": " + value + "\r\n";
    const std::string lower = Lower(name);
    if (lower == "content-length" || lower == "transfer-encoding") framed_by_caller = true;
  }
  const bool no_body = (r.status >= 100 && r.status < 200) || r.status == 204 || r.status == 304;
  std::string body = no_body ? "" : r.body;
  if (!framed_by_caller && !no_body) {
    switch (r.framing) {
      case ServerResponse::Framing::kContentLength:
        out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
        break;
      case ServerResponse::Framing::kChunked:
        out += "Transfer-Encoding: chunked\r\n";
        body = ChunkEncode(body);
        break;
      case ServerResponse::Framing::kUntilClose:
        break;
    }
  }
  out += "Connection: close\r\n\r\n";
  return out + body;
}

// "W/\"x\"" and "\"x\"" name the same version for If-None-Match (weak comparison).
std::string_view StripWeak(std::string_view etag) { return etag.substr(0, 2) == "W/" ? etag.substr(2) : etag; }

bool IfNoneMatchLists(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    const std::string_view item = Trim(header.substr(0, comma));
    if (item == "*" || StripWeak(item) == StripWeak(etag)) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

// `head`: the request line and header lines, without the blank line that ends them.
std::optional<HttpRequestSeen> ParseRequestHead(std::string_view head) {
  HttpRequestSeen req;
  size_t line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, line_end);
  const size_t sp1 = request_line.find(' ');
  if (sp1 == std::string_view::npos) return std::nullopt;
  const size_t sp2 = request_line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return std::nullopt;
  req.method = request_line.substr(0, sp1);
  req.path = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  while (line_end != std::string_view::npos) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string_view line = head.substr(start, line_end == std::string_view::npos ? line_end : line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string& slot = req.headers[Lower(Trim(line.substr(0, colon)))];
    if (!slot.empty()) slot += ", ";
    slot += Trim(line.substr(colon + 1));
  }
  return req;
}

}  // namespace

// One accepted socket (non-blocking), plain or TLS. Every wait is bounded by
// a deadline and ends early when the server stops.
class JwksServer::Connection {
 public:
  Connection(int fd, SSL* ssl, const std::atomic<bool>* stopping) : fd_(fd), ssl_(ssl), stopping_(stopping) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    ::close(fd_);
  }

  bool Handshake(Clock::time_point deadline) {
    for (;;) {
      ERR_clear_error();
      const int rc = SSL_accept(ssl_);
      if (rc == 1) return true;
      if (!WaitForTls(rc, deadline)) return false;
    }
  }

  // Reads some bytes: the count, 0 at the end of the stream, -1 on error,
  // timeout or stop.
  ssize_t Read(char* buf, size_t size, Clock::time_point deadline) {
    for (;;) {
      if (ssl_ != nullptr) {
        ERR_clear_error();
        const int rc = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(size, INT_MAX)));
        if (rc > 0) return rc;
        if (SSL_get_error(ssl_, rc) == SSL_ERROR_ZERO_RETURN) return 0;
        if (!WaitForTls(rc, deadline)) return -1;
        continue;
      }
      const ssize_t rc = ::recv(fd_, buf, size, 0);
      if (rc >= 0) return rc;
      if (errno == EINTR) continue;
      if ((errno == EAGAIN || errno == EWOULDBLOCK) && Wait(POLLIN, deadline)) continue;
      return -1;
    }
  }

  bool WriteAll(std::string_view bytes, Clock::time_point deadline) {
    while (!bytes.empty()) {
      if (ssl_ != nullptr) {
        ERR_clear_error();
        const int rc = SSL_write(ssl_, bytes.data(), static_cast<int>(std::min<size_t>(bytes.size(), INT_MAX)));
        if (rc > 0) {
          bytes.remove_prefix(static_cast<size_t>(rc));
        } else if (!WaitForTls(rc, deadline)) {
          return false;
        }
        continue;
      }
      const ssize_t rc = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (rc >= 0) {
        bytes.remove_prefix(static_cast<size_t>(rc));
      } else if (errno != EINTR && !((errno == EAGAIN || errno == EWOULDBLOCK) && Wait(POLLOUT, deadline))) {
        return false;
      }
    }
    return true;
  }

  // Discards anything the client sends until it closes (true) or `until`
  // passes or the server stops (false).
  bool WaitForPeerClose(Clock::time_point until) {
    char scratch[1024];
    for (;;) {
      if (!Wait(POLLIN, until)) return false;
      if (Read(scratch, sizeof scratch, until) <= 0) return Clock::now() < until && !stopping_->load();
    }
  }

  // An orderly end of the response: close_notify, then FIN.
  void Finish() {
    if (ssl_ != nullptr) SSL_shutdown(ssl_);  // one attempt; the peer need not answer
    ::shutdown(fd_, SHUT_WR);
  }

 private:
  // Until `fd_` is ready for `events`; false at the deadline or on stop.
  bool Wait(short events, Clock::time_point deadline) {
    for (;;) {
      if (stopping_->load()) return false;
      const auto left_us = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
      if (left_us <= 0) return false;
      pollfd p{fd_, events, 0};
      const int rc = ::poll(&p, 1, static_cast<int>(std::min<int64_t>((left_us + 999) / 1000, kPollSliceMs)));
      if (rc > 0) return true;  // also POLLHUP/POLLERR: the next read or write reports it
      if (rc < 0 && errno != EINTR) return false;
    }
  }

  bool WaitForTls(int rc, Clock::time_point deadline) {
    switch (SSL_get_error(ssl_, rc)) {
      case SSL_ERROR_WANT_READ:
        return Wait(POLLIN, deadline);
      case SSL_ERROR_WANT_WRITE:
        return Wait(POLLOUT, deadline);
      default:
        return false;
    }
  }

  int fd_;
  SSL* ssl_;
  const std::atomic<bool>* stopping_;
};

std::unique_ptr<JwksServer> JwksServer::Start(Options options) {
  std::unique_ptr<JwksServer> server(new JwksServer(options));
  std::string why;
  if ((options.tls && !server->SetUpTls(&why)) || !server->Listen(&why)) {
    ADD_FAILURE() << "JwksServer: " << why;
    return nullptr;
  }
  server->accept_thread_ = std::thread(&JwksServer::AcceptLoop, server.get());
  return server;
}

JwksServer::~JwksServer() {
  Stop();
  if (ssl_ctx_ != nullptr) SSL_CTX_free(ssl_ctx_);
  if (!ca_file_.empty()) std::remove(ca_file_.c_str());
}

void JwksServer::Stop() {
  std::call_once(stop_once_, [this] {
    stopping_.store(true);
    if (accept_thread_.joinable()) accept_thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
    listen_fd_ = -1;
    for (auto& c : connections_) c->thread.join();
    connections_.clear();
    live_connection_threads_.store(0);
  });
}

std::string JwksServer::Url(std::string_view path) const {
  return std::string(options_.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void JwksServer::Serve(ServerResponse r) {
  SetHandler([r = std::move(r)](const HttpRequestSeen&) { return r; });
}

void JwksServer::SetHandler(Handler h) {
  std::lock_guard<std::mutex> lock(mu_);
  handler_ = std::move(h);
}

void JwksServer::ServeJwks(std::string body, std::string etag, std::optional<int> max_age_s) {
  SetHandler(JwksHandler(std::move(body), std::move(etag), max_age_s));
}

std::vector<HttpRequestSeen> JwksServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

uint16_t JwksServer::UnusedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);  // never listened on: a connection is refused
  return port;
}

bool JwksServer::Listen(std::string* why) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd_ < 0) {
    *why = "socket failed";
    return false;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // never reachable from outside
  addr.sin_port = htons(options_.port);           // 0: ephemeral
  socklen_t len = sizeof addr;
  // A restart on the same port (Options::port) must not wait out the
  // TIME_WAIT connections of the server before it; Linux lets it bind only
  // when both the old sockets and the new one allow reuse, so always set it.
  const int reuse = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 128) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    *why = std::string("bind/listen on 127.0.0.1 failed: ") + std::strerror(errno);
    return false;
  }
  port_ = ntohs(addr.sin_port);
  return true;
}

void JwksServer::AcceptLoop() {
  const auto end_of_life = Clock::now() + std::chrono::seconds(options_.max_lifetime_s);
  while (!stopping_.load() && Clock::now() < end_of_life && request_count_.load() < options_.max_requests) {
    // Join the connections that have finished, so long runs do not pile up threads.
    std::erase_if(connections_, [this](std::unique_ptr<ConnectionThread>& c) {
      if (!c->done.load()) return false;
      c->thread.join();
      live_connection_threads_.fetch_sub(1);
      return true;
    });
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, kPollSliceMs) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) continue;
    if (connections_.size() >= static_cast<size_t>(kMaxConnections)) {
      ::close(fd);
      continue;
    }
    auto c = std::make_unique<ConnectionThread>();
    ConnectionThread* raw = c.get();
    live_connection_threads_.fetch_add(1);
    try {
      c->thread = std::thread([this, fd, raw] {
        ServeConnection(fd);
        raw->done.store(true);
      });
    } catch (const std::exception&) {  // out of threads: refuse this one
      live_connection_threads_.fetch_sub(1);
      ::close(fd);
      continue;
    }
    connections_.push_back(std::move(c));
  }
  // Past its lifetime or request budget the server refuses new connections.
  ::close(listen_fd_);
  listen_fd_ = -1;
}

void JwksServer::ServeConnection(int fd) {
  // SSL_write reaches write(2), which raises SIGPIPE on a closed peer; the
  // signal is directed at this thread, so blocking it here is enough.
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);

  SSL* ssl = nullptr;
  if (ssl_ctx_ != nullptr) {
    ssl = SSL_new(ssl_ctx_);
    if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1) {
      if (ssl != nullptr) SSL_free(ssl);
      ::close(fd);
      return;
    }
  }
  Connection conn(fd, ssl, &stopping_);
  if (ssl != nullptr && !conn.Handshake(Clock::now() + kIoTimeout)) return;

  // The request head; a GET has no body to read.
  std::string head;
  const auto read_deadline = Clock::now() + kIoTimeout;
  char buf[4096];
  size_t head_end;
  while ((head_end = head.find("\r\n\r\n")) == std::string::npos) {
    if (head.size() > kMaxRequestHeaderBytes) return;
    const ssize_t n = conn.Read(buf, sizeof buf, read_deadline);
    if (n <= 0) return;
    head.append(buf, static_cast<size_t>(n));
  }
  std::optional<HttpRequestSeen> request = ParseRequestHead(std::string_view(head).substr(0, head_end));
  if (!request) return;

  Handler handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (requests_.size() < kMaxRecordedRequests) requests_.push_back(*request);
    request_count_.fetch_add(1);
    handler = handler_;
  }
  ServerResponse response;
  if (handler) {
    try {
      response = handler(*request);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "JwksServer handler threw: " << e.what();
      response.status = 500;
    }
  } else {
    response.status = 404;
    response.body = "no response configured";
  }
  Respond(conn, response);
}

bool JwksServer::Respond(Connection& conn, const ServerResponse& r) {
  using Mode = ServerResponse::Mode;
  switch (r.mode) {
    case Mode::kCloseWithoutResponse:
      return true;  // the Connection's destructor closes the socket
    case Mode::kRawBytes: {
      const bool sent = conn.WriteAll(r.raw_bytes, Clock::now() + kIoTimeout);
      conn.Finish();
      return sent;
    }
    case Mode::kHang: {
      const int hang_ms = r.hang_ms > 0 ? std::min(r.hang_ms, kMaxHangMs) : kMaxHangMs;
      if (conn.WaitForPeerClose(Clock::now() + std::chrono::milliseconds(hang_ms))) return true;
      if (stopping_.load()) return false;
      break;  // then answer like kNormal
    }
    case Mode::kTrickle: {
      const std::string bytes = SerializeResponse(r);
      const auto interval = std::chrono::milliseconds(std::max(1, r.trickle_interval_ms));
      const auto give_up = Clock::now() + std::chrono::milliseconds(kMaxTrickleMs);
      for (size_t i = 0; i < bytes.size(); ++i) {
        if (Clock::now() >= give_up || !conn.WriteAll(std::string_view(bytes).substr(i, 1), give_up)) return false;
        if (i + 1 < bytes.size() && conn.WaitForPeerClose(std::min(give_up, Clock::now() + interval))) return false;
        if (stopping_.load()) return false;
      }
      conn.Finish();
      return true;
    }
    case Mode::kNormal:
      break;
  }
  const bool sent = conn.WriteAll(SerializeResponse(r), Clock::now() + kIoTimeout);
  conn.Finish();
  return sent;
}

bool JwksServer::SetUpTls(std::string* why) {
  // A throwaway EC P-256 key and a self-signed certificate for 127.0.0.1.
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
  if (!key || !cert) {
    *why = "key or certificate allocation failed";
    return false;
  }
  uint64_t serial = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial);
  X509_set_version(cert.get(), 2);  // v3, for the extensions
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), (serial >> 1) | 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] :
       {std::pair{NID_subject_alt_name, "IP:127.0.0.1"}, std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    if (ext == nullptr || X509_add_ext(cert.get(), ext, -1) != 1) {
      X509_EXTENSION_free(ext);
      *why = "certificate extension failed";
      return false;
    }
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    *why = "certificate signing failed";
    return false;
  }

  std::unique_ptr<BIO, decltype(&BIO_free)> pem(BIO_new(BIO_s_mem()), &BIO_free);
  if (!pem || PEM_write_bio_X509(pem.get(), cert.get()) != 1) {
    *why = "PEM encoding failed";
    return false;
  }
  char* pem_data = nullptr;
  const long pem_len = BIO_get_mem_data(pem.get(), &pem_data);
  cert_pem_.assign(pem_data, static_cast<size_t>(pem_len));

  const char* tmpdir = std::getenv("TMPDIR");
  std::string path = std::string(tmpdir != nullptr && tmpdir[0] != '\0' ? tmpdir : "/tmp") + "/tv_jwks_ca_XXXXXX.pem";
  const int fd = ::mkstemps(path.data(), 4);
  if (fd < 0) {
    *why = "cannot create the CA file in " + path;
    return false;
  }
  ca_file_ = path;
  const bool written = ::write(fd, cert_pem_.data(), cert_pem_.size()) == static_cast<ssize_t>(cert_pem_.size());
  ::close(fd);
  if (!written) {
    *why = "cannot write " + ca_file_;
    return false;
  }

  ssl_ctx_ = SSL_CTX_new(TLS_server_method());
  if (ssl_ctx_ == nullptr || SSL_CTX_set_min_proto_version(ssl_ctx_, TLS1_2_VERSION) != 1 ||
      SSL_CTX_use_certificate(ssl_ctx_, cert.get()) != 1 || SSL_CTX_use_PrivateKey(ssl_ctx_, key.get()) != 1) {
    *why = "SSL_CTX setup failed";
    return false;
  }
  SSL_CTX_set_mode(ssl_ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return true;
}

ServerResponse JwksResponse(std::string body, std::string etag, std::optional<int> max_age_s) {
  ServerResponse r;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", "application/json");
  if (!etag.empty()) r.headers.emplace_back("ETag", std::move(etag));
  if (max_age_s) r.headers.emplace_back("Cache-Control", "max-age=" + std::to_string(*max_age_s));
  return r;
}

JwksServer::Handler JwksHandler(std::string body, std::string etag, std::optional<int> max_age_s) {
  return [ok = JwksResponse(std::move(body), etag, max_age_s), etag](const HttpRequestSeen& req) {
    ServerResponse r = ok;
    const auto inm = req.headers.find("if-none-match");
    if (!etag.empty() && inm != req.headers.end() && IfNoneMatchLists(inm->second, etag)) {
      r.status = 304;
      r.body.clear();
    }
    return r;
  };
}

ServerResponse RedirectResponse(int status, std::string location) {
  ServerResponse r;
  r.status = status;
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

}  // namespace tokenverify::testing
