#include "request/target.h"

#include "base/ascii.h"

namespace tokenverify::internal {
namespace {

constexpr bool IsAlpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// RFC 3986 §2.3.
constexpr bool IsUnreserved(unsigned char c) {
  return IsAlpha(c) || AsciiIsDigit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// pchar without '%' (RFC 3986 §3.3): unreserved, sub-delims, ':' and '@'.
constexpr bool IsPathChar(unsigned char c) {
  switch (c) {
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
    case ':':
    case '@':
      return true;
    default:
      return IsUnreserved(c);
  }
}

// The query is passed through unchanged: any visible ASCII byte but '#'.
constexpr bool IsQueryChar(unsigned char c) { return c > 0x20 && c < 0x7f && c != '#'; }

// RFC 3986 §5.2.4 on a path that starts with '/', segment by segment.
std::string RemoveDotSegments(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    // in[i] == '/': the segment runs to the next '/'.
    size_t end = in.find('/', i + 1);
    if (end == std::string_view::npos) end = in.size();
    const std::string_view segment = in.substr(i + 1, end - i - 1);
    const bool last = end == in.size();
    if (segment == ".") {
      if (last) out.push_back('/');
    } else if (segment == "..") {
      const size_t slash = out.rfind('/');
      out.resize(slash == std::string::npos ? 0 : slash);
      if (last) out.push_back('/');
    } else {
      out.push_back('/');
      out.append(segment);
    }
    i = end;
  }
  if (out.empty()) out.push_back('/');
  return out;
}

// A "." or ".." segment anywhere in `path`.
bool HasDotSegment(std::string_view path) {
  for (size_t at = path.find("/."); at != std::string_view::npos; at = path.find("/.", at + 1)) {
    std::string_view rest = path.substr(at + 2);
    if (!rest.empty() && rest[0] == '.') rest.remove_prefix(1);
    if (rest.empty() || rest[0] == '/') return true;
  }
  return false;
}

}  // namespace

Status NormalizeTarget(std::string_view target, NormalizedTarget* out) {
  if (target.empty() || target[0] != '/') return Status::ERR_MALFORMED_REQUEST;
  const size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  out->has_query = question != std::string_view::npos;
  out->query = out->has_query ? target.substr(question + 1) : std::string_view();
  for (const char c : out->query)
    if (!IsQueryChar(static_cast<unsigned char>(c))) return Status::ERR_MALFORMED_REQUEST;

  // The common case first: nothing encoded and no dot segment, so the path
  // is already normal (one copy, no second pass).
  size_t plain = 0;
  while (plain < path.size() && (path[plain] == '/' || IsPathChar(static_cast<unsigned char>(path[plain])))) ++plain;
  if (plain == path.size() && !HasDotSegment(path)) {
    out->path.assign(path);
    return Status::OK;
  }

  std::string decoded;
  decoded.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(path[i]);
    if (c == '/' || IsPathChar(c)) {
      decoded.push_back(static_cast<char>(c));
      continue;
    }
    if (c != '%' || i + 2 >= path.size()) return Status::ERR_MALFORMED_REQUEST;
    const int hi = AsciiHexValue(path[i + 1]);
    const int lo = AsciiHexValue(path[i + 2]);
    if (hi < 0 || lo < 0) return Status::ERR_MALFORMED_REQUEST;
    const unsigned char byte = static_cast<unsigned char>(hi * 16 + lo);
    if (byte == '/' || byte == '\\') return Status::ERR_MALFORMED_REQUEST;
    if (IsUnreserved(byte)) {
      decoded.push_back(static_cast<char>(byte));
    } else {  // kept encoded, in the canonical upper-case form
      static constexpr char kHex[] = "0123456789ABCDEF";
      decoded.push_back('%');
      decoded.push_back(kHex[byte >> 4]);
      decoded.push_back(kHex[byte & 15]);
    }
    i += 2;
  }
  out->path = RemoveDotSegments(decoded);
  return Status::OK;
}

bool NormalizeHost(std::string_view host, std::string* out) {
  out->clear();
  if (host.empty()) return true;
  std::string_view name = host;
  if (name[0] == '[') {  // an IP literal: "[v6]" or "[v6]:port"
    const size_t close = name.find(']');
    if (close == std::string_view::npos) return false;
    const std::string_view rest = name.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') return false;
    for (const char c : rest.substr(rest.empty() ? 0 : 1))
      if (!AsciiIsDigit(static_cast<unsigned char>(c))) return false;
    name = name.substr(0, close + 1);
    for (const char c : name.substr(1, name.size() - 2))
      if (!(AsciiHexValue(c) >= 0 || c == ':' || c == '.')) return false;
  } else {
    const size_t colon = name.find(':');
    if (colon != std::string_view::npos) {
      for (const char c : name.substr(colon + 1))
        if (!AsciiIsDigit(static_cast<unsigned char>(c))) return false;
      name = name.substr(0, colon);
    }
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (name.empty()) return false;
    for (const char c : name) {
      const unsigned char u = static_cast<unsigned char>(c);
      if (!(IsAlpha(u) || AsciiIsDigit(u) || c == '-' || c == '.' || c == '_')) return false;
    }
  }
  *out = AsciiLowerCopy(name);
  return true;
}

}  // namespace tokenverify::internal
