#include "support/redis_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "support/jwks_server.h"

extern char** environ;

namespace tokenverify::testing {
namespace {

std::string ReplyText(const redisReply* r) {
  if (r == nullptr) return "";
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      return std::string(r->str, r->len);
    case REDIS_REPLY_ERROR:
      return "ERR " + std::string(r->str, r->len);
    case REDIS_REPLY_INTEGER:
      return std::to_string(r->integer);
    case REDIS_REPLY_NIL:
      return "(nil)";
    default:
      return "(array of " + std::to_string(r->elements) + ")";
  }
}

redisContext* Connect(uint16_t port) {
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, {1, 0});
  if (c != nullptr && c->err != 0) {
    redisFree(c);
    return nullptr;
  }
  if (c != nullptr) redisSetTimeout(c, {10, 0});
  return c;
}

}  // namespace

std::unique_ptr<RedisServer> RedisServer::Start(uint16_t port) {
  std::unique_ptr<RedisServer> s(new RedisServer());
  s->port_ = port != 0 ? port : JwksServer::UnusedPort();
  const std::string port_text = std::to_string(s->port_);
  // No persistence, no protected-mode surprises, only loopback.
  const char* argv[] = {"redis-server", "--port", port_text.c_str(), "--bind", "127.0.0.1",  "--save",  "",
                        "--appendonly", "no",     "--daemonize",     "no",     "--loglevel", "warning", "--dir",
                        "/tmp",         nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  const int rc = posix_spawnp(&s->pid_, "redis-server", &actions, nullptr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ADD_FAILURE() << "cannot start redis-server (install it: scripts/setup.sh): " << std::strerror(rc);
    s->pid_ = -1;
    return nullptr;
  }
  for (int i = 0; i < 500; ++i) {
    if (s->Command({"PING"}) == "PONG") return s;
    int status;
    if (::waitpid(s->pid_, &status, WNOHANG) == s->pid_) {
      s->pid_ = -1;
      ADD_FAILURE() << "redis-server exited at start (port " << s->port_ << " taken?)";
      return nullptr;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "redis-server did not answer PING within 5 s";
  return nullptr;
}

RedisServer::~RedisServer() { Stop(); }

void RedisServer::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string RedisServer::Command(const std::vector<std::string>& args) const {
  redisContext* c = Connect(port_);
  if (c == nullptr) return "";
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) argv.push_back(a.data()), lens.push_back(a.size());
  auto* r = static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(args.size()), argv.data(), lens.data()));
  std::string text = ReplyText(r);
  if (r != nullptr) freeReplyObject(r);
  redisFree(c);
  return text;
}

bool RedisServer::PipelineArgs(const std::vector<std::vector<std::string>>& commands) const {
  redisContext* c = Connect(port_);
  if (c == nullptr) return false;
  bool ok = true;
  for (const auto& args : commands) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) argv.push_back(a.data()), lens.push_back(a.size());
    redisAppendCommandArgv(c, static_cast<int>(args.size()), argv.data(), lens.data());
  }
  for (size_t i = 0; i < commands.size(); ++i) {
    void* reply = nullptr;
    if (redisGetReply(c, &reply) != REDIS_OK || reply == nullptr) {
      ok = false;
      break;
    }
    ok &= static_cast<redisReply*>(reply)->type != REDIS_REPLY_ERROR;
    freeReplyObject(reply);
  }
  redisFree(c);
  return ok;
}

int RedisServer::Cli(const std::vector<std::string>& args, std::string* out) const {
  std::string cmd = "redis-cli -h 127.0.0.1 -p " + std::to_string(port_);
  for (const auto& a : args) {
    cmd += " '";
    for (char ch : a) cmd += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    cmd += "'";
  }
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[512];
  size_t n;
  std::string text;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  const int status = ::pclose(p);
  if (out != nullptr) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace tokenverify::testing
