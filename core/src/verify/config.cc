#include "verify/config.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <new>

#include "absl/container/flat_hash_set.h"
#include "base/ascii.h"
#include "base64url/base64url.h"
#include "json/simdjson_strict.h"
#include "keysets/small_file.h"
#include "verify/config_reader.h"
#include "verify/duration.h"

namespace tokenverify::internal {
namespace {

std::string ReadKeyFile(const std::string& file, const std::string& path) {
  std::string text, why;
  if (!ReadSmallFile(file, kMaxKeyFileBytes, &text, &why)) Fail(path, why, Status::ERR_IO);
  return text;
}

// Loads a key set with `parse` (ParseJwks or ParsePemKeys); a failure names `path`.
using KeySetParser = Result<std::shared_ptr<const KeySet>> (*)(std::string_view, Error*, KeyPolicy);
std::shared_ptr<const KeySet> LoadKeys(KeySetParser parse, const std::string& text, const std::string& path,
                                       const KeyPolicy& policy) {
  Error err;
  auto set = parse(text, &err, policy);
  if (!set.ok()) Fail(path, err.message.empty() ? std::string(StatusMessage(set.status())) : err.message, set.status());
  return std::move(set).value();
}

constexpr int64_t kHourMs = 3'600'000;

bool IsHttpUrl(std::string_view url) {
  auto starts = [&](std::string_view prefix) {
    return url.size() > prefix.size() && AsciiStartsWithIgnoreCase(url, prefix);
  };
  return starts("https://") || starts("http://");
}

// "format": "jwks" or "x509" (a kid -> PEM certificate map); absent: detected.
KeySetFormat ParseKeySetFormat(element e, const std::string& path) {
  const std::string name = AsString(e, path);
  if (name == "jwks") return KeySetFormat::kJwks;
  if (name == "x509") return KeySetFormat::kX509;
  Fail(path, "must be \"jwks\" or \"x509\"");
}

// The key-set parser for `format`, for LoadKeys.
KeySetParser ParserFor(KeySetFormat format) {
  switch (format) {
    case KeySetFormat::kJwks:
      return ParseJwks;
    case KeySetFormat::kX509:
      return ParseX509Map;
    case KeySetFormat::kDetect:
      break;
  }
  return [](std::string_view text, Error* err, KeyPolicy policy) {
    return ParseKeySetDocument(text, KeySetFormat::kDetect, err, policy);
  };
}

// "headers": {"name": "value", ...} sent with each key-set fetch. Checked here
// so that nothing in the document can split a request line or smuggle a
// second header: names are HTTP tokens, values hold no control characters.
// The headers the fetcher manages itself cannot be set.
std::vector<std::pair<std::string, std::string>> ParseFetchHeaders(element e, const std::string& path) {
  constexpr size_t kMaxHeaders = 32, kMaxValueBytes = 4096;
  constexpr std::string_view kManaged[] = {
      "host",    "if-none-match", "if-modified-since", "content-length", "transfer-encoding", "connection", "te",
      "upgrade", "expect"};
  std::vector<std::pair<std::string, std::string>> headers;
  for (auto [name, value] : AsObject(e, path)) {
    const std::string hpath = Join(path, name);
    if (headers.size() == kMaxHeaders) Fail(path, "holds more than 32 headers");
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return IsHttpTokenChar(c); }))
      Fail(hpath, "is not a header name (letters, digits and !#$%&'*+-.^_`|~ only)");
    for (std::string_view managed : kManaged)
      if (AsciiEqualsIgnoreCase(name, managed)) Fail(hpath, "is set by the fetcher itself");
    for (const auto& [seen, v] : headers)
      if (AsciiEqualsIgnoreCase(seen, name)) Fail(hpath, "repeats a header name (names are case-insensitive)");
    std::string text = AsString(value, hpath);
    if (text.size() > kMaxValueBytes) Fail(hpath, "is longer than 4096 bytes");
    if (HasControlChar(text)) Fail(hpath, "holds a control character");
    headers.emplace_back(std::string(name), std::move(text));
  }
  return headers;
}

RemoteJwksConfig ParseRemote(element e, const std::string& path, KeySetFormat* format) {
  RemoteJwksConfig r;
  bool has_url = false;
  for (auto [key, value] : AsObject(e, path)) {
    const std::string kpath = Join(path, key);
    if (key == "url") {
      r.url = AsString(value, kpath);
      if (!IsHttpUrl(r.url)) Fail(kpath, "must be an http:// or https:// URL");
      has_url = true;
    } else if (key == "cacheDuration")
      r.cache_duration_ms = AsPositiveDurationMs(value, kpath, 30 * 24 * kHourMs);
    else if (key == "timeout")
      r.timeout_ms = AsPositiveDurationMs(value, kpath, kHourMs / 12);
    else if (key == "useCacheHeaders")
      r.use_cache_headers = AsBool(value, kpath);
    else if (key == "minRefreshInterval")
      r.min_refresh_interval_ms = AsPositiveDurationMs(value, kpath, 30 * 24 * kHourMs);
    else if (key == "maxRefreshInterval")
      r.max_refresh_interval_ms = AsPositiveDurationMs(value, kpath, 30 * 24 * kHourMs);
    else if (key == "refreshAhead")
      r.refresh_ahead_ms = AsDurationMs(value, kpath);
    else if (key == "maxStale")
      r.max_stale_ms = AsDurationMs(value, kpath);
    else if (key == "backoff") {
      for (auto [bkey, bvalue] : AsObject(value, kpath)) {
        const std::string bpath = Join(kpath, bkey);
        if (bkey == "initial")
          r.backoff_initial_ms = AsPositiveDurationMs(bvalue, bpath, kHourMs);
        else if (bkey == "max")
          r.backoff_max_ms = AsPositiveDurationMs(bvalue, bpath, kHourMs);
        else if (bkey == "multiplier") {
          if (bvalue.get_double().get(r.backoff_multiplier) ||
              !(r.backoff_multiplier >= 1 && r.backoff_multiplier <= 10))
            Fail(bpath, "must be a number from 1 to 10");
        } else
          UnknownField(kpath, bkey);
      }
    } else if (key == "unknownKidCooldown")
      r.unknown_kid_cooldown_ms = AsPositiveDurationMs(value, kpath, kHourMs);
    else if (key == "unknownKidWait") {
      r.unknown_kid_wait_ms = AsDurationMs(value, kpath);
      if (r.unknown_kid_wait_ms > 10'000) Fail(kpath, "must be at most 10 seconds (a verification waits this long)");
    } else if (key == "initialFetchWait") {
      r.initial_fetch_wait_ms = AsDurationMs(value, kpath);
      if (r.initial_fetch_wait_ms > kHourMs / 12) Fail(kpath, "must be at most 300 seconds");
    } else if (key == "requireInitialKeys")
      r.require_initial_keys = AsBool(value, kpath);
    else if (key == "format")
      *format = ParseKeySetFormat(value, kpath);
    else if (key == "maxResponseBytes")
      r.max_response_bytes = static_cast<size_t>(AsInt(value, kpath, 1024, 64 << 20));
    else if (key == "followRedirects")
      r.follow_redirects = AsBool(value, kpath);
    else if (key == "headers")
      r.headers = ParseFetchHeaders(value, kpath);
    else if (key == "tls") {
      for (auto [tkey, tvalue] : AsObject(value, kpath)) {
        const std::string tpath = Join(kpath, tkey);
        if (tkey == "insecureSkipVerify")
          r.verify_tls = !AsBool(tvalue, tpath);
        else if (tkey == "caFile")
          r.ca_file = AsString(tvalue, tpath);
        else
          UnknownField(kpath, tkey);
      }
    } else
      UnknownField(path, key);
  }
  if (!has_url) Fail(Join(path, "url"), "is required");
  if (r.min_refresh_interval_ms > r.max_refresh_interval_ms)
    Fail(Join(path, "minRefreshInterval"), "must not be longer than maxRefreshInterval");
  if (r.backoff_initial_ms > r.backoff_max_ms)
    Fail(Join(path, "backoff.initial"), "must not be longer than backoff.max");
  if (r.require_initial_keys && r.initial_fetch_wait_ms == 0)
    Fail(Join(path, "requireInitialKeys"), "needs initialFetchWait (how long to wait for the first key set)");
  return r;
}

KeySourceConfig ParseJwksSource(element e, const std::string& path, const KeyPolicy& policy) {
  object jwks = AsObject(e, path);
  if (jwks.size() != 1) Fail(path, "needs exactly one of \"local\" or \"remote\"");
  KeySourceConfig src;
  src.policy = policy;
  for (auto [key, value] : jwks) {
    if (key == "local") {
      const std::string lpath = Join(path, "local");
      object local = AsObject(value, lpath);
      bool has_source = false, has_interval = false;
      // Read first: it decides how "inline" or "file", in any order, is parsed.
      element format_value;
      const bool has_format = local.at_key("format").get(format_value) == simdjson::SUCCESS;
      if (has_format) src.format = ParseKeySetFormat(format_value, Join(lpath, "format"));
      for (auto [lkey, lvalue] : local) {
        const std::string fpath = Join(lpath, lkey);
        if (lkey == "format") continue;
        if (lkey == "checkInterval") {
          src.check_interval_ms = AsPositiveDurationMs(lvalue, fpath, 24 * kHourMs);
          has_interval = true;
          continue;
        }
        if (lkey != "inline" && lkey != "file" && lkey != "pem") UnknownField(lpath, lkey);
        if (has_source) Fail(lpath, "needs exactly one of \"inline\", \"file\" or \"pem\"");
        has_source = true;
        if (lkey == "inline") {
          // A string holding the JWK set, or the JWK set itself as an object.
          src.initial =
              LoadKeys(ParserFor(src.format),
                       lvalue.is_string() ? AsString(lvalue, fpath) : simdjson::to_string(AsObject(lvalue, fpath)),
                       fpath, policy);
        } else if (lkey == "file") {
          src.kind = KeySourceConfig::Kind::kFile;
          src.file = AsString(lvalue, fpath);
          src.initial_text = ReadKeyFile(src.file, fpath);
          src.initial = LoadKeys(ParserFor(src.format), src.initial_text, fpath, policy);
        } else {
          if (has_format) Fail(Join(lpath, "format"), "applies to \"inline\" and \"file\", not to \"pem\"");
          src.initial = LoadKeys(ParsePemKeys, AsString(lvalue, fpath), fpath, policy);
        }
      }
      if (!has_source) Fail(lpath, "needs exactly one of \"inline\", \"file\" or \"pem\"");
      if (has_interval && src.kind != KeySourceConfig::Kind::kFile)
        Fail(Join(lpath, "checkInterval"), "only applies to \"file\"");
    } else if (key == "remote") {
      src.kind = KeySourceConfig::Kind::kRemote;
      src.remote = ParseRemote(value, Join(path, "remote"), &src.format);
    } else {
      UnknownField(path, key);
    }
  }
  return src;
}

std::shared_ptr<const KeySet> ParseSecret(element e, const std::string& path, const KeyPolicy& policy) {
  std::string bytes;
  if (e.is_string()) {
    bytes = AsString(e, path);
  } else {
    object o = AsObject(e, path);
    if (o.size() != 1) Fail(path, "must be a string or {\"base64url\": \"...\"}");
    for (auto [key, value] : o) {
      if (key != "base64url") UnknownField(path, key);
      const std::string fpath = Join(path, key);
      const std::string text = AsString(value, fpath);
      bytes.resize(Base64urlDecodedLength(text.size()) + kBase64urlOutputSlack);
      if (!Base64urlDecodeScalar(text.data(), text.size(), reinterpret_cast<uint8_t*>(bytes.data())))
        Fail(fpath, "is not strict unpadded base64url");
      bytes.resize(Base64urlDecodedLength(text.size()));
    }
  }
  Error err;
  auto set = KeySetFromSecret(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
                              &err, policy);
  if (!set.ok())
    Fail(path,
         set.status() != Status::ERR_JWK_WEAK ? err.message
         : bytes.empty()                      ? std::string("is empty")
                                              : "is " + std::to_string(bytes.size()) +
                               " bytes; HMAC secrets need at least 32 (RFC 7518 3.2; the provider's "
                               "\"allowShortHmacSecrets\": true accepts shorter ones)",
         set.status());
  return std::move(set).value();
}

AlgSet ParseAlgorithms(element e, const std::string& path) {
  AlgSet set = 0;
  const auto names = AsStringList(e, path);
  for (size_t i = 0; i < names.size(); ++i) {
    Alg alg;
    const Status st = ParseAlg(names[i], &alg);
    if (st == Status::ERR_ALG_NONE) Fail(Index(path, i), "\"none\" is never accepted; remove it from the list");
    if (st != Status::OK)
      Fail(Index(path, i),
           "unknown algorithm \"" + names[i] +
               "\" (names are case-sensitive: HS256, RS256, PS256, ES256, ES256K, Ed25519, Ed448, EdDSA, ...)");
    set |= AlgBit(alg);
  }
  if (set == 0) Fail(path, "must list at least one algorithm");
  return set;
}

std::vector<ClaimMatcher> ParseClaimMatchers(element e, const std::string& path) {
  simdjson::dom::array arr;
  if (e.get_array().get(arr)) Fail(path, "must be an array of {\"name\": ..., \"values\": [...]}");
  std::vector<ClaimMatcher> out;
  size_t i = 0;
  for (element item : arr) {
    const std::string ipath = Index(path, i++);
    ClaimMatcher m;
    for (auto [key, value] : AsObject(item, ipath)) {
      if (key == "name")
        m.name = AsString(value, Join(ipath, key));
      else if (key == "values" || key == "value")
        m.values = AsStringOrList(value, Join(ipath, key));
      else
        UnknownField(ipath, key);
    }
    if (m.name.empty()) Fail(Join(ipath, "name"), "is required");
    if (m.values.empty()) Fail(Join(ipath, "values"), "needs at least one value");
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<ClaimToHeader> ParseClaimsToHeaders(element e, const std::string& path) {
  simdjson::dom::array arr;
  if (e.get_array().get(arr)) Fail(path, "must be an array of {\"name\": ..., \"header\": ...}");
  std::vector<ClaimToHeader> out;
  size_t i = 0;
  for (element item : arr) {
    const std::string ipath = Index(path, i++);
    ClaimToHeader c;
    for (auto [key, value] : AsObject(item, ipath)) {
      if (key == "name")
        c.name = AsString(value, Join(ipath, key));
      else if (key == "header") {
        // Header names are case-insensitive; decisions speak lower case, so convert once here.
        c.header = AsciiLowerCopy(AsString(value, Join(ipath, key)));
        for (unsigned char ch : c.header)
          if (!IsHttpTokenChar(ch)) Fail(Join(ipath, key), "is not an HTTP header name");
      } else
        UnknownField(ipath, key);
    }
    if (c.name.empty() || c.header.empty()) Fail(ipath, "needs both \"name\" and \"header\"");
    out.push_back(std::move(c));
  }
  return out;
}

TokenSource ParseTokenSource(element e, const std::string& path) {
  object o = AsObject(e, path);
  if (o.size() != 1) Fail(path, "needs exactly one of \"header\", \"queryParameter\", \"cookie\"");
  TokenSource ts;
  for (auto [key, value] : o) {
    const std::string kpath = Join(path, key);
    if (key == "header") {
      ts.kind = TokenSource::Kind::kHeader;
      ts.prefix.clear();
      for (auto [hkey, hvalue] : AsObject(value, kpath)) {
        if (hkey == "header")
          ts.name = AsString(hvalue, Join(kpath, hkey));
        else if (hkey == "prefix")
          ts.prefix = AsString(hvalue, Join(kpath, hkey));
        else
          UnknownField(kpath, hkey);
      }
    } else if (key == "queryParameter" || key == "cookie") {
      ts.kind = key == "cookie" ? TokenSource::Kind::kCookie : TokenSource::Kind::kQueryParameter;
      ts.name = AsString(value, kpath);
      ts.prefix.clear();
    } else {
      UnknownField(path, key);
    }
    if (ts.name.empty()) Fail(kpath, "needs a name");
  }
  return ts;
}

ProviderConfig ParseProvider(element e, const std::string& path, const std::vector<std::string>& global_required) {
  ProviderConfig p;
  p.required_claims = global_required;
  bool has_algorithms = false, has_keys = false;
  // Read before "jwks" and "secret", which they govern, wherever they stand in the object.
  KeyPolicy policy;
  if (element strict; !AsObject(e, path)["strictKeySet"].get(strict))
    policy.unusable = AsBool(strict, Join(path, "strictKeySet")) ? UnusableKeys::kRefuse : UnusableKeys::kSkip;
  if (element short_secrets; !AsObject(e, path)["allowShortHmacSecrets"].get(short_secrets))
    policy.short_hmac_secrets = AsBool(short_secrets, Join(path, "allowShortHmacSecrets"));
  for (auto [key, value] : AsObject(e, path)) {
    const std::string kpath = Join(path, key);
    if (key == "name")
      p.name = AsString(value, kpath);
    else if (key == "issuer")
      p.issuer = AsString(value, kpath);
    else if (key == "audiences") {
      p.audiences = AsStringList(value, kpath);
      // An empty list would read as "no audience check" to one reader and
      // "no audience accepted" to another: neither is taken silently.
      if (p.audiences.empty())
        Fail(kpath, "is empty; list the accepted audiences, or leave \"audiences\" out to accept any");
    } else if (key == "algorithms") {
      p.algorithms = ParseAlgorithms(value, kpath);
      has_algorithms = true;
    } else if (key == "jwks") {
      if (has_keys) Fail(kpath, "a provider takes either \"jwks\" or \"secret\", not both");
      p.keys = ParseJwksSource(value, kpath, policy);
      has_keys = true;
    } else if (key == "secret") {
      if (has_keys) Fail(kpath, "a provider takes either \"jwks\" or \"secret\", not both");
      p.keys.initial = ParseSecret(value, kpath, policy);
      has_keys = true;
    } else if (key == "subject")
      p.subject = AsString(value, kpath);
    else if (key == "typ")
      p.typ = AsString(value, kpath);
    else if (key == "claims")
      p.claims = ParseClaimMatchers(value, kpath);
    else if (key == "requiredClaims") {
      for (auto& c : AsStringList(value, kpath)) p.required_claims.push_back(std::move(c));
    } else if (key == "maxTokenAge")
      p.max_token_age_s = AsDurationSeconds(value, kpath);
    else if (key == "claimsToHeaders")
      p.claims_to_headers = ParseClaimsToHeaders(value, kpath);
    else if (key == "forwardToken")
      p.forward_token = AsBool(value, kpath);
    else if (key == "tokenSource")
      p.token_source = ParseTokenSource(value, kpath);
    else if (key == "strictKeySet" || key == "allowShortHmacSecrets")
      continue;  // read above
    else if (key == "allowPaddedSegments")
      p.allow_padded_segments = AsBool(value, kpath);
    else
      UnknownField(path, key);
  }
  if (!has_keys) Fail(path, "needs \"jwks\" (a key set) or \"secret\" (HMAC)");
  (void)has_algorithms;
  return p;
}

// Every provider a jwt auth names must exist.
void CheckAuthProviders(const AuthConfig& auth, const absl::flat_hash_set<std::string>& names) {
  for (size_t i = 0; i < auth.providers.size(); ++i)
    if (!names.contains(auth.providers[i]))
      Fail(Index(auth.field + ".providers", i), "no provider is named \"" + auth.providers[i] + "\"");
  for (const auto& alt : auth.any_of) CheckAuthProviders(alt, names);
}

void CheckRuleProviders(const VerifierConfig& c) {
  absl::flat_hash_set<std::string> names;
  for (const auto& p : c.providers) names.insert(p.name);
  for (const auto& rule : c.rules) {
    if (rule.auth) CheckAuthProviders(*rule.auth, names);
    for (const auto& path : rule.paths)
      if (path.auth) CheckAuthProviders(*path.auth, names);
  }
}

TokenCacheConfig ParseTokenCache(element e, const std::string& path) {
  TokenCacheConfig c;
  for (auto [key, value] : AsObject(e, path)) {
    const std::string kpath = Join(path, key);
    if (key == "maxEntries")
      c.max_entries = static_cast<size_t>(AsInt(value, kpath, 1, int64_t{1} << 24));
    else if (key == "maxTokenBytes")
      c.max_token_bytes = static_cast<size_t>(AsInt(value, kpath, 16, 1 << 20));
    else
      UnknownField(path, key);
  }
  return c;
}

RedisStreamConfig ParseRedis(element e, const std::string& path) {
  RedisStreamConfig r;
  bool has_url = false;
  for (auto [key, value] : AsObject(e, path)) {
    const std::string kpath = Join(path, key);
    if (key == "url") {
      std::string why;
      if (!ParseRedisUrl(AsString(value, kpath), &r, &why)) Fail(kpath, why);
      has_url = true;
    } else if (key == "stream") {
      r.stream = AsString(value, kpath);
      if (r.stream.empty()) Fail(kpath, "must not be empty");
    } else if (key == "connectTimeout") {
      r.connect_timeout_ms = AsPositiveDurationMs(value, kpath, 60'000);
    } else {
      UnknownField(path, key);
    }
  }
  if (!has_url) Fail(Join(path, "url"), "is required (redis://host:port/db)");
  return r;
}

RevocationConfig ParseRevocation(element e, const std::string& path) {
  RevocationConfig c;
  for (auto [key, value] : AsObject(e, path)) {
    const std::string kpath = Join(path, key);
    if (key == "maxEntries")
      c.max_entries = static_cast<size_t>(AsInt(value, kpath, 1, int64_t{1} << 26));
    else if (key == "subjectTtl")
      c.subject_ttl_s = AsPositiveDurationMs(value, kpath, int64_t{366} * 24 * 3600 * 1000) / 1000;
    else if (key == "redis")
      c.redis = ParseRedis(value, kpath);
    else
      UnknownField(path, key);
  }
  return c;
}

VerifierConfig ParseRoot(element root) {
  VerifierConfig c;
  object top = AsObject(root, "");
  // requiredClaims applies to every provider, so read it before the providers.
  std::vector<std::string> required;
  if (element rc; !top["requiredClaims"].get(rc)) required = AsStringList(rc, "requiredClaims");

  bool has_providers = false;
  for (auto [key, value] : top) {
    const std::string kpath(key);
    if (key == "providers") {
      simdjson::dom::array arr;
      if (value.get_array().get(arr)) Fail(kpath, "must be an array of providers");
      size_t i = 0;
      for (element item : arr) c.providers.push_back(ParseProvider(item, Index(kpath, i++), required));
      has_providers = true;
    } else if (key == "leeway") {
      c.leeway_s = AsDurationSeconds(value, kpath);
    } else if (key == "now") {
      c.now = AsInt(value, kpath, 0, std::numeric_limits<int64_t>::max());
    } else if (key == "requiredClaims") {
      // read above
    } else if (key == "validationMode") {
      c.validation_mode = ParseValidationMode(value, kpath);
    } else if (key == "rules") {
      c.rules = ParseRules(value, kpath);
      c.has_rules = true;
    } else if (key == "tokenCache") {
      c.token_cache = ParseTokenCache(value, kpath);
    } else if (key == "revocation") {
      c.revocation = ParseRevocation(value, kpath);
    } else if (key == "limits") {
      for (auto [lkey, lvalue] : AsObject(value, kpath)) {
        const std::string lpath = Join(kpath, lkey);
        if (lkey == "maxTokenBytes")
          c.max_token_bytes = static_cast<size_t>(AsInt(lvalue, lpath, 64, 1 << 20));
        else if (lkey == "maxJsonDepth")
          c.max_json_depth = static_cast<int>(AsInt(lvalue, lpath, 2, kMaxJsonDepthLimit));
        else if (lkey == "maxKeysWithoutKid")
          c.max_keys_without_kid = static_cast<size_t>(AsInt(lvalue, lpath, 1, 64));
        else
          UnknownField(kpath, lkey);
      }
    } else {
      UnknownField("", key);
    }
  }
  // A configuration whose rules need no JWT needs no providers.
  bool needs_providers = !c.has_rules;
  for (const auto& rule : c.rules) {
    if (rule.auth && UsesJwt(*rule.auth)) needs_providers = true;
    for (const auto& path : rule.paths)
      if (path.auth && UsesJwt(*path.auth)) needs_providers = true;
  }
  if (has_providers && c.providers.empty()) Fail("providers", "is empty; list at least one provider");
  if (needs_providers && c.providers.empty())
    Fail("providers", c.has_rules ? "at least one provider is required: a rule authenticates with jwt"
                                  : "at least one provider is required (or \"rules\" that need none)");

  absl::flat_hash_set<std::string> names, issuers;
  for (size_t i = 0; i < c.providers.size(); ++i) {
    auto& p = c.providers[i];
    p.keys.max_keys_without_kid = c.max_keys_without_kid;  // limits may follow the providers
    if (p.name.empty()) p.name = "provider" + std::to_string(i);
    if (!names.insert(p.name).second)
      Fail(Index("providers", i) + ".name", "duplicate provider name \"" + p.name + "\"");
    if (p.issuer && !issuers.insert(*p.issuer).second)
      Fail(Index("providers", i) + ".issuer",
           "another provider already has issuer \"" + *p.issuer + "\"; tokens could not choose");
  }
  CheckRuleProviders(c);
  return c;
}

}  // namespace

Result<VerifierConfig> ParseConfig(std::string_view json, Error* err) {
  auto fail = [&](Status st, std::string field, std::string message) {
    err->status = st;
    err->message = std::move(message);
    err->field = std::move(field);
    return st;
  };
  const Status valid = ValidateStrictJsonObject(json, kMaxJsonDepthLimit);
  if (valid != Status::OK) {
    const char* why = valid == Status::ERR_JSON_NOT_OBJECT    ? "it is not a JSON object"
                      : valid == Status::ERR_DUPLICATE_MEMBER ? "an object repeats a member name"
                      : valid == Status::ERR_JSON_TOO_DEEP    ? "it nests deeper than 256 levels"
                      : valid == Status::ERR_INVALID_UTF8     ? "it has invalid UTF-8 or an unpaired surrogate"
                      : valid == Status::ERR_JSON_BOM         ? "it starts with a byte order mark"
                                                              : "it is not valid JSON";
    return fail(Status::ERR_CONFIG, "", std::string("the configuration must be one strict JSON object: ") + why);
  }
  try {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(json);
    element root;
    if (auto e = parser.parse(padded).get(root))
      return fail(Status::ERR_CONFIG, "", std::string("configuration is not JSON: ") + simdjson::error_message(e));
    return ParseRoot(root);
  } catch (const ConfigFailure& f) {
    return fail(f.status, f.field, f.message);
  } catch (const std::bad_alloc&) {
    return fail(Status::ERR_OUT_OF_MEMORY, "", "out of memory");
  }
}

}  // namespace tokenverify::internal
