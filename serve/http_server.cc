#include "http_server.h"

#include <microhttpd.h>
#include <unistd.h>

#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace tvserve {

// One request's state, from its request line to its answer.
struct RequestState {
  std::string target;  // raw, as on the request line (libmicrohttpd decodes its own copy)
  std::string body;
  bool headers_seen = false;
  bool body_too_large = false;
};

struct HttpServer::Impl {
  HttpServer* server;
  ServerLimits limits;
  Handler handler;

  // New connections per second: a token bucket refilled continuously.
  std::mutex bucket_mutex;
  double bucket_tokens = 0;
  std::chrono::steady_clock::time_point bucket_time = std::chrono::steady_clock::now();

  static MHD_Result Accept(void* cls, const sockaddr*, socklen_t) {
    auto* self = static_cast<Impl*>(cls);
    const double rate = self->limits.new_connections_per_second;
    if (rate == 0) return MHD_YES;
    std::lock_guard<std::mutex> lock(self->bucket_mutex);
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - self->bucket_time).count();
    self->bucket_time = now;
    // A burst of up to one second's worth is allowed.
    self->bucket_tokens = std::min(rate, self->bucket_tokens + elapsed * rate);
    if (self->bucket_tokens < 1) return MHD_NO;
    self->bucket_tokens -= 1;
    return MHD_YES;
  }

  static void* RequestLine(void* cls, const char* uri, MHD_Connection*) {
    auto* self = static_cast<Impl*>(cls);
    self->server->in_flight_.fetch_add(1, std::memory_order_acq_rel);
    auto* state = new RequestState;
    state->target = uri != nullptr ? uri : "";
    return state;
  }

  static void Completed(void* cls, MHD_Connection*, void** req_cls, MHD_RequestTerminationCode) {
    auto* self = static_cast<Impl*>(cls);
    delete static_cast<RequestState*>(*req_cls);
    *req_cls = nullptr;
    self->server->in_flight_.fetch_sub(1, std::memory_order_acq_rel);
  }

  static MHD_Result CollectHeader(void* cls, MHD_ValueKind, const char* key, size_t key_size, const char* value,
                                  size_t value_size) {
    static_cast<std::vector<tv_header>*>(cls)->push_back(
        {key, key_size, value != nullptr ? value : "", value != nullptr ? value_size : 0});
    return MHD_YES;
  }

  static MHD_Result Request(void* cls, MHD_Connection* connection, const char*, const char* method, const char*,
                            const char* upload_data, size_t* upload_data_size, void** req_cls) {
    auto* self = static_cast<Impl*>(cls);
    auto* state = static_cast<RequestState*>(*req_cls);
    if (!state->headers_seen) {  // first call: headers only; a body, if any, follows
      state->headers_seen = true;
      return MHD_YES;
    }
    if (*upload_data_size != 0) {
      if (state->body.size() + *upload_data_size > self->limits.max_body_bytes) {
        state->body_too_large = true;
        state->body.clear();
      } else if (!state->body_too_large) {
        state->body.append(upload_data, *upload_data_size);
      }
      *upload_data_size = 0;
      return MHD_YES;
    }
    Answer answer;
    if (state->body_too_large) {
      answer.status = 413;
      answer.body = "request body over --max-body-bytes\n";
    } else {
      IncomingRequest in;
      in.method = method;
      in.target = state->target;
      in.body = state->body;
      MHD_get_connection_values_n(connection, MHD_HEADER_KIND, CollectHeader, &in.headers);
      answer = self->handler(in);
    }
    MHD_Response* response =
        MHD_create_response_from_buffer(answer.body.size(), answer.body.data(), MHD_RESPMEM_MUST_COPY);
    if (response == nullptr) return MHD_NO;
    for (const auto& [name, value] : answer.headers) MHD_add_response_header(response, name.c_str(), value.c_str());
    if (!answer.content_type.empty())
      MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, answer.content_type.c_str());
    if (self->server->closing_.load(std::memory_order_acquire))
      MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
    const MHD_Result queued = MHD_queue_response(connection, answer.status, response);
    MHD_destroy_response(response);
    return queued;
  }

  static void Log(void*, const char* format, va_list args) {
    std::fputs("tokenverify serve: libmicrohttpd: ", stderr);
    std::vfprintf(stderr, format, args);
  }
};

std::unique_ptr<HttpServer> HttpServer::Start(int listen_fd, const ServerLimits& limits, Handler handler,
                                              std::string& error) {
  std::unique_ptr<HttpServer> server(new HttpServer);
  server->listen_fd_ = listen_fd;
  server->impl_ = std::make_unique<Impl>();
  Impl* impl = server->impl_.get();
  impl->server = server.get();
  impl->limits = limits;
  impl->handler = std::move(handler);
  impl->bucket_tokens = limits.new_connections_per_second;

  const unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
  // The per-connection memory pool holds the request line and headers; MHD
  // answers 431 (or 414 for a long target) when they do not fit.
  const size_t pool = limits.max_header_bytes + 4096;
  std::vector<MHD_OptionItem> options = {
      {MHD_OPTION_LISTEN_SOCKET, listen_fd, nullptr},
      {MHD_OPTION_CONNECTION_LIMIT, static_cast<intptr_t>(limits.max_connections), nullptr},
      {MHD_OPTION_PER_IP_CONNECTION_LIMIT, static_cast<intptr_t>(limits.max_connections_per_ip), nullptr},
      {MHD_OPTION_CONNECTION_TIMEOUT, static_cast<intptr_t>(limits.timeout_seconds), nullptr},
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<intptr_t>(pool), nullptr},
      {MHD_OPTION_URI_LOG_CALLBACK, reinterpret_cast<intptr_t>(&Impl::RequestLine), impl},
      {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(&Impl::Completed), impl},
  };
  // One thread needs no pool: the polling thread serves alone.
  if (limits.threads > 1)
    options.push_back({MHD_OPTION_THREAD_POOL_SIZE, static_cast<intptr_t>(limits.threads), nullptr});
  options.push_back({MHD_OPTION_END, 0, nullptr});
  server->daemon_ = MHD_start_daemon(flags, 0, &Impl::Accept, impl, &Impl::Request, impl,  //
                                     MHD_OPTION_EXTERNAL_LOGGER, &Impl::Log, nullptr,      // first, as MHD asks
                                     MHD_OPTION_ARRAY, options.data(), MHD_OPTION_END);
  if (server->daemon_ == nullptr) {
    error = "libmicrohttpd could not start (see its message above)";
    close(listen_fd);
    server->listen_fd_ = -1;  // so that the destructor has nothing to do
    return nullptr;
  }
  return server;
}

void HttpServer::StopAccepting() {
  if (daemon_ == nullptr || listen_fd_ < 0) return;
  // After quiescing, the socket is ours again (MHD_stop_daemon would close it otherwise).
  const MHD_socket fd = MHD_quiesce_daemon(daemon_);
  if (fd != MHD_INVALID_SOCKET) close(fd);
  listen_fd_ = -1;
}

size_t HttpServer::Connections() const {
  const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
  return info != nullptr ? info->num_connections : 0;
}

HttpServer::~HttpServer() {
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);  // closes the listening socket unless quiesced
}

}  // namespace tvserve
