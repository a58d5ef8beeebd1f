// The verified-token cache and the revocation list (issue 13): a cache hit
// beside the full verification of the same token, hits from 1 and 2 threads,
// and a full verification with no revocations, an empty configured list and a
// list of 1,000,000 other revocations.
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "bench_util.h"

namespace tvbench {
namespace {

using tokenverify::Status;
using tokenverify::Verifier;

// The fixture's configuration with `extra` members added at the top level.
std::unique_ptr<Verifier> VerifierWith(const Fixture& f, std::string_view extra) {
  std::string config = VerifierConfig(f.key, f.alg);
  config.insert(config.size() - 1, "," + std::string(extra));
  tokenverify::Error err;
  auto v = Verifier::Create(config, &err);
  if (!v.ok()) throw std::runtime_error("cannot build the verifier: " + err.message);
  return std::move(v).value();
}

// One verifier per (alg, variant), built once and shared by the threads of a benchmark.
const Verifier& Shared(const Fixture& f, const std::string& variant) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<Verifier>> built;
  std::lock_guard<std::mutex> lock(mu);
  auto& v = built[f.alg + "/" + variant];
  if (v == nullptr) {
    if (variant == "cache") {
      v = VerifierWith(f, R"("tokenCache":{"maxEntries":65536})");
    } else if (variant == "revocation-empty") {
      v = VerifierWith(f, R"("revocation":{"maxEntries":2000000})");
    } else {  // revocation-1M: a million other tokens revoked
      v = VerifierWith(f, R"("revocation":{"maxEntries":2000000})");
      const int64_t exp = static_cast<int64_t>(std::time(nullptr)) + 3600;
      for (int i = 0; i < 1'000'000; ++i)
        if (v->Revoke("revoked-" + std::to_string(i), exp) != Status::OK) throw std::runtime_error("Revoke failed");
    }
  }
  return *v;
}

void Loop(benchmark::State& state, const char* alg, const char* variant, bool keep_claims) {
  const Fixture* f = nullptr;
  const Verifier* v = nullptr;
  try {
    f = &FixtureFor(alg);
    v = &Shared(*f, variant);
  } catch (const std::exception& e) {
    Fail(state, e.what());
    return;
  }
  tokenverify::VerifiedToken out;
  Status st = v->Verify(f->token, &out);  // the first full verification fills the cache
  for (auto _ : state) {
    st = v->Verify(f->token, keep_claims ? &out : nullptr);
    benchmark::DoNotOptimize(st);
  }
  if (st != Status::OK) {
    state.SkipWithError("Verify did not return OK");
    return;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["token_bytes"] = static_cast<double>(f->token.size());
}

}  // namespace

void RegisterTokenCacheBenchmarks() {
  for (const char* alg : {"HS256", "RS256", "ES256"}) {
    const std::string a(alg);
    benchmark::RegisterBenchmark(("cache/full/" + a).c_str(), [alg](benchmark::State& s) {
      if (VerifyLoop(s, alg) != nullptr) s.counters["token_bytes"] = static_cast<double>(FixtureFor(alg).token.size());
    });
    benchmark::RegisterBenchmark(("cache/hit/" + a).c_str(), Loop, alg, "cache", false);
    benchmark::RegisterBenchmark(("cache/hit+claims/" + a).c_str(), Loop, alg, "cache", true);
  }
  benchmark::RegisterBenchmark("cache/threads/HS256", Loop, "HS256", "cache", false)
      ->Threads(1)
      ->Threads(2)
      ->UseRealTime();
  for (const char* variant : {"revocation-empty", "revocation-1M"})
    benchmark::RegisterBenchmark((std::string(variant) + "/HS256").c_str(), Loop, "HS256", variant, false);
}

}  // namespace tvbench
