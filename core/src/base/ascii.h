// The ASCII character tests and case-insensitive compares the engine needs
// (header names, media types, algorithm names, digits, JSON whitespace), in
// one place. Locale-free on purpose: std::tolower and std::isdigit depend on
// the C locale, and protocol text is ASCII whatever the locale says.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tokenverify::internal {

constexpr char AsciiLower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// `s` with ASCII letters in lower case (header names, host names).
inline std::string AsciiLowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

constexpr bool AsciiIsDigit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }

// The value of a hex digit in either case, or -1.
constexpr int AsciiHexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  c = AsciiLower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// A character of an HTTP token (RFC 9110 §5.6.2): header names, methods, auth schemes.
// A table: header names are checked on every request.
inline constexpr struct HttpTokenTable {
  bool ok[256] = {};
  constexpr HttpTokenTable() {
    for (int c = 0; c < 256; ++c) ok[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) ok[static_cast<unsigned char>(c)] = true;
  }
} kHttpTokenTable;
constexpr bool IsHttpTokenChar(unsigned char c) noexcept { return kHttpTokenTable.ok[c]; }

// Control characters (other than tab) would let a header value break out of
// its line: a value that holds one is never sent.
constexpr bool HasControlChar(std::string_view s) noexcept {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return true;
  }
  return false;
}

// The four whitespace characters of RFC 8259 section 2.
constexpr bool IsJsonWhitespace(unsigned char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

constexpr bool AsciiEqualsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  if (a == b) return true;  // the common case (the same spelling) in one memcmp
  for (size_t i = 0; i < a.size(); ++i)
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  return true;
}

constexpr bool AsciiStartsWithIgnoreCase(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && AsciiEqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

}  // namespace tokenverify::internal
