// The few JSON text operations the tool needs. Tokens and configurations are
// parsed only by the library (the one strict parser); the tool parses JSON
// itself only in `tokenverify keys`, with simdjson over the stats document the
// library produced (keys.cc). Everything here either produces JSON (escaping)
// or finds boundaries in text the library then validates for real.
#include <cstdio>
#include <string>
#include <string_view>

#include "cli.h"

namespace tvcli {
namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void SkipSpace(std::string_view s, size_t& i) {
  while (i < s.size() && IsJsonSpace(s[i])) ++i;
}

// Advances |i| past the string literal starting at s[i] == '"'.
bool SkipString(std::string_view s, size_t& i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;  // whatever follows is escaped; the library checks it is a valid escape
    } else if (s[i] == '"') {
      ++i;
      return true;
    }
  }
  return false;
}

// Advances |i| past one value of any type without interpreting it.
bool SkipValue(std::string_view s, size_t& i) {
  if (i >= s.size()) return false;
  if (s[i] == '"') return SkipString(s, i);
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    while (i < s.size()) {
      char c = s[i];
      if (c == '"') {
        if (!SkipString(s, i)) return false;
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') --depth;
      ++i;
      if (depth == 0) return true;
    }
    return false;
  }
  // Scalar (number, true, false, null): runs to the next delimiter.
  size_t start = i;
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !IsJsonSpace(s[i])) ++i;
  return i > start;
}

}  // namespace

std::string JsonString(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string CompactJson(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < json.size()) {
        out += json[++i];
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      out += c;
    } else if (!IsJsonSpace(c)) {
      out += c;
    }
  }
  return out;
}

std::optional<std::vector<JsonMember>> ScanObjectMembers(std::string_view s) {
  std::vector<JsonMember> members;
  size_t i = 0;
  SkipSpace(s, i);
  if (i >= s.size() || s[i] != '{') return std::nullopt;
  ++i;
  SkipSpace(s, i);
  if (i < s.size() && s[i] == '}') {
    ++i;
  } else {
    for (;;) {
      SkipSpace(s, i);
      if (i >= s.size() || s[i] != '"') return std::nullopt;
      size_t key_start = i;
      if (!SkipString(s, i)) return std::nullopt;
      std::string_view key = s.substr(key_start + 1, i - key_start - 2);
      SkipSpace(s, i);
      if (i >= s.size() || s[i] != ':') return std::nullopt;
      ++i;
      SkipSpace(s, i);
      size_t value_start = i;
      if (!SkipValue(s, i)) return std::nullopt;
      members.push_back({key, s.substr(value_start, i - value_start)});
      SkipSpace(s, i);
      if (i < s.size() && s[i] == ',') {
        ++i;
        continue;
      }
      if (i < s.size() && s[i] == '}') {
        ++i;
        break;
      }
      return std::nullopt;
    }
  }
  SkipSpace(s, i);
  if (i != s.size()) return std::nullopt;
  return members;
}

std::optional<std::string> ReplaceMembers(std::string_view json, const std::vector<JsonMember>& overrides) {
  auto members = ScanObjectMembers(json);
  if (!members) return std::nullopt;
  std::string out = "{";
  auto append = [&out](std::string_view key, std::string_view value) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += key;
    out += "\":";
    out += value;
  };
  for (const auto& m : *members) {
    bool overridden = false;
    for (const auto& o : overrides) overridden |= (m.key == o.key);
    if (!overridden) append(m.key, m.value);
  }
  for (const auto& o : overrides) append(o.key, o.value);
  out += '}';
  return out;
}

}  // namespace tvcli
