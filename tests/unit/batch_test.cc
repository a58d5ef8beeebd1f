// Verifier::VerifyBatch and the worker pool under it: a batch answers every
// token exactly as Verify does, in order, whatever the thread count, and the
// pool reuses its threads (grown to the largest request, capped) instead of
// starting threads per call. Many concurrent batches, under ThreadSanitizer,
// are in concurrency_test.cc.
#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/signer.h"
#include "tokenverify/verifier.h"
#include "verify/worker_pool.h"

namespace tokenverify {
namespace {

using internal::WorkerPool;
using testing::JsonQuote;
using testing::Jwks;
using testing::MakeKey;
using testing::SignJwt;
using testing::TestKey;

constexpr int64_t kNow = 1800000000;

std::unique_ptr<Verifier> Make(const std::string& config) {
  Error err;
  auto v = Verifier::Create(config, &err);
  EXPECT_TRUE(v.ok()) << err.message << "\nconfig: " << config;
  return v.ok() ? std::move(v).value() : nullptr;
}

std::string Payload(int n, int64_t exp) {
  return R"({"iss":"https://issuer.example","sub":"user-)" + std::to_string(n) +
         R"(","aud":"my-api","iat":1799999000,"exp":)" + std::to_string(exp) + "}";
}

std::string Forge(std::string token) {
  char& c = token[token.size() - 3];
  c = c == 'A' ? 'B' : 'A';
  return token;
}

TestKey Stranger() {
  TestKey k = MakeKey("ES256", "stranger");  // MakeKey caches by kid: a kid of its own, then es's
  k.kid = "es-1";
  return k;
}

// An ES256 and an HS256 provider, and a mix of tokens for them: good ones
// (each with its own sub, so a misplaced result shows), expired, forged,
// signed by a stranger, malformed and empty, in an irregular order.
struct Mix {
  TestKey es = MakeKey("ES256", "es-1");
  TestKey stranger = Stranger();  // the kid of `es`, another key pair
  TestKey hs{"HS256", "", nullptr, "batch-test-secret-0123456789abcdef"};
  std::unique_ptr<Verifier> verifier;
  std::vector<std::string> tokens;
  std::vector<Status> want;  // each token's expected status

  Mix() {
    verifier =
        Make(R"({"providers":[{"name":"es","issuer":"https://issuer.example","audiences":["my-api"],)"
             R"("algorithms":["ES256"],"jwks":{"local":{"inline":)" +
             JsonQuote(Jwks({&es})) + R"(}}},{"name":"hs","issuer":"hs-issuer","algorithms":["HS256"],"secret":)" +
             JsonQuote(hs.secret) + R"(}],"requiredClaims":["exp"],"now":)" + std::to_string(kNow) + "}");
    for (int i = 0; i < 300; ++i) {
      switch ((i * 7) % 9) {
        case 0:
        case 1:
          Add(SignJwt(es, Payload(i, kNow + 3600)), Status::OK);
          break;
        case 2:
          Add(SignJwt(hs, R"({"iss":"hs-issuer","sub":"hs-)" + std::to_string(i) + R"(","exp":1800003600})"),
              Status::OK);
          break;
        case 3:
          Add(SignJwt(es, Payload(i, kNow - 3600)), Status::ERR_EXPIRED);
          break;
        case 4:
          Add(Forge(SignJwt(es, Payload(i, kNow + 3600))), Status::ERR_SIGNATURE_INVALID);
          break;
        case 5:
          Add(SignJwt(stranger, Payload(i, kNow + 3600)), Status::ERR_SIGNATURE_INVALID);
          break;
        case 6:
          Add("not-a-token-" + std::to_string(i), Status::ERR_MALFORMED_TOKEN);
          break;
        case 7:
          Add("", Status::ERR_MALFORMED_TOKEN);
          break;
        default:
          Add(SignJwt(es, R"({"iss":"https://issuer.example","aud":"other","exp":1800003600})"),
              Status::ERR_AUDIENCE_MISMATCH);
      }
    }
  }
  void Add(std::string token, Status status) {
    tokens.push_back(std::move(token));
    want.push_back(status);
  }
  std::vector<std::string_view> Views() const { return {tokens.begin(), tokens.end()}; }
};

struct Verified {
  Status status = Status::ERR_INTERNAL;
  std::string header, payload, provider;
  int calls = 0;
};

TEST(VerifierBatchTest, StatusesEqualVerifyPerTokenInOrder) {
  Mix mix;
  ASSERT_TRUE(mix.verifier);
  const std::vector<std::string_view> views = mix.Views();
  for (size_t i = 0; i < views.size(); ++i) ASSERT_EQ(mix.verifier->Verify(views[i]), mix.want[i]) << i;
  for (unsigned threads : {0u, 1u, 2u, 3u, 8u, 64u, 1000u}) {
    std::vector<Status> got(views.size(), Status::ERR_INTERNAL);
    ASSERT_EQ(mix.verifier->VerifyBatch(views, got, threads), Status::OK);
    EXPECT_EQ(got, mix.want) << threads << " threads";
  }
}

TEST(VerifierBatchTest, ResultsCarryWhatVerifyLeavesOnce) {
  Mix mix;
  ASSERT_TRUE(mix.verifier);
  const std::vector<std::string_view> views = mix.Views();
  std::vector<Verified> want(views.size());
  for (size_t i = 0; i < views.size(); ++i) {
    VerifiedToken out;
    want[i].status = mix.verifier->Verify(views[i], &out);
    if (want[i].status == Status::OK) {
      want[i].header = out.header_json;
      want[i].payload = out.payload_json;
      want[i].provider = out.provider;
    }
  }
  for (unsigned threads : {1u, 2u, 5u}) {
    std::vector<Verified> got(views.size());
    // Each index is written by exactly one thread, once: no lock needed.
    ASSERT_EQ(mix.verifier->VerifyBatch(views, threads,
                                        [&](size_t i, Status s, const VerifiedToken* out) {
                                          Verified& g = got[i];
                                          ++g.calls;
                                          g.status = s;
                                          if (out != nullptr) {
                                            g.header = out->header_json;
                                            g.payload = out->payload_json;
                                            g.provider = out->provider;
                                          }
                                        }),
              Status::OK);
    for (size_t i = 0; i < views.size(); ++i) {
      SCOPED_TRACE("token " + std::to_string(i) + ", " + std::to_string(threads) + " threads");
      EXPECT_EQ(got[i].calls, 1);
      EXPECT_EQ(got[i].status, want[i].status);
      EXPECT_EQ(got[i].header, want[i].header);
      EXPECT_EQ(got[i].payload, want[i].payload);
      EXPECT_EQ(got[i].provider, want[i].provider);
    }
  }
}

TEST(VerifierBatchTest, CountsEveryTokenInTheStatsAsVerifyWould) {
  Mix mix;
  ASSERT_TRUE(mix.verifier);
  // Each provider's "verifications" object (counts by status) and the
  // verifications made before a provider was chosen, as text.
  auto counts = [&] {
    const std::string s = mix.verifier->StatsJson(false);
    std::string out;
    for (std::string_view key : {"\"verifications\"", "\"unattributed\""})
      for (size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + 1))
        out += s.substr(at, s.find('}', at) - at) + "\n";
    return out;
  };
  const std::vector<std::string_view> views = mix.Views();
  std::vector<Status> statuses(views.size());
  ASSERT_EQ(mix.verifier->VerifyBatch(views, statuses, 3), Status::OK);
  const std::string after_batch = counts();
  ASSERT_NE(after_batch.find("TV_ERR_EXPIRED"), std::string::npos) << after_batch;
  ASSERT_NE(after_batch.find("TV_ERR_MALFORMED_TOKEN"), std::string::npos) << after_batch;
  for (std::string_view t : views) (void)mix.verifier->Verify(t);
  // A loop over the same tokens doubles every count exactly: the batch
  // counted each token once, under its own status and provider.
  std::string doubled;
  for (size_t i = 0; i < after_batch.size();) {
    if (std::isdigit(static_cast<unsigned char>(after_batch[i]))) {
      size_t end = i;
      while (end < after_batch.size() && std::isdigit(static_cast<unsigned char>(after_batch[end]))) ++end;
      doubled += std::to_string(2 * std::stoll(after_batch.substr(i, end - i)));
      i = end;
    } else {
      doubled += after_batch[i++];
    }
  }
  EXPECT_EQ(counts(), doubled);
}

TEST(VerifierBatchTest, RefusesMismatchedArguments) {
  Mix mix;
  ASSERT_TRUE(mix.verifier);
  const std::vector<std::string_view> views = mix.Views();
  std::vector<Status> short_by_one(views.size() - 1, Status::OK);
  EXPECT_EQ(mix.verifier->VerifyBatch(views, short_by_one, 2), Status::ERR_INVALID_ARGUMENT);
  EXPECT_EQ(mix.verifier->VerifyBatch(views, 2, Verifier::BatchResultFn()), Status::ERR_INVALID_ARGUMENT);
  std::vector<Status> none;
  EXPECT_EQ(mix.verifier->VerifyBatch({}, none, 4), Status::OK);
}

// --- the pool itself

// Runs `count` indexes on `participants` and checks each ran exactly once.
void ExpectEveryIndexOnce(WorkerPool& pool, size_t count, unsigned participants) {
  std::vector<std::atomic<int>> seen(count);
  auto body = [&](size_t begin, size_t end) noexcept {
    for (size_t i = begin; i < end; ++i) seen[i].fetch_add(1, std::memory_order_relaxed);
  };
  pool.Run(count, participants, body);
  for (size_t i = 0; i < count; ++i)
    ASSERT_EQ(seen[i].load(), 1) << "index " << i << " of " << count << ", " << participants << " participants";
}

TEST(WorkerPoolTest, RunsEveryIndexExactlyOnce) {
  WorkerPool pool;
  for (size_t count : {0, 1, 2, 3, 63, 64, 65, 256, 1000, 100003})
    for (unsigned participants : {1u, 2u, 3u, 7u, 64u}) ExpectEveryIndexOnce(pool, count, participants);
}

TEST(WorkerPoolTest, KeepsItsThreadsAndGrowsToTheLargestRequest) {
  WorkerPool pool;
  EXPECT_EQ(pool.worker_count(), 0u);
  ExpectEveryIndexOnce(pool, 1000, 1);
  EXPECT_EQ(pool.worker_count(), 0u) << "one participant is the caller alone";
  for (int i = 0; i < 50; ++i) ExpectEveryIndexOnce(pool, 1000, 3);
  EXPECT_EQ(pool.worker_count(), 2u) << "50 runs on 3 threads share 2 workers";
  ExpectEveryIndexOnce(pool, 1000, 5);
  EXPECT_EQ(pool.worker_count(), 4u);
  ExpectEveryIndexOnce(pool, 1000, 2);
  EXPECT_EQ(pool.worker_count(), 4u) << "a smaller request keeps the workers";
  ExpectEveryIndexOnce(pool, 1, 8);
  EXPECT_EQ(pool.worker_count(), 4u) << "one index needs no helper";
  ExpectEveryIndexOnce(pool, 100000, 1000);
  EXPECT_EQ(pool.worker_count(), WorkerPool::kMaxParticipants - 1) << "capped";
}

TEST(WorkerPoolTest, HelpersReallyWork) {
  // With two participants and a body that waits for the other thread, the
  // run can only finish if a worker takes chunks beside the caller.
  WorkerPool pool;
  std::atomic<int> inside{0};
  std::atomic<bool> met{false};
  auto body = [&](size_t, size_t) noexcept {
    inside.fetch_add(1);
    for (int spin = 0; spin < 200000000 && !met.load(); ++spin)
      if (inside.load() >= 2) met.store(true);
    inside.fetch_sub(1);
  };
  pool.Run(64, 2, body);
  EXPECT_TRUE(met.load());
}

}  // namespace
}  // namespace tokenverify
