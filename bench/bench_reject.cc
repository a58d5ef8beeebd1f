// Rejections that must be cheap (floods of junk tokens are the usual attack),
// all against the RS256 fixture verifier (a gateway with an RSA key set), each
// checked to fail with its exact status:
//   expired      validly signed, exp an hour ago        -> TV_ERR_EXPIRED
//                (claims are checked after the signature, so this one costs
//                a full RS256 verification: the reference, not a cheap path)
//   unknown-kid  validly signed, kid not in the key set -> TV_ERR_KID_NOT_FOUND
//   wrong-alg    HS256 token for the RS256-only provider -> TV_ERR_ALG_NOT_ALLOWED
//                (the classic algorithm-confusion attempt)
//   bad-base64   a '+' in the middle of the payload     -> TV_ERR_BAD_BASE64URL
// The report sets each beside the HS256 full verify of the same run.
#include <exception>
#include <string>

#include "bench_util.h"

namespace tvbench {
namespace {

using tokenverify::Status;
namespace tt = tokenverify::testing;

enum class Case { kExpired, kUnknownKid, kWrongAlg, kBadBase64 };

std::string TokenFor(Case c, const Fixture& rs256) {
  switch (c) {
    case Case::kExpired:
      return tt::SignJws(rs256.key, HeaderJson("RS256"), PayloadJson(-7200, 3600));
    case Case::kUnknownKid:
      return tt::SignJws(rs256.key, HeaderJson("RS256", "sig-2023-01-prod-07"), PayloadJson());
    case Case::kWrongAlg:
      return tt::SignJws(tt::MakeKey("HS256", "attacker"), HeaderJson("HS256"), PayloadJson());
    case Case::kBadBase64: {
      std::string t = rs256.token;
      const size_t first = t.find('.');
      const size_t second = t.find('.', first + 1);
      t[first + (second - first) / 2] = '+';
      return t;
    }
  }
  return {};
}

Status Expected(Case c) {
  switch (c) {
    case Case::kExpired:
      return Status::ERR_EXPIRED;
    case Case::kUnknownKid:
      return Status::ERR_KID_NOT_FOUND;
    case Case::kWrongAlg:
      return Status::ERR_ALG_NOT_ALLOWED;
    case Case::kBadBase64:
      return Status::ERR_BAD_BASE64URL;
  }
  return Status::OK;
}

void BM_Reject(benchmark::State& state, Case c) {
  const Fixture* f = nullptr;
  std::string token;
  try {
    f = &FixtureFor("RS256");
    token = TokenFor(c, *f);
  } catch (const std::exception& e) {
    return Fail(state, e.what());
  }
  const tokenverify::Verifier& v = *f->verifier;
  const Status want = Expected(c);
  const Status got = v.Verify(token);
  if (got != want)
    return Fail(state, "expected " + std::string(tokenverify::StatusName(want)) + ", got " +
                           std::string(tokenverify::StatusName(got)));
  Status st = want;
  for (auto _ : state) {
    st = v.Verify(token);
    benchmark::DoNotOptimize(st);
  }
  if (st != want) state.SkipWithError("the status changed during the loop");
  state.SetLabel(std::string(tokenverify::StatusName(want)));
}

}  // namespace

void RegisterRejectBenchmarks() {
  benchmark::RegisterBenchmark("reject/expired", BM_Reject, Case::kExpired);
  benchmark::RegisterBenchmark("reject/unknown-kid", BM_Reject, Case::kUnknownKid);
  benchmark::RegisterBenchmark("reject/wrong-alg", BM_Reject, Case::kWrongAlg);
  benchmark::RegisterBenchmark("reject/bad-base64", BM_Reject, Case::kBadBase64);
}

}  // namespace tvbench
