// Request rules: which rule and path a request falls under, over 1,000 path
// rules. Baseline: a linear scan of the same prefixes (what a list of rules
// without an index costs), in the same run. Includes target normalisation.
#include <string>
#include <vector>

#include "bench_util.h"
#include "request/rule_matcher.h"
#include "request/target.h"

namespace tvbench {
namespace {

using tokenverify::Error;
using tokenverify::internal::HostRuleSpec;
using tokenverify::internal::NormalizedTarget;
using tokenverify::internal::NormalizeTarget;
using tokenverify::internal::RuleMatcher;

constexpr int kRules = 1000;

std::string RulePath(int i) { return "/svc" + std::to_string(i) + "/v" + std::to_string(i % 7); }

// A request under the last rule: the worst case of the linear scan.
const std::string kTarget = RulePath(kRules - 1) + "/items/42?page=2";

void BM_Trie(benchmark::State& state) {
  HostRuleSpec rule{"example.com", {}};
  for (int i = 0; i < kRules; ++i) rule.paths.push_back({RulePath(i)});
  Error err;
  auto built = RuleMatcher::Build({rule}, &err);
  if (!built.ok()) return Fail(state, err.message);
  const RuleMatcher matcher = std::move(built).value();
  NormalizedTarget target;
  for (auto _ : state) {
    if (NormalizeTarget(kTarget, &target) != tokenverify::Status::OK) return Fail(state, "target refused");
    const auto m = matcher.Find("example.com", target.path);
    benchmark::DoNotOptimize(m);
  }
  if (matcher.Find("example.com", target.path).path != kRules - 1) Fail(state, "wrong rule");
}

void BM_LinearScan(benchmark::State& state) {
  std::vector<std::string> prefixes;
  for (int i = 0; i < kRules; ++i) prefixes.push_back(RulePath(i));
  NormalizedTarget target;
  int found = -1;
  for (auto _ : state) {
    if (NormalizeTarget(kTarget, &target) != tokenverify::Status::OK) return Fail(state, "target refused");
    found = -1;
    size_t best = 0;
    const std::string_view path = target.path;
    for (int i = 0; i < kRules; ++i) {
      const std::string& p = prefixes[static_cast<size_t>(i)];
      if (p.size() > best && path.starts_with(p) && (path.size() == p.size() || path[p.size()] == '/')) {
        best = p.size();
        found = i;
      }
    }
    benchmark::DoNotOptimize(found);
  }
  if (found != kRules - 1) Fail(state, "wrong rule");
}

}  // namespace

// Names: request/match/linear-1000 (the baseline), request/match/trie-1000.
void RegisterRequestBenchmarks() {
  benchmark::RegisterBenchmark("request/match/linear-1000", BM_LinearScan);
  benchmark::RegisterBenchmark("request/match/trie-1000", BM_Trie);
}

}  // namespace tvbench
