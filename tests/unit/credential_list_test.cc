// Bearer token and API key lists: values as text or as SHA-256 hex.
#include <gtest/gtest.h>

#include <string>

#include "request/credential_list.h"

namespace tokenverify::internal {
namespace {

TEST(CredentialList, FindsByTextAndByDigest) {
  CredentialList list;
  Error err;
  ASSERT_EQ(list.Add("ci", "api-token-1", "", &err), Status::OK) << err.message;
  const CredentialList::Digest d = CredentialList::Sha256("other-token");
  std::string hex;
  for (const uint8_t b : d) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 15]);
  }
  ASSERT_EQ(list.Add("deploy", "", hex, &err), Status::OK) << err.message;
  ASSERT_NE(list.Find("api-token-1"), nullptr);
  EXPECT_EQ(*list.Find("api-token-1"), "ci");
  ASSERT_NE(list.Find("other-token"), nullptr);
  EXPECT_EQ(*list.Find("other-token"), "deploy");
  EXPECT_EQ(list.Find("api-token-2"), nullptr);
  EXPECT_EQ(list.Find(""), nullptr);
  EXPECT_EQ(list.Find("api-token-1 "), nullptr);
  EXPECT_EQ(list.Find(std::string_view("api-token-1\0", 12)), nullptr);
  EXPECT_EQ(list.size(), 2u);
}

TEST(CredentialList, DigestInUpperCaseHexIsTheSame) {
  CredentialList list;
  Error err;
  const CredentialList::Digest d = CredentialList::Sha256("k");
  std::string hex;
  for (const uint8_t b : d) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 15]);
  }
  ASSERT_EQ(list.Add("k", "", hex, &err), Status::OK);
  EXPECT_NE(list.Find("k"), nullptr);
}

TEST(CredentialList, KnownDigest) {
  // The digest of a fixed text, so a change of hash would show.
  const CredentialList::Digest d = CredentialList::Sha256("abc");
  EXPECT_EQ(d[0], 0xba);
  EXPECT_EQ(d[1], 0x78);
  EXPECT_EQ(d[31], 0xad);
}

TEST(CredentialList, RefusesBadDigestsAndDuplicates) {
  CredentialList list;
  Error err;
  EXPECT_EQ(list.Add("a", "", "abc", &err), Status::ERR_CONFIG);
  EXPECT_NE(err.message.find("64 hex digits"), std::string::npos) << err.message;
  EXPECT_EQ(list.Add("a", "", std::string(64, 'g'), &err), Status::ERR_CONFIG);
  EXPECT_NE(err.message.find("hex digit"), std::string::npos) << err.message;
  ASSERT_EQ(list.Add("first", "same", "", &err), Status::OK);
  EXPECT_EQ(list.Add("second", "same", "", &err), Status::ERR_CONFIG);
  EXPECT_EQ(err.message, "the same value is listed twice (also \"first\")");
  EXPECT_EQ(list.size(), 1u);
}

TEST(CredentialList, ManyEntries) {
  CredentialList list;
  Error err;
  for (int i = 0; i < 10000; ++i)
    ASSERT_EQ(list.Add("k" + std::to_string(i), "key-" + std::to_string(i), "", &err), Status::OK);
  for (int i = 0; i < 10000; i += 97) {
    const std::string* name = list.Find("key-" + std::to_string(i));
    ASSERT_NE(name, nullptr);
    EXPECT_EQ(*name, "k" + std::to_string(i));
  }
  EXPECT_EQ(list.Find("key-10000"), nullptr);
}

}  // namespace
}  // namespace tokenverify::internal
