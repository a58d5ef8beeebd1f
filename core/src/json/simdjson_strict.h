// Strict JSON on top of simdjson On-Demand: one forward pass that validates
// everything (UTF-8, escapes, surrogates, numbers, literals), finds duplicate
// member names at every level (compared after unescaping), bounds nesting, and
// rejects a BOM and trailing content. Callers see each top-level member once,
// in order, and may consume its value themselves; anything they leave is
// validated here.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "json/text.h"
#include "tokenverify/status.h"

namespace tokenverify::internal {

inline constexpr int kMaxJsonDepthLimit = 256;  // the largest maxJsonDepth a configuration may set

// Maps a simdjson error to the closest status (UTF-8, depth, or malformed).
Status JsonErrorToStatus(simdjson::error_code e) noexcept;

// Member names seen in the objects currently being walked; reused across
// documents so that a warm thread does not allocate.
class MemberNames {
 public:
  size_t size() const noexcept { return names_.size(); }
  void push(std::string_view n) { names_.push_back(n); }
  // True when names [begin, size()) hold a repeat; then drops them.
  bool PopAndCheckDuplicates(size_t begin) noexcept;

 private:
  std::vector<std::string_view> names_;
};

// A simdjson parser and a padded input buffer, reused per thread.
class JsonScratch {
 public:
  // Returns a buffer of at least n + SIMDJSON_PADDING bytes (grows, never shrinks).
  uint8_t* Reserve(size_t n);
  // Starts a document over the first n bytes of the buffer from Reserve.
  simdjson::error_code Iterate(size_t n, simdjson::ondemand::document* doc) noexcept;
  uint8_t* data() noexcept { return buf_.get(); }
  MemberNames& names() noexcept { return names_; }

 private:
  simdjson::ondemand::parser parser_;  // allocated on first Iterate, then reused
  std::unique_ptr<uint8_t[]> buf_;
  size_t cap_ = 0;
  MemberNames names_;
};

// Validates `value` and all it holds; `depth` is the nesting depth of the
// container that holds it (1 for a member of the top-level object).
Status ValidateJsonValue(simdjson::ondemand::value value, int depth, int max_depth, MemberNames& names) noexcept;

// True when nothing but whitespace follows the value already read from `doc`.
inline bool DocumentAtEnd(simdjson::ondemand::document& doc) noexcept {
  const char* location = nullptr;
  return doc.current_location().get(location) == simdjson::OUT_OF_BOUNDS;
}

// Walks the members of `obj`, an object at nesting depth `depth`, strictly:
// for each member calls
//   Status on_member(std::string_view name, simdjson::ondemand::value& v, bool& consumed)
// If on_member consumed v entirely (read a scalar, or iterated an array and
// read every element), it sets consumed = true; otherwise the walker validates
// v. A non-OK status from on_member stops the walk and is returned. Member
// names are checked for duplicates once the object is done.
template <typename OnMember>
Status WalkObjectMembers(simdjson::ondemand::object& obj, int depth, int max_depth, MemberNames& names,
                         OnMember&& on_member) noexcept {
  const size_t base = names.size();
  Status st = Status::OK;
  for (auto member : obj) {
    std::string_view name;
    if (auto e = member.unescaped_key().get(name)) {
      st = JsonErrorToStatus(e);
      break;
    }
    names.push(name);
    simdjson::ondemand::value value;
    if (auto e = member.value().get(value)) {
      st = JsonErrorToStatus(e);
      break;
    }
    bool consumed = false;
    st = on_member(name, value, consumed);
    if (st != Status::OK) break;
    if (!consumed) {
      st = ValidateJsonValue(value, depth, max_depth, names);
      if (st != Status::OK) break;
    }
  }
  const bool duplicates = names.PopAndCheckDuplicates(base);
  if (st != Status::OK) return st;
  return duplicates ? Status::ERR_DUPLICATE_MEMBER : Status::OK;
}

// An on_member that consumes nothing: the walk only validates.
inline constexpr auto kValidateOnly = [](std::string_view, simdjson::ondemand::value&, bool&) { return Status::OK; };

// Walks `doc`, which must be a single JSON object and nothing after it, with
// WalkObjectMembers (the top-level object is at depth 1).
template <typename OnMember>
Status WalkStrictObject(simdjson::ondemand::document& doc, int max_depth, MemberNames& names,
                        OnMember&& on_member) noexcept {
  simdjson::ondemand::object obj;
  if (auto e = doc.get_object().get(obj)) {
    return e == simdjson::INCORRECT_TYPE ? Status::ERR_JSON_NOT_OBJECT : JsonErrorToStatus(e);
  }
  TV_RETURN_IF_ERROR(WalkObjectMembers(obj, 1, max_depth, names, on_member));
  if (!DocumentAtEnd(doc)) return Status::ERR_MALFORMED_JSON;
  return Status::OK;
}

// Validates a whole JSON text that must be one object (BOM, UTF-8, escapes,
// duplicates at every level, depth, trailing data). For documents that are
// then read with simdjson's DOM API (configuration, key sets); not hot.
Status ValidateStrictJsonObject(std::string_view json, int max_depth) noexcept;

// ParseKeySetObject: ValidateStrictJsonObject, then the DOM, for a key-set
// document (a JWK set, an x509 map). Every JSON-level failure is
// ERR_JWKS_MALFORMED (ERR_OUT_OF_MEMORY aside), with a message that starts
// with `label` ("key set") and names the precise JSON problem.
Status ParseKeySetObject(std::string_view json, int max_depth, std::string_view label, simdjson::dom::parser* parser,
                         simdjson::dom::object* root, std::string* message);

}  // namespace tokenverify::internal
