// Whole requests through Verifier::Authenticate (what tv_authenticate runs),
// each beside its baseline in the same run:
//   request/jwt/authenticate/<alg>   a request with "Authorization: Bearer <the fixture's token>",
//                                    no rules (every request is a JWT request), the decision built;
//   request/jwt/verify+claims/<alg>  what tv_verify does when the caller keeps the claims:
//                                    Verify, then the claims copied (the baseline: target ≤ +150 ns);
//   request/apikey/authenticate      a request with X-Api-Key under one rule with 1,000 keys
//                                    (baseline request/apikey/sha256+lookup, bench_request.cc).
#include <string>
#include <vector>

#include "bench_util.h"
#include "tokenverify/claims.h"
#include "tokenverify/request.h"

namespace tvbench {
namespace {

using tokenverify::Decision;
using tokenverify::HeaderView;
using tokenverify::RequestView;
using tokenverify::Status;

void AuthenticateLoop(benchmark::State& state, const tokenverify::Verifier& v, const RequestView& request) {
  {
    Decision d;
    if (v.Authenticate(request, &d) != Status::OK || !d.allowed()) return Fail(state, "not allowed: " + d.Json());
  }
  for (auto _ : state) {
    Decision d;
    benchmark::DoNotOptimize(v.Authenticate(request, &d));
    benchmark::DoNotOptimize(d.http_status);
  }
}

void BM_AuthenticateJwt(benchmark::State& state, const char* alg) {
  const Fixture* f = nullptr;
  try {
    f = &FixtureFor(alg);
  } catch (const std::exception& e) {
    return Fail(state, e.what());
  }
  const std::string bearer = "Bearer " + f->token;
  const HeaderView headers[] = {{"Host", 4, "api.example.com", 15},
                                {"Authorization", 13, bearer.data(), bearer.size()},
                                {"Accept", 6, "application/json", 16}};
  AuthenticateLoop(state, *f->verifier, RequestView{"GET", "api.example.com", "/orders/42?page=2", headers, {}});
}

void BM_VerifyAndKeepClaims(benchmark::State& state, const char* alg) {
  const Fixture* f = nullptr;
  try {
    f = &FixtureFor(alg);
  } catch (const std::exception& e) {
    return Fail(state, e.what());
  }
  for (auto _ : state) {
    tokenverify::VerifiedToken out;
    if (f->verifier->Verify(f->token, &out) != Status::OK) return Fail(state, "the token did not verify");
    auto claims = tokenverify::Claims::CreateFromChecked(out.header_json, out.payload_json);
    benchmark::DoNotOptimize(claims);
  }
}

void BM_AuthenticateApiKey(benchmark::State& state) {
  std::string config = R"({"rules":[{"name":"api","auth":{"type":"apiKey","apiKey":{"keys":[)";
  for (int i = 0; i < 1000; ++i) config += (i ? "," : "") + std::string("\"key-") + std::to_string(i) + "-0123456789\"";
  config += "]}}}]}";
  tokenverify::Error err;
  auto v = tokenverify::Verifier::Create(config, &err);
  if (!v.ok()) return Fail(state, err.message);
  const std::string key = "key-999-0123456789";
  const HeaderView headers[] = {{"Host", 4, "api.example.com", 15},
                                {"X-Api-Key", 9, key.data(), key.size()},
                                {"Accept", 6, "application/json", 16}};
  AuthenticateLoop(state, **v, RequestView{"GET", "api.example.com", "/orders/42?page=2", headers, {}});
}

}  // namespace

void RegisterAuthenticateBenchmarks() {
  for (const char* alg : {"HS256", "ES256"}) {
    benchmark::RegisterBenchmark((std::string("request/jwt/verify+claims/") + alg).c_str(), BM_VerifyAndKeepClaims,
                                 alg);
    benchmark::RegisterBenchmark((std::string("request/jwt/authenticate/") + alg).c_str(), BM_AuthenticateJwt, alg);
  }
  benchmark::RegisterBenchmark("request/apikey/authenticate", BM_AuthenticateApiKey);
}

}  // namespace tvbench
