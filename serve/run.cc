// RunServe: the verifier, the listeners, and the control loop that reloads on
// SIGHUP, frees retired verifiers once idle, and drains on SIGTERM.
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "http_server.h"
#include "listen_address.h"
#include "metrics.h"
#include "serve.h"
#include "verifier_slot.h"

namespace tvserve {
namespace {

void Say(const std::string& text) { std::fprintf(stderr, "tokenverify serve: %s\n", text.c_str()); }

uint64_t NanosSince(std::chrono::steady_clock::time_point start) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
}

// The forward-auth answer of one request.
Answer Authenticate(const ServeOptions& o, VerifierSlot& slot, Metrics& metrics, const IncomingRequest& in) {
  const auto start = std::chrono::steady_clock::now();
  if (o.answer_200_unauthenticated) {
    Answer floor = FloorAnswer();
    metrics.Record(TV_AUTH_NONE, floor.status, TV_OK, NanosSince(start));
    return floor;
  }
  std::string scratch;
  const OriginalRequest original = FindOriginalRequest(in, o.dialect, o.path_prefix, scratch);
  const SharedVerifier verifier = slot.Current();
  tv_decision* decision = nullptr;
  const tv_status st = tv_authenticate(verifier.get(), &decision, &original.request);
  Answer answer = st == TV_OK ? AnswerFor(decision) : AnswerForFailure(st);
  const int32_t method = st == TV_OK ? tv_decision_method(decision) : -1;
  const tv_status verdict = st == TV_OK ? tv_decision_status(decision) : st;
  tv_decision_free(decision);
  metrics.Record(method, answer.status, verdict, NanosSince(start));
  return answer;
}

// /healthz and /metrics, on their own listener.
Answer Admin(VerifierSlot& slot, const Metrics& metrics, const IncomingRequest& in) {
  const std::string_view path = in.target.substr(0, in.target.find('?'));
  Answer a;
  if (path == "/healthz") {
    std::string detail;
    const bool healthy = Metrics::Health(slot.Current().get(), detail);
    a.status = healthy ? 200 : 503;
    a.body = healthy ? "ok\n" : detail + "\n";
  } else if (path == "/metrics") {
    a.status = 200;
    a.body = metrics.Render(slot.Current().get());
    a.content_type = "text/plain; version=0.0.4; charset=utf-8";
  } else {
    a.status = 404;
    a.body = "not found: /healthz and /metrics are served here\n";
  }
  return a;
}

std::unique_ptr<HttpServer> Listen(const std::string& text, const ServerLimits& limits, Handler handler,
                                   const char* what) {
  std::string error;
  const auto address = ParseListenAddress(text, error);
  uint16_t port = 0;
  const int fd = address ? OpenListener(*address, 1024, &port, error) : -1;
  std::unique_ptr<HttpServer> server = fd >= 0 ? HttpServer::Start(fd, limits, std::move(handler), error) : nullptr;
  if (!server) {
    Say(error);
    return nullptr;
  }
  Say(std::string("listening on ") + FormatListenAddress(*address, port) + " (" + what + ")");
  return server;
}

void Reload(const std::string& config_file, VerifierSlot& slot, Metrics& metrics) {
  std::string error;
  SharedVerifier next = BuildVerifier(config_file, error);
  metrics.RecordReload(next != nullptr);
  if (!next) {
    Say("reload failed, the previous configuration stays: " + error);
    return;
  }
  slot.Replace(std::move(next));
  Say("reloaded " + config_file);
}

// Drain: stop accepting, close pooled connections as their requests finish,
// and wait for the requests under way (at most |drain_seconds|).
void Drain(std::vector<std::unique_ptr<HttpServer>>& servers, double drain_seconds) {
  for (auto& s : servers) {
    s->StopAccepting();
    s->CloseAfterEachAnswer();
  }
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    size_t in_flight = 0, connections = 0;
    for (auto& s : servers) {
      in_flight += s->InFlight();
      connections += s->Connections();
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // Idle pooled connections get one second to carry a last request.
    if (in_flight == 0 && (connections == 0 || elapsed >= 1.0)) break;
    if (elapsed >= drain_seconds) {
      Say("drain timed out with " + std::to_string(in_flight) + " requests under way");
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  servers.clear();
}

}  // namespace

int RunServe(const ServeOptions& o) {
  // Blocked before any thread starts, so that every thread inherits the mask
  // and only the control loop's sigtimedwait receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::string error;
  SharedVerifier initial = BuildVerifier(o.config_file, error);
  if (!initial) {
    Say(error);
    return 3;
  }
  VerifierSlot slot(std::move(initial));
  Metrics metrics;

  ServerLimits limits;
  limits.threads = o.threads != 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  limits.max_connections = o.max_connections;
  limits.max_connections_per_ip = o.max_connections_per_ip;
  limits.new_connections_per_second = o.new_connections_per_second;
  limits.timeout_seconds = o.timeout_seconds;
  limits.max_header_bytes = o.max_header_bytes;
  limits.max_body_bytes = o.max_body_bytes;

  std::vector<std::unique_ptr<HttpServer>> servers;
  const std::vector<std::string> listen = o.listen.empty() ? std::vector<std::string>{"127.0.0.1:9000"} : o.listen;
  for (const std::string& address : listen) {
    auto server = Listen(
        address, limits, [&](const IncomingRequest& in) { return Authenticate(o, slot, metrics, in); },
        o.answer_200_unauthenticated ? "forward auth: answering 200 to everything, benchmarks only" : "forward auth");
    if (!server) return 3;
    servers.push_back(std::move(server));
  }
  if (!o.metrics_listen.empty()) {
    ServerLimits admin_limits = limits;
    admin_limits.threads = 1;
    admin_limits.max_body_bytes = 0;
    auto server = Listen(
        o.metrics_listen, admin_limits, [&](const IncomingRequest& in) { return Admin(slot, metrics, in); },
        "healthz, metrics");
    if (!server) return 3;
    servers.push_back(std::move(server));
  }

  for (;;) {
    const timespec tick{0, 100 * 1000 * 1000};
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    if (sig == SIGHUP) Reload(o.config_file, slot, metrics);
    if (sig == SIGTERM || sig == SIGINT) break;
    slot.FreeIdle();
  }
  Say("draining");
  Drain(servers, o.drain_seconds);
  Say("stopped");
  return 0;
}

}  // namespace tvserve
