// The verified-token cache and the revocation list, end to end through
// Verifier::Verify: a hit answers exactly as the full path, only for the same
// bytes, only while the time claims and the key sets that verified it still
// hold; failures are never cached; revoked tokens fail from the cache too.
#include <gtest/gtest.h>

#include <bit>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "revocation/revocation_list.h"
#include "support/request_helpers.h"
#include "support/signer.h"
#include "tokenverify/verifier.h"
#include "verify/verifier_testing.h"

namespace tokenverify {
namespace {

using testing::JsonQuote;
using testing::Jwks;
using testing::MakeKey;
using testing::SignJws;
using testing::TestKey;

constexpr int64_t kNow = 1800000000;

std::string Config(const std::string& jwks_member, std::string_view top_extra) {
  std::string s = R"({"providers":[{"name":"p","issuer":"https://issuer.example","jwks":)" + jwks_member +
                  R"(}],"now":)" + std::to_string(kNow) + R"(,"leeway":0)";
  if (!top_extra.empty()) s += "," + std::string(top_extra);
  return s + "}";
}
std::string Inline(const std::string& jwks) { return R"({"local":{"inline":)" + JsonQuote(jwks) + "}}"; }

std::unique_ptr<Verifier> Make(const std::string& config) {
  Error err;
  auto v = Verifier::Create(config, &err);
  EXPECT_TRUE(v.ok()) << err.message << "\nconfig: " << config;
  return v.ok() ? std::move(v).value() : nullptr;
}

std::string Token(const TestKey& k, std::string_view claims) {
  const std::string header = R"({"alg":")" + k.JwsAlg() + R"(","kid":")" + k.kid + "\"}";
  return SignJws(k, header, R"({"iss":"https://issuer.example",)" + std::string(claims) + "}");
}

// A member of the first provider's "tokenCache" object, or of "revocation".
int64_t Stat(const Verifier& v, std::string_view object, std::string_view name) {
  const std::string json = v.StatsJson(false);
  const size_t at = json.find("\"" + std::string(object) + "\":{");
  EXPECT_NE(at, std::string::npos) << json;
  const size_t m = json.find("\"" + std::string(name) + "\":", at);
  EXPECT_NE(m, std::string::npos) << json;
  return std::strtoll(json.c_str() + m + name.size() + 3, nullptr, 10);
}

constexpr std::string_view kCache = R"("tokenCache":{"maxEntries":1024})";

TEST(TokenCache, AHitAnswersExactlyAsTheFullPath) {
  const TestKey k = MakeKey("RS256", "k1");
  auto cached = Make(Config(Inline(Jwks({&k})), kCache));
  auto plain = Make(Config(Inline(Jwks({&k})), ""));
  ASSERT_TRUE(cached && plain);
  const std::string t = Token(k, R"("sub":"al\u0069ce","exp":1800003600,"scope":"read write")");
  VerifiedToken want, first, hit;
  ASSERT_EQ(plain->Verify(t, &want), Status::OK);
  ASSERT_EQ(cached->Verify(t, &first), Status::OK);
  ASSERT_EQ(cached->Verify(t, &hit), Status::OK);
  for (const VerifiedToken* got : {&first, &hit}) {
    EXPECT_EQ(got->header_json, want.header_json);
    EXPECT_EQ(got->payload_json, want.payload_json);
    EXPECT_EQ(got->provider, want.provider);
    EXPECT_EQ(got->subject, "alice");
  }
  EXPECT_EQ(cached->Verify(t), Status::OK);  // and without claims
  EXPECT_EQ(Stat(*cached, "tokenCache", "hits"), 2);
  EXPECT_EQ(Stat(*cached, "tokenCache", "misses"), 1);
  EXPECT_EQ(Stat(*cached, "tokenCache", "entries"), 1);
  // Hits are verifications too.
  EXPECT_NE(cached->StatsJson(false).find(R"("verifications":{"TV_OK":3})"), std::string::npos)
      << cached->StatsJson(false);
}

TEST(TokenCache, OnlyTheSameBytesHit) {
  const TestKey k = MakeKey("HS256", "k1");
  auto v = Make(Config(Inline(Jwks({&k})), kCache));
  ASSERT_TRUE(v);
  const std::string t = Token(k, R"("sub":"alice","exp":1800003600,"role":"user")");
  ASSERT_EQ(v->Verify(t), Status::OK);
  ASSERT_EQ(v->Verify(t), Status::OK);
  // Its signature over other claims, and other claims' signature over it.
  const std::string other = Token(k, R"("sub":"alice","exp":1800003600,"role":"root")");
  const std::string spliced = other.substr(0, other.rfind('.')) + t.substr(t.rfind('.'));
  EXPECT_EQ(v->Verify(spliced), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(v->Verify(t.substr(0, t.rfind('.')) + other.substr(other.rfind('.'))), Status::ERR_SIGNATURE_INVALID);
  std::string header_changed = t;
  header_changed[1] = header_changed[1] == 'y' ? 'z' : 'y';
  EXPECT_NE(v->Verify(header_changed), Status::OK);
  EXPECT_EQ(Stat(*v, "tokenCache", "hits"), 1);
  EXPECT_EQ(Stat(*v, "tokenCache", "entries"), 1);
}

TEST(TokenCache, FailuresAreNeverCached) {
  const TestKey k = MakeKey("HS256", "k1");
  TestKey other = k;
  other.secret = std::string(32, 'x');  // same kid, another secret: a forger's
  auto v = Make(Config(Inline(Jwks({&k})), kCache));
  ASSERT_TRUE(v);
  const std::string forged = Token(other, R"("sub":"mallory","exp":1800003600)");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(v->Verify(forged), Status::ERR_SIGNATURE_INVALID);
  const std::string expired = Token(k, R"("sub":"alice","exp":1700000000)");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(v->Verify(expired), Status::ERR_EXPIRED);
  EXPECT_EQ(Stat(*v, "tokenCache", "hits"), 0);
  EXPECT_EQ(Stat(*v, "tokenCache", "misses"), 6);
  EXPECT_EQ(Stat(*v, "tokenCache", "entries"), 0);
}

TEST(TokenCache, EveryHitChecksTheTimeClaimsAgainstNow) {
  const TestKey k = MakeKey("ES256", "k1");
  auto v = Make(Config(Inline(Jwks({&k})), kCache));
  ASSERT_TRUE(v);
  const std::string t = Token(k, R"("sub":"alice","nbf":1799999990,"exp":1800000100)");
  ASSERT_EQ(v->Verify(t), Status::OK);
  ASSERT_EQ(v->Verify(t), Status::OK);
  internal::SetNowForTesting(*v, kNow + 99);
  EXPECT_EQ(v->Verify(t), Status::OK);
  internal::SetNowForTesting(*v, kNow + 100);
  EXPECT_EQ(v->Verify(t), Status::ERR_EXPIRED);
  internal::SetNowForTesting(*v, kNow - 11);  // a clock that went back before nbf
  EXPECT_EQ(v->Verify(t), Status::ERR_NOT_YET_VALID);
  EXPECT_EQ(Stat(*v, "tokenCache", "hits"), 2);
}

TEST(TokenCache, MaxTokenAgeEndsAHitToo) {
  const TestKey k = MakeKey("HS256", "k1");
  const std::string jwks = Inline(Jwks({&k}));
  std::string config = Config(jwks, kCache);
  config.replace(config.find(R"("jwks")"), 6, R"("maxTokenAge":"60s","jwks")");
  auto v = Make(config);
  ASSERT_TRUE(v);
  const std::string t = Token(k, R"("sub":"alice","iat":1799999990,"exp":1800003600)");
  ASSERT_EQ(v->Verify(t), Status::OK);
  internal::SetNowForTesting(*v, 1799999990 + 60);
  EXPECT_EQ(v->Verify(t), Status::OK);
  internal::SetNowForTesting(*v, 1799999990 + 61);
  EXPECT_EQ(v->Verify(t), Status::ERR_TOKEN_TOO_OLD);
}

TEST(TokenCache, AKeyLeavingItsSetEndsTheTokensItVerified) {
  const TestKey k1 = MakeKey("ES256", "k1"), k2 = MakeKey("ES256", "k2");
  const std::string path =
      (std::filesystem::temp_directory_path() / ("tv_cache_jwks_" + std::to_string(::getpid()) + ".json")).string();
  auto write = [&](const std::string& text) {
    const std::string tmp = path + ".tmp";
    std::ofstream(tmp) << text;
    std::filesystem::rename(tmp, path);
  };
  write(Jwks({&k1, &k2}));
  auto v = Make(Config(R"({"local":{"file":)" + JsonQuote(path) + R"(,"checkInterval":"50ms"}})", kCache));
  ASSERT_TRUE(v);
  const std::string t1 = Token(k1, R"("sub":"alice","exp":1800003600)");
  const std::string t2 = Token(k2, R"("sub":"bob","exp":1800003600)");
  ASSERT_EQ(v->Verify(t1), Status::OK);
  ASSERT_EQ(v->Verify(t1), Status::OK);
  ASSERT_EQ(v->Verify(t2), Status::OK);
  ASSERT_EQ(Stat(*v, "tokenCache", "hits"), 1);
  const int64_t generation =
      std::strtoll(v->StatsJson(false).c_str() + v->StatsJson(false).find("\"generation\":") + 13, nullptr, 10);
  write(Jwks({&k2}));  // k1 leaves the set
  for (int i = 0; i < 200; ++i) {
    const std::string s = v->StatsJson(false);
    if (std::strtoll(s.c_str() + s.find("\"generation\":") + 13, nullptr, 10) > generation) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(v->Verify(t1), Status::ERR_KID_NOT_FOUND);  // not the cached OK
  EXPECT_EQ(v->Verify(t2), Status::OK);                 // verified again under the new set, then cached
  EXPECT_EQ(v->Verify(t2), Status::OK);
  EXPECT_EQ(Stat(*v, "tokenCache", "hits"), 2);
  std::remove(path.c_str());
}

TEST(TokenCache, TooLongTokensAreNotCachedAndTheCacheIsBounded) {
  const TestKey k = MakeKey("HS256", "k1");
  auto v = Make(Config(Inline(Jwks({&k})), R"("tokenCache":{"maxEntries":4,"maxTokenBytes":200})"));
  ASSERT_TRUE(v);
  const std::string big = Token(k, R"("sub":")" + std::string(200, 'x') + R"(","exp":1800003600)");
  EXPECT_EQ(v->Verify(big), Status::OK);
  EXPECT_EQ(v->Verify(big), Status::OK);
  EXPECT_EQ(Stat(*v, "tokenCache", "hits"), 0);
  EXPECT_EQ(Stat(*v, "tokenCache", "entries"), 0);
  for (int i = 0; i < 40; ++i)
    EXPECT_EQ(v->Verify(Token(k, R"("sub":"u)" + std::to_string(i) + R"(","exp":1800003600)")), Status::OK);
  EXPECT_EQ(Stat(*v, "tokenCache", "entries"), 4);  // one bucket of four ways
  EXPECT_EQ(Stat(*v, "tokenCache", "evictions"), 36);
}

TEST(Revocation, ByJtiAndBySubjectOnTheFullPathAndFromTheCache) {
  const TestKey k = MakeKey("HS256", "k1");
  for (std::string_view extra : {std::string_view(""), kCache}) {
    SCOPED_TRACE(extra.empty() ? "without the cache" : "with the cache");
    auto v = Make(Config(Inline(Jwks({&k})), extra));
    ASSERT_TRUE(v);
    const std::string a = Token(k, R"("sub":"alice","jti":"id-a","iat":1799999000,"exp":1800003600)");
    const std::string a_later = Token(k, R"("sub":"alice","jti":"id-b","iat":1800000000,"exp":1800003600)");
    const std::string a_no_iat = Token(k, R"("sub":"alice","exp":1800003600)");
    const std::string b = Token(k, R"("sub":"bob","jti":"id-c","iat":1799999000,"exp":1800003600)");
    for (const auto* t : {&a, &a_later, &a_no_iat, &b}) ASSERT_EQ(v->Verify(*t), Status::OK);

    EXPECT_EQ(v->Revoke("id-c", 1800003600), Status::OK);
    EXPECT_EQ(v->Verify(b), Status::ERR_REVOKED);
    EXPECT_EQ(v->Verify(a), Status::OK);
    EXPECT_EQ(v->Revoke("id-a", 1800003600, "https://other.example"), Status::OK);  // another issuer's
    EXPECT_EQ(v->Verify(a), Status::OK);

    EXPECT_EQ(v->RevokeSubject("alice", 1799999500), Status::OK);  // log out everywhere, before then
    EXPECT_EQ(v->Verify(a), Status::ERR_REVOKED);
    EXPECT_EQ(v->Verify(a_later), Status::OK);  // issued after the revocation
    EXPECT_EQ(v->Verify(a_no_iat), Status::ERR_REVOKED);
    EXPECT_EQ(Stat(*v, "revocation", "tokens"), 2);
    EXPECT_EQ(Stat(*v, "revocation", "subjects"), 1);

    EXPECT_EQ(v->Revoke("", 1800003600), Status::ERR_INVALID_ARGUMENT);
    EXPECT_EQ(v->Revoke("gone", 1700000000), Status::OK);  // already expired: nothing to keep
    EXPECT_EQ(Stat(*v, "revocation", "tokens"), 2);
  }
}

TEST(Revocation, ARevokedBearerTokenIsA401WithItsStatus) {
  const TestKey k = MakeKey("HS256", "k1");
  auto v = Make(Config(Inline(Jwks({&k})), kCache));
  ASSERT_TRUE(v);
  const std::string t = Token(k, R"("sub":"alice","jti":"j-1","exp":1800003600)");
  testing::Req r;
  r.headers = {{"Authorization", "Bearer " + t}};
  EXPECT_EQ(testing::Decide(*v, r)->http_status, 200);
  ASSERT_EQ(v->Revoke("j-1", 1800003600), Status::OK);
  const auto d = testing::Decide(*v, r);
  EXPECT_EQ(d->http_status, 401);
  EXPECT_EQ(d->status, Status::ERR_REVOKED);
}

TEST(Revocation, TheListIsBoundedAndSaysSoWhenFull) {
  internal::RevocationList list(1000);
  const int64_t now = kNow;
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(list.RevokeToken("jti-" + std::to_string(i), "", now + 10 + i % 5, now),
              internal::RevocationList::Added::kAdded);
  EXPECT_EQ(list.RevokeToken("one-too-many", "", now + 100, now), internal::RevocationList::Added::kFull);
  EXPECT_EQ(list.RevokeToken("jti-7", "", now + 200, now), internal::RevocationList::Added::kUpdated);
  EXPECT_EQ(list.Stats().rejected_full, 1u);
  // Once entries expire there is room again; the expired ones are gone.
  EXPECT_EQ(list.RevokeToken("later", "", now + 1000, now + 20), internal::RevocationList::Added::kAdded);
  const auto keys = [](std::string_view jti) {
    return internal::RevocationList::KeysFor(true, jti, false, "", false, "", false, 0);
  };
  EXPECT_TRUE(list.IsRevoked(keys("later"), now + 20));
  EXPECT_TRUE(list.IsRevoked(keys("jti-7"), now + 20));   // extended to now + 200
  EXPECT_FALSE(list.IsRevoked(keys("jti-8"), now + 20));  // expired
  EXPECT_EQ(list.Stats().tokens, 2u);
  EXPECT_LE(list.Stats().memory_bytes, 64u * 1024);
}

TEST(Revocation, AMillionRevocationsStayWithinTheDocumentedBound) {
  const size_t max_entries = size_t{1} << 20;
  internal::RevocationList list(max_entries);
  const int64_t now = kNow;
  for (int i = 0; i < 1'000'000; ++i)
    ASSERT_EQ(list.RevokeToken("jti-" + std::to_string(i), "", now + 3600, now),
              internal::RevocationList::Added::kAdded);
  const auto s = list.Stats();
  EXPECT_EQ(s.tokens, 1'000'000u);
  EXPECT_LE(s.memory_bytes, 64 * std::bit_ceil(max_entries));  // the README's bound (96 bytes while growing)
  const auto keys = [](std::string_view jti) {
    return internal::RevocationList::KeysFor(true, jti, false, "", false, "", false, 0);
  };
  EXPECT_TRUE(list.IsRevoked(keys("jti-0"), now));
  EXPECT_TRUE(list.IsRevoked(keys("jti-999999"), now));
  EXPECT_FALSE(list.IsRevoked(keys("jti-1000000"), now));
}

// Threads hitting, missing and evicting in a small cache while another
// thread revokes and republishes the key set (every entry goes stale): each
// answer is the single-threaded one, and once a jti is revoked no thread
// gets OK for it again. Part of the `concurrency` ctest label (ThreadSanitizer).
TEST(Concurrency, TokenCacheAndRevocationsFromManyThreads) {
  const TestKey k = MakeKey("HS256", "k1");
  auto v = Make(Config(Inline(Jwks({&k})), R"("tokenCache":{"maxEntries":16})"));
  ASSERT_TRUE(v);
  constexpr int kTokens = 64, kThreads = 4, kRounds = 200;
  std::vector<std::string> tokens;
  for (int i = 0; i < kTokens; ++i)
    tokens.push_back(Token(k, R"("sub":"u)" + std::to_string(i) + R"(","jti":"j)" + std::to_string(i) +
                                  R"(","iat":1799999000,"exp":1800003600)"));
  std::atomic<int> revoked_below{0};  // jti j0 .. j(revoked_below-1) are revoked
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::thread writer([&] {
    for (int i = 0; i < kTokens / 2; ++i) {
      ASSERT_EQ(v->Revoke("j" + std::to_string(i), 1800003600), Status::OK);
      revoked_below.store(i + 1);
      internal::RepublishKeySetsForTesting(*v);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    stop.store(true);
  });
  std::vector<std::thread> readers;
  for (int t = 0; t < kThreads; ++t) {
    readers.emplace_back([&, t] {
      VerifiedToken out;
      for (int r = 0; r < kRounds || !stop.load(); ++r) {
        for (int i = 0; i < kTokens; ++i) {
          const int idx = (i * 7 + t * 13 + r) % kTokens;
          const bool surely_revoked = idx < revoked_below.load();
          const Status s = v->Verify(tokens[idx], &out);
          if (s == Status::OK) {
            if (surely_revoked || out.subject != "u" + std::to_string(idx)) wrong.fetch_add(1);
          } else if (s != Status::ERR_REVOKED || idx >= kTokens / 2) {
            wrong.fetch_add(1);
          }
        }
      }
    });
  }
  writer.join();
  for (auto& th : readers) th.join();
  EXPECT_EQ(wrong.load(), 0);
  for (int i = 0; i < kTokens; ++i)
    EXPECT_EQ(v->Verify(tokens[i]), i < kTokens / 2 ? Status::ERR_REVOKED : Status::OK) << i;
  EXPECT_GT(Stat(*v, "tokenCache", "hits"), 0);
  EXPECT_GT(Stat(*v, "tokenCache", "evictions"), 0);
}

}  // namespace
}  // namespace tokenverify
