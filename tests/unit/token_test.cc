// Taking a compact JWS apart: exact segment views, never copies.
#include <gtest/gtest.h>

#include "token/token.h"

namespace tokenverify::internal {
namespace {

TEST(SplitToken, ViewsIntoTheCallersBytes) {
  const std::string token = "aGVhZA.cGF5bG9hZA.c2ln";
  TokenParts p;
  ASSERT_EQ(SplitToken(token, &p), Status::OK);
  EXPECT_EQ(p.header, "aGVhZA");
  EXPECT_EQ(p.payload, "cGF5bG9hZA");
  EXPECT_EQ(p.signature, "c2ln");
  EXPECT_EQ(p.signing_input, "aGVhZA.cGF5bG9hZA");
  EXPECT_EQ(p.signing_input.data(), token.data());  // the caller's prefix, not a copy
  EXPECT_EQ(p.signature.data(), token.data() + 18);
}

TEST(SplitToken, RejectsWrongShapes) {
  TokenParts p;
  for (const char* bad : {"", "a", "a.b", "a.b.c.d", ".b.c", "..", "a.b.c.", "...."})
    EXPECT_EQ(SplitToken(bad, &p), Status::ERR_MALFORMED_TOKEN) << bad;
  ASSERT_EQ(SplitToken("a..c", &p), Status::OK);  // empty payload: allowed by RFC 7515
  EXPECT_TRUE(p.payload.empty());
  EXPECT_EQ(p.signing_input, "a.");
  ASSERT_EQ(SplitToken("a.b.", &p), Status::OK);  // empty signature: the verifier decides
  EXPECT_TRUE(p.signature.empty());
}

}  // namespace
}  // namespace tokenverify::internal
