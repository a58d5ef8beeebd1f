// Revocation propagation through a real redis-server (Debian's, started here
// on a free port on 127.0.0.1 and stopped at the end): the time from just
// before a revocation's XADD until two verifiers of this process, each with
// its own reader thread on the stream, both refuse the token. A latency, not
// a throughput: each iteration is one revocation, timed by hand, and the
// percentiles over the run's revocations are counters (p50_ms, p99_ms,
// max_ms). tests/integration/revocation_redis_test.cc checks that every
// revocation lands; how fast is measured here, where load on a shared machine
// moves a figure instead of failing a suite.
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "bench_util.h"
#include "support/redis_server.h"

namespace tvbench {
namespace {

using tokenverify::Status;
using Clock = std::chrono::steady_clock;

constexpr char kStream[] = "tv:bench:revocations";
constexpr int kRevocationsPerRepetition = 200;

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string Token(const tokenverify::testing::TestKey& key, const std::string& jti) {
  return tokenverify::testing::SignJws(key, R"({"alg":"HS256","kid":"k1"})",
                                       R"({"iss":"https://issuer.example","sub":"carol","jti":")" + jti +
                                           R"(","iat":)" + std::to_string(UnixNow() - 10) + R"(,"exp":)" +
                                           std::to_string(UnixNow() + 3600) + "}");
}

bool Connected(const tokenverify::Verifier& v) {
  return v.StatsJson(false).find(R"("connected":true)") != std::string::npos;
}

void BM_RedisPropagation(benchmark::State& state) {
  namespace tt = tokenverify::testing;
  auto redis = tt::RedisServer::Start();
  if (redis == nullptr) return Fail(state, "redis-server did not start (is it installed? scripts/setup.sh)");
  const tt::TestKey key = tt::MakeKey("HS256", "k1");
  const std::string config =
      R"({"providers":[{"name":"p","issuer":"https://issuer.example","jwks":{"local":{"inline":)" +
      tt::JsonQuote(tt::Jwks({&key})) + R"(}}}],"tokenCache":{"maxEntries":1024},"revocation":{"redis":{"url":)" +
      tt::JsonQuote(redis->Url()) + R"(,"stream":")" + kStream + R"("}}})";
  std::unique_ptr<tokenverify::Verifier> verifiers[2];
  for (auto& v : verifiers) {
    tokenverify::Error err;
    auto made = tokenverify::Verifier::Create(config, &err);
    if (!made.ok()) return Fail(state, "verifier: " + err.message);
    v = std::move(made).value();
  }
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (!(Connected(*verifiers[0]) && Connected(*verifiers[1])))
    if (Clock::now() > deadline) return Fail(state, "the verifiers did not connect to redis-server within 5 s");

  std::vector<double> ms;
  int serial = 0;
  for (auto _ : state) {
    const std::string jti = "b" + std::to_string(serial++);
    const std::string token = Token(key, jti);
    for (const auto& v : verifiers)
      if (v->Verify(token) != Status::OK) return Fail(state, "a fresh token was refused");
    const auto start = Clock::now();
    const std::string reply =
        redis->Command({"XADD", kStream, "*", "jti", jti, "exp", std::to_string(UnixNow() + 3600)});
    if (reply.empty() || reply.rfind("ERR", 0) == 0) return Fail(state, "XADD: " + reply);
    bool refused[2] = {false, false};
    while (!(refused[0] && refused[1])) {
      for (int i = 0; i < 2; ++i) refused[i] = refused[i] || verifiers[i]->Verify(token) == Status::ERR_REVOKED;
      if (Clock::now() - start > std::chrono::seconds(2)) return Fail(state, "a revocation took over 2 s");
    }
    const std::chrono::duration<double> took = Clock::now() - start;
    state.SetIterationTime(took.count());
    ms.push_back(took.count() * 1e3);
  }
  std::sort(ms.begin(), ms.end());
  state.counters["p50_ms"] = ms[ms.size() / 2];
  state.counters["p99_ms"] = ms[ms.size() * 99 / 100];
  state.counters["max_ms"] = ms.back();
  state.SetLabel(std::to_string(ms.size()) + " revocations, 2 verifiers");
}

}  // namespace

void RegisterRevocationRedisBenchmarks() {
  benchmark::RegisterBenchmark("revocation/redis/propagation", BM_RedisPropagation)
      ->Iterations(kRevocationsPerRepetition)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

}  // namespace tvbench
