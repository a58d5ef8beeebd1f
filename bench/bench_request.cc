// Request rules: which rule and path a request falls under, over 1,000 path
// rules. Baseline: a linear scan of the same prefixes (what a list of rules
// without an index costs), in the same run. Includes target normalisation.
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include "bench_util.h"

#include "absl/container/flat_hash_map.h"
#include "request/credential_list.h"
#include "request/rule_matcher.h"
#include "request/signature_schemes.h"
#include "request/target.h"

namespace tvbench {
namespace {

using tokenverify::Error;
using tokenverify::internal::CredentialList;
using tokenverify::internal::HeaderField;
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

// API keys: 1,000 configured, a 40-character key presented.
constexpr int kKeys = 1000;
std::string ApiKey(int i) {
  return "tv_live_" + std::string(24, 'a' + static_cast<char>(i % 26)) + std::to_string(100000 + i);
}

void BM_CredentialList(benchmark::State& state) {
  CredentialList list;
  Error err;
  for (int i = 0; i < kKeys; ++i)
    if (list.Add("k" + std::to_string(i), ApiKey(i), "", &err) != tokenverify::Status::OK)
      return Fail(state, err.message);
  const std::string presented = ApiKey(kKeys / 2);
  for (auto _ : state) {
    const std::string* name = list.Find(presented);
    benchmark::DoNotOptimize(name);
  }
  if (list.Find(presented) == nullptr) Fail(state, "key not found");
}

// The baseline: one SHA-256 of the key, then a lookup of the digest in a hash map.
void BM_Sha256AndLookup(benchmark::State& state) {
  absl::flat_hash_map<std::string, int> by_digest;
  for (int i = 0; i < kKeys; ++i) {
    const auto d = CredentialList::Sha256(ApiKey(i));
    by_digest.emplace(std::string(d.begin(), d.end()), i);
  }
  const std::string presented = ApiKey(kKeys / 2);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  for (auto _ : state) {
    SHA256(reinterpret_cast<const unsigned char*>(presented.data()), presented.size(), digest);
    const auto it = by_digest.find(absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
    benchmark::DoNotOptimize(it);
  }
}

// HMAC request signatures over a 1 KiB body (AuthGate's scheme, one secret).
const std::string kBody(1024, 'x');
constexpr char kHmacSecret[] = "authgate-shared-secret";

void BM_RequestSignature(benchmark::State& state) {
  using namespace tokenverify::internal;  // NOLINT: the scheme's names
  SignatureSecret secret;
  Error err;
  if (MakeSignatureSecret(SignatureScheme::kAuthGate, "svc", kHmacSecret, &secret, &err) != tokenverify::Status::OK)
    return Fail(state, err.message);
  const std::string target = "/api/v1/tokens?scope=read";
  const std::string signed_bytes = "1700000000POST" + target + kBody;
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kHmacSecret, sizeof kHmacSecret - 1, reinterpret_cast<const unsigned char*>(signed_bytes.data()),
       signed_bytes.size(), mac, &len);
  std::string hex;
  for (const unsigned char b : mac) {
    hex.push_back("0123456789abcdef"[b >> 4]);
    hex.push_back("0123456789abcdef"[b & 15]);
  }
  const std::vector<HeaderField> headers = {{"X-Signature", hex}, {"X-Timestamp", "1700000000"}};
  const SignedRequestView view{"POST", target, kBody, headers};
  SignatureCheck out;
  for (auto _ : state) {
    const auto s = CheckRequestSignature(SignatureScheme::kAuthGate, {&secret, 1}, 300, view, 1700000000, &out);
    if (s != tokenverify::Status::OK) return Fail(state, "signature refused");
    benchmark::DoNotOptimize(out);
  }
}

// The baseline: HMAC-SHA256 of the same signed bytes, one call.
void BM_RawHmac(benchmark::State& state) {
  const std::string signed_bytes = "1700000000POST/api/v1/tokens?scope=read" + kBody;
  unsigned char mac[32];
  unsigned int len = 0;
  for (auto _ : state) {
    HMAC(EVP_sha256(), kHmacSecret, sizeof kHmacSecret - 1, reinterpret_cast<const unsigned char*>(signed_bytes.data()),
         signed_bytes.size(), mac, &len);
    benchmark::DoNotOptimize(mac);
  }
}

}  // namespace

// Names: request/match/linear-1000 (the baseline), request/match/trie-1000;
// request/apikey/sha256+lookup (the baseline), request/apikey/find;
// request/hmac/raw-1KiB (the baseline), request/hmac/authgate-1KiB.
void RegisterRequestBenchmarks() {
  benchmark::RegisterBenchmark("request/hmac/raw-1KiB", BM_RawHmac);
  benchmark::RegisterBenchmark("request/hmac/authgate-1KiB", BM_RequestSignature);
  benchmark::RegisterBenchmark("request/apikey/sha256+lookup", BM_Sha256AndLookup);
  benchmark::RegisterBenchmark("request/apikey/find", BM_CredentialList);
  benchmark::RegisterBenchmark("request/match/linear-1000", BM_LinearScan);
  benchmark::RegisterBenchmark("request/match/trie-1000", BM_Trie);
}

}  // namespace tvbench
