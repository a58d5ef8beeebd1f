#include "internal/token.h"

#include <cmath>
#include <cstring>

#include "internal/base64url.h"
#include "internal/strict_json.h"

namespace tokenverify::internal {

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

// A value of the wrong JSON type is `wrong_type`, but only if it is valid
// JSON: broken JSON is reported as such. `depth` is that of the container
// holding it (1 for a member of the top-level object).
Status WrongType(JsonCursor& c, Status wrong_type, int depth = 1) noexcept {
  TV_RETURN_IF_ERROR(c.SkipValue(depth));
  return wrong_type;
}

// Reads a string member; a non-string is `wrong_type`.
Status ReadStringMember(JsonCursor& c, Status wrong_type, std::string_view* out) noexcept {
  if (c.Peek() != '"') return WrongType(c, wrong_type);
  return c.ReadString(out);
}

// NumericDate (RFC 7519 section 2): a JSON number. Fractions are allowed and
// truncated toward minus infinity; anything outside int64 is malformed.
Status ReadNumericDateMember(JsonCursor& c, int64_t* out) noexcept {
  if (!c.AtNumber()) return WrongType(c, Status::ERR_MALFORMED_CLAIM);
  return c.ReadNumericDate(out);
}

// Appends the strings of a string or an array-of-strings value. With
// `strict`, any other shape is ERR_MALFORMED_CLAIM (aud); otherwise other
// shapes are validated and contribute nothing (custom claims with matchers).
Status ReadStrings(JsonCursor& c, bool strict, std::vector<std::string_view>& strings,
                   StringRange* range) noexcept {
  range->begin = static_cast<uint32_t>(strings.size());
  if (c.Peek() == '"') {
    std::string_view s;
    TV_RETURN_IF_ERROR(c.ReadString(&s));
    strings.push_back(s);
  } else if (c.Peek() == '[') {
    TV_RETURN_IF_ERROR(c.EnterArray(1));
    Status st = Status::OK;
    for (bool first = true; c.NextElement(first, &st); first = false) {
      if (c.Peek() == '"') {
        std::string_view s;
        TV_RETURN_IF_ERROR(c.ReadString(&s));
        strings.push_back(s);
      } else if (strict) {
        return WrongType(c, Status::ERR_MALFORMED_CLAIM, 2);
      } else {
        TV_RETURN_IF_ERROR(c.SkipValue(2));
      }
    }
    TV_RETURN_IF_ERROR(st);
  } else if (strict) {
    return WrongType(c, Status::ERR_MALFORMED_CLAIM);
  } else {
    TV_RETURN_IF_ERROR(c.SkipValue(1));
  }
  range->count = static_cast<uint32_t>(strings.size()) - range->begin;
  return Status::OK;
}

// The three-byte registered names, as little-endian words, compared at once.
constexpr uint32_t Name3(const char (&s)[4]) {
  return uint32_t(uint8_t(s[0])) | uint32_t(uint8_t(s[1])) << 8 | uint32_t(uint8_t(s[2])) << 16;
}

uint32_t Word3(std::string_view s) noexcept {
  return uint32_t(uint8_t(s[0])) | uint32_t(uint8_t(s[1])) << 8 | uint32_t(uint8_t(s[2])) << 16;
}

}  // namespace

Status ParseHeader(TokenJsonScratch& doc, size_t n, int max_depth, JoseHeader* out) noexcept {
  JsonCursor c(doc, n, max_depth);
  bool has_alg = false;
  Status alg_status = Status::OK;
  TV_RETURN_IF_ERROR(c.WalkObject([&](std::string_view name) -> Status {
    if (name == "alg") {
      std::string_view alg;
      TV_RETURN_IF_ERROR(ReadStringMember(c, Status::ERR_MALFORMED_HEADER, &alg));
      has_alg = true;
      alg_status = ParseAlg(alg, &out->alg);
      return Status::OK;
    }
    if (name == "kid") {
      TV_RETURN_IF_ERROR(ReadStringMember(c, Status::ERR_MALFORMED_HEADER, &out->kid));
      out->has_kid = true;
      return Status::OK;
    }
    if (name == "typ") {
      TV_RETURN_IF_ERROR(ReadStringMember(c, Status::ERR_MALFORMED_HEADER, &out->typ));
      out->has_typ = true;
      return Status::OK;
    }
    if (name == "crit") return Status::ERR_CRIT_UNSUPPORTED;  // we understand no extension (RFC 7515 section 4.1.11)
    if (name == "b64") {
      if (c.Peek() != 't' && c.Peek() != 'f') return WrongType(c, Status::ERR_MALFORMED_HEADER);
      bool b64 = true;
      TV_RETURN_IF_ERROR(c.ReadBool(&b64));
      if (!b64) return Status::ERR_B64_UNSUPPORTED;  // RFC 7797 unencoded payloads
      return Status::OK;
    }
    return c.SkipValue(1);
  }));
  if (!has_alg) return Status::ERR_MISSING_ALG;
  return alg_status;
}

int ClaimInterest::Find(std::string_view name) const noexcept {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  return -1;
}

Status ParsePayload(TokenJsonScratch& doc, size_t n, int max_depth, const ClaimInterest& interest,
                    PayloadView* out) noexcept {
  auto& strings = *out->strings;
  strings.clear();
  JsonCursor c(doc, n, max_depth);
  return c.WalkObject([&](std::string_view name) -> Status {
    const int idx = interest.Find(name);
    if (idx >= 0) out->present |= uint64_t{1} << idx;
    const bool wants_values = idx >= 0 && interest.wants_values[static_cast<size_t>(idx)];
    StringRange* values = wants_values ? &out->values[idx] : nullptr;
    if (name.size() == 3) {
      const uint32_t w = Word3(name);
      int64_t* date = w == Name3("exp") ? &out->exp : w == Name3("nbf") ? &out->nbf : w == Name3("iat") ? &out->iat : nullptr;
      if (date != nullptr) {
        TV_RETURN_IF_ERROR(ReadNumericDateMember(c, date));
        (w == Name3("exp") ? out->has_exp : w == Name3("nbf") ? out->has_nbf : out->has_iat) = true;
        return Status::OK;
      }
      if (w == Name3("iss") || w == Name3("sub")) {
        const bool iss = w == Name3("iss");
        std::string_view* slot = iss ? &out->iss : &out->sub;
        TV_RETURN_IF_ERROR(ReadStringMember(c, Status::ERR_MALFORMED_CLAIM, slot));
        (iss ? out->has_iss : out->has_sub) = true;
        if (values) {
          values->begin = static_cast<uint32_t>(strings.size());
          values->count = 1;
          strings.push_back(*slot);
        }
        return Status::OK;
      }
      if (w == Name3("aud")) {
        TV_RETURN_IF_ERROR(ReadStrings(c, /*strict=*/true, strings, &out->aud));
        out->has_aud = true;
        if (values) *values = out->aud;
        return Status::OK;
      }
    }
    if (values) return ReadStrings(c, /*strict=*/false, strings, values);
    return c.SkipValue(1);
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
