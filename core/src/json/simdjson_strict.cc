#include "json/simdjson_strict.h"

#include <algorithm>
#include <cstring>

namespace tokenverify::internal {

Status JsonErrorToStatus(simdjson::error_code e) noexcept {
  switch (e) {
    case simdjson::SUCCESS:
      return Status::OK;
    case simdjson::UTF8_ERROR:
      return Status::ERR_INVALID_UTF8;
    case simdjson::DEPTH_ERROR:
      return Status::ERR_JSON_TOO_DEEP;
    case simdjson::MEMALLOC:
      return Status::ERR_OUT_OF_MEMORY;
    default:
      return Status::ERR_MALFORMED_JSON;
  }
}

bool MemberNames::PopAndCheckDuplicates(size_t begin) noexcept {
  auto first = names_.begin() + static_cast<ptrdiff_t>(begin);
  auto last = names_.end();
  bool dup = false;
  const size_t n = static_cast<size_t>(last - first);
  if (n <= 16) {
    // Small objects (every JWT header, most payloads): pairwise is cheapest.
    for (auto i = first; i != last && !dup; ++i)
      for (auto j = i + 1; j != last; ++j)
        if (*i == *j) {
          dup = true;
          break;
        }
  } else {
    // Large (possibly hostile) objects: O(n log n), never quadratic.
    std::sort(first, last);
    dup = std::adjacent_find(first, last) != last;
  }
  names_.erase(first, last);
  return dup;
}

uint8_t* JsonScratch::Reserve(size_t n) {
  const size_t need = n + simdjson::SIMDJSON_PADDING;
  if (need > cap_) {
    size_t cap = std::max<size_t>(need, 4096);
    buf_.reset(new uint8_t[cap]);
    cap_ = cap;
  }
  return buf_.get();
}

simdjson::error_code JsonScratch::Iterate(size_t n, simdjson::ondemand::document* doc) noexcept {
  // simdjson requires zeroed-or-not padding to exist; its content is irrelevant
  // but we clear the first padding bytes so stale data never looks like input.
  std::memset(buf_.get() + n, 0, simdjson::SIMDJSON_PADDING);
  if (parser_.capacity() < n || parser_.max_depth() < kMaxJsonDepthLimit + 1) {
    const size_t cap = std::max<size_t>(n, 4096);
    if (auto e = parser_.allocate(cap, kMaxJsonDepthLimit + 1)) return e;
  }
  return parser_.iterate(reinterpret_cast<const char*>(buf_.get()), n, cap_).get(*doc);
}

Status ValidateJsonValue(simdjson::ondemand::value value, int depth, int max_depth, MemberNames& names) noexcept {
  simdjson::ondemand::json_type type;
  if (auto e = value.type().get(type)) return JsonErrorToStatus(e);
  switch (type) {
    case simdjson::ondemand::json_type::object: {
      if (depth + 1 > max_depth) return Status::ERR_JSON_TOO_DEEP;
      simdjson::ondemand::object obj;
      if (auto e = value.get_object().get(obj)) return JsonErrorToStatus(e);
      return WalkObjectMembers(obj, depth + 1, max_depth, names, kValidateOnly);
    }
    case simdjson::ondemand::json_type::array: {
      if (depth + 1 > max_depth) return Status::ERR_JSON_TOO_DEEP;
      simdjson::ondemand::array arr;
      if (auto e = value.get_array().get(arr)) return JsonErrorToStatus(e);
      for (auto element : arr) {
        simdjson::ondemand::value child;
        if (auto e = element.get(child)) return JsonErrorToStatus(e);
        TV_RETURN_IF_ERROR(ValidateJsonValue(child, depth + 1, max_depth, names));
      }
      return Status::OK;
    }
    case simdjson::ondemand::json_type::string: {
      std::string_view raw = value.raw_json_token();
      std::string_view s;
      if (auto e = value.get_string().get(s)) {
        return e == simdjson::STRING_ERROR ? StringErrorStatus(raw) : JsonErrorToStatus(e);
      }
      return Status::OK;
    }
    case simdjson::ondemand::json_type::number: {
      const std::string_view raw = value.raw_json_token();
      simdjson::ondemand::number n;
      if (value.get_number().get(n) == simdjson::SUCCESS) return Status::OK;
      // Integers beyond 64 bits are valid JSON; simdjson just cannot hold them.
      return IsJsonNumber(raw) ? Status::OK : Status::ERR_MALFORMED_JSON;
    }
    case simdjson::ondemand::json_type::boolean: {
      bool b;
      if (auto e = value.get_bool().get(b)) return JsonErrorToStatus(e);
      return Status::OK;
    }
    case simdjson::ondemand::json_type::null: {
      bool is_null = false;
      if (auto e = value.is_null().get(is_null)) return JsonErrorToStatus(e);
      return is_null ? Status::OK : Status::ERR_MALFORMED_JSON;
    }
  }
  return Status::ERR_MALFORMED_JSON;
}

Status ValidateStrictJsonObject(std::string_view json, int max_depth) noexcept {
  const auto* p = reinterpret_cast<const uint8_t*>(json.data());
  if (StartsWithBom(p, json.size())) return Status::ERR_JSON_BOM;
  try {
    JsonScratch scratch;  // not hot: a fresh parser keeps this re-entrant
    // An empty view may have a null data(): memcpy must not see it (UB even for 0 bytes).
    uint8_t* dst = scratch.Reserve(json.size());
    if (!json.empty()) std::memcpy(dst, json.data(), json.size());
    simdjson::ondemand::document doc;
    if (auto e = scratch.Iterate(json.size(), &doc)) return JsonErrorToStatus(e);
    return WalkStrictObject(doc, max_depth, scratch.names(), kValidateOnly);
  } catch (const std::bad_alloc&) {
    return Status::ERR_OUT_OF_MEMORY;
  }
}

Status ParseKeySetObject(std::string_view json, int max_depth, std::string_view label, simdjson::dom::parser* parser,
                         simdjson::dom::object* root, std::string* message) {
  auto fail = [&](Status s, std::string_view what) {
    *message = s == Status::ERR_OUT_OF_MEMORY ? "out of memory" : std::string(label) + ": " + std::string(what);
    return s;
  };
  const Status strict = ValidateStrictJsonObject(json, max_depth);
  if (strict == Status::ERR_OUT_OF_MEMORY) return fail(strict, "");
  if (strict != Status::OK) {
    if (strict == Status::ERR_JSON_NOT_OBJECT) return fail(Status::ERR_JWKS_MALFORMED, "not a JSON object");
    return fail(Status::ERR_JWKS_MALFORMED,
                std::string(StatusMessage(strict)) + " (" + std::string(StatusName(strict)) + ")");
  }
  simdjson::dom::element doc;
  if (auto e = parser->parse(json.data(), json.size()).get(doc)) {
    if (e == simdjson::MEMALLOC) return fail(Status::ERR_OUT_OF_MEMORY, "");
    return fail(Status::ERR_JWKS_MALFORMED, simdjson::error_message(e));
  }
  if (doc.get_object().get(*root) != simdjson::SUCCESS) return fail(Status::ERR_JWKS_MALFORMED, "not a JSON object");
  return Status::OK;
}

}  // namespace tokenverify::internal
