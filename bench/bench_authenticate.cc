// Whole requests through Verifier::Authenticate (what tv_authenticate runs),
// each beside its baseline in the same run:
//   request/jwt/authenticate/<alg>   a request with "Authorization: Bearer <the fixture's token>",
//                                    no rules (every request is a JWT request), the decision built;
//   request/jwt/verify+claims/<alg>  what tv_verify does when the caller keeps the claims:
//                                    Verify, then the claims copied (the baseline: target ≤ +150 ns);
//   request/apikey/authenticate      a request with X-Api-Key under one rule with 1,000 keys
//                                    (baseline request/apikey/sha256+lookup, bench_request.cc);
//   request/basic/...                Basic with a bcrypt cost-10 user: one crypt_rn (the baseline),
//                                    a first check, a remembered one, a whole remembered request,
//                                    and an unknown user beside a wrong password (both never remembered).
#include <crypt.h>

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "bench_util.h"
#include "request/basic_users.h"
#include "support/request_helpers.h"
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

// The fixture of `alg`, or nullptr with the benchmark skipped.
const Fixture* FixtureOrSkip(benchmark::State& state, const char* alg) {
  try {
    return &FixtureFor(alg);
  } catch (const std::exception& e) {
    Fail(state, e.what());
    return nullptr;
  }
}

void BM_AuthenticateJwt(benchmark::State& state, const char* alg) {
  const Fixture* f = FixtureOrSkip(state, alg);
  if (f == nullptr) return;
  const std::string bearer = "Bearer " + f->token;
  const HeaderView headers[] = {{"Host", 4, "api.example.com", 15},
                                {"Authorization", 13, bearer.data(), bearer.size()},
                                {"Accept", 6, "application/json", 16}};
  AuthenticateLoop(state, *f->verifier, RequestView{"GET", "api.example.com", "/orders/42?page=2", headers, {}});
}

void BM_VerifyAndKeepClaims(benchmark::State& state, const char* alg) {
  const Fixture* f = FixtureOrSkip(state, alg);
  if (f == nullptr) return;
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

// bcrypt cost 10 of "admin-pass" (Python's crypt on libxcrypt).
constexpr const char* kBcrypt10 = "$2y$10$abcdefghijklmnopqrstuuUPHqxSCJDY9Pz1spI48NucJpoxdW09i";

void BM_Bcrypt10Raw(benchmark::State& state) {
  auto data = std::make_unique<crypt_data>();
  for (auto _ : state) benchmark::DoNotOptimize(crypt_rn("admin-pass", kBcrypt10, data.get(), sizeof *data));
}

// `remember_s` 0: nothing is ever remembered, so every check is a first one.
void BasicLoop(benchmark::State& state, const char* user, const char* password, int64_t remember_s) {
  using tokenverify::internal::BasicUsers;
  tokenverify::Error err;
  auto users = BasicUsers::Build({{"admin", kBcrypt10}, {"ops", kBcrypt10}}, &err,
                                 {.remembered_entries = 1024, .remembered_for_s = remember_s});
  if (!users.ok()) return Fail(state, err.message);
  const int64_t now = std::time(nullptr);
  const Status want = std::string_view(user) == "admin" && std::string_view(password) == "admin-pass"
                          ? Status::OK
                          : Status::ERR_BAD_CREDENTIALS;
  if ((*users)->Check(user, password, now) != want) return Fail(state, "unexpected answer");
  for (auto _ : state) benchmark::DoNotOptimize((*users)->Check(user, password, now));
}

void BM_BasicFirst(benchmark::State& state) { BasicLoop(state, "admin", "admin-pass", 0); }
void BM_BasicRemembered(benchmark::State& state) { BasicLoop(state, "admin", "admin-pass", 3600); }
void BM_BasicWrongPassword(benchmark::State& state) { BasicLoop(state, "admin", "admin-pasS", 3600); }
void BM_BasicUnknownUser(benchmark::State& state) { BasicLoop(state, "nobody", "admin-pass", 3600); }

void BM_AuthenticateBasicRemembered(benchmark::State& state) {
  const std::string config = std::string(R"({"rules":[{"name":"admin","auth":{"type":"basic","basic":{"users":[)") +
                             R"({"username":"admin","password":")" + kBcrypt10 + R"("}]}}}]})";
  tokenverify::Error err;
  auto v = tokenverify::Verifier::Create(config, &err);
  if (!v.ok()) return Fail(state, err.message);
  const std::string basic = tokenverify::testing::BasicHeader("admin", "admin-pass");
  const HeaderView headers[] = {{"Host", 4, "api.example.com", 15},
                                {"Authorization", 13, basic.data(), basic.size()},
                                {"Accept", 6, "application/json", 16}};
  AuthenticateLoop(state, **v, RequestView{"GET", "api.example.com", "/admin/users", headers, {}});
}

}  // namespace

void RegisterAuthenticateBenchmarks() {
  benchmark::RegisterBenchmark("request/basic/bcrypt10-raw", BM_Bcrypt10Raw)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("request/basic/first", BM_BasicFirst)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("request/basic/remembered", BM_BasicRemembered);
  benchmark::RegisterBenchmark("request/basic/authenticate-remembered", BM_AuthenticateBasicRemembered);
  benchmark::RegisterBenchmark("request/basic/wrong-password", BM_BasicWrongPassword)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("request/basic/unknown-user", BM_BasicUnknownUser)->Unit(benchmark::kMillisecond);
  for (const char* alg : {"HS256", "ES256"}) {
    benchmark::RegisterBenchmark((std::string("request/jwt/verify+claims/") + alg).c_str(), BM_VerifyAndKeepClaims,
                                 alg);
    benchmark::RegisterBenchmark((std::string("request/jwt/authenticate/") + alg).c_str(), BM_AuthenticateJwt, alg);
  }
  benchmark::RegisterBenchmark("request/apikey/authenticate", BM_AuthenticateApiKey);
}

}  // namespace tvbench
