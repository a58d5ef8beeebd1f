// Shared pieces of the tv_bench suites: the typical token every verify,
// rejection, thread and JSON benchmark uses, one warm Verifier per algorithm,
// and the registration functions bench_main.cc calls (in the order the
// report reads best: every benchmark is registered right beside its baseline).
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "support/signer.h"
#include "tokenverify/verifier.h"

namespace tvbench {

// What a typical access token from an identity provider looks like: a header
// with alg, typ and kid, a payload with the registered claims plus the usual
// profile and authorization members. header.payload is about 550 bytes.
inline constexpr std::string_view kIssuer = "https://auth.example.com/";
inline constexpr std::string_view kAudience = "api.example.com";
inline constexpr std::string_view kKid = "sig-2024-06-prod-01";

// The protected header JSON for `alg` and `kid`.
std::string HeaderJson(std::string_view alg, std::string_view kid = kKid);

// The payload JSON (about 355 bytes): iat = nbf = now + iat_offset_s,
// exp = iat + lifetime_s. The default is valid for a year from now.
std::string PayloadJson(int64_t iat_offset_s = -60, int64_t lifetime_s = 365 * 24 * 3600);

// One algorithm's benchmark setup, built once per process on first use.
struct Fixture {
  std::string alg;
  tokenverify::testing::TestKey key;
  std::unique_ptr<tokenverify::Verifier> verifier;  // one provider, allow-list {alg}
  std::string token;                                // HeaderJson(alg) . PayloadJson() . signature
  std::string signing_input;                        // the token's header.payload
  std::string signature;                            // raw signature bytes (ES*: r||s, as in the token)
};

// The fixture for "HS256", "RS256", "PS256", "ES256", "EdDSA", ... Thread-safe.
// Its verifier has already verified its token once on the calling thread.
// Throws std::runtime_error when anything in the setup fails.
const Fixture& FixtureFor(std::string_view alg);

// The configuration of a one-provider verifier that accepts `key` for `alg`:
// issuer, audience, required exp and a claim matcher on "tenant", as a
// gateway would configure it.
std::string VerifierConfig(const tokenverify::testing::TestKey& key, std::string_view alg);

// Reports a failed setup on `state` (the benchmark is skipped with the message).
void Fail(benchmark::State& state, const std::string& what);

// The benchmark loop of a full verification: Verify(token) on the warm
// verifier of `alg`, no claims kept. Returns the fixture, or nullptr when the
// benchmark was skipped (failed setup, or a token that did not verify).
const Fixture* VerifyLoop(benchmark::State& state, const char* alg);

// Registration, called once from main() in this order.
void RegisterBase64urlBenchmarks();
void RegisterJsonBenchmarks();
void RegisterVerifyBenchmarks();
void RegisterRejectBenchmarks();
void RegisterThreadBenchmarks();
void RegisterBatchBenchmarks();
void RegisterRefreshBenchmarks();
void RegisterRequestBenchmarks();
void RegisterAuthenticateBenchmarks();
void RegisterTokenCacheBenchmarks();
void RegisterRevocationRedisBenchmarks();

}  // namespace tvbench
