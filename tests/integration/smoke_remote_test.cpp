#include <gtest/gtest.h>
#include <thread>
#include "support/jwks_server.h"
#include "support/signer.h"
#include "tokenverify/verifier.h"
namespace tokenverify { namespace {
using namespace testing;
TEST(Smoke, RemoteBasics) {
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  TestKey k1 = MakeKey("ES256", "k1"), k2 = MakeKey("ES256", "k2");
  server->SetHandler(JwksHandler(Jwks({&k1}), "\"v1\""));
  Error err;
  auto v = Verifier::Create(R"({"providers":[{"jwks":{"remote":{"url":")" + server->Url() +
      R"(","initialFetchWait":"5s","requireInitialKeys":true,"unknownKidWait":"2s","unknownKidCooldown":"1s"}}}]})", &err);
  ASSERT_TRUE(v.ok()) << err.message;
  EXPECT_EQ((*v)->Verify(SignJwt(k1, "{}")), Status::OK);
  EXPECT_EQ((*v)->Verify(SignJwt(k2, "{}")), Status::ERR_KID_NOT_FOUND);
  server->SetHandler(JwksHandler(Jwks({&k1, &k2}), "\"v2\""));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ((*v)->Verify(SignJwt(k2, "{}")), Status::OK);
  std::cout << (*v)->StatsJson(true) << "\n";
  EXPECT_EQ(server->request_count(), 3);
}
}}
