// A real redis-server (Debian's) for the revocation tests: started by the
// test on a free port on 127.0.0.1, without persistence, and stopped by it.
// Missing redis-server fails the test loudly (scripts/setup.sh installs it).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tokenverify::testing {

class RedisServer {
 public:
  // Starts redis-server on `port` (0: a free one) and waits (up to 5 s) until
  // it answers PING. Null, with a test failure recorded, when it cannot.
  static std::unique_ptr<RedisServer> Start(uint16_t port = 0);
  ~RedisServer();  // Stop()
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // SIGKILL and wait: everything it held is gone (no persistence). Idempotent.
  void Stop();

  uint16_t port() const { return port_; }
  std::string Url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

  // One command through hiredis; the reply as text (a bulk or status string,
  // an integer, "(nil)", or "ERR ..."), or "" when the connection fails.
  std::string Command(const std::vector<std::string>& args) const;
  // `redis-cli -p PORT args...` (the README's way); its exit code, and its output in *out.
  int Cli(const std::vector<std::string>& args, std::string* out = nullptr) const;
  // Appends `n` commands built by `make(i)` in one pipeline; false on any error reply.
  template <class Make>
  bool Pipeline(size_t n, Make make) const;

 private:
  RedisServer() = default;
  bool PipelineArgs(const std::vector<std::vector<std::string>>& commands) const;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

template <class Make>
bool RedisServer::Pipeline(size_t n, Make make) const {
  constexpr size_t kBatch = 10000;
  std::vector<std::vector<std::string>> batch;
  for (size_t i = 0; i < n; ++i) {
    batch.push_back(make(i));
    if (batch.size() == kBatch || i + 1 == n) {
      if (!PipelineArgs(batch)) return false;
      batch.clear();
    }
  }
  return true;
}

}  // namespace tokenverify::testing
