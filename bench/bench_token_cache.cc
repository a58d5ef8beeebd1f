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
#include "revocation/revocation_list.h"

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
  state.SetLabel(std::to_string(f->token.size()) + " bytes");
}

// What a full verification adds for the revocation list, alone: the check a
// verified token goes through (Verifier::Verify without a token cache), with
// the typical token's jti, sub, iss and iat, against an empty list and a list
// of a million other revoked tokens and subjects.
void BM_RevocationCheck(benchmark::State& state, bool filled) {
  static tokenverify::internal::RevocationList* million = [] {
    auto* l = new tokenverify::internal::RevocationList(2'000'000);
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    for (int i = 0; i < 900'000; ++i) l->RevokeToken("revoked-" + std::to_string(i), "", now + 3600, now);
    for (int i = 0; i < 100'000; ++i) l->RevokeSubject("user-" + std::to_string(i), "", now - 60, now + 3600, now);
    return l;
  }();
  static tokenverify::internal::RevocationList empty(2'000'000);
  const tokenverify::internal::RevocationList& list = filled ? *million : empty;
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (auto _ : state) {
    benchmark::DoNotOptimize(list.IsRevoked(true, "6f1c2a9e-3b7d-4e58-a0c4-92d15e7b8f30", true,
                                            "auth0|5f7c8ec7c33c6c004bbafe82", true, kIssuer, true, now - 60, now));
  }
}

}  // namespace

void RegisterTokenCacheBenchmarks() {
  benchmark::RegisterBenchmark("revocation/check-empty", BM_RevocationCheck, false);
  benchmark::RegisterBenchmark("revocation/check-1M", BM_RevocationCheck, true);
  for (const char* alg : {"HS256", "RS256", "ES256"}) {
    const std::string a(alg);
    benchmark::RegisterBenchmark(("cache/full/" + a).c_str(), [alg](benchmark::State& s) {
      if (VerifyLoop(s, alg) != nullptr) s.SetLabel(std::to_string(FixtureFor(alg).token.size()) + " bytes");
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
