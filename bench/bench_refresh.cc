// Refresh contention: verification throughput of one reader thread while
// another thread publishes new key-set snapshots as fast as it can, beside the
// same loop with no publisher. Readers take no lock and write only their own
// hazard slot, so the ratio should stay near 1 (issue 4: >= 0.97x).
//
// The publisher republishes the provider's current set through the test hook
// internal::RepublishKeySetsForTesting (a new snapshot with the same keys,
// swapped into the provider's cell, the old one retired and reclaimed), so
// the loop measures the swap itself, not HTTP or JSON parsing. Each verify
// reads the cell twice (the kid prescreen and the provider check), so every
// swap is seen.
//
// A second form swaps for real: a remote key set on a JWKS server in this
// process (tests/support/jwks_server.h, 127.0.0.1) with cacheDuration 1ms,
// whose document alternates between two spellings of the same key, so every
// refresh parses and publishes a new generation (slower: each swap is an
// HTTP fetch; the label counts the generations).
//
// Items/s are per CPU second of the reader thread: on a machine with few
// cores the publisher also takes wall-clock time away from the reader, which
// is scheduling, not contention; the label gives the swaps per second.
#include <atomic>
#include <chrono>
#include <exception>
#include <string>
#include <thread>
#include <utility>

#include "bench_util.h"
#include "support/jwks_server.h"
#include "verify/verifier_testing.h"

namespace tvbench {
namespace {

using tokenverify::Status;

constexpr const char* kAlgorithms[] = {"HS256", "ES256"};

enum class Other {
  kNone,        // the reader alone
  kSpinning,    // another thread busy on its own data: what merely sharing the machine costs
  kPublishing,  // another thread publishing snapshots as fast as it can
};

void BM_VerifyDuringRefresh(benchmark::State& state, const char* alg, Other other) {
  const Fixture* f = nullptr;
  try {
    f = &FixtureFor(alg);
  } catch (const std::exception& e) {
    Fail(state, e.what());
    return;
  }
  const tokenverify::Verifier& v = *f->verifier;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> swaps{0};
  std::atomic<bool> started{false};
  std::thread publisher;
  if (other == Other::kPublishing) {
    publisher = std::thread([&] {
      uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        n += tokenverify::internal::RepublishKeySetsForTesting(v);
        swaps.store(n, std::memory_order_relaxed);  // a line the readers never touch
        started.store(true, std::memory_order_relaxed);
      }
    });
  } else if (other == Other::kSpinning) {
    publisher = std::thread([&] {
      uint64_t x = 1;
      while (!stop.load(std::memory_order_relaxed)) {
        for (int i = 0; i < 64; ++i) x = x * 6364136223846793005u + 1442695040888963407u;
        benchmark::DoNotOptimize(x);
        started.store(true, std::memory_order_relaxed);
      }
    });
  }
  // The timed loop starts only once the other thread runs.
  while (other != Other::kNone && !started.load(std::memory_order_relaxed)) std::this_thread::yield();
  const uint64_t swaps_before = swaps.load(std::memory_order_relaxed);
  const auto start = std::chrono::steady_clock::now();
  Status st = Status::OK;
  for (auto _ : state) {
    st = v.Verify(f->token);
    benchmark::DoNotOptimize(st);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const uint64_t swapped = swaps.load(std::memory_order_relaxed) - swaps_before;
  stop.store(true);
  if (publisher.joinable()) publisher.join();
  if (st != Status::OK) {
    state.SkipWithError("Verify did not return OK");
    return;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["swaps_per_s"] = static_cast<double>(swapped) / seconds;
}

// The fixture's configuration with its inline key set replaced by `url`,
// refreshed every millisecond.
std::string RemoteConfig(const Fixture& f, const std::string& url) {
  namespace tt = tokenverify::testing;
  std::string config = VerifierConfig(f.key, f.alg);
  const std::string local = "\"jwks\":{\"local\":{\"inline\":" + tt::JsonQuote(tt::Jwks({&f.key})) + "}}";
  const size_t at = config.find(local);
  if (at == std::string::npos) return "";
  return config.replace(at, local.size(),
                        "\"jwks\":{\"remote\":{\"url\":" + tt::JsonQuote(url) +
                            ",\"cacheDuration\":\"1ms\",\"useCacheHeaders\":false,\"maxStale\":\"1h\","
                            "\"initialFetchWait\":\"10s\",\"requireInitialKeys\":true}}");
}

uint64_t Generation(const tokenverify::Verifier& v) {
  const std::string stats = v.StatsJson(false);
  const size_t at = stats.find("\"generation\":");
  return at == std::string::npos ? 0 : std::stoull(stats.substr(at + 13));
}

void BM_VerifyDuringRemoteRefresh(benchmark::State& state, const char* alg) {
  namespace tt = tokenverify::testing;
  const Fixture* f = nullptr;
  try {
    f = &FixtureFor(alg);
  } catch (const std::exception& e) {
    Fail(state, e.what());
    return;
  }
  // Declared before the server, whose handler uses them until it stops.
  const std::string bodies[2] = {tt::Jwks({&f->key}), tt::Jwks({&f->key}, "\"use\":\"sig\"")};
  std::atomic<uint64_t> served{0};
  tt::JwksServer::Options options;
  options.max_lifetime_s = 600;
  auto server = tt::JwksServer::Start(options);
  if (server == nullptr) return Fail(state, "cannot start the JWKS server");
  server->SetHandler([&](const tt::HttpRequestSeen&) { return tt::JwksResponse(bodies[served++ % 2]); });
  tokenverify::Error err;
  auto created = tokenverify::Verifier::Create(RemoteConfig(*f, server->Url()), &err);
  if (!created.ok()) return Fail(state, "Verifier::Create: " + err.message);
  const tokenverify::Verifier& v = **created;
  for (int i = 0; i < 3; ++i) v.Verify(f->token);  // warm this verifier's key contexts

  const uint64_t generation_before = Generation(v);
  const auto start = std::chrono::steady_clock::now();
  Status st = Status::OK;
  for (auto _ : state) {
    st = v.Verify(f->token);
    benchmark::DoNotOptimize(st);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const uint64_t swapped = Generation(v) - generation_before;
  if (st != Status::OK) {
    state.SkipWithError("Verify did not return OK");
    return;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["swaps_per_s"] = static_cast<double>(swapped) / seconds;
}

}  // namespace

void RegisterRefreshBenchmarks() {
  for (const char* alg : kAlgorithms) {
    for (auto [other, label] : {std::pair{Other::kNone, "quiet"}, std::pair{Other::kSpinning, "spinning"},
                                std::pair{Other::kPublishing, "publishing"}}) {
      const std::string name = "refresh/" + std::string(alg) + "/" + label;
      benchmark::RegisterBenchmark(name.c_str(), BM_VerifyDuringRefresh, alg, other);
    }
    benchmark::RegisterBenchmark(("refresh/" + std::string(alg) + "/remote-1ms").c_str(), BM_VerifyDuringRemoteRefresh,
                                 alg);
  }
}

}  // namespace tvbench
