// Taking a compact JWS apart: exact segment views, never copies.
#include <gtest/gtest.h>

#include <string>

#include "base64url/base64url.h"
#include "token/header_memo.h"
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

// A compact token whose header is `header_json` (payload and signature are
// placeholders: the memo reads the header segment only).
std::string TokenWithHeader(std::string_view header_json) { return Base64urlEncode(header_json) + ".e30.c2ln"; }

// What HeaderMemo::Decode answered, copied out of the scratch.
struct Decoded {
  Status status = Status::OK;
  Alg alg = Alg::kHS256;
  std::string kid;
  std::string json;  // the decoded header the memo's scratch holds
};

Decoded DecodeThrough(HeaderMemo& memo, const std::string& token, int max_depth = 32) {
  TokenParts parts;
  EXPECT_EQ(SplitToken(token, &parts), Status::OK);
  JoseHeader h;
  size_t len = 0;
  Decoded d;
  d.status = memo.Decode(parts, max_depth, &h, &len);
  if (d.status == Status::OK) {
    d.alg = h.alg;
    d.kid = h.has_kid ? std::string(h.kid) : "(none)";
    d.json = std::string(reinterpret_cast<const char*>(memo.data()), len);
  }
  return d;
}

TEST(HeaderMemo, AHitAnswersAsTheFirstDecodeDid) {
  HeaderMemo memo;
  const std::string json = R"({"alg":"RS256","typ":"JWT","kid":"key-1"})";
  const std::string token = TokenWithHeader(json);
  for (int i = 0; i < 3; ++i) {
    const Decoded d = DecodeThrough(memo, token);
    ASSERT_EQ(d.status, Status::OK);
    EXPECT_EQ(d.alg, Alg::kRS256);
    EXPECT_EQ(d.kid, "key-1");
    EXPECT_EQ(d.json, json);
  }
}

TEST(HeaderMemo, AnotherSegmentIsDecodedAfresh) {
  HeaderMemo memo;
  const std::string a = R"({"alg":"RS256","kid":"key-1"})", b = R"({"alg":"ES256","kid":"key-2"})";
  for (const std::string& json : {a, b, a, a, b}) {
    const Decoded d = DecodeThrough(memo, TokenWithHeader(json));
    ASSERT_EQ(d.status, Status::OK);
    EXPECT_EQ(d.json, json);
    EXPECT_EQ(d.kid, json == a ? "key-1" : "key-2");
    EXPECT_EQ(d.alg, json == a ? Alg::kRS256 : Alg::kES256);
  }
}

TEST(HeaderMemo, TheMaximumDepthIsPartOfTheKey) {
  HeaderMemo memo;
  const std::string token = TokenWithHeader(R"({"alg":"HS256","x":{"y":{"z":1}}})");
  EXPECT_EQ(DecodeThrough(memo, token, 32).status, Status::OK);
  EXPECT_EQ(DecodeThrough(memo, token, 2).status, Status::ERR_JSON_TOO_DEEP);
  EXPECT_EQ(DecodeThrough(memo, token, 32).status, Status::OK);
}

TEST(HeaderMemo, AFailureIsNotKeptAndEmptiesTheMemo) {
  HeaderMemo memo;
  const std::string good = R"({"alg":"HS256","kid":"k"})";
  ASSERT_EQ(DecodeThrough(memo, TokenWithHeader(good)).status, Status::OK);
  // A refused header overwrites the scratch: the good one must be decoded
  // again, not answered with views into the refused one's bytes.
  const std::string none = TokenWithHeader(R"({"alg":"none","kid":"zz"})");
  EXPECT_EQ(DecodeThrough(memo, none).status, Status::ERR_ALG_NONE);
  EXPECT_EQ(DecodeThrough(memo, none).status, Status::ERR_ALG_NONE);
  const Decoded d = DecodeThrough(memo, TokenWithHeader(good));
  ASSERT_EQ(d.status, Status::OK);
  EXPECT_EQ(d.json, good);
  EXPECT_EQ(d.kid, "k");
  EXPECT_EQ(DecodeThrough(memo, "!!!!.e30.c2ln").status, Status::ERR_BAD_BASE64URL);
  EXPECT_EQ(DecodeThrough(memo, TokenWithHeader(good)).json, good);
}

TEST(HeaderMemo, LongSegmentsAreDecodedEveryTime) {
  HeaderMemo memo;
  const std::string a = R"({"alg":"HS256","kid":")" + std::string(300, 'a') + "\"}";
  const std::string b = R"({"alg":"HS384","kid":")" + std::string(300, 'b') + "\"}";
  ASSERT_GT(Base64urlEncode(a).size(), HeaderMemo::kMaxSegment);
  for (const std::string& json : {a, a, b, a}) {
    const Decoded d = DecodeThrough(memo, TokenWithHeader(json));
    ASSERT_EQ(d.status, Status::OK);
    EXPECT_EQ(d.json, json);
    EXPECT_EQ(d.kid, json.substr(22, 300));
  }
}

}  // namespace
}  // namespace tokenverify::internal
