// Strict JSON: every malformation the engine promises to reject, with its exact status.
#include <gtest/gtest.h>

#include <string>

#include "json/simdjson_strict.h"

namespace tokenverify::internal {
namespace {

Status Check(std::string_view json, int max_depth = 32) { return ValidateStrictJsonObject(json, max_depth); }

TEST(StrictJson, AcceptsOrdinaryDocuments) {
  EXPECT_EQ(Check(R"({})"), Status::OK);
  EXPECT_EQ(Check(R"({"a":1,"b":[1,2.5,-3e10,true,false,null,"x",{"c":{}}],"d":"\u00e9\ud83d\ude00"})"), Status::OK);
  EXPECT_EQ(Check(" \n\t{\"a\" : 1 } \n"), Status::OK);
  EXPECT_EQ(Check(R"({"big":123456789012345678901234567890})"), Status::OK);  // valid JSON, beyond int64
}

TEST(StrictJson, RejectsNonObjects) {
  EXPECT_EQ(Check(R"([1,2])"), Status::ERR_JSON_NOT_OBJECT);
  EXPECT_EQ(Check(R"("text")"), Status::ERR_JSON_NOT_OBJECT);
  EXPECT_EQ(Check(R"(42)"), Status::ERR_JSON_NOT_OBJECT);
}

TEST(StrictJson, RejectsDuplicateMembersAtEveryLevel) {
  EXPECT_EQ(Check(R"({"a":1,"a":2})"), Status::ERR_DUPLICATE_MEMBER);
  EXPECT_EQ(Check(R"({"a":1,"\u0061":2})"), Status::ERR_DUPLICATE_MEMBER);  // same after unescaping
  EXPECT_EQ(Check(R"({"x":{"b":1,"c":2,"b":3}})"), Status::ERR_DUPLICATE_MEMBER);
  EXPECT_EQ(Check(R"({"x":[{"b":1},{"b":1,"b":1}]})"), Status::ERR_DUPLICATE_MEMBER);
  EXPECT_EQ(Check(R"({"a":1,"A":2,"x":{"a":1}})"), Status::OK);  // different objects, different names
  // A large object takes the sorting path.
  std::string big = "{";
  for (int i = 0; i < 100; ++i) big += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  EXPECT_EQ(Check(big + "\"k99x\":0}"), Status::OK);
  EXPECT_EQ(Check(big + "\"k42\":0}"), Status::ERR_DUPLICATE_MEMBER);
}

TEST(StrictJson, RejectsBom) { EXPECT_EQ(Check("\xEF\xBB\xBF{}"), Status::ERR_JSON_BOM); }

TEST(StrictJson, RejectsInvalidUtf8AndUnpairedSurrogates) {
  EXPECT_EQ(Check("{\"a\":\"\xC3\x28\"}"), Status::ERR_INVALID_UTF8);
  EXPECT_EQ(Check("{\"a\":\"\xED\xA0\x80\"}"), Status::ERR_INVALID_UTF8);  // encoded surrogate
  EXPECT_EQ(Check("{\"a\":\"\xF8\x88\x80\x80\x80\"}"), Status::ERR_INVALID_UTF8);
  EXPECT_EQ(Check(R"({"a":"\ud800"})"), Status::ERR_INVALID_UTF8);
  EXPECT_EQ(Check(R"({"a":"\udc00x"})"), Status::ERR_INVALID_UTF8);
  EXPECT_EQ(Check(R"({"a":"\ud800\u0041"})"), Status::ERR_INVALID_UTF8);
}

TEST(StrictJson, RejectsMalformedText) {
  EXPECT_EQ(Check(R"({"a":1}x)"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Check(R"({"a":1}{})"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Check(R"({"a":1,})"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Check(R"({"a":[1,]})"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Check(R"({"a" 1})"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Check(R"({"a":1 "b":2})"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Check(R"({"a":tru})"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Check(R"({"a":nul})"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Check(R"({"a":01})"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Check(R"({"a":1.})"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Check(R"({"a":"\q"})"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Check("{\"a\":\"tab\there\"}"), Status::ERR_MALFORMED_JSON);  // raw control character
  EXPECT_EQ(Check(R"({"a":1)"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Check(R"({'a':1})"), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(Check(""), Status::ERR_MALFORMED_JSON);
}

TEST(StrictJson, BoundsNesting) {
  auto nested = [](int levels) {  // `levels` containers in total, the top-level object included
    std::string s = "{\"a\":";
    for (int i = 1; i < levels; ++i) s += "[";
    s += "1";
    for (int i = 1; i < levels; ++i) s += "]";
    return s + "}";
  };
  EXPECT_EQ(Check(nested(32), 32), Status::OK);
  EXPECT_EQ(Check(nested(33), 32), Status::ERR_JSON_TOO_DEEP);
  EXPECT_EQ(Check(nested(3), 2), Status::ERR_JSON_TOO_DEEP);
  EXPECT_EQ(Check(nested(100000), 32), Status::ERR_JSON_TOO_DEEP);  // a depth bomb
}

}  // namespace
}  // namespace tokenverify::internal
