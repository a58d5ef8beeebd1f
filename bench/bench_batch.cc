// Batch verification through the C ABI (issue 13, part 3): tv_verify_batch on
// 256 distinct tokens (the fixture's header, a payload whose iat differs per
// token) on 1 and 2 threads, beside the baseline, a loop of tv_verify over
// the same 256 tokens. All wall-clock time (UseRealTime): the 2-thread batch
// works on the pool's worker as well, whose CPU time the calling thread's
// clock would not see. The report gives 2 threads / 1 thread (ideal 2.00×)
// and the batch's cost per token over the loop on one thread.
#include <time.h>

#include <chrono>
#include <exception>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_util.h"
#include "tokenverify.h"

namespace tvbench {
namespace {

namespace tt = tokenverify::testing;

constexpr const char* kAlgorithms[] = {"HS256", "RS256", "ES256"};
constexpr size_t kBatchSize = 256;

struct VerifierFree {
  void operator()(tv_verifier* v) const noexcept { tv_verifier_free(v); }
};

struct BatchFixture {
  std::unique_ptr<tv_verifier, VerifierFree> verifier;  // the C ABI's, over FixtureFor(alg)'s configuration
  std::vector<std::string> tokens;
  std::vector<const uint8_t*> pointers;
  std::vector<size_t> lengths;
};

// Built once per algorithm (the benchmarks of one family run one after the
// other on the main thread, but random interleaving mixes families).
const BatchFixture& BatchFixtureFor(const char* alg) {
  static std::map<std::string, std::unique_ptr<BatchFixture>, std::less<>> fixtures;
  auto it = fixtures.find(alg);
  if (it != fixtures.end()) return *it->second;
  const Fixture& f = FixtureFor(alg);
  auto b = std::make_unique<BatchFixture>();
  const std::string config = VerifierConfig(f.key, alg);
  tv_verifier* v = nullptr;
  if (tv_verifier_new(&v, config.data(), config.size(), nullptr) != TV_OK)
    throw std::runtime_error(std::string("tv_verifier_new for ") + alg);
  b->verifier.reset(v);
  for (size_t i = 0; i < kBatchSize; ++i)
    b->tokens.push_back(tt::SignJws(f.key, HeaderJson(f.key.JwsAlg()), PayloadJson(-60 - static_cast<int64_t>(i))));
  for (const std::string& t : b->tokens) {
    b->pointers.push_back(reinterpret_cast<const uint8_t*>(t.data()));
    b->lengths.push_back(t.size());
  }
  return *fixtures.emplace(alg, std::move(b)).first->second;
}

double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// threads 0: the baseline, a loop of tv_verify; otherwise tv_verify_batch on
// that many threads. Every token must verify, every time.
void BM_Batch(benchmark::State& state, const char* alg, unsigned threads) {
  const BatchFixture* b = nullptr;
  try {
    b = &BatchFixtureFor(alg);
  } catch (const std::exception& e) {
    Fail(state, e.what());
    return;
  }
  const tv_verifier* v = b->verifier.get();
  std::vector<tv_status> statuses(kBatchSize, TV_OK);
  auto run = [&]() -> tv_status {
    if (threads == 0) {
      for (size_t i = 0; i < kBatchSize; ++i) statuses[i] = tv_verify(v, nullptr, b->pointers[i], b->lengths[i]);
      return TV_OK;
    }
    return tv_verify_batch(v, statuses.data(), nullptr, b->pointers.data(), b->lengths.data(), kBatchSize, threads);
  };
  // Untimed: warms this thread and the pool's workers (scratch memory,
  // prepared OpenSSL contexts) and starts the pool.
  for (int i = 0; i < 3; ++i) (void)run();
  tv_status st = TV_OK;
  // The process's CPU time over the wall time of the loop: how many cores
  // the run really got (the pool's worker included). On a shared machine a
  // 2-thread figure means little when this is well under 2.
  const double cpu_start = ProcessCpuSeconds();
  const auto wall_start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    st = run();
    benchmark::DoNotOptimize(statuses.data());
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  if (wall > 0) state.counters["cores"] = (ProcessCpuSeconds() - cpu_start) / wall;
  for (tv_status s : statuses)
    if (s != TV_OK) st = s;
  if (st != TV_OK) {
    state.SkipWithError((std::string("a token did not verify: ") + tv_status_name(st)).c_str());
    return;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatchSize));
}

}  // namespace

void RegisterBatchBenchmarks() {
  for (const char* alg : kAlgorithms) {
    const std::string family = std::string("batch/") + alg;
    benchmark::RegisterBenchmark((family + "/tv_verify-loop").c_str(), BM_Batch, alg, 0u)->UseRealTime();
    benchmark::RegisterBenchmark((family + "/1-thread").c_str(), BM_Batch, alg, 1u)->UseRealTime();
    benchmark::RegisterBenchmark((family + "/2-threads").c_str(), BM_Batch, alg, 2u)->UseRealTime();
  }
}

}  // namespace tvbench
