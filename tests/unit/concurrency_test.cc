// Many threads on one shared Verifier: every result must equal the
// single-threaded one. Accepted tokens of every key family (HS256 secret,
// RS256/PS256, ES256, EdDSA) are mixed with tokens that fail at each stage
// (shape, base64url, header, claims, key choice, signature), so the threads
// share the verifier's keys and per-key state while each uses its own scratch.
// Run alone, under ThreadSanitizer, as the ctest test `concurrency`
// (label `concurrency`; scripts/test.sh does this in build-tsan/).
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/signer.h"
#include "tokenverify/verifier.h"
#include "verify/worker_pool.h"

namespace tokenverify {
namespace {

using testing::B64;
using testing::JsonQuote;
using testing::Jwks;
using testing::MakeKey;
using testing::SignJws;
using testing::SignJwt;
using testing::TestKey;

constexpr int kThreads = 8;
constexpr int kRounds = 60;  // passes over the whole token list per thread
constexpr int64_t kNow = 1800000000;

constexpr std::string_view kPayload =
    R"({"iss":"https://issuer.example","sub":"alice","aud":"my-api","iat":1799999000,"exp":1800003600,"team":"dev"})";
constexpr std::string_view kSecret = "concurrency-test-shared-secret-0123456789";

struct Case {
  std::string name;
  std::string token;
  Status want;
};

struct Expected {
  Status status;
  std::string header, payload, provider;
};

// One JWKS provider (RS256/PS256, ES256, EdDSA) and one shared-secret provider
// (HS256), told apart by issuer.
std::string Config(const std::vector<const TestKey*>& keys) {
  std::string jwks = "{\"keys\":[";
  for (size_t i = 0; i < keys.size(); ++i) jwks += (i ? "," : "") + keys[i]->PublicJwk();
  jwks += "]}";
  return R"({"providers":[{"name":"pub","issuer":"https://issuer.example","audiences":["my-api"],)"
         R"("algorithms":["RS256","PS256","ES256","EdDSA"],"jwks":{"local":{"inline":)" +
         JsonQuote(jwks) + R"(}}},{"name":"hs","issuer":"hs-issuer","algorithms":["HS256"],"secret":)" +
         JsonQuote(std::string(kSecret)) + R"(}],"requiredClaims":["exp"],"now":)" + std::to_string(kNow) + "}";
}

std::string Tamper(std::string token) {
  char& c = token[token.size() - 5];
  c = c == 'A' ? 'B' : 'A';
  return token;
}

std::vector<Case> Cases(const TestKey& rs, const TestKey& ps, const TestKey& es, const TestKey& ed,
                        const std::string& tag) {
  const TestKey hs{"HS256", "", nullptr, std::string(kSecret)};
  const TestKey hs_wrong{"HS256", "", nullptr, std::string(kSecret) + "-but-not-this-one"};
  const std::string hs_payload = R"({"iss":"hs-issuer","sub":")" + tag + R"(","iat":1799999000,"exp":1800003600})";
  const std::string expired = R"({"iss":"https://issuer.example","aud":"my-api","iat":1799990000,"exp":1799996000})";
  const std::string other_aud = R"({"iss":"https://issuer.example","aud":"not-my-api","exp":1800003600})";
  const TestKey es_unknown_kid{es.alg, "nobody", es.pkey, ""};
  std::vector<Case> cases = {
      {"hs256", SignJwt(hs, hs_payload), Status::OK},
      {"rs256", SignJwt(rs, kPayload), Status::OK},
      {"ps256", SignJwt(ps, kPayload), Status::OK},
      {"es256", SignJwt(es, kPayload), Status::OK},
      {"eddsa", SignJwt(ed, kPayload), Status::OK},
      {"hs256_wrong_secret", SignJwt(hs_wrong, hs_payload), Status::ERR_SIGNATURE_INVALID},
      {"rs256_tampered", Tamper(SignJwt(rs, kPayload)), Status::ERR_SIGNATURE_INVALID},
      {"es256_tampered", Tamper(SignJwt(es, kPayload)), Status::ERR_SIGNATURE_INVALID},
      {"eddsa_tampered", Tamper(SignJwt(ed, kPayload)), Status::ERR_SIGNATURE_INVALID},
      {"expired", SignJwt(es, expired), Status::ERR_EXPIRED},
      {"audience", SignJwt(ed, other_aud), Status::ERR_AUDIENCE_MISMATCH},
      {"unknown_kid", SignJwt(es_unknown_kid, kPayload), Status::ERR_KID_NOT_FOUND},
      {"alg_none", B64(R"({"alg":"none"})") + "." + B64(kPayload) + ".", Status::ERR_ALG_NONE},
      {"bad_base64url", "eyJhbGciOiJIUzI1NiJ9.e30*.c2ln", Status::ERR_BAD_BASE64URL},
      {"malformed", "not-a-token", Status::ERR_MALFORMED_TOKEN},
      {"duplicate_member", SignJws(es, R"({"alg":"ES256","kid":")" + es.kid + R"(","kid":"x"})", kPayload),
       Status::ERR_DUPLICATE_MEMBER},
  };
  return cases;
}

std::unique_ptr<Verifier> MakeVerifier(const std::string& config) {
  Error err;
  auto v = Verifier::Create(config, &err);
  EXPECT_TRUE(v.ok()) << err.field << ": " << err.message;
  return v.ok() ? std::move(v).value() : nullptr;
}

// The single-threaded answers, checked against each case's exact status.
std::vector<Expected> Baseline(const Verifier& v, const std::vector<Case>& cases) {
  std::vector<Expected> want;
  for (const Case& c : cases) {
    VerifiedToken out;
    const Status s = v.Verify(c.token, &out);
    EXPECT_EQ(s, c.want) << c.name;
    Expected e{s, "", "", ""};
    if (s == Status::OK) {
      e.header = std::string(out.header_json);
      e.payload = std::string(out.payload_json);
      e.provider = std::string(out.provider);
    }
    want.push_back(std::move(e));
  }
  return want;
}

// Records the first disagreement seen by any thread.
class Mismatches {
 public:
  void Check(const Case& c, const Expected& want, Status got, const VerifiedToken* out) {
    std::string what;
    if (got != want.status) {
      what =
          "status " + std::to_string(static_cast<int>(got)) + ", want " + std::to_string(static_cast<int>(want.status));
    } else if (out != nullptr && got == Status::OK &&
               (out->header_json != want.header || out->payload_json != want.payload ||
                out->provider != want.provider)) {
      what = "different header, payload or provider";
    }
    if (what.empty()) return;
    if (count_.fetch_add(1, std::memory_order_relaxed) == 0) {
      std::lock_guard<std::mutex> lock(mu_);
      first_ = c.name + ": " + what;
    }
  }
  int count() const { return count_.load(); }
  std::string first() {
    std::lock_guard<std::mutex> lock(mu_);
    return first_;
  }

 private:
  std::atomic<int> count_{0};
  std::mutex mu_;
  std::string first_;
};

// One thread's share: kRounds passes over every case, starting at its own
// offset, alternating between verifying with and without output.
void Worker(const Verifier& v, const std::vector<Case>& cases, const std::vector<Expected>& want, int index,
            Mismatches& mismatches) {
  const size_t n = cases.size();
  for (int round = 0; round < kRounds; ++round) {
    for (size_t j = 0; j < n; ++j) {
      const size_t i = (j + static_cast<size_t>(index) * 3 + static_cast<size_t>(round)) % n;
      if ((round + index) % 2 == 0) {
        VerifiedToken out;
        mismatches.Check(cases[i], want[i], v.Verify(cases[i].token, &out), &out);
      } else {
        mismatches.Check(cases[i], want[i], v.Verify(cases[i].token), nullptr);
      }
    }
  }
}

TEST(ConcurrencyTest, SharedVerifierGivesSingleThreadedResults) {
  const TestKey rs = MakeKey("RS256", "rs");
  const TestKey ps = MakeKey("PS256", "rs");  // the same RSA key pair, signing PS256
  const TestKey es = MakeKey("ES256", "es");
  const TestKey ed = MakeKey("EdDSA", "ed");
  auto v = MakeVerifier(Config({&rs, &es, &ed}));
  ASSERT_TRUE(v);
  const std::vector<Case> cases = Cases(rs, ps, es, ed, "alice");
  const std::vector<Expected> want = Baseline(*v, cases);

  Mismatches mismatches;
  std::barrier start(kThreads);  // all threads begin together, caches cold
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      Worker(*v, cases, want, t, mismatches);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.count(), 0) << "first: " << mismatches.first();
}

// Long-lived threads see one verifier after another (new keys each time, the
// old verifier destroyed in between): per-thread caches of per-key state must
// never serve a key of a verifier that is gone.
TEST(ConcurrencyTest, SuccessiveVerifiersOnLongLivedThreads) {
  constexpr int kGenerations = 3;
  struct Generation {
    std::unique_ptr<Verifier> verifier;
    std::vector<Case> cases;
    std::vector<Expected> want;
  };
  std::vector<Generation> generations(kGenerations);
  for (int g = 0; g < kGenerations; ++g) {
    const std::string gen = std::to_string(g);
    const TestKey rs = MakeKey("RS256", "rs-gen" + gen);
    const TestKey ps = MakeKey("PS256", "rs-gen" + gen);
    const TestKey es = MakeKey("ES256", "es-gen" + gen);
    const TestKey ed = MakeKey("EdDSA", "ed-gen" + gen);
    generations[g].verifier = MakeVerifier(Config({&rs, &es, &ed}));
    ASSERT_TRUE(generations[g].verifier);
    generations[g].cases = Cases(rs, ps, es, ed, "gen" + gen);
    generations[g].want = Baseline(*generations[g].verifier, generations[g].cases);
  }

  Mismatches mismatches;
  std::atomic<int> current{0};
  // Phase completion destroys the generation just used, before anyone moves on.
  std::barrier sync(kThreads, [&]() noexcept {
    generations[static_cast<size_t>(current.load())].verifier.reset();
    current.fetch_add(1);
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int g = 0; g < kGenerations; ++g) {
        const Generation& gen = generations[static_cast<size_t>(current.load())];
        Worker(*gen.verifier, gen.cases, gen.want, t, mismatches);
        sync.arrive_and_wait();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.count(), 0) << "first: " << mismatches.first();
}

// Batches from several threads at once on one verifier, each spread over
// the verifier's worker pool, which grows while the others use it (each call
// asks for another thread count): every token of every batch gets the
// single-threaded answer, at its own index.
TEST(ConcurrencyTest, ConcurrentBatchesGiveSingleThreadedResults) {
  constexpr int kCallers = 6;
  constexpr int kBatches = 8;  // per caller
  constexpr int kCopies = 12;  // of the case list in one batch
  const TestKey rs = MakeKey("RS256", "rs");
  const TestKey ps = MakeKey("PS256", "rs");
  const TestKey es = MakeKey("ES256", "es");
  const TestKey ed = MakeKey("EdDSA", "ed");
  auto v = MakeVerifier(Config({&rs, &es, &ed}));
  ASSERT_TRUE(v);
  const std::vector<Case> cases = Cases(rs, ps, es, ed, "alice");
  const std::vector<Expected> want = Baseline(*v, cases);
  // Copies in rotated order, so neighbours differ from copy to copy.
  std::vector<size_t> case_of;
  for (int copy = 0; copy < kCopies; ++copy)
    for (size_t j = 0; j < cases.size(); ++j) case_of.push_back((j + static_cast<size_t>(copy) * 5) % cases.size());
  std::vector<std::string_view> batch;
  for (size_t c : case_of) batch.push_back(cases[c].token);

  Mismatches mismatches;
  std::barrier start(kCallers);
  std::vector<std::thread> callers;
  for (int t = 0; t < kCallers; ++t) {
    callers.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int b = 0; b < kBatches; ++b) {
        const unsigned threads = 1 + static_cast<unsigned>(t + b) % 7;
        if ((t + b) % 2 == 0) {
          std::vector<Status> statuses(batch.size(), Status::ERR_INTERNAL);
          ASSERT_EQ(v->VerifyBatch(batch, statuses, threads), Status::OK);
          for (size_t i = 0; i < batch.size(); ++i)
            mismatches.Check(cases[case_of[i]], want[case_of[i]], statuses[i], nullptr);
        } else {
          std::vector<int> calls(batch.size(), 0);  // each index is written by one thread
          ASSERT_EQ(v->VerifyBatch(batch, threads,
                                   [&](size_t i, Status s, const VerifiedToken* out) {
                                     ++calls[i];
                                     mismatches.Check(cases[case_of[i]], want[case_of[i]], s, out);
                                   }),
                    Status::OK);
          for (size_t i = 0; i < batch.size(); ++i) ASSERT_EQ(calls[i], 1) << "index " << i;
        }
      }
    });
  }
  for (auto& th : callers) th.join();
  EXPECT_EQ(mismatches.count(), 0) << "first: " << mismatches.first();
  v.reset();  // joins the pool's workers, idle or still spinning
}

// One pool, many threads running jobs on it at once with different sizes and
// participant counts: every index of every job runs exactly once, and the
// pool is destroyed (its workers joined) right after.
TEST(ConcurrencyTest, WorkerPoolSharedByConcurrentRuns) {
  constexpr int kCallers = 8;
  constexpr int kRunsEach = 40;
  auto pool = std::make_unique<internal::WorkerPool>();
  std::atomic<int> wrong{0};
  std::barrier start(kCallers);
  std::vector<std::thread> callers;
  for (int t = 0; t < kCallers; ++t) {
    callers.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int r = 0; r < kRunsEach; ++r) {
        const size_t count = 1 + static_cast<size_t>((t * 131 + r * 977) % 3000);
        std::vector<std::atomic<int>> seen(count);
        auto body = [&](size_t begin, size_t end) noexcept {
          for (size_t i = begin; i < end; ++i) seen[i].fetch_add(1, std::memory_order_relaxed);
        };
        pool->Run(count, 1 + static_cast<unsigned>(t + r) % 9, body);
        for (size_t i = 0; i < count; ++i)
          if (seen[i].load(std::memory_order_relaxed) != 1) wrong.fetch_add(1);
      }
    });
  }
  for (auto& th : callers) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GE(pool->worker_count(), 1u);
  EXPECT_LE(pool->worker_count(), 8u);  // the largest request was 9 participants
  pool.reset();
}

}  // namespace
}  // namespace tokenverify
