#include "internal/token.h"

#include <cmath>
#include <cstring>

#include "internal/base64url.h"

namespace tokenverify::internal {

using simdjson::ondemand::json_type;
using simdjson::ondemand::value;

Status SplitToken(std::string_view token, TokenParts* out) noexcept {
  const size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return Status::ERR_MALFORMED_TOKEN;
  const size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return Status::ERR_MALFORMED_TOKEN;
  if (token.find('.', dot2 + 1) != std::string_view::npos) return Status::ERR_MALFORMED_TOKEN;
  // RFC 7515 allows an empty payload (a JWT then fails as "not an object").
  if (dot1 == 0) return Status::ERR_MALFORMED_TOKEN;
  out->header = token.substr(0, dot1);
  out->payload = token.substr(dot1 + 1, dot2 - dot1 - 1);
  out->signature = token.substr(dot2 + 1);
  out->signing_input = token.substr(0, dot2);
  return Status::OK;
}

namespace {

// A member of the wrong JSON type is `wrong_type`, but only if it is valid
// JSON: broken JSON is reported as such.
Status WrongType(value& v, Status wrong_type, int max_depth, MemberNames& names) noexcept {
  TV_RETURN_IF_ERROR(ValidateJsonValue(v, 1, max_depth, names));
  return wrong_type;
}

// Reads a string member; a non-string is `wrong_type`.
Status ReadString(value& v, Status wrong_type, int max_depth, MemberNames& names,
                  std::string_view* out) noexcept {
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
      const double d = n.get_double();
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
Status ReadStrings(value& v, bool strict, int max_depth, MemberNames& names,
                   std::vector<std::string_view>& strings, StringRange* range) noexcept {
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
        return WrongType(item, Status::ERR_MALFORMED_CLAIM, max_depth, names);
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

Status ParseHeader(simdjson::ondemand::document& doc, int max_depth, MemberNames& names,
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

int ClaimInterest::Find(std::string_view name) const noexcept {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  return -1;
}

Status ParsePayload(simdjson::ondemand::document& doc, int max_depth, MemberNames& names,
                    const ClaimInterest& interest, PayloadView* out) noexcept {
  auto& strings = *out->strings;
  strings.clear();
  return WalkStrictObject(doc, max_depth, names, [&](std::string_view name, value& v, bool& consumed) {
    const int idx = interest.Find(name);
    if (idx >= 0) out->present |= uint64_t{1} << idx;
    const bool wants_values = idx >= 0 && interest.wants_values[static_cast<size_t>(idx)];
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

Status DecodeUnverified(std::string_view token, size_t max_token_bytes, int max_json_depth,
                        std::string* header_json, std::string* payload_json) {
  if (token.size() > max_token_bytes) return Status::ERR_TOKEN_TOO_LARGE;
  TokenParts parts;
  TV_RETURN_IF_ERROR(SplitToken(token, &parts));
  for (auto [segment, out] : {std::pair{parts.header, header_json}, std::pair{parts.payload, payload_json}}) {
    const size_t n = Base64urlDecodedLength(segment.size());
    out->assign(n + kBase64urlOutputSlack, '\0');
    if (!Base64urlDecode(segment, reinterpret_cast<uint8_t*>(out->data()))) return Status::ERR_BAD_BASE64URL;
    out->resize(n);
    TV_RETURN_IF_ERROR(ValidateStrictJsonObject(*out, max_json_depth));
  }
  return Status::OK;
}

}  // namespace tokenverify::internal
