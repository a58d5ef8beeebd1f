#include "request/signature_schemes.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstring>
#include <memory>

#include "base/ascii.h"

namespace tokenverify::internal {
namespace {

using Mac = std::array<uint8_t, 32>;

constexpr char kHexLower[] = "0123456789abcdef";

std::string HexLower(const Mac& mac) {
  std::string out(64, '\0');
  for (size_t i = 0; i < mac.size(); ++i) {
    out[2 * i] = kHexLower[mac[i] >> 4];
    out[2 * i + 1] = kHexLower[mac[i] & 15];
  }
  return out;
}

std::string Base64Std(const Mac& mac) {
  std::string out(44, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac.data(), static_cast<int>(mac.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// HMAC-SHA256 of the concatenation of `parts`, without copying them together.
Mac Hmac(std::string_view key, std::initializer_list<std::string_view> parts) {
  struct Free {
    void operator()(HMAC_CTX* c) const { HMAC_CTX_free(c); }
  };
  std::unique_ptr<HMAC_CTX, Free> ctx(HMAC_CTX_new());
  Mac mac{};
  unsigned int len = 0;
  if (!ctx || HMAC_Init_ex(ctx.get(), key.data(), static_cast<int>(key.size()), EVP_sha256(), nullptr) != 1) return mac;
  for (const std::string_view p : parts)
    HMAC_Update(ctx.get(), reinterpret_cast<const unsigned char*>(p.data()), p.size());
  HMAC_Final(ctx.get(), mac.data(), &len);
  return mac;
}

// The one value of header `name` (compared case-insensitively).
Status OneHeader(std::span<const HeaderField> headers, std::string_view name, std::string_view* value) {
  bool found = false;
  for (const HeaderField& h : headers) {
    if (!AsciiEqualsIgnoreCase(h.name, name)) continue;
    if (found) return Status::ERR_DUPLICATE_CREDENTIAL;
    found = true;
    *value = h.value;
  }
  return found ? Status::OK : Status::ERR_CREDENTIAL_MISSING;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Unix seconds as decimal digits (at most 12: until the year 33658).
bool ParseTimestamp(std::string_view text, int64_t* out) {
  if (text.empty() || text.size() > 12) return false;
  int64_t v = 0;
  for (const char c : text) {
    if (!AsciiIsDigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// Go's URL.Path: the path with every %XX decoded; false for a bad escape.
bool DecodePath(std::string_view path, std::string* out) {
  out->clear();
  out->reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      out->push_back(path[i]);
      continue;
    }
    if (i + 2 >= path.size()) return false;
    const int hi = AsciiHexValue(path[i + 1]), lo = AsciiHexValue(path[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

struct Presented {
  std::string_view timestamp_text;  // as signed
  int64_t timestamp = 0;
  bool has_timestamp = false;
  std::vector<std::string_view> signatures;  // encoded as the scheme encodes them
};

Status ReadAuthGate(const SignedRequestView& r, Presented* p) {
  std::string_view sig, ts;
  Status s = OneHeader(r.headers, "X-Signature", &sig);
  if (s != Status::OK) return s;
  if ((s = OneHeader(r.headers, "X-Timestamp", &ts)) != Status::OK) return s;
  if (!ParseTimestamp(TrimSpaces(ts), &p->timestamp)) return Status::ERR_MALFORMED_CREDENTIAL;
  p->has_timestamp = true;
  p->signatures.push_back(TrimSpaces(sig));
  return Status::OK;
}

Status ReadGitHub(const SignedRequestView& r, Presented* p) {
  std::string_view sig;
  if (const Status s = OneHeader(r.headers, "X-Hub-Signature-256", &sig); s != Status::OK) return s;
  sig = TrimSpaces(sig);
  if (!sig.starts_with("sha256=")) return Status::ERR_MALFORMED_CREDENTIAL;
  p->signatures.push_back(sig.substr(7));
  return Status::OK;
}

// "t=1492774577,v1=5257a8...,v0=6ffbb..." (other keys ignored, as Stripe's libraries do).
Status ReadStripe(const SignedRequestView& r, Presented* p) {
  std::string_view header;
  if (const Status s = OneHeader(r.headers, "Stripe-Signature", &header); s != Status::OK) return s;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    const std::string_view item = TrimSpaces(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) return Status::ERR_MALFORMED_CREDENTIAL;
    const std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "t") {
      if (p->has_timestamp || !ParseTimestamp(value, &p->timestamp)) return Status::ERR_MALFORMED_CREDENTIAL;
      p->has_timestamp = true;
      p->timestamp_text = value;
    } else if (key == "v1") {
      if (p->signatures.size() == 8) return Status::ERR_MALFORMED_CREDENTIAL;  // bounded work per request
      p->signatures.push_back(value);
    }
  }
  if (!p->has_timestamp || p->signatures.empty()) return Status::ERR_MALFORMED_CREDENTIAL;
  return Status::OK;
}

Status ReadSlack(const SignedRequestView& r, Presented* p) {
  std::string_view sig, ts;
  Status s = OneHeader(r.headers, "X-Slack-Signature", &sig);
  if (s != Status::OK) return s;
  if ((s = OneHeader(r.headers, "X-Slack-Request-Timestamp", &ts)) != Status::OK) return s;
  sig = TrimSpaces(sig);
  p->timestamp_text = TrimSpaces(ts);
  if (!sig.starts_with("v0=") || !ParseTimestamp(p->timestamp_text, &p->timestamp))
    return Status::ERR_MALFORMED_CREDENTIAL;
  p->has_timestamp = true;
  p->signatures.push_back(sig.substr(3));
  return Status::OK;
}

// "v1,<base64> v1,<base64>": entries of other versions are skipped.
Status ReadStandardWebhooks(const SignedRequestView& r, Presented* p, std::string_view* id) {
  std::string_view sig, ts;
  Status s = OneHeader(r.headers, "webhook-id", id);
  if (s != Status::OK) return s;
  if ((s = OneHeader(r.headers, "webhook-timestamp", &ts)) != Status::OK) return s;
  if ((s = OneHeader(r.headers, "webhook-signature", &sig)) != Status::OK) return s;
  p->timestamp_text = TrimSpaces(ts);
  if (!ParseTimestamp(p->timestamp_text, &p->timestamp)) return Status::ERR_MALFORMED_CREDENTIAL;
  p->has_timestamp = true;
  while (!sig.empty()) {
    const size_t space = sig.find(' ');
    const std::string_view item = sig.substr(0, space);
    sig = space == std::string_view::npos ? std::string_view() : sig.substr(space + 1);
    if (item.empty()) continue;
    const size_t comma = item.find(',');
    if (comma == std::string_view::npos) return Status::ERR_MALFORMED_CREDENTIAL;
    if (item.substr(0, comma) != "v1") continue;
    if (p->signatures.size() == 8) return Status::ERR_MALFORMED_CREDENTIAL;
    p->signatures.push_back(item.substr(comma + 1));
  }
  return p->signatures.empty() ? Status::ERR_MALFORMED_CREDENTIAL : Status::OK;
}

}  // namespace

std::optional<SignatureScheme> ParseSignatureScheme(std::string_view name) {
  if (name == "authgate") return SignatureScheme::kAuthGate;
  if (name == "github") return SignatureScheme::kGitHub;
  if (name == "stripe") return SignatureScheme::kStripe;
  if (name == "slack") return SignatureScheme::kSlack;
  if (name == "standardWebhooks") return SignatureScheme::kStandardWebhooks;
  return std::nullopt;
}

std::string_view SignatureSchemeName(SignatureScheme scheme) {
  switch (scheme) {
    case SignatureScheme::kAuthGate:
      return "authgate";
    case SignatureScheme::kGitHub:
      return "github";
    case SignatureScheme::kStripe:
      return "stripe";
    case SignatureScheme::kSlack:
      return "slack";
    case SignatureScheme::kStandardWebhooks:
      return "standardWebhooks";
  }
  return "";
}

bool SignatureSchemeHasTimestamp(SignatureScheme scheme) { return scheme != SignatureScheme::kGitHub; }

Status MakeSignatureSecret(SignatureScheme scheme, std::string name, std::string_view text, SignatureSecret* out,
                           Error* err) {
  out->name = std::move(name);
  if (scheme != SignatureScheme::kStandardWebhooks) {
    if (text.empty()) {
      err->message = "the secret is empty";
      return err->status = Status::ERR_CONFIG;
    }
    out->key.assign(text);
    return Status::OK;
  }
  if (text.starts_with("whsec_")) text.remove_prefix(6);
  // Standard base64 with padding; EVP_DecodeBlock would accept trailing garbage silently, so check the shape first.
  bool shape = !text.empty() && text.size() % 4 == 0;
  for (size_t i = 0; shape && i < text.size(); ++i) {
    const char c = text[i];
    const bool pad = c == '=' && i >= text.size() - 2 && (i == text.size() - 1 || text.back() == '=');
    shape = pad || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
  }
  if (!shape) {
    err->message = "a standardWebhooks secret is \"whsec_\" followed by base64";
    return err->status = Status::ERR_CONFIG;
  }
  std::string key(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(key.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) {
    err->message = "a standardWebhooks secret is \"whsec_\" followed by base64";
    return err->status = Status::ERR_CONFIG;
  }
  size_t len = static_cast<size_t>(n);
  if (text.ends_with("=="))
    len -= 2;
  else if (text.ends_with("="))
    len -= 1;
  key.resize(len);
  out->key = std::move(key);
  return Status::OK;
}

Status CheckRequestSignature(SignatureScheme scheme, std::span<const SignatureSecret> secrets, int64_t window_s,
                             const SignedRequestView& r, int64_t now_s, SignatureCheck* out) {
  Presented p;
  std::string_view webhook_id;
  Status s = Status::OK;
  switch (scheme) {
    case SignatureScheme::kAuthGate:
      s = ReadAuthGate(r, &p);
      break;
    case SignatureScheme::kGitHub:
      s = ReadGitHub(r, &p);
      break;
    case SignatureScheme::kStripe:
      s = ReadStripe(r, &p);
      break;
    case SignatureScheme::kSlack:
      s = ReadSlack(r, &p);
      break;
    case SignatureScheme::kStandardWebhooks:
      s = ReadStandardWebhooks(r, &p, &webhook_id);
      break;
  }
  if (s != Status::OK) return s;
  if (p.has_timestamp) {
    const int64_t skew = now_s >= p.timestamp ? now_s - p.timestamp : p.timestamp - now_s;
    if (skew > window_s) return Status::ERR_TIMESTAMP_OUT_OF_WINDOW;
  }

  // AuthGate signs the decimal timestamp as Go prints it, the path as Go's URL.Path holds it, and "?" + the raw
  // query only when the query is not empty.
  std::string ts_text, path;
  std::string_view query_mark, query;
  if (scheme == SignatureScheme::kAuthGate) {
    ts_text = std::to_string(p.timestamp);
    const size_t q = r.target.find('?');
    if (!DecodePath(r.target.substr(0, q), &path)) return Status::ERR_MALFORMED_REQUEST;
    if (q != std::string_view::npos && q + 1 < r.target.size()) {
      query_mark = "?";
      query = r.target.substr(q + 1);
    }
  }

  for (size_t i = 0; i < secrets.size(); ++i) {
    const std::string_view key = secrets[i].key;
    Mac mac;
    switch (scheme) {
      case SignatureScheme::kAuthGate:
        mac = Hmac(key, {ts_text, r.method, path, query_mark, query, r.body});
        break;
      case SignatureScheme::kGitHub:
        mac = Hmac(key, {r.body});
        break;
      case SignatureScheme::kStripe:
        mac = Hmac(key, {p.timestamp_text, ".", r.body});
        break;
      case SignatureScheme::kSlack:
        mac = Hmac(key, {"v0:", p.timestamp_text, ":", r.body});
        break;
      case SignatureScheme::kStandardWebhooks:
        mac = Hmac(key, {webhook_id, ".", p.timestamp_text, ".", r.body});
        break;
    }
    const std::string expected = scheme == SignatureScheme::kStandardWebhooks ? Base64Std(mac) : HexLower(mac);
    bool match = false;
    for (const std::string_view presented : p.signatures) match |= ConstantTimeEquals(presented, expected);
    if (match) {
      out->secret = static_cast<int>(i);
      out->timestamp = p.timestamp;
      std::memcpy(out->replay_key, mac.data(), sizeof out->replay_key);
      return Status::OK;
    }
  }
  return Status::ERR_REQUEST_SIGNATURE_INVALID;
}

}  // namespace tokenverify::internal
