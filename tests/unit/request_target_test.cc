// Request targets and hosts as rules see them, and the rule matcher.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "request/rule_matcher.h"
#include "request/target.h"

namespace tokenverify::internal {
namespace {

std::string PathOf(std::string_view target) {
  NormalizedTarget t;
  const Status s = NormalizeTarget(target, &t);
  return s == Status::OK ? t.path : std::string("<") + std::string(StatusName(s)) + ">";
}

TEST(RequestTarget, RemovesDotSegmentsAndDecodesUnreservedCharacters) {
  EXPECT_EQ(PathOf("/"), "/");
  EXPECT_EQ(PathOf("/admin"), "/admin");
  EXPECT_EQ(PathOf("/x/../admin"), "/admin");
  EXPECT_EQ(PathOf("/%61dmin"), "/admin");
  EXPECT_EQ(PathOf("/%2e%2e/admin"), "/admin");
  EXPECT_EQ(PathOf("/a/./b/../c"), "/a/c");
  EXPECT_EQ(PathOf("/a/b/.."), "/a/");
  EXPECT_EQ(PathOf("/a/."), "/a/");
  EXPECT_EQ(PathOf("/../../etc"), "/etc");
  EXPECT_EQ(PathOf("/.."), "/");
  EXPECT_EQ(PathOf("/a//b"), "/a//b");
  EXPECT_EQ(PathOf("/caf%c3%a9"), "/caf%C3%A9");  // not unreserved: kept encoded, upper-case hex
  EXPECT_EQ(PathOf("/a%20b"), "/a%20b");
  EXPECT_EQ(PathOf("/user@host:1;v=1"), "/user@host:1;v=1");
}

TEST(RequestTarget, KeepsTheQueryApart) {
  NormalizedTarget t;
  ASSERT_EQ(NormalizeTarget("/x/../api?a=/../b&c", &t), Status::OK);
  EXPECT_EQ(t.path, "/api");
  EXPECT_TRUE(t.has_query);
  EXPECT_EQ(t.query, "a=/../b&c");
  ASSERT_EQ(NormalizeTarget("/api?", &t), Status::OK);
  EXPECT_TRUE(t.has_query);
  EXPECT_EQ(t.query, "");
  ASSERT_EQ(NormalizeTarget("/api", &t), Status::OK);
  EXPECT_FALSE(t.has_query);
}

TEST(RequestTarget, RefusesWhatIsNotOriginForm) {
  for (const char* bad : {"",
                          "*",
                          "admin",
                          "http://example.com/admin",
                          "example.com:443",
                          "/a#frag",
                          "/a b",
                          "/a\tb",
                          "/a\\b",
                          "/%",
                          "/%4",
                          "/%zz",
                          "/a%2Fb",
                          "/a%2fb",
                          "/a%5Cb",
                          "/caf\xc3\xa9",
                          "/a?b#c",
                          "/a?b c",
                          "/a\"b",
                          "/a<b>",
                          "/a|b",
                          "/a^b",
                          "/a`b",
                          "/a{b}"}) {
    NormalizedTarget t;
    EXPECT_EQ(NormalizeTarget(bad, &t), Status::ERR_MALFORMED_REQUEST) << bad;
  }
  NormalizedTarget t;
  EXPECT_EQ(NormalizeTarget(std::string_view("/a\0b", 4), &t), Status::ERR_MALFORMED_REQUEST);
}

TEST(RequestHost, LowerCasesAndDropsThePort) {
  std::string h;
  ASSERT_TRUE(NormalizeHost("API.Example.com.:8443", &h));
  EXPECT_EQ(h, "api.example.com");
  ASSERT_TRUE(NormalizeHost("[::1]:80", &h));
  EXPECT_EQ(h, "[::1]");
  ASSERT_TRUE(NormalizeHost("127.0.0.1", &h));
  EXPECT_EQ(h, "127.0.0.1");
  ASSERT_TRUE(NormalizeHost("", &h));
  EXPECT_EQ(h, "");
  for (const char* bad : {"a b", "a:b", "[::1", "[::1]x", "a/b", ".", ":80", "a\r\nb", "[::g]"}) {
    EXPECT_FALSE(NormalizeHost(bad, &h)) << bad;
  }
}

RuleMatcher Build(const std::vector<HostRuleSpec>& rules) {
  Error err;
  auto m = RuleMatcher::Build(rules, &err);
  EXPECT_TRUE(m.ok()) << err.field << ": " << err.message;
  return std::move(m).value();
}

// The ingress example: one host, a rule-level auth and path rules.
TEST(RuleMatcher, LongestPathOnSegmentBoundariesWins) {
  const RuleMatcher m = Build(
      {{"example.com", {{"/admin"}, {"/api"}, {"/jwt"}, {"/.well-known/"}, {"/api/v2/"}, {"/api/health", true}}}});
  auto path = [&](std::string_view p) { return m.Find("example.com", p).path; };
  EXPECT_EQ(path("/admin"), 0);
  EXPECT_EQ(path("/admin/"), 0);
  EXPECT_EQ(path("/admin/x/y"), 0);
  EXPECT_EQ(path("/administrator"), -1);
  EXPECT_EQ(path("/"), -1);
  EXPECT_EQ(path("/api/v2"), 1);  // "/api/v2/" means under /api/v2
  EXPECT_EQ(path("/api/v2/"), 4);
  EXPECT_EQ(path("/api/v2/users"), 4);
  EXPECT_EQ(path("/api/health"), 5);
  EXPECT_EQ(path("/api/health/x"), 1);
  EXPECT_EQ(path("/.well-known"), -1);
  EXPECT_EQ(path("/.well-known/"), 3);
  EXPECT_EQ(path("/.well-known/openid-configuration"), 3);
  EXPECT_EQ(m.Find("example.com", "/jwt").rule, 0);
}

TEST(RuleMatcher, RootPrefixAndExactRoot) {
  const RuleMatcher m = Build({{std::nullopt, {{"/"}, {"/", true}}}});
  EXPECT_EQ(m.Find("", "/").path, 1);
  EXPECT_EQ(m.Find("", "/x").path, 0);
  EXPECT_EQ(m.Find("", "/x/y").path, 0);
}

TEST(RuleMatcher, MostSpecificHostWinsAndNoHostIsTheFallback) {
  const RuleMatcher m = Build({{"*.example.com", {}}, {"api.example.com", {}}, {"*.b.example.com", {}}});
  EXPECT_EQ(m.Find("api.example.com", "/").rule, 1);
  EXPECT_EQ(m.Find("x.example.com", "/").rule, 0);
  EXPECT_EQ(m.Find("x.y.example.com", "/").rule, 0);
  EXPECT_EQ(m.Find("a.b.example.com", "/").rule, 2);
  EXPECT_EQ(m.Find("example.com", "/").rule, -1);  // "*." needs a label in front
  EXPECT_EQ(m.Find("other.org", "/").rule, -1);    // fail closed: no rule without a host
  EXPECT_EQ(m.Find("", "/").rule, -1);

  const RuleMatcher with_default = Build({{"example.com", {}}, {std::nullopt, {{"/open"}}}});
  EXPECT_EQ(with_default.Find("example.com", "/open").rule, 0);
  EXPECT_EQ(with_default.Find("example.com", "/open").path, -1);
  EXPECT_EQ(with_default.Find("other.org", "/open").rule, 1);
  EXPECT_EQ(with_default.Find("other.org", "/open").path, 0);
  EXPECT_EQ(with_default.Find("", "/").rule, 1);
}

TEST(RuleMatcher, RefusesAmbiguousOrMalformedRules) {
  struct Case {
    std::vector<HostRuleSpec> rules;
    std::string field;
  };
  const std::vector<Case> cases = {
      {{{std::nullopt, {}}, {std::nullopt, {}}}, "[1]"},
      {{{"example.com", {}}, {"EXAMPLE.com", {}}}, "[1].host"},
      {{{"*.example.com", {}}, {"*.example.com", {}}}, "[1].host"},
      {{{"example.com:443", {}}}, "[0].host"},
      {{{"*", {}}}, "[0].host"},
      {{{"a.*.com", {}}}, "[0].host"},
      {{{"", {}}}, "[0].host"},
      {{{std::nullopt, {{"admin"}}}}, "[0].paths[0].path"},
      {{{std::nullopt, {{"/a/../b"}}}}, "[0].paths[0].path"},
      {{{std::nullopt, {{"/a?x=1"}}}}, "[0].paths[0].path"},
      {{{std::nullopt, {{"/%61"}}}}, "[0].paths[0].path"},
      {{{std::nullopt, {{"/a"}, {"/a"}}}}, "[0].paths[1].path"},
      {{{std::nullopt, {{"/a", true}, {"/a", true}}}}, "[0].paths[1].exact"},
  };
  for (const Case& c : cases) {
    Error err;
    const auto m = RuleMatcher::Build(c.rules, &err);
    EXPECT_EQ(m.status(), Status::ERR_CONFIG) << c.field;
    EXPECT_EQ(err.field, c.field) << err.message;
    EXPECT_FALSE(err.message.empty());
  }
  // A prefix, an "under" prefix and an exact path on the same string are three rules, not a clash.
  Build({{std::nullopt, {{"/a"}, {"/a/"}, {"/a", true}}}});
}

TEST(RuleMatcher, ThousandRulesStillMatchExactly) {
  HostRuleSpec rule{"example.com", {}};
  for (int i = 0; i < 1000; ++i) rule.paths.push_back({"/svc" + std::to_string(i) + "/v" + std::to_string(i % 7)});
  const RuleMatcher m = Build({rule});
  for (int i = 0; i < 1000; i += 37) {
    const std::string p = "/svc" + std::to_string(i) + "/v" + std::to_string(i % 7);
    EXPECT_EQ(m.Find("example.com", p + "/items/1").path, i);
    EXPECT_EQ(m.Find("example.com", p).path, i);
    EXPECT_EQ(m.Find("example.com", "/svc" + std::to_string(i) + "/other").path, -1);
  }
}

}  // namespace
}  // namespace tokenverify::internal
