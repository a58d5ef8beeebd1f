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
// Items/s are per CPU second of the reader thread: on a machine with few
// cores the publisher also takes wall-clock time away from the reader, which
// is scheduling, not contention; the label gives the swaps per second.
#include <atomic>
#include <chrono>
#include <exception>
#include <string>
#include <thread>

#include "bench_util.h"
#include "internal/key_cache_testing.h"

namespace tvbench {
namespace {

using tokenverify::Status;

constexpr const char* kAlgorithms[] = {"HS256", "ES256"};

void BM_VerifyDuringRefresh(benchmark::State& state, const char* alg, bool publishing) {
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
  std::thread publisher;
  if (publishing) {
    publisher = std::thread([&] {
      uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        n += tokenverify::internal::RepublishKeySetsForTesting(v);
        swaps.store(n, std::memory_order_relaxed);  // a line the readers never touch
      }
    });
    // The timed loop starts only once snapshots are changing.
    while (swaps.load(std::memory_order_relaxed) == 0) std::this_thread::yield();
  }
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

}  // namespace

void RegisterRefreshBenchmarks() {
  for (const char* alg : kAlgorithms) {
    for (bool publishing : {false, true}) {
      const std::string name = "refresh/" + std::string(alg) + (publishing ? "/publishing" : "/quiet");
      benchmark::RegisterBenchmark(name.c_str(), BM_VerifyDuringRefresh, alg, publishing);
    }
  }
}

}  // namespace tvbench
