#include "request/claim_headers.h"

#include <simdjson.h>

#include "base/ascii.h"

namespace tokenverify::internal {
namespace {

using simdjson::dom::element;

// The claim `name`: the top-level member of that exact name, else the dotted
// path through objects. False when absent.
bool FindClaim(element payload, std::string_view name, element* out) {
  simdjson::dom::object top;
  if (payload.get_object().get(top)) return false;
  if (top.at_key(name).get(*out) == simdjson::SUCCESS) return true;
  if (name.find('.') == std::string_view::npos) return false;
  element node = payload;
  while (!name.empty()) {
    const size_t dot = name.find('.');
    simdjson::dom::object o;
    if (node.get_object().get(o) || o.at_key(name.substr(0, dot)).get(node)) return false;
    name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  }
  *out = node;
  return true;
}

bool IsScalar(element e) { return e.is_string() || e.is_number() || e.is_bool(); }

void AppendScalar(element e, std::string* out) {
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS)
    out->append(s);
  else
    out->append(simdjson::to_string(e));
}

// The header text for a claim value; false for null.
bool HeaderText(element e, std::string* out) {
  out->clear();
  if (e.is_null()) return false;
  if (IsScalar(e)) {
    AppendScalar(e, out);
    return true;
  }
  simdjson::dom::array arr;
  if (e.get_array().get(arr) == simdjson::SUCCESS) {
    bool all_scalars = true;
    for (element item : arr) all_scalars = all_scalars && IsScalar(item);
    if (all_scalars) {
      bool first = true;
      for (element item : arr) {
        if (!first) out->push_back(',');
        first = false;
        AppendScalar(item, out);
      }
      return true;
    }
  }
  *out = simdjson::to_string(e);  // compact JSON
  return true;
}

bool HasControlBytes(std::string_view s) {
  for (unsigned char c : s)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
  return false;
}

}  // namespace

void CopyClaimsToHeaders(const Claims& claims, std::span<const ClaimToHeader> pairs,
                         std::vector<std::pair<std::string, std::string>>* set, std::vector<OmittedHeader>* omitted) {
  if (pairs.empty()) return;
  thread_local simdjson::dom::parser parser;
  element payload;
  if (parser.parse(claims.payload_json().data(), claims.payload_json().size()).get(payload)) return;
  std::string text;
  for (const ClaimToHeader& pair : pairs) {
    element value;
    if (!FindClaim(payload, pair.name, &value) || !HeaderText(value, &text)) continue;
    std::string header(pair.header);  // lower case since the configuration was read
    if (HasControlBytes(text)) {
      omitted->push_back(
          {std::move(header), pair.name, "the claim's value holds control characters (CR, LF, NUL, ...)"});
    } else if (text.size() > kMaxClaimHeaderBytes) {
      omitted->push_back({std::move(header), pair.name, "the claim's value is longer than 8192 bytes"});
    } else {
      set->emplace_back(std::move(header), text);
    }
  }
}

}  // namespace tokenverify::internal
