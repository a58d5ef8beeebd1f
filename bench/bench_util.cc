#include "bench_util.h"

#include <ctime>
#include <map>
#include <mutex>
#include <stdexcept>

#include "base64url/base64url.h"

namespace tvbench {

namespace tt = tokenverify::testing;

std::string HeaderJson(std::string_view alg, std::string_view kid) {
  return "{\"alg\":" + tt::JsonQuote(alg) + ",\"typ\":\"JWT\",\"kid\":" + tt::JsonQuote(kid) + "}";
}

std::string PayloadJson(int64_t iat_offset_s, int64_t lifetime_s) {
  const int64_t iat = static_cast<int64_t>(std::time(nullptr)) + iat_offset_s;
  const std::string t = std::to_string(iat);
  return std::string("{\"iss\":") + tt::JsonQuote(kIssuer) + ",\"sub\":\"auth0|5f7c8ec7c33c6c004bbafe82\"" +
         ",\"aud\":[" + tt::JsonQuote(kAudience) + ",\"billing.example.com\"]" + ",\"iat\":" + t + ",\"nbf\":" + t +
         ",\"exp\":" + std::to_string(iat + lifetime_s) + ",\"jti\":\"6f1c2a9e-3b7d-4e58-a0c4-92d15e7b8f30\"" +
         ",\"scope\":\"openid profile email\"" + ",\"email\":\"jane.doe@example.com\",\"email_verified\":true" +
         ",\"name\":\"Jane Doe\",\"tenant\":\"acme\",\"roles\":[\"admin\"]}";
}

std::string VerifierConfig(const tt::TestKey& key, std::string_view alg) {
  return std::string("{\"providers\":[{\"name\":\"bench\",\"issuer\":") + tt::JsonQuote(kIssuer) + ",\"audiences\":[" +
         tt::JsonQuote(kAudience) + "]" + ",\"algorithms\":[" + tt::JsonQuote(alg) + "]" +
         ",\"jwks\":{\"local\":{\"inline\":" + tt::JsonQuote(tt::Jwks({&key})) + "}}" +
         ",\"claims\":[{\"name\":\"tenant\",\"values\":[\"acme\",\"globex\"]}]}]" + ",\"requiredClaims\":[\"exp\"]}";
}

namespace {

std::unique_ptr<Fixture> Build(std::string_view alg) {
  auto f = std::make_unique<Fixture>();
  f->alg = std::string(alg);
  f->key = tt::MakeKey(alg, kKid);
  tokenverify::Error err;
  auto v = tokenverify::Verifier::Create(VerifierConfig(f->key, alg), &err);
  if (!v.ok()) {
    throw std::runtime_error("Verifier::Create for " + f->alg + ": " +
                             std::string(tokenverify::StatusName(err.status)) + " " + err.field + " " + err.message);
  }
  f->verifier = std::move(v).value();
  f->token = tt::SignJws(f->key, HeaderJson(f->key.JwsAlg()), PayloadJson());
  const size_t last_dot = f->token.rfind('.');
  f->signing_input = f->token.substr(0, last_dot);
  // The token's own signature bytes (ES* and PS* signing is randomized: signing again differs).
  const std::string_view sig_b64 = std::string_view(f->token).substr(last_dot + 1);
  std::string sig(
      tokenverify::internal::Base64urlDecodedLength(sig_b64.size()) + tokenverify::internal::kBase64urlOutputSlack,
      '\0');
  if (!tokenverify::internal::Base64urlDecodeScalar(sig_b64.data(), sig_b64.size(),
                                                    reinterpret_cast<uint8_t*>(sig.data())))
    throw std::runtime_error("cannot decode the signature of the " + f->alg + " token");
  sig.resize(tokenverify::internal::Base64urlDecodedLength(sig_b64.size()));
  f->signature = sig;
  return f;
}

}  // namespace

const Fixture& FixtureFor(std::string_view alg) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<Fixture>, std::less<>> fixtures;
  const Fixture* f = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = fixtures.find(alg);
    if (it == fixtures.end()) it = fixtures.emplace(std::string(alg), Build(alg)).first;
    f = it->second.get();
  }
  // Warm this thread's scratch memory and prepared OpenSSL contexts.
  for (int i = 0; i < 3; ++i) {
    const tokenverify::Status st = f->verifier->Verify(f->token);
    if (st != tokenverify::Status::OK)
      throw std::runtime_error("the " + f->alg +
                               " fixture token does not verify: " + std::string(tokenverify::StatusName(st)));
  }
  return *f;
}

void Fail(benchmark::State& state, const std::string& what) {
  state.SkipWithError(what.c_str());
  // Google Benchmark 1.7 still wants the loop to run (zero iterations) after an error.
  for (auto _ : state) {
  }
}

const Fixture* VerifyLoop(benchmark::State& state, const char* alg) {
  const Fixture* f = nullptr;
  try {
    f = &FixtureFor(alg);  // also warms this thread's scratch and contexts
  } catch (const std::exception& e) {
    Fail(state, e.what());
    return nullptr;
  }
  const tokenverify::Verifier& v = *f->verifier;
  const std::string& token = f->token;
  tokenverify::Status st = tokenverify::Status::OK;
  for (auto _ : state) {
    st = v.Verify(token);
    benchmark::DoNotOptimize(st);
  }
  if (st != tokenverify::Status::OK) {
    state.SkipWithError("Verify did not return OK");
    return nullptr;
  }
  return f;
}

}  // namespace tvbench
