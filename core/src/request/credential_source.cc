#include "request/credential_source.h"

#include <openssl/evp.h>

#include "base/ascii.h"

namespace tokenverify::internal {
namespace {

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Percent-decoding of a query component; false for a '%' without two hex digits.
bool DecodeQueryComponent(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+') {
      out->push_back(' ');
    } else if (c == '%') {
      const int hi = i + 1 < in.size() ? AsciiHexValue(in[i + 1]) : -1;
      const int lo = i + 2 < in.size() ? AsciiHexValue(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out->push_back(c);
    }
  }
  return true;
}

bool NeedsDecoding(std::string_view s) { return s.find_first_of("%+") != std::string_view::npos; }

}  // namespace

void FindInHeader(std::span<const HeaderView> headers, std::string_view name, std::string_view prefix,
                  FoundCredential* out) {
  out->count = FoundCredential::Count::kNone;
  const HeaderView* found = nullptr;
  for (const HeaderView& h : headers) {
    if (!AsciiEqualsIgnoreCase(h.Name(), name)) continue;
    if (found != nullptr) {
      out->count = FoundCredential::Count::kRepeated;
      return;
    }
    found = &h;
  }
  if (found == nullptr) return;
  std::string_view value = TrimSpaces(found->Value());
  if (!prefix.empty()) {
    // "Bearer " matches "bearer  x" too; the prefix's own trailing space is optional whitespace.
    const std::string_view scheme = TrimSpaces(prefix);
    if (!AsciiStartsWithIgnoreCase(value, scheme)) return;
    const std::string_view rest = value.substr(scheme.size());
    if (scheme.size() != prefix.size() && !rest.empty() && rest.front() != ' ' && rest.front() != '\t') return;
    value = TrimSpaces(rest);
  }
  if (value.empty()) return;
  out->count = FoundCredential::Count::kOne;
  out->value = value;
}

void FindInQuery(std::string_view query, std::string_view name, FoundCredential* out) {
  out->count = FoundCredential::Count::kNone;
  std::string decoded_name;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    const std::string_view raw_name = pair.substr(0, eq);
    const std::string_view raw_value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    std::string_view key = raw_name;
    if (NeedsDecoding(raw_name)) {
      if (!DecodeQueryComponent(raw_name, &decoded_name)) continue;
      key = decoded_name;
    }
    if (key != name) continue;
    if (out->count != FoundCredential::Count::kNone) {
      out->count = FoundCredential::Count::kRepeated;
      return;
    }
    out->count = FoundCredential::Count::kOne;
    out->value = raw_value;
    if (NeedsDecoding(raw_value)) {
      if (!DecodeQueryComponent(raw_value, &out->decoded)) out->decoded.assign(raw_value);
      out->value = out->decoded;
    }
  }
  if (out->count == FoundCredential::Count::kOne && out->value.empty()) out->count = FoundCredential::Count::kNone;
}

void FindInCookies(std::span<const HeaderView> headers, std::string_view name, FoundCredential* out) {
  out->count = FoundCredential::Count::kNone;
  for (const HeaderView& h : headers) {
    if (!AsciiEqualsIgnoreCase(h.Name(), "cookie")) continue;
    std::string_view rest = h.Value();
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      const std::string_view pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos || TrimSpaces(pair.substr(0, eq)) != name) continue;
      std::string_view value = TrimSpaces(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      if (!value.empty()) {
        out->count = FoundCredential::Count::kOne;
        out->value = value;
      }
      return;
    }
  }
}

Status FindBasic(std::span<const HeaderView> headers, std::string* storage, std::string_view* user,
                 std::string_view* password) {
  FoundCredential found;
  FindInHeader(headers, "Authorization", "Basic ", &found);
  if (found.count == FoundCredential::Count::kRepeated) return Status::ERR_DUPLICATE_CREDENTIAL;
  if (found.count == FoundCredential::Count::kNone) return Status::ERR_CREDENTIAL_MISSING;
  const std::string_view b64 = found.value;
  // Standard base64 with padding (RFC 7617 §2, RFC 4648 §4): whole quanta only.
  if (b64.size() % 4 != 0 || b64.size() > 8192) return Status::ERR_MALFORMED_CREDENTIAL;
  storage->resize(b64.size() / 4 * 3 + 1);
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(storage->data()),
                                reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  if (n < 0) return Status::ERR_MALFORMED_CREDENTIAL;
  // EVP_DecodeBlock counts padding as zero bytes; take them off again, and
  // refuse what it tolerates but base64 does not (spaces, padding mid-text).
  size_t len = static_cast<size_t>(n);
  size_t pad = 0;
  if (!b64.empty() && b64.back() == '=') ++pad;
  if (b64.size() > 1 && b64[b64.size() - 2] == '=') ++pad;
  if (pad > len || b64.substr(0, b64.size() - pad).find_first_of("= \t") != std::string_view::npos)
    return Status::ERR_MALFORMED_CREDENTIAL;
  len -= pad;
  storage->resize(len);
  const std::string_view text = *storage;
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return Status::ERR_MALFORMED_CREDENTIAL;
  // RFC 7617 §2: neither may hold control characters (they would also reach logs and headers).
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7f) return Status::ERR_MALFORMED_CREDENTIAL;
  *user = text.substr(0, colon);
  *password = text.substr(colon + 1);
  return Status::OK;
}

}  // namespace tokenverify::internal
