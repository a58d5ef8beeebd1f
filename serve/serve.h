// tokenverify serve: the forward-auth server. One HTTP/1.1 listener that nginx
// (auth_request), Caddy (forward_auth), Traefik (ForwardAuth), Envoy and
// kgateway (ext_authz, HTTP mode), HAProxy and APISIX ask "may this request
// pass?"; the answer is tv_authenticate's decision as a status code and headers.
//
// Like the command-line tool it lives in, the server is a client of the C ABI
// only. Each file owns one concern:
//   listen_address.cc    "host:port" parsing and the listening socket
//   original_request.cc  which request the gateway is asking about (its dialect)
//   answer.cc            a decision as an HTTP answer (status, headers)
//   verifier_slot.cc     the current verifier, swapped on reload
//   metrics.cc           counters, the latency histogram, /metrics and /healthz
//   http_server.cc       libmicrohttpd: connections, limits, request bodies
//   run.cc               RunServe: start, SIGHUP reload, SIGTERM drain
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tvserve {

// Where the original request is read from (original_request.cc).
enum class Dialect {
  kAuto,       // X-Forwarded-Uri, else X-Original-URI, else the request itself
  kForwarded,  // Traefik, Caddy, APISIX: X-Forwarded-Method/-Host/-Uri
  kNginx,      // nginx auth_request: X-Original-URI, X-Original-Method
  kEnvoy,      // Envoy/kgateway ext_authz HTTP mode: the request's own method and path
};

struct ServeOptions {
  std::string config_file;
  std::vector<std::string> listen;  // "host:port"; default 127.0.0.1:9000
  std::string metrics_listen;       // "host:port" of /healthz and /metrics; empty: none
  unsigned threads = 0;             // 0: one per core
  Dialect dialect = Dialect::kAuto;
  std::string path_prefix;  // Envoy's path_prefix / kgateway's pathPrefix, stripped from the path
  unsigned max_connections = 10000;
  unsigned max_connections_per_ip = 0;      // 0: no limit (a gateway is one address)
  unsigned new_connections_per_second = 0;  // 0: no limit
  unsigned timeout_seconds = 30;            // idle or slow connection
  size_t max_header_bytes = 32 * 1024;      // request line and headers of one request
  size_t max_body_bytes = 1024 * 1024;      // a body is only read when the gateway sends one
  double drain_seconds = 10;                // SIGTERM: how long in-flight requests may finish
  bool answer_200_unauthenticated = false;  // benchmarks only: the HTTP floor
};

// Runs until SIGTERM or SIGINT; returns the process exit code (0 after a clean
// drain, 3 when the configuration or a listener cannot be set up).
int RunServe(const ServeOptions& options);

}  // namespace tvserve
