// Multi-thread scaling: one shared Verifier (the fixture's), verified from 1
// and 2 threads (and hardware_concurrency() threads where that is more than
// 2), wall-clock time, items/s summed over the threads. The report gives the
// ratio of N-thread to 1-thread throughput: ideal is N.
#include <exception>
#include <string>
#include <thread>

#include "bench_util.h"

namespace tvbench {
namespace {

using tokenverify::Status;

constexpr const char* kAlgorithms[] = {"HS256", "RS256", "ES256"};

void BM_Shared(benchmark::State& state, const char* alg) {
  if (VerifyLoop(state, alg) != nullptr) state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

}  // namespace

void RegisterThreadBenchmarks() {
  const int n = static_cast<int>(std::thread::hardware_concurrency());
  for (const char* alg : kAlgorithms) {
    auto* b = benchmark::RegisterBenchmark(("threads/" + std::string(alg)).c_str(), BM_Shared, alg);
    b->Threads(1)->Threads(2);
    if (n > 2) b->Threads(n);
    b->UseRealTime();
  }
}

}  // namespace tvbench
