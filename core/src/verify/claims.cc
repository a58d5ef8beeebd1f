#include "tokenverify/claims.h"

#include <simdjson.h>

#include <new>

#include "base/ascii.h"
#include "json/simdjson_strict.h"

namespace tokenverify {
namespace {

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && internal::IsJsonWhitespace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::unique_ptr<Claims>> Claims::CreateFromChecked(std::string_view header_json, std::string_view payload_json) {
  try {
    auto claims = std::unique_ptr<Claims>(new Claims());
    claims->header_ = std::string(header_json);
    claims->payload_ = std::string(payload_json);
    return claims;
  } catch (const std::bad_alloc&) {
    return Status::ERR_OUT_OF_MEMORY;
  }
}

Result<std::unique_ptr<Claims>> Claims::Create(std::string_view header_json, std::string_view payload_json) {
  TV_ASSIGN_OR_RETURN(auto claims, CreateFromChecked(header_json, payload_json));
  TV_RETURN_IF_ERROR(claims->Index());
  return claims;
}

Status Claims::Index() const noexcept {
  std::call_once(indexed_, [this] { index_status_ = BuildIndex(); });
  return index_status_;
}

const std::vector<Claims::Member>& Claims::members() const noexcept {
  (void)Index();  // on failure members_ stays empty
  return members_;
}

Status Claims::BuildIndex() const noexcept {
  try {
    // Index the payload's top-level members. simdjson needs padded input, so
    // parse a padded copy and translate its offsets into payload_.
    const std::string_view payload_json = payload_;
    simdjson::padded_string padded(payload_json);
    thread_local simdjson::ondemand::parser parser;  // its buffers are reused by later claims on this thread
    simdjson::ondemand::document doc;
    if (auto e = parser.iterate(padded).get(doc)) return internal::JsonErrorToStatus(e);
    simdjson::ondemand::object obj;
    if (auto e = doc.get_object().get(obj))
      return e == simdjson::INCORRECT_TYPE ? Status::ERR_JSON_NOT_OBJECT : internal::JsonErrorToStatus(e);
    const char* base = padded.data();
    auto view_of = [&](std::string_view inside_padded) {
      return std::string_view(payload_).substr(static_cast<size_t>(inside_padded.data() - base), inside_padded.size());
    };
    std::vector<Member> members;  // published only when the whole index is built
    for (auto field : obj) {
      Member m;
      std::string_view name;
      if (auto e = field.unescaped_key().get(name)) return internal::JsonErrorToStatus(e);
      m.name = std::string(name);
      simdjson::ondemand::value v;
      if (auto e = field.value().get(v)) return internal::JsonErrorToStatus(e);
      simdjson::ondemand::json_type type;
      if (auto e = v.type().get(type)) return internal::JsonErrorToStatus(e);
      if (type == simdjson::ondemand::json_type::string || type == simdjson::ondemand::json_type::number) {
        m.raw = view_of(TrimRight(v.raw_json_token()));
        if (type == simdjson::ondemand::json_type::string) {
          std::string_view s;
          if (auto e = v.get_string().get(s)) return internal::JsonErrorToStatus(e);
          m.is_string = true;
          m.string_value = std::string(s);
        } else {
          int64_t i;
          m.is_int64 = v.get_int64().get(i) == simdjson::SUCCESS;
          if (m.is_int64) m.int_value = i;
        }
      } else if (type == simdjson::ondemand::json_type::object) {
        simdjson::ondemand::object inner;
        std::string_view raw;
        if (auto e = v.get_object().get(inner)) return internal::JsonErrorToStatus(e);
        if (auto e = inner.raw_json().get(raw)) return internal::JsonErrorToStatus(e);
        m.raw = view_of(TrimRight(raw));
      } else if (type == simdjson::ondemand::json_type::array) {
        simdjson::ondemand::array inner;
        std::string_view raw;
        if (auto e = v.get_array().get(inner)) return internal::JsonErrorToStatus(e);
        if (auto e = inner.raw_json().get(raw)) return internal::JsonErrorToStatus(e);
        m.raw = view_of(TrimRight(raw));
      } else {
        m.raw = view_of(TrimRight(v.raw_json_token()));  // true, false, null
      }
      members.push_back(std::move(m));
    }
    members_ = std::move(members);
    return Status::OK;
  } catch (const std::bad_alloc&) {
    return Status::ERR_OUT_OF_MEMORY;
  }
}

const Claims::Member* Claims::Find(std::string_view name) const noexcept {
  for (const Member& m : members())
    if (m.name == name) return &m;
  return nullptr;
}

}  // namespace tokenverify
