// Key sets as identity providers publish them, end to end through a
// Verifier: a key the engine cannot use is skipped and reported (stats and
// events), never fatal; "strictKeySet" restores all-or-nothing; kid-less keys
// beyond limits.maxKeysWithoutKid are reported and refuse kid-less tokens with
// their own status. Remote sets come from a JWKS server on 127.0.0.1.
#include <gtest/gtest.h>

#include <string>

#include "key_cache_rig.h"
#include "support/jwks_server.h"

namespace tokenverify::cachetest {
namespace {

using testing::JwksHandler;
using testing::JwksServer;
using testing::MakeKey;
using testing::SignJws;
using testing::SignJwt;
using testing::TestKey;
using Kind = KeySetEvent::Kind;

// One provider "p" with `jwks` (the object after "jwks":) and `extra` members.
std::string ProviderConfig(const std::string& jwks, std::string_view extra = "") {
  std::string c = R"({"providers":[{"name":"p","algorithms":["RS256","ES256","ES384"],"jwks":)" + jwks;
  if (!extra.empty()) c += "," + std::string(extra);
  return c + "}]}";
}

std::string Remote(const std::string& url) {
  return R"({"remote":{"url":)" + testing::JsonQuote(url) + R"(,"initialFetchWait":"5s","cacheDuration":"1h"}})";
}

std::string Inline(const std::string& jwks) { return R"({"local":{"inline":)" + testing::JsonQuote(jwks) + "}}"; }

// The issue's reproduction: a 2048-bit signing key beside a 1024-bit
// encryption key. Today's engine refuses the whole set, so the provider never
// has keys (ERR_KEYS_UNAVAILABLE) and sig1's tokens fail.
TEST(KeySetSkips, RemoteSetWithARetiredEncryptionKeyKeepsVerifyingItsSigningKey) {
  const TestKey sig1 = MakeKey("RS256", "sig1"), enc1 = MakeKey("RS256", "enc1", 1024);
  const std::string jwks = R"({"keys":[)" + sig1.PublicJwk(R"("use":"sig","alg":"RS256")") + "," +
                           enc1.PublicJwk(R"("use":"enc","alg":"RSA-OAEP")") + "]}";
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler(JwksHandler(jwks));
  EventLog log;
  Error err;
  auto created = Verifier::Create(ProviderConfig(Remote(server->Url())), &err, log.Callback());
  ASSERT_TRUE(created.ok()) << err.message;
  const Verifier& v = **created;
  EXPECT_EQ(v.Verify(SignJwt(sig1, "{}")), Status::OK);
  // A token naming the skipped key is refused with that key's own status.
  EXPECT_EQ(v.Verify(SignJwt(enc1, "{}")), Status::ERR_JWK_WEAK);

  const std::string s = v.StatsJson(false);
  EXPECT_TRUE(StatBool(s, "healthy")) << s;
  EXPECT_EQ(StatInt(s, "keyCount"), 1) << s;
  EXPECT_NE(
      s.find(R"("skippedKeys":[{"kid":"enc1","kty":"RSA","status":"TV_ERR_JWK_WEAK",)"
             R"("reason":"keys[1] (kid \"enc1\"): \"n\" is a 1024-bit modulus; at least 2048 bits are required"}])"),
      std::string::npos)
      << s;

  ASSERT_TRUE(PollUntil([&] { return log.Count(Kind::kUpdated) >= 1; }, milliseconds(2000)));
  const KeySetEvent e = log.events().front();
  EXPECT_EQ(e.kind, Kind::kUpdated);
  EXPECT_EQ(e.key_count, 1u);
  EXPECT_EQ(e.skipped_key_count, 1u);
  EXPECT_NE(e.message.find("; 1 key skipped (tokens naming them are refused); keys[1] (kid \"enc1\"): \"n\" is a "
                           "1024-bit modulus; at least 2048 bits are required [TV_ERR_JWK_WEAK]"),
            std::string::npos)
      << e.message;
}

TEST(KeySetSkips, StrictKeySetRefusesASetWithAnyUnusableKey) {
  const TestKey sig1 = MakeKey("RS256", "sig1"), old = MakeKey("RS256", "old", 1024);
  const std::string jwks = testing::Jwks({&sig1, &old});
  // Local: the configuration is refused, naming the key.
  Error err;
  auto strict = Verifier::Create(ProviderConfig(Inline(jwks), R"("strictKeySet":true)"), &err);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status(), Status::ERR_JWK_WEAK);
  EXPECT_EQ(err.field, "providers[0].jwks.local.inline");
  EXPECT_NE(err.message.find(R"(keys[1] (kid "old"))"), std::string::npos) << err.message;
  // The member may come after "jwks" too; false is the default.
  EXPECT_FALSE(Verifier::Create(R"({"providers":[{"jwks":)" + Inline(jwks) + R"(,"strictKeySet":true}]})", &err).ok());
  auto lenient = Verifier::Create(ProviderConfig(Inline(jwks), R"("strictKeySet":false)"), &err);
  ASSERT_TRUE(lenient.ok()) << err.message;
  EXPECT_EQ((*lenient)->Verify(SignJwt(sig1, "{}")), Status::OK);
  EXPECT_FALSE(Verifier::Create(ProviderConfig(Inline(jwks), R"("strictKeySet":1)"), &err).ok());
  EXPECT_EQ(err.field, "providers[0].strictKeySet");

  // Remote: the answer is a failed refresh.
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler(JwksHandler(jwks));
  const std::string no_wait = R"({"remote":{"url":)" + testing::JsonQuote(server->Url()) + R"(,"cacheDuration":"1h"}})";
  auto remote = Verifier::Create(ProviderConfig(no_wait, R"("strictKeySet":true)"), &err);
  ASSERT_TRUE(remote.ok()) << err.message;
  ASSERT_TRUE(PollUntil([&] { return StatInt((*remote)->StatsJson(false), "fetches") >= 1; }, milliseconds(5000)));
  EXPECT_EQ((*remote)->Verify(SignJwt(sig1, "{}")), Status::ERR_KEYS_UNAVAILABLE);
  const std::string s = (*remote)->StatsJson(false);
  EXPECT_EQ(StatText(s, "lastOutcome"), "\"failed\"") << s;
  EXPECT_NE(s.find("strictKeySet: any unusable key refuses the set"), std::string::npos) << s;
}

TEST(KeySetSkips, KidlessKeysBeyondTheBoundAreReportedAndRefuseKidlessTokensWithTheirOwnStatus) {
  // Five certificates pasted without their kids, as a Firebase user would.
  std::string jwks = R"({"keys":[)";
  std::vector<TestKey> keys;
  for (int i = 0; i < 5; ++i) {
    keys.push_back(MakeKey("ES256", "cert" + std::to_string(i)));
    keys.back().kid.clear();  // PublicJwk and SignJwt leave the kid out
    jwks += (i ? "," : "") + keys.back().PublicJwk();
  }
  jwks += "]}";
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler(JwksHandler(jwks));
  EventLog log;
  Error err;
  auto created = Verifier::Create(ProviderConfig(Remote(server->Url())), &err, log.Callback());
  ASSERT_TRUE(created.ok()) << err.message;
  const Verifier& v = **created;
  EXPECT_EQ(v.Verify(SignJwt(keys[0], "{}")), Status::OK);
  EXPECT_EQ(v.Verify(SignJwt(keys[4], "{}")), Status::ERR_TOO_MANY_CANDIDATE_KEYS);
  const std::string s = v.StatsJson(false);
  EXPECT_EQ(StatInt(s, "keysWithoutKid"), 5) << s;
  EXPECT_EQ(StatInt(s, "keysWithoutKidBeyondLimit"), 1) << s;
  ASSERT_TRUE(PollUntil([&] { return log.Count(Kind::kUpdated) >= 1; }, milliseconds(2000)));
  EXPECT_NE(log.events().front().message.find("5 keys have no kid but a token without a kid is tried against at "
                                              "most 4 compatible keys (limits.maxKeysWithoutKid)"),
            std::string::npos)
      << log.events().front().message;

  // Raising the bound (set after the providers here) lets every key verify.
  std::string raised_config = ProviderConfig(Inline(jwks));
  raised_config.insert(raised_config.size() - 1, R"(,"limits":{"maxKeysWithoutKid":5})");
  auto raised = Verifier::Create(raised_config, &err);
  ASSERT_TRUE(raised.ok()) << err.message;
  EXPECT_EQ((*raised)->Verify(SignJwt(keys[4], "{}")), Status::OK);
  EXPECT_EQ(StatInt((*raised)->StatsJson(false), "keysWithoutKidBeyondLimit"), 0);
}

}  // namespace
}  // namespace tokenverify::cachetest
