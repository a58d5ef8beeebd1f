#include "support/oracle/token_simdjson.h"

#include <cmath>
#include <cstring>
#include <new>

namespace tokenverify::internal {

using simdjson::ondemand::json_type;
using simdjson::ondemand::value;

namespace {

std::string_view TrimJsonWhitespace(std::string_view t) noexcept {
  while (!t.empty() && IsJsonWhitespace(static_cast<uint8_t>(t.back()))) t.remove_suffix(1);
  return t;
}

// A value of the wrong JSON type is `wrong_type`, but only if it is valid
// JSON: broken JSON is reported as such. `depth` is that of the container
// holding it (1 for a member of the top-level object).
Status WrongType(value& v, Status wrong_type, int max_depth, MemberNames& names, int depth = 1) noexcept {
  TV_RETURN_IF_ERROR(ValidateJsonValue(v, depth, max_depth, names));
  return wrong_type;
}

// Reads a string member; a non-string is `wrong_type`.
Status ReadString(value& v, Status wrong_type, int max_depth, MemberNames& names, std::string_view* out) noexcept {
  json_type type;
  if (auto e = v.type().get(type)) return JsonErrorToStatus(e);
  if (type != json_type::string) return WrongType(v, wrong_type, max_depth, names);
  std::string_view raw = v.raw_json_token();
  auto e = v.get_string().get(*out);
  return e == simdjson::STRING_ERROR ? StringErrorStatus(raw) : JsonErrorToStatus(e);
}

// NumericDate (RFC 7519 section 2): a JSON number. Fractions are allowed and
// truncated toward minus infinity; anything outside int64 is malformed.
Status ReadNumericDate(value& v, int max_depth, MemberNames& names, int64_t* out) noexcept {
  json_type type;
  if (auto e = v.type().get(type)) return JsonErrorToStatus(e);
  if (type != json_type::number) return WrongType(v, Status::ERR_MALFORMED_CLAIM, max_depth, names);
  simdjson::ondemand::number n;
  if (v.get_number().get(n)) {
    // simdjson cannot hold integers beyond 64 bits: malformed as a date if it is a JSON number at all.
    return IsJsonNumber(v.raw_json_token()) ? Status::ERR_MALFORMED_CLAIM : Status::ERR_MALFORMED_JSON;
  }
  switch (n.get_number_type()) {
    case simdjson::ondemand::number_type::signed_integer:
      *out = n.get_int64();
      return Status::OK;
    case simdjson::ondemand::number_type::floating_point_number: {
      // simdjson 3.0.1's get_number() gives 0.0 for a number with 20 or more
      // integer digits and a fraction or exponent (19223372036854775807.5,
      // 1e20 written out): an nbf of 1e18 written that way read as 1970. The
      // raw token, a valid JSON number, is parsed again instead.
      double d = 0;
      if (!ParseJsonDouble(TrimJsonWhitespace(v.raw_json_token()), &d)) return Status::ERR_MALFORMED_CLAIM;
      // 2^63 is exactly representable; every double below it fits int64.
      if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return Status::ERR_MALFORMED_CLAIM;
      *out = static_cast<int64_t>(std::floor(d));
      return Status::OK;
    }
    default:  // unsigned_integer: above INT64_MAX
      return Status::ERR_MALFORMED_CLAIM;
  }
}

// Appends the strings of a string or an array-of-strings value. With
// `strict`, any other shape is ERR_MALFORMED_CLAIM (aud); otherwise other
// shapes are validated and contribute nothing (custom claims with matchers).
Status ReadStrings(value& v, bool strict, int max_depth, MemberNames& names, std::vector<std::string_view>& strings,
                   StringRange* range) noexcept {
  range->begin = static_cast<uint32_t>(strings.size());
  json_type type;
  if (auto e = v.type().get(type)) return JsonErrorToStatus(e);
  if (type == json_type::string) {
    std::string_view s;
    TV_RETURN_IF_ERROR(ReadString(v, Status::ERR_MALFORMED_CLAIM, max_depth, names, &s));
    strings.push_back(s);
  } else if (type == json_type::array) {
    if (max_depth < 2) return Status::ERR_JSON_TOO_DEEP;
    simdjson::ondemand::array arr;
    if (auto e = v.get_array().get(arr)) return JsonErrorToStatus(e);
    for (auto element : arr) {
      value item;
      if (auto e = element.get(item)) return JsonErrorToStatus(e);
      json_type item_type;
      if (auto e = item.type().get(item_type)) return JsonErrorToStatus(e);
      if (item_type == json_type::string) {
        std::string_view s;
        TV_RETURN_IF_ERROR(ReadString(item, Status::ERR_MALFORMED_CLAIM, max_depth, names, &s));
        strings.push_back(s);
      } else if (strict) {
        return WrongType(item, Status::ERR_MALFORMED_CLAIM, max_depth, names, 2);
      } else {
        TV_RETURN_IF_ERROR(ValidateJsonValue(item, 2, max_depth, names));
      }
    }
  } else if (strict) {
    return WrongType(v, Status::ERR_MALFORMED_CLAIM, max_depth, names);
  } else {
    TV_RETURN_IF_ERROR(ValidateJsonValue(v, 1, max_depth, names));
  }
  range->count = static_cast<uint32_t>(strings.size()) - range->begin;
  return Status::OK;
}

}  // namespace

Status ParseHeaderSimdjson(simdjson::ondemand::document& doc, int max_depth, MemberNames& names,
                           JoseHeader* out) noexcept {
  bool has_alg = false;
  Status alg_status = Status::OK;
  Status st = WalkStrictObject(doc, max_depth, names, [&](std::string_view name, value& v, bool& consumed) {
    if (name == "alg") {
      std::string_view alg;
      TV_RETURN_IF_ERROR(ReadString(v, Status::ERR_MALFORMED_HEADER, max_depth, names, &alg));
      consumed = true;
      has_alg = true;
      alg_status = ParseAlg(alg, &out->alg);
    } else if (name == "kid") {
      TV_RETURN_IF_ERROR(ReadString(v, Status::ERR_MALFORMED_HEADER, max_depth, names, &out->kid));
      consumed = true;
      out->has_kid = true;
    } else if (name == "typ") {
      TV_RETURN_IF_ERROR(ReadString(v, Status::ERR_MALFORMED_HEADER, max_depth, names, &out->typ));
      consumed = true;
      out->has_typ = true;
    } else if (name == "crit") {
      return Status::ERR_CRIT_UNSUPPORTED;  // we understand no extension (RFC 7515 section 4.1.11)
    } else if (name == "b64") {
      json_type type;
      if (auto e = v.type().get(type)) return JsonErrorToStatus(e);
      if (type != json_type::boolean) return WrongType(v, Status::ERR_MALFORMED_HEADER, max_depth, names);
      bool b64;
      if (auto e = v.get_bool().get(b64)) return JsonErrorToStatus(e);
      consumed = true;
      if (!b64) return Status::ERR_B64_UNSUPPORTED;  // RFC 7797 unencoded payloads
    }
    return Status::OK;
  });
  TV_RETURN_IF_ERROR(st);
  if (!has_alg) return Status::ERR_MISSING_ALG;
  return alg_status;
}

Status ParsePayloadSimdjson(simdjson::ondemand::document& doc, int max_depth, MemberNames& names,
                            const ClaimInterest& interest, PayloadView* out) noexcept {
  auto& strings = *out->strings;
  strings.clear();
  return WalkStrictObject(doc, max_depth, names, [&](std::string_view name, value& v, bool& consumed) {
    const int idx = interest.Find(name);
    // A claim whose value is JSON null is missing (requiredClaims), as in the scanner.
    simdjson::ondemand::json_type type;
    const bool is_null = v.type().get(type) == simdjson::SUCCESS && type == simdjson::ondemand::json_type::null;
    if (idx >= 0 && !is_null) out->present |= uint64_t{1} << idx;
    const bool wants_values = idx >= 0 && interest.wants_values(static_cast<size_t>(idx));
    StringRange* values = wants_values ? &out->values[idx] : nullptr;
    if (name.size() == 3) {
      if (name == "exp" || name == "nbf" || name == "iat") {
        int64_t* slot = name == "exp" ? &out->exp : name == "nbf" ? &out->nbf : &out->iat;
        bool* has = name == "exp" ? &out->has_exp : name == "nbf" ? &out->has_nbf : &out->has_iat;
        TV_RETURN_IF_ERROR(ReadNumericDate(v, max_depth, names, slot));
        *has = true;
        consumed = true;
        return Status::OK;
      }
      if (name == "iss" || name == "sub") {
        std::string_view* slot = name == "iss" ? &out->iss : &out->sub;
        TV_RETURN_IF_ERROR(ReadString(v, Status::ERR_MALFORMED_CLAIM, max_depth, names, slot));
        (name == "iss" ? out->has_iss : out->has_sub) = true;
        if (values) {
          values->begin = static_cast<uint32_t>(strings.size());
          values->count = 1;
          strings.push_back(*slot);
        }
        consumed = true;
        return Status::OK;
      }
      if (name == "aud") {
        TV_RETURN_IF_ERROR(ReadStrings(v, /*strict=*/true, max_depth, names, strings, &out->aud));
        out->has_aud = true;
        if (values) *values = out->aud;
        consumed = true;
        return Status::OK;
      }
    }
    if (values) {
      TV_RETURN_IF_ERROR(ReadStrings(v, /*strict=*/false, max_depth, names, strings, values));
      consumed = true;
    }
    return Status::OK;
  });
}

Status StartSimdjsonDocument(std::string_view json, JsonScratch& scratch, simdjson::ondemand::document* doc) {
  const auto* p = reinterpret_cast<const uint8_t*>(json.data());
  if (StartsWithBom(p, json.size())) return Status::ERR_JSON_BOM;
  try {
    std::memcpy(scratch.Reserve(json.size()), json.data(), json.size());
  } catch (const std::bad_alloc&) {
    return Status::ERR_OUT_OF_MEMORY;
  }
  return JsonErrorToStatus(scratch.Iterate(json.size(), doc));
}

}  // namespace tokenverify::internal
