// The HTTP/1.1 server under `tokenverify serve`: libmicrohttpd (Debian's
// libmicrohttpd-dev), one epoll thread per core sharing the listening socket,
// keep-alive, and its limits on connections, header sizes and slow clients.
// Bodies are read only when a gateway sends one, up to a limit.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "answer.h"
#include "original_request.h"

struct MHD_Daemon;

namespace tvserve {

struct ServerLimits {
  unsigned threads = 1;
  unsigned max_connections = 10000;
  unsigned max_connections_per_ip = 0;      // 0: none
  unsigned new_connections_per_second = 0;  // 0: none
  unsigned timeout_seconds = 30;
  size_t max_header_bytes = 32 * 1024;
  size_t max_body_bytes = 1024 * 1024;
};

using Handler = std::function<Answer(const IncomingRequest&)>;

class HttpServer {
 public:
  // Start serves |listen_fd| (taken over) with |handler|, called on the
  // server's threads concurrently. Returns null and sets |error| on failure.
  static std::unique_ptr<HttpServer> Start(int listen_fd, const ServerLimits& limits, Handler handler,
                                           std::string& error);
  ~HttpServer();  // stops at once: open connections are closed
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // StopAccepting closes the listening socket; requests under way go on.
  void StopAccepting();
  // Requests received whose answer has not been sent yet.
  size_t InFlight() const { return in_flight_.load(std::memory_order_acquire); }
  // Open connections, idle keep-alive ones included.
  size_t Connections() const;
  // CloseAfterEachAnswer makes every later answer carry "Connection: close",
  // so that a gateway's pooled connections end one by one while draining.
  void CloseAfterEachAnswer() { closing_.store(true, std::memory_order_release); }

  // libmicrohttpd's callbacks (public for the C trampolines in http_server.cc).
  struct Impl;

 private:
  HttpServer() = default;
  MHD_Daemon* daemon_ = nullptr;
  int listen_fd_ = -1;  // while accepting; libmicrohttpd owns it then
  std::unique_ptr<Impl> impl_;
  std::atomic<size_t> in_flight_{0};
  std::atomic<bool> closing_{false};
  friend struct Impl;
};

}  // namespace tvserve
