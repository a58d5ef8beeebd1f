// Text from key sets (kids, reasons, URLs) shown on a terminal. A key set is
// written by whoever runs the JWKS endpoint: a kid holding ESC [ ... could
// move the cursor, rewrite earlier lines or retitle the window when printed
// raw. Everything that is not plainly printable is shown as an escape.
#include <cstdint>
#include <cstdio>

#include "cli.h"

namespace tvcli {
namespace {

// Code points that are valid UTF-8 but that a terminal acts on or that
// reorder the text around them: C1 controls and the bidirectional controls.
bool IsInvisibleControl(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

// The length of the well-formed UTF-8 sequence at s[i] (its code point in
// *cp), or 0 if the bytes there are not one.
size_t Utf8Sequence(std::string_view s, size_t i, uint32_t* cp) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  size_t len;
  uint32_t min;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    len = 2;
    min = 0x80;
    *cp = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    len = 3;
    min = 0x800;
    *cp = b0 & 0x0f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    len = 4;
    min = 0x10000;
    *cp = b0 & 0x07;
  } else
    return 0;
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    *cp = (*cp << 6) | (byte(i + k) & 0x3f);
  }
  if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff)) return 0;
  return len;
}

}  // namespace

std::string TerminalSafe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char buf[16];
  for (size_t i = 0; i < text.size();) {
    const uint8_t b = static_cast<uint8_t>(text[i]);
    if (b >= 0x20 && b < 0x7f) {
      if (b == '\\') out += '\\';  // so that an escape below cannot be faked
      out += static_cast<char>(b);
      ++i;
      continue;
    }
    uint32_t cp = 0;
    const size_t len = b >= 0x80 ? Utf8Sequence(text, i, &cp) : 0;
    if (len == 0) {  // a C0 control, DEL, or a byte that is not UTF-8
      std::snprintf(buf, sizeof buf, "\\x%02x", b);
      out += buf;
      ++i;
    } else if (IsInvisibleControl(cp)) {
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
      out += buf;
      i += len;
    } else {
      out.append(text, i, len);
      i += len;
    }
  }
  return out;
}

std::string JsonTerminalSafe(std::string_view json) {
  // Valid JSON carries C0 controls only as \u escapes already; C1 and bidi
  // controls can only sit inside strings, where \uNNNN means the same.
  std::string out;
  out.reserve(json.size());
  char buf[16];
  for (size_t i = 0; i < json.size();) {
    uint32_t cp = 0;
    const size_t len = static_cast<uint8_t>(json[i]) >= 0x80 ? Utf8Sequence(json, i, &cp) : 0;
    if (len != 0 && IsInvisibleControl(cp)) {
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
      out += buf;
      i += len;
    } else {
      const size_t n = len == 0 ? 1 : len;
      out.append(json, i, n);
      i += n;
    }
  }
  return out;
}

}  // namespace tvcli
