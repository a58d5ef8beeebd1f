// The token JSON parsers (ParseHeader / ParsePayload: the fast path of
// json/fast_path.h in front of the scanner of json/scanner.h): exact statuses and
// values, each also checked against the simdjson walk they replaced (the
// oracle of fuzz/json_differential.cc), including which failure wins when a
// document has several; and which documents the fast path takes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "json/fast_path.h"
#include "json/member_memo.h"
#include "support/oracle/token_simdjson.h"
#include "token/token.h"

namespace tokenverify::internal {
namespace {

struct Scratch {
  TokenJsonScratch scanner;
  JsonScratch oracle;
  std::vector<std::string_view> strings, oracle_strings, memo_strings;
  PayloadMemo memo;  // carried from document to document, as the verifier's
};

Scratch& S() {
  static Scratch s;  // reused on purpose, like the verifier's per-thread scratch
  return s;
}

JoseHeader g_header;

Status Header(std::string_view json, int max_depth = 32) {
  Scratch& s = S();
  std::memcpy(s.scanner.Reserve(json.size()), json.data(), json.size());
  g_header = JoseHeader();
  const Status scanned = ParseHeader(s.scanner, json.size(), max_depth, &g_header);
  JoseHeader want;
  simdjson::ondemand::document doc;
  Status walked = StartSimdjsonDocument(json, s.oracle, &doc);
  if (walked == Status::OK) walked = ParseHeaderSimdjson(doc, max_depth, s.oracle.names(), &want);
  EXPECT_EQ(scanned, walked) << "the simdjson walk disagrees on " << json;
  return scanned;
}

const ClaimInterest& Interest() {
  static const ClaimInterest interest = [] {
    ClaimInterest ci;
    for (auto [name, values] : {std::pair{"team", true}, {"exp", false}, {"sub", true}, {"roles", true}})
      ci.Add(name, values);
    return ci;
  }();
  return interest;
}

PayloadView g_payload;

// What two parses of one payload read alike.
void ExpectSameView(const PayloadView& a, const PayloadView& b, std::string_view json) {
  EXPECT_EQ(a.has_exp, b.has_exp) << json;
  EXPECT_EQ(a.exp, b.exp) << json;
  EXPECT_EQ(a.has_nbf, b.has_nbf) << json;
  EXPECT_EQ(a.nbf, b.nbf) << json;
  EXPECT_EQ(a.has_iat, b.has_iat) << json;
  EXPECT_EQ(a.iat, b.iat) << json;
  EXPECT_EQ(a.has_iss, b.has_iss) << json;
  EXPECT_EQ(a.iss, b.iss) << json;
  EXPECT_EQ(a.has_sub, b.has_sub) << json;
  EXPECT_EQ(a.sub, b.sub) << json;
  EXPECT_EQ(a.has_aud, b.has_aud) << json;
  EXPECT_TRUE(std::ranges::equal(a.Strings(a.aud), b.Strings(b.aud))) << json;
  EXPECT_EQ(a.present, b.present) << json;
  for (size_t i = 0; i < ClaimInterest::kMax; ++i)
    EXPECT_TRUE(std::ranges::equal(a.Strings(a.values[i]), b.Strings(b.values[i]))) << json << " values " << i;
}

// ParsePayload, checked against the simdjson walk, and against itself with
// the member memo every call here shares (the names of whatever document
// came before: hits, misses and partial hits alike).
Status Payload(std::string_view json, int max_depth = 32) {
  Scratch& s = S();
  std::memcpy(s.scanner.Reserve(json.size()), json.data(), json.size());
  PayloadView with_memo;
  with_memo.strings = &s.memo_strings;
  const Status remembered = ParsePayload(s.scanner, json.size(), max_depth, Interest(), &with_memo, {}, &s.memo);
  g_payload = PayloadView();
  g_payload.strings = &s.strings;
  const Status scanned = ParsePayload(s.scanner, json.size(), max_depth, Interest(), &g_payload);
  EXPECT_EQ(remembered, scanned) << "the member memo changes the answer on " << json;
  if (remembered == Status::OK && scanned == Status::OK) ExpectSameView(with_memo, g_payload, json);
  PayloadView want;
  want.strings = &s.oracle_strings;
  simdjson::ondemand::document doc;
  Status walked = StartSimdjsonDocument(json, s.oracle, &doc);
  if (walked == Status::OK) walked = ParsePayloadSimdjson(doc, max_depth, s.oracle.names(), Interest(), &want);
  EXPECT_EQ(scanned, walked) << "the simdjson walk disagrees on " << json;
  return scanned;
}

std::vector<std::string> Strings(StringRange r) {
  std::vector<std::string> out;
  for (std::string_view v : g_payload.Strings(r)) out.emplace_back(v);
  return out;
}

TEST(TokenJson, ReadsTheHeader) {
  ASSERT_EQ(Header(R"({"alg":"ES256","kid":"k1","typ":"JWT","jwk":{"kty":"oct"},"x5c":["a"]})"), Status::OK);
  EXPECT_EQ(g_header.alg, Alg::kES256);
  EXPECT_TRUE(g_header.has_kid);
  EXPECT_EQ(g_header.kid, "k1");
  EXPECT_EQ(g_header.typ, "JWT");
  ASSERT_EQ(Header(" {\"\\u0061lg\" : \"HS256\", \"kid\":\"k\\u00e9y\\n\\ud83d\\ude00\"}\n"), Status::OK);
  EXPECT_EQ(g_header.alg, Alg::kHS256);
  EXPECT_EQ(g_header.kid, "k\xC3\xA9y\n\xF0\x9F\x98\x80");
  EXPECT_FALSE(g_header.has_typ);
  ASSERT_EQ(Header(R"({"alg":"HS256","b64":true})"), Status::OK);
}

TEST(TokenJson, HeaderStatuses) {
  EXPECT_EQ(Header(R"({"kid":"k1"})"), Status::ERR_MISSING_ALG);
  EXPECT_EQ(Header(R"({"alg":"none"})"), Status::ERR_ALG_NONE);
  EXPECT_EQ(Header(R"({"alg":"HS256 "})"), Status::ERR_ALG_UNSUPPORTED);
  EXPECT_EQ(Header(R"({"alg":["HS256"]})"), Status::ERR_MALFORMED_HEADER);
  EXPECT_EQ(Header(R"({"alg":"HS256","kid":7})"), Status::ERR_MALFORMED_HEADER);
  EXPECT_EQ(Header(R"({"alg":"HS256","b64":"no"})"), Status::ERR_MALFORMED_HEADER);
  EXPECT_EQ(Header(R"({"alg":"HS256","b64":false})"), Status::ERR_B64_UNSUPPORTED);
  EXPECT_EQ(Header(R"({"alg":"HS256","crit":[]})"), Status::ERR_CRIT_UNSUPPORTED);
  EXPECT_EQ(Header(R"({"alg":"HS256","alg":"HS256"})"), Status::ERR_DUPLICATE_MEMBER);
  EXPECT_EQ(Header("\xEF\xBB\xBF{\"alg\":\"HS256\"}"), Status::ERR_JSON_BOM);
  EXPECT_EQ(Header(R"({"alg":"HS256"} x)"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Header(R"({"alg":"HS256"}})"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Header(R"(["alg"])"), Status::ERR_JSON_NOT_OBJECT);
  EXPECT_EQ(Header(""), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Header(" \n"), Status::ERR_MALFORMED_JSON);
}

// A document with several faults answers as the simdjson walk did: UTF-8,
// unclosed strings and raw control characters anywhere first, then the
// shape of the root, then the first fault in document order.
TEST(TokenJson, WhichFaultWins) {
  EXPECT_EQ(Header("{\"crit\":1,\"x\":\"\xFF\"}"), Status::ERR_INVALID_UTF8);
  EXPECT_EQ(Header("{\"crit\":1,\"x\":\"a\tb\"}"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Header(R"({"crit":1,"x":"abc)"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Header(R"({"crit":1,"x":tru)"), Status::ERR_MALFORMED_JSON);  // no closing brace
  EXPECT_EQ(Header(R"({"crit":1,"x":tru})"), Status::ERR_CRIT_UNSUPPORTED);
  EXPECT_EQ(Header(R"({"alg":"none","a":1,"a":2})"), Status::ERR_DUPLICATE_MEMBER);
  EXPECT_EQ(Header("x{\"alg\":\"\xFF\"}"), Status::ERR_INVALID_UTF8);
  EXPECT_EQ(Header(R"(x{"alg":"HS256"})"), Status::ERR_JSON_NOT_OBJECT);
  EXPECT_EQ(Payload(R"({"a":1,"a":2,"iss":7})"), Status::ERR_MALFORMED_CLAIM);
  EXPECT_EQ(Payload(R"({"a":1,"a":2,"x":{"b":1,"b":2},"iss":7})"), Status::ERR_DUPLICATE_MEMBER);
  EXPECT_EQ(Payload(R"({"iss":7,"x":tru})"), Status::ERR_MALFORMED_CLAIM);
  EXPECT_EQ(Payload(R"({"iss":{"a":tru},"x":1})"), Status::ERR_MALFORMED_JSON);
}

TEST(TokenJson, ReadsThePayload) {
  ASSERT_EQ(Payload(R"({"iss":"https://i.example","sub":"al\u0069ce","aud":["a","b"],"exp":1800000000,)"
                    R"("nbf":-5,"iat":1.9e9,"team":["dev",1,{"x":[]},"ops"],"roles":{"a":"b"},"other":[1]})"),
            Status::OK);
  EXPECT_EQ(g_payload.iss, "https://i.example");
  EXPECT_EQ(g_payload.sub, "alice");
  EXPECT_EQ(Strings(g_payload.aud), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(g_payload.exp, 1800000000);
  EXPECT_EQ(g_payload.nbf, -5);
  EXPECT_EQ(g_payload.iat, 1900000000);
  EXPECT_EQ(g_payload.present, 0b1111u);
  EXPECT_EQ(Strings(g_payload.values[0]), (std::vector<std::string>{"dev", "ops"}));
  EXPECT_EQ(Strings(g_payload.values[2]), (std::vector<std::string>{"alice"}));
  EXPECT_TRUE(Strings(g_payload.values[3]).empty());  // an object contributes no values
  ASSERT_EQ(Payload(R"({"aud":"solo","team":"\"q\""})"), Status::OK);
  EXPECT_EQ(Strings(g_payload.aud), (std::vector<std::string>{"solo"}));
  EXPECT_EQ(Strings(g_payload.values[0]), (std::vector<std::string>{"\"q\""}));
  EXPECT_EQ(g_payload.present, 0b1u);
}

TEST(TokenJson, NumericDates) {
  auto exp_of = [](const std::string& number) {
    EXPECT_EQ(Payload("{\"exp\":" + number + "}"), Status::OK) << number;
    return g_payload.exp;
  };
  EXPECT_EQ(exp_of("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(exp_of("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(exp_of("-0"), 0);
  EXPECT_EQ(exp_of("1800000000.999"), 1800000000);
  EXPECT_EQ(exp_of("-0.5"), -1);
  EXPECT_EQ(exp_of("1e3"), 1000);
  EXPECT_EQ(exp_of("12.5E+1 "), 125);
  EXPECT_EQ(exp_of("1e-400"), 0);   // rounds to zero
  EXPECT_EQ(exp_of("-1e-400"), 0);  // to -0.0
  // simdjson's get_number() read these as 0.0 (20+ integer digits with a
  // fraction or exponent); the walk now re-reads the raw number too.
  EXPECT_EQ(exp_of("100000000000000000000e-2"), 1000000000000000000);
  EXPECT_EQ(exp_of("123456789012345678901.5e-12"), 123456789);
  for (const char* bad :
       {"9223372036854775808", "18446744073709551616", "123456789012345678901234567890", "9.3e18", "1e400", "-9.3e18",
        "19223372036854775807.5", "-19223372036854775807.5", "\"1\"", "true", "null", "[1]", "{}"})
    EXPECT_EQ(Payload(std::string("{\"exp\":") + bad + "}"), Status::ERR_MALFORMED_CLAIM) << bad;
  for (const char* bad : {"01", "1.", "-", "1e", ".5", "+1", "1x", "0x10", "tru"})
    EXPECT_EQ(Payload(std::string("{\"exp\":") + bad + "}"), Status::ERR_MALFORMED_JSON) << bad;
}

TEST(TokenJson, StringsAndUtf8) {
  EXPECT_EQ(Payload("{\"a\":\"\xC3\x28\"}"), Status::ERR_INVALID_UTF8);
  EXPECT_EQ(Payload("{\"a\":\"\xED\xA0\x80\"}"), Status::ERR_INVALID_UTF8);
  EXPECT_EQ(Payload("{\"a\":\"\xF4\x90\x80\x80\"}"), Status::ERR_INVALID_UTF8);
  EXPECT_EQ(Payload("{\"a\":\"\xE2\x82\"}"), Status::ERR_INVALID_UTF8);
  EXPECT_EQ(Payload(R"({"a":"\ud800"})"), Status::ERR_INVALID_UTF8);
  EXPECT_EQ(Payload(R"({"sub":"\udc00x"})"), Status::ERR_INVALID_UTF8);
  EXPECT_EQ(Payload(R"({"team":"\ud800\u0041"})"), Status::ERR_INVALID_UTF8);
  EXPECT_EQ(Payload(R"({"\ud800":1})"), Status::ERR_MALFORMED_JSON);  // in a name simdjson says malformed
  EXPECT_EQ(Payload(R"({"a":"\q"})"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Payload(R"({"a":"\u12G4"})"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Payload(R"({"a":"\ud83d\ude00\q" })"), Status::ERR_INVALID_UTF8);  // judged by the raw text
  EXPECT_EQ(Payload(std::string("{\"a\":\"nul\0here\"}", 16)), Status::ERR_MALFORMED_JSON);
  // Long strings cross the 16-byte blocks of the string scan.
  const std::string long_ascii(100, 'x');
  ASSERT_EQ(Payload("{\"sub\":\"" + long_ascii + "\\n" + long_ascii + "\xC3\xA9\"}"), Status::OK);
  EXPECT_EQ(g_payload.sub, long_ascii + "\n" + long_ascii + "\xC3\xA9");
}

TEST(TokenJson, DuplicatesAndDepth) {
  EXPECT_EQ(Payload(R"({"a":1,"\u0061":2})"), Status::ERR_DUPLICATE_MEMBER);
  EXPECT_EQ(Payload(R"({"x":[{"b":1},{"b":1,"b":1}]})"), Status::ERR_DUPLICATE_MEMBER);
  EXPECT_EQ(Payload(R"({"a":1,"A":2,"x":{"a":1}})"), Status::OK);
  std::string big = "{";
  for (int i = 0; i < 100; ++i) big += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  EXPECT_EQ(Payload(big + "\"k99x\":0}"), Status::OK);
  EXPECT_EQ(Payload(big + "\"k42\":0}"), Status::ERR_DUPLICATE_MEMBER);
  // Thousands of members (a hostile 16 KiB payload): the top-level filter
  // fills up and the names are sorted once instead of compared pairwise.
  std::string huge = "{";
  for (int i = 0; i < 3000; ++i) huge += "\"m" + std::to_string(i) + "\":0,";
  EXPECT_EQ(Payload(huge + "\"last\":0}"), Status::OK);
  EXPECT_EQ(Payload(huge + "\"m2999\":0}"), Status::ERR_DUPLICATE_MEMBER);
  EXPECT_EQ(Payload(huge + "\"m0\":0}"), Status::ERR_DUPLICATE_MEMBER);
  EXPECT_EQ(Payload(R"({"a":[1]})", 2), Status::OK);
  EXPECT_EQ(Payload(R"({"a":[[1]]})", 2), Status::ERR_JSON_TOO_DEEP);
  EXPECT_EQ(Payload(R"({"aud":[[1]]})", 2), Status::ERR_JSON_TOO_DEEP);
  EXPECT_EQ(Payload(R"({"aud":[[1]]})", 3), Status::ERR_MALFORMED_CLAIM);
  EXPECT_EQ(Payload(R"({"team":[{"a":{}}]})", 3), Status::ERR_JSON_TOO_DEEP);
  EXPECT_EQ(Payload("{\"a\":" + std::string(100000, '[') + "}", 32), Status::ERR_JSON_TOO_DEEP);
  EXPECT_EQ(Payload("{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}", 32),
            Status::ERR_JSON_TOO_DEEP);
}

// The interest table the payload scan looks names up in: indexes are stable,
// repeated names share one, wants_values sticks, long names compare by text.
TEST(TokenJson, ClaimInterestTable) {
  ClaimInterest ci;
  EXPECT_EQ(ci.Add("tenant", false), 0);
  EXPECT_EQ(ci.Add("email_verified", false), 1);
  EXPECT_EQ(ci.Add("email_verifiee", true), 2);  // same length and tail as index 1
  EXPECT_EQ(ci.Add("tenant", true), 0);
  EXPECT_EQ(ci.Add("aud", true), 3);
  EXPECT_EQ(ci.size(), 4u);
  EXPECT_TRUE(ci.wants_values(0));
  EXPECT_FALSE(ci.wants_values(1));
  EXPECT_EQ(ci.Find("email_verifiee"), 2);
  EXPECT_EQ(ci.Find("nope"), -1);

  const std::string doc =
      R"({"aud":"a","email_verifiee":"x","tenant":["t1","t2"],"email_verified":true,"exp":1,"other":1})";
  Scratch& s = S();
  std::memcpy(s.scanner.Reserve(doc.size()), doc.data(), doc.size());
  PayloadView pv;
  pv.strings = &s.strings;
  ASSERT_EQ(ParsePayload(s.scanner, doc.size(), 32, ci, &pv), Status::OK);
  EXPECT_EQ(pv.present, 0b1111u);
  EXPECT_TRUE(pv.has_aud);
  EXPECT_TRUE(pv.has_exp);
  EXPECT_EQ(pv.exp, 1);
  ASSERT_EQ(pv.values[0].count, 2u);
  EXPECT_EQ(pv.Strings(pv.values[0])[1], "t2");
  ASSERT_EQ(pv.values[2].count, 1u);
  EXPECT_EQ(pv.Strings(pv.values[2])[0], "x");
  ASSERT_EQ(pv.values[3].count, 1u);
  EXPECT_EQ(pv.Strings(pv.values[3])[0], "a");
  EXPECT_EQ(pv.values[1].count, 0u);

  // An interest of more than kMax names keeps counting (the verifier then
  // refuses its configuration) without filling the table.
  ClaimInterest many;
  for (int i = 0; i < 300; ++i) EXPECT_EQ(many.Add("claim" + std::to_string(i), i % 2 == 0), i);
  EXPECT_EQ(many.size(), 300u);
}

// Which path a document takes: FastPayload is true when the fast path alone
// walked it (and then reads what the scanner alone reads).
bool FastHeader(std::string_view json, int max_depth = 32) {
  Scratch& s = S();
  std::memcpy(s.scanner.Reserve(json.size()), json.data(), json.size());
  JoseHeader fast, slow;
  Status verdict = Status::OK;
  if (!ParseHeaderFast(s.scanner, json.size(), max_depth, &fast, &verdict)) return false;
  EXPECT_EQ(verdict, ParseHeaderScanner(s.scanner, json.size(), max_depth, &slow)) << json;
  EXPECT_EQ(fast.alg, slow.alg) << json;
  EXPECT_EQ(fast.kid, slow.kid) << json;
  EXPECT_EQ(fast.typ, slow.typ) << json;
  return true;
}

bool FastPayload(std::string_view json, int max_depth = 32) {
  Scratch& s = S();
  std::memcpy(s.scanner.Reserve(json.size()), json.data(), json.size());
  std::vector<std::string_view> fast_strings, slow_strings;
  PayloadView fast, slow;
  fast.strings = &fast_strings;
  slow.strings = &slow_strings;
  if (!ParsePayloadFast(s.scanner, json.size(), max_depth, Interest(), &fast)) return false;
  EXPECT_EQ(ParsePayloadScanner(s.scanner, json.size(), max_depth, Interest(), &slow), Status::OK) << json;
  ExpectSameView(fast, slow, json);
  EXPECT_EQ(fast_strings, slow_strings) << json;
  return true;
}

// Compact documents without escapes take the fast path, flat values and
// arrays of them included, long strings and large documents too.
TEST(TokenJsonFastPath, TakesCompactTokens) {
  EXPECT_TRUE(FastHeader(R"({"alg":"ES256","kid":"k1","typ":"JWT"})"));
  EXPECT_TRUE(FastHeader(R"({"alg":"HS256","b64":true,"x5c":["a","b"]})"));
  EXPECT_TRUE(FastHeader(R"({"kid":"k1"})"));  // ERR_MISSING_ALG after a full walk
  EXPECT_TRUE(FastHeader(R"({"alg":"none"})"));
  EXPECT_TRUE(FastPayload(R"({"iss":"https://i.example","sub":"alice","aud":["a","b"],"exp":1800000000,)"
                          R"("nbf":-5,"iat":0,"team":["dev",1,true,null,[],"ops"],"roles":"r","n":-1.5e-3,"x":[]})"));
  EXPECT_TRUE(FastPayload(R"({"aud":[],"team":false,"sub":""})"));
  // Nested objects and arrays (skipped, checked for duplicates and depth).
  EXPECT_TRUE(FastHeader(R"({"alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"a","y":"b"},"kid":"k"})"));
  EXPECT_TRUE(FastPayload(R"({"realm_access":{"roles":["a","b"]},"x":[[1,[]],{},{"a":{"a":{}}}],)"
                          R"("team":["dev",{"b":1},["c"],"ops"],"sub":"s","cnf":{"jkt":"t"}})"));
  EXPECT_TRUE(FastPayload(R"({"a":[{"b":[1,{"c":{}}]}]})", 6));
  EXPECT_EQ(Payload(R"({"a":[{"b":[1,{"c":{}}]}]})", 5), Status::ERR_JSON_TOO_DEEP);
  const std::string s(200, 's'), name(70, 'n');
  EXPECT_TRUE(FastPayload("{\"" + name + "\":\"" + s + "\",\"sub\":\"" + s + "\",\"" + name + "x\":1}"));
  std::string many = "{";
  for (int i = 0; i < 47; ++i) many += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  EXPECT_TRUE(FastPayload(many + "\"last\":0}"));  // 48 members: the most it takes
  EXPECT_TRUE(FastPayload("{\"a\":\"" + std::string(5000, 'x') + "\"}"));
  EXPECT_FALSE(FastPayload(many + "\"k47\":0,\"last\":0}"));

  ASSERT_EQ(Payload(R"({"iss":"i","team":["dev","ops"],"aud":"a","exp":1800000000,"sub":"s"})"), Status::OK);
  EXPECT_EQ(Strings(g_payload.values[0]), (std::vector<std::string>{"dev", "ops"}));
  EXPECT_EQ(Strings(g_payload.values[2]), (std::vector<std::string>{"s"}));
  EXPECT_EQ(Strings(g_payload.aud), (std::vector<std::string>{"a"}));
  EXPECT_EQ(g_payload.present, 0b111u);
}

// Everything else goes to the scanner, which gives the status; a fallback
// after the fast path read some members leaves no trace of them.
TEST(TokenJsonFastPath, LeavesTheRestToTheScanner) {
  EXPECT_FALSE(FastHeader(R"({"alg":"HS256", "kid":"k1"})"));  // whitespace
  EXPECT_FALSE(FastHeader("{\"alg\":\"HS256\"}\n"));
  EXPECT_FALSE(FastHeader(R"({"alg":"HS\u0032"})"));                     // an escape
  EXPECT_FALSE(FastHeader("{\"alg\":\"HS256\",\"kid\":\"\xC3\xA9\"}"));  // non-ASCII
  EXPECT_FALSE(FastHeader(R"({"alg":"HS256","crit":["exp"]})"));         // a failure
  EXPECT_FALSE(FastHeader("{}"));
  EXPECT_FALSE(FastHeader(""));
  EXPECT_FALSE(FastPayload(R"({"a":1,"b":2,"a":3})"));   // a duplicate
  EXPECT_FALSE(FastPayload(R"({"exp":"1800000000"})"));  // a wrong type
  EXPECT_FALSE(FastPayload(R"({"exp":1800000000.5})"));  // a fraction date
  EXPECT_FALSE(FastPayload(R"({"exp":01})"));
  EXPECT_FALSE(FastPayload(R"({"sub":"abc)"));                    // unclosed
  EXPECT_FALSE(FastPayload(R"({"sub":"abc"}x)"));                 // trailing bytes
  EXPECT_FALSE(FastPayload(R"({"a":{"b":1,"b":2}})"));            // a nested duplicate
  EXPECT_FALSE(FastPayload(R"({"a":[{"b":[1,{"c":{}}]}]})", 4));  // over the depth limit
  EXPECT_FALSE(FastPayload(R"({"aud":[{"a":1}]})"));              // a wrong type
  EXPECT_FALSE(FastPayload(R"({"aud":["a"]})", 1));               // over the depth limit
  EXPECT_FALSE(FastPayload("{\"a\":1\x0c}"));                     // a control byte after a number
  EXPECT_FALSE(FastPayload("{\"sub\":\"a\x01\"}"));               // a control byte in a string

  EXPECT_EQ(Payload(R"({"a":{"b":1,"b":2}})"), Status::ERR_DUPLICATE_MEMBER);
  EXPECT_EQ(Payload(R"({"a":[{"b":[1,{"c":{}}]}]})", 4), Status::ERR_JSON_TOO_DEEP);
  EXPECT_EQ(Payload(R"({"a":1,"b":2,"a":3})"), Status::ERR_DUPLICATE_MEMBER);
  EXPECT_EQ(Payload(R"({"sub":"abc)"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Payload(R"({"exp":"1800000000"})"), Status::ERR_MALFORMED_CLAIM);
  // The fast path reads team, sub and roles, then meets an object of 17
  // members (it checks up to 16 for duplicates): the scanner's answer has
  // each value once.
  std::string wide = "{";
  for (int i = 0; i < 17; ++i) wide += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + (i < 16 ? "," : "}");
  const std::string doc = R"({"team":["dev","ops"],"sub":"s","roles":"r","x":)" + wide + R"(,"z":1})";
  EXPECT_FALSE(FastPayload(doc));
  ASSERT_EQ(Payload(doc), Status::OK);
  EXPECT_EQ(g_payload.strings->size(), 4u);
  EXPECT_EQ(Strings(g_payload.values[0]), (std::vector<std::string>{"dev", "ops"}));
  EXPECT_EQ(Strings(g_payload.values[2]), (std::vector<std::string>{"s"}));
  EXPECT_EQ(Strings(g_payload.values[3]), (std::vector<std::string>{"r"}));
  EXPECT_EQ(g_payload.present, 0b1101u);
}

// Documents that end where a string, a name or a value could start: the fast
// path must stop in the padding after them (ASan sees an overrun here: a
// fresh scratch holds no quote past the padding).
TEST(TokenJsonFastPath, StopsAtTheEnd) {
  for (std::string_view doc : {"{", "{\"", "{\"a\":", "{\"a\":1,", "{\"a\":\"", "{\"a\":[", "{\"a\":[\"b\",", "{\"a\"",
                               "{\"a\":\"b\"", "{\"a\":\"b\"}\"", ""}) {
    TokenJsonScratch fresh;
    std::memcpy(fresh.Reserve(doc.size()), doc.data(), doc.size());
    JoseHeader h;
    Status verdict = Status::OK;
    EXPECT_FALSE(ParseHeaderFast(fresh, doc.size(), 32, &h, &verdict)) << doc;
    std::vector<std::string_view> strings;
    PayloadView pv;
    pv.strings = &strings;
    EXPECT_FALSE(ParsePayloadFast(fresh, doc.size(), 32, Interest(), &pv)) << doc;
    EXPECT_EQ(Payload(doc), Status::ERR_MALFORMED_JSON) << doc;  // the scanner's answer, as simdjson's
  }
}

// The interleaved work's slices: the first member and every second one; the
// scanner runs none (its caller finishes the work).
TEST(TokenJsonFastPath, RunsASliceEverySecondMember) {
  for (const auto& [doc, want] :
       {std::pair<std::string, int>{R"({"a":1,"b":"x","c":[1,2],"d":{"e":1},"exp":5,"f":true,"g":null})", 4},
        {R"({"a":1,"b":"x","c":[1,2],"d":{"e":1},"exp":5,"f":true})", 3},
        {R"({"exp":5})", 1}}) {
    int slices = 0;
    InterleavedWork work{[](void* n) noexcept { ++*static_cast<int*>(n); }, &slices};
    TokenJsonScratch fresh;
    std::memcpy(fresh.Reserve(doc.size()), doc.data(), doc.size());
    std::vector<std::string_view> strings;
    PayloadView pv;
    pv.strings = &strings;
    ASSERT_EQ(ParsePayload(fresh, doc.size(), 32, Interest(), &pv, work), Status::OK);
    EXPECT_EQ(slices, want) << doc;
    EXPECT_EQ(pv.exp, 5);
  }
  const std::string spaced = R"({ "a":1,"b":2})";  // whitespace: the scanner's from the start
  int slices = 0;
  TokenJsonScratch fresh;
  std::memcpy(fresh.Reserve(spaced.size()), spaced.data(), spaced.size());
  std::vector<std::string_view> strings;
  PayloadView pv;
  pv.strings = &strings;
  ASSERT_EQ(ParsePayload(fresh, spaced.size(), 32, Interest(), &pv,
                         {[](void* n) noexcept { ++*static_cast<int*>(n); }, &slices}),
            Status::OK);
  EXPECT_EQ(slices, 0);
}

// The member memo (json/member_memo.h) on the fast cursor itself: which
// names it predicts (resolve is not called for them), and that a document
// it predicts in part is still checked whole.
struct MemoWalk {
  Status status = Status::OK;
  int resolved = 0;                // names resolve() was asked for: not predicted
  std::vector<std::string> names;  // as on_member saw them
};

// What the test resolver makes of a name: any function of the name will do.
int Resolution(std::string_view name) { return static_cast<int>(std::hash<std::string_view>{}(name)&0x7FFFFFFF); }

MemoWalk WalkWithMemo(MemberMemo<int>& memo, std::string_view json, uint64_t owner = 1) {
  TokenJsonScratch doc;
  std::memcpy(doc.Reserve(json.size()), json.data(), json.size());
  MemoWalk w;
  EXPECT_TRUE(FastJsonCursor::Admits(doc, json.size())) << json;
  FastJsonCursor c(doc, json.size(), 32);
  w.status = c.WalkObject(
      &memo, owner,
      [&](const MemberName& name) {
        ++w.resolved;
        return Resolution(name.text);
      },
      [&](const MemberName& name, int resolved) {
        // Predicted or not, on_member gets the name, its fingerprint and its resolution.
        EXPECT_EQ(resolved, Resolution(name.text)) << name.text;
        EXPECT_EQ(name.fingerprint, NameFingerprint(name.text.data(), name.text.size())) << name.text;
        w.names.emplace_back(name.text);
        return c.SkipValue(1);
      });
  return w;
}

using Names = std::vector<std::string>;

TEST(TokenJsonMemberMemo, PredictsTheNamesOfTheLastDocument) {
  MemberMemo<int> memo;
  MemoWalk w = WalkWithMemo(memo, R"({"iss":"a","sub":"b","email_verified":true})");
  EXPECT_EQ(w.status, Status::OK);
  EXPECT_EQ(w.resolved, 3);
  EXPECT_EQ(memo.size(1), 3u);
  w = WalkWithMemo(memo, R"({"iss":"other","sub":"values","email_verified":false})");
  EXPECT_EQ(w.status, Status::OK);
  EXPECT_EQ(w.resolved, 0);
  EXPECT_EQ(w.names, (Names{"iss", "sub", "email_verified"}));
  // Another owner resolves every name again (and takes the memo over).
  w = WalkWithMemo(memo, R"({"iss":"a","sub":"b","email_verified":true})", 2);
  EXPECT_EQ(w.resolved, 3);
  EXPECT_EQ(memo.size(1), 0u);
  EXPECT_EQ(memo.size(2), 3u);
}

TEST(TokenJsonMemberMemo, AMissEndsThePrediction) {
  MemberMemo<int> memo;
  ASSERT_EQ(WalkWithMemo(memo, R"({"a":1,"b":2,"c":3})").status, Status::OK);
  MemoWalk w = WalkWithMemo(memo, R"({"a":1,"x":2,"c":3})");
  EXPECT_EQ(w.status, Status::OK);
  EXPECT_EQ(w.resolved, 2);  // x, and c after it
  EXPECT_EQ(w.names, (Names{"a", "x", "c"}));
  EXPECT_EQ(WalkWithMemo(memo, R"({"a":1,"x":2,"c":3})").resolved, 0);
  // Longer and shorter names than the memo's, same start.
  EXPECT_EQ(WalkWithMemo(memo, R"({"ab":1,"x":2,"c":3})").resolved, 3);
  EXPECT_EQ(WalkWithMemo(memo, R"({"a":1,"x":2,"c":3})").resolved, 3);
  // Fewer members: all predicted, the memo keeps its longer list.
  w = WalkWithMemo(memo, R"({"a":1,"x":2})");
  EXPECT_EQ(w.resolved, 0);
  EXPECT_EQ(memo.size(1), 3u);
  // More members: the rest are resolved and kept.
  EXPECT_EQ(WalkWithMemo(memo, R"({"a":1,"x":2,"c":3,"d":4})").resolved, 1);
  EXPECT_EQ(memo.size(1), 4u);
}

TEST(TokenJsonMemberMemo, DuplicatesOfPredictedNamesAreFound) {
  MemberMemo<int> memo;
  ASSERT_EQ(WalkWithMemo(memo, R"({"a":1,"b":2,"c":3})").status, Status::OK);
  EXPECT_EQ(WalkWithMemo(memo, R"({"a":1,"b":2,"a":3})").status, kFallback);
  EXPECT_EQ(WalkWithMemo(memo, R"({"a":1,"b":2,"c":3,"b":4})").status, kFallback);
  // A walk that fails keeps nothing of what it met: the same duplicate again
  // is found again.
  for (int i = 0; i < 2; ++i) EXPECT_EQ(WalkWithMemo(memo, R"({"a":1,"x":2,"x":3})").status, kFallback);
  EXPECT_EQ(memo.size(1), 1u);  // "a", which both walks matched
  // Trailing bytes after a wholly predicted object.
  ASSERT_EQ(WalkWithMemo(memo, R"({"a":1,"b":2})").status, Status::OK);
  EXPECT_EQ(WalkWithMemo(memo, R"({"a":1,"b":2}x)").status, kFallback);
  EXPECT_EQ(WalkWithMemo(memo, R"({"a":1,"b":2,)").status, kFallback);
}

TEST(TokenJsonMemberMemo, KeepsShortNamesUpToTheFirstLongOne) {
  MemberMemo<int> memo;
  const std::string fourteen(14, 'f'), fifteen(15, 'g');
  const std::string doc = "{\"a\":1,\"" + fourteen + "\":2,\"" + fifteen + "\":3,\"b\":4}";
  ASSERT_EQ(WalkWithMemo(memo, doc).status, Status::OK);
  EXPECT_EQ(memo.size(1), 2u);
  EXPECT_EQ(WalkWithMemo(memo, doc).resolved, 2);
  std::string many = "{";
  for (int i = 0; i < 40; ++i) many += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + (i < 39 ? "," : "}");
  ASSERT_EQ(WalkWithMemo(memo, many).status, Status::OK);
  EXPECT_EQ(memo.size(1), MemberMemo<int>::kMaxMembers);
  const MemoWalk w = WalkWithMemo(memo, many);
  EXPECT_EQ(w.resolved, 40 - static_cast<int>(MemberMemo<int>::kMaxMembers));
  EXPECT_EQ(w.names.size(), 40u);
}

// Documents that end where a predicted name would be read: the compare
// reads the padding after them, which matches no name.
TEST(TokenJsonMemberMemo, StopsAtTheEnd) {
  MemberMemo<int> memo;
  ASSERT_EQ(WalkWithMemo(memo, R"({"a":1,"b":2})").status, Status::OK);
  for (std::string_view doc : {"{\"", "{\"a\":1,", "{\"a\":1,\"", "{\"a\":1,\"b\"", "{\"a\":1,\"b\":"})
    EXPECT_EQ(WalkWithMemo(memo, doc).status, kFallback) << doc;
}

TEST(TokenJsonMemberMemo, EveryTableHasItsOwnSerial) {
  ClaimInterest a, b;
  EXPECT_NE(a.serial(), 0u);
  EXPECT_NE(a.serial(), b.serial());
  const ClaimInterest copy = a;
  EXPECT_NE(copy.serial(), a.serial());
  const uint64_t before = a.serial();
  a.Add("team", true);
  EXPECT_NE(a.serial(), before);
  b = a;
  EXPECT_NE(b.serial(), a.serial());
}

// Through ParsePayload: one memo, two tables resolving the same names
// differently, documents alternating; each parse reads what it reads without
// the memo.
TEST(TokenJsonMemberMemo, ParsePayloadReadsTheSameWithAMemo) {
  ClaimInterest first, second;
  first.Add("team", true);
  first.Add("roles", false);
  second.Add("roles", true);
  second.Add("team", false);
  PayloadMemo memo;
  const std::string docs[] = {
      R"({"iss":"i","team":["dev","ops"],"roles":"r","exp":1800000000,"sub":"s"})",
      R"({"iss":"j","team":"qa","roles":["x","y"],"exp":1800000001,"sub":"t"})",
      R"({"iss":"j","team":null,"roles":["x","y"],"exp":1800000001})",
      R"({"iss":"j","team":null,"exp":"not a date"})",
  };
  for (int round = 0; round < 3; ++round) {
    for (const std::string& doc : docs) {
      for (const ClaimInterest* ci : {&first, &second}) {
        TokenJsonScratch scratch;
        std::memcpy(scratch.Reserve(doc.size()), doc.data(), doc.size());
        std::vector<std::string_view> a_strings, b_strings;
        PayloadView with, without;
        with.strings = &a_strings;
        without.strings = &b_strings;
        const Status got = ParsePayload(scratch, doc.size(), 32, *ci, &with, {}, &memo);
        ASSERT_EQ(got, ParsePayload(scratch, doc.size(), 32, *ci, &without)) << doc;
        if (got == Status::OK) ExpectSameView(with, without, doc);
      }
    }
  }
}

}  // namespace
}  // namespace tokenverify::internal
