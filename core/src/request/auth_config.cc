#include "request/auth_config.h"

#include <openssl/crypto.h>

#include "base/ascii.h"
#include "verify/config_reader.h"

namespace tokenverify::internal {
namespace {

constexpr size_t kMaxRules = 10000;
constexpr size_t kMaxPathsPerRule = 10000;
constexpr size_t kMaxCredentials = 100000;

std::optional<AuthType> ParseAuthType(std::string_view name) {
  if (name == "jwt") return AuthType::kJwt;
  if (name == "basic") return AuthType::kBasic;
  if (name == "bearer") return AuthType::kBearer;
  if (name == "apiKey") return AuthType::kApiKey;
  if (name == "hmac") return AuthType::kHmac;
  if (name == "none") return AuthType::kNone;
  return std::nullopt;
}

// An HTTP field name (RFC 9110 §5.1: a token), as a header a credential is read from.
std::string AsHeaderName(element e, const std::string& path) {
  std::string name = AsString(e, path);
  if (name.empty()) Fail(path, "must not be empty");
  for (unsigned char c : name)
    if (!IsHttpTokenChar(c)) Fail(path, "is not an HTTP header name");
  return name;
}

std::string AsRealm(element e, const std::string& path) {
  std::string realm = AsString(e, path);
  for (unsigned char c : realm)
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') Fail(path, "must not hold control characters, '\"' or '\\'");
  return realm;
}

// A list of bearer tokens or API keys: each a string (the value itself) or
// {"name": ..., "<value_key>": ...} or {"name": ..., "sha256": "<hex>"}.
std::vector<CredentialConfig> ParseCredentials(element e, const std::string& path, std::string_view value_key) {
  std::vector<CredentialConfig> out;
  size_t i = 0;
  for (element item : AsArray(e, path, "strings or objects")) {
    const std::string ipath = Index(path, i++);
    if (out.size() >= kMaxCredentials) Fail(ipath, "too many entries");
    CredentialConfig c;
    if (item.is_string()) {
      c.text = AsString(item, ipath);
      c.name = ipath.substr(ipath.rfind('.') + 1);  // "tokens[0]"
    } else {
      for (auto [key, value] : AsObject(item, ipath)) {
        const std::string kpath = Join(ipath, key);
        if (key == "name")
          c.name = AsString(value, kpath);
        else if (key == value_key)
          c.text = AsString(value, kpath);
        else if (key == "sha256")
          c.sha256_hex = AsString(value, kpath);
        else
          UnknownField(ipath, key);
      }
      if (c.text.empty() == c.sha256_hex.empty())
        Fail(ipath, "needs exactly one of \"" + std::string(value_key) + "\" and \"sha256\"");
      if (c.name.empty()) c.name = ipath.substr(ipath.rfind('.') + 1);
    }
    if (c.text.empty() && c.sha256_hex.empty()) Fail(ipath, "must not be empty");
    out.push_back(std::move(c));
  }
  return out;
}

void ParseBasic(element e, const std::string& path, AuthConfig* a) {
  bool has_users = false;
  for (auto [key, value] : AsObject(e, path)) {
    const std::string kpath = Join(path, key);
    if (key == "realm") {
      a->realm = AsRealm(value, kpath);
    } else if (key == "validator") {
      a->validator = AsBool(value, kpath);
    } else if (key == "users") {
      has_users = true;
      size_t i = 0;
      for (element item : AsArray(value, kpath, "{\"username\": ..., \"password\": ...}")) {
        const std::string ipath = Index(kpath, i++);
        if (a->users.size() >= kMaxCredentials) Fail(ipath, "too many users");
        std::string user, password;
        bool has_user = false, has_password = false;
        for (auto [ukey, uvalue] : AsObject(item, ipath)) {
          if (ukey == "username") {
            user = AsString(uvalue, Join(ipath, ukey));
            has_user = true;
          } else if (ukey == "password") {
            password = AsString(uvalue, Join(ipath, ukey));
            has_password = true;
          } else {
            UnknownField(ipath, ukey);
          }
        }
        if (!has_user || !has_password) Fail(ipath, "needs \"username\" and \"password\"");
        a->users.emplace_back(std::move(user), std::move(password));
      }
    } else {
      UnknownField(path, key);
    }
  }
  if (a->validator && has_users) Fail(Join(path, "users"), "a validator decides alone; leave \"users\" out");
  if (!a->validator && a->users.empty()) Fail(Join(path, "users"), "needs at least one user (or \"validator\": true)");
}

void ParseBearer(element e, const std::string& path, AuthConfig* a) {
  a->header = "Authorization";
  for (auto [key, value] : AsObject(e, path)) {
    const std::string kpath = Join(path, key);
    if (key == "realm")
      a->realm = AsRealm(value, kpath);
    else if (key == "tokens")
      a->credentials = ParseCredentials(value, kpath, "token");
    else
      UnknownField(path, key);
  }
  if (a->credentials.empty()) Fail(Join(path, "tokens"), "needs at least one token");
}

void ParseApiKey(element e, const std::string& path, AuthConfig* a) {
  a->header = "X-Api-Key";  // GoFr's
  bool has_header = false;
  for (auto [key, value] : AsObject(e, path)) {
    const std::string kpath = Join(path, key);
    if (key == "realm") {
      a->realm = AsRealm(value, kpath);
    } else if (key == "header") {
      a->header = AsHeaderName(value, kpath);
      has_header = true;
    } else if (key == "query") {
      a->query = AsString(value, kpath);
      if (a->query->empty()) Fail(kpath, "must not be empty");
    } else if (key == "keys") {
      a->credentials = ParseCredentials(value, kpath, "key");
    } else if (key == "validator") {
      a->validator = AsBool(value, kpath);
    } else {
      UnknownField(path, key);
    }
  }
  if (has_header && a->query) Fail(path, "takes \"header\" or \"query\", not both");
  if (a->validator && !a->credentials.empty())
    Fail(Join(path, "keys"), "a validator decides alone; leave \"keys\" out");
  if (!a->validator && a->credentials.empty())
    Fail(Join(path, "keys"), "needs at least one key (or \"validator\": true)");
}

void ParseHmac(element e, const std::string& path, AuthConfig* a) {
  object o = AsObject(e, path);
  // The scheme decides how secrets are read, wherever it stands in the object.
  element scheme_value;
  if (o.at_key("scheme").get(scheme_value)) Fail(Join(path, "scheme"), "is required");
  const std::string scheme = AsString(scheme_value, Join(path, "scheme"));
  const auto parsed = ParseSignatureScheme(scheme);
  if (!parsed)
    Fail(Join(path, "scheme"),
         "must be \"authgate\", \"github\", \"stripe\", \"slack\" or \"standardWebhooks\", not \"" + scheme + "\"");
  a->scheme = *parsed;
  for (auto [key, value] : o) {
    const std::string kpath = Join(path, key);
    if (key == "scheme") {
      continue;
    } else if (key == "secrets") {
      size_t i = 0;
      for (element item : AsArray(value, kpath, "strings or {\"name\": ..., \"secret\": ...}")) {
        const std::string ipath = Index(kpath, i++);
        std::string name = ipath.substr(ipath.rfind('.') + 1), text;
        if (item.is_string()) {
          text = AsString(item, ipath);
        } else {
          for (auto [skey, svalue] : AsObject(item, ipath)) {
            if (skey == "name")
              name = AsString(svalue, Join(ipath, skey));
            else if (skey == "secret")
              text = AsString(svalue, Join(ipath, skey));
            else
              UnknownField(ipath, skey);
          }
        }
        SignatureSecret secret;
        Error err;
        if (MakeSignatureSecret(a->scheme, std::move(name), text, &secret, &err) != Status::OK)
          Fail(ipath, err.message);
        a->secrets.push_back(std::move(secret));
      }
    } else if (key == "window") {
      a->window_s = AsDurationSeconds(value, kpath);
      if (a->window_s <= 0 || a->window_s > 86400) Fail(kpath, "must be from 1 second to 24 hours");
    } else if (key == "maxBodyBytes") {
      a->max_body_bytes = static_cast<size_t>(AsInt(value, kpath, 0, int64_t{1} << 30));
    } else if (key == "replayCacheEntries") {
      a->replay_cache_entries = static_cast<size_t>(AsInt(value, kpath, 16, 1 << 24));
    } else {
      UnknownField(path, key);
    }
  }
  if (a->secrets.empty()) Fail(Join(path, "secrets"), "needs at least one secret");
}

void ParseJwt(element e, const std::string& path, AuthConfig* a) {
  for (auto [key, value] : AsObject(e, path)) {
    const std::string kpath = Join(path, key);
    if (key == "providers")
      a->providers = AsStringList(value, kpath);
    else if (key == "validationMode")
      a->validation_mode = ParseValidationMode(value, kpath);
    else if (key == "realm")
      a->realm = AsRealm(value, kpath);
    else
      UnknownField(path, key);
  }
}

AuthConfig ParseAuth(element e, const std::string& path, bool inside_any_of) {
  AuthConfig a;
  a.field = path;
  object o = AsObject(e, path);
  std::optional<bool> enabled;
  std::optional<AuthType> type;
  std::string settings_key;  // "basic", "bearer", ...: the member holding the type's settings
  element settings;
  bool has_any_of = false;
  for (auto [key, value] : o) {
    const std::string kpath = Join(path, key);
    if (key == "enabled") {
      enabled = AsBool(value, kpath);
    } else if (key == "type") {
      const std::string name = AsString(value, kpath);
      type = ParseAuthType(name);
      if (!type)
        Fail(kpath, "must be \"jwt\", \"basic\", \"bearer\", \"apiKey\", \"hmac\" or \"none\", not \"" + name + "\"");
    } else if (key == "jwt" || key == "basic" || key == "bearer" || key == "apiKey" || key == "hmac") {
      if (!settings_key.empty())
        Fail(kpath, "an auth has the settings of one type; \"" + settings_key + "\" is here too");
      settings_key = std::string(key);
      settings = value;
    } else if (key == "providers") {
      a.providers = AsStringList(value, kpath);
    } else if (key == "validationMode") {
      a.validation_mode = ParseValidationMode(value, kpath);
    } else if (key == "anyOf") {
      if (inside_any_of) Fail(kpath, "anyOf does not nest");
      has_any_of = true;
      size_t i = 0;
      for (element item : AsArray(value, kpath, "auth objects")) {
        AuthConfig alt = ParseAuth(item, Index(kpath, i++), true);
        a.any_of.push_back(std::move(alt));
      }
      if (a.any_of.empty()) Fail(kpath, "needs at least one auth");
    } else {
      UnknownField(path, key);
    }
  }
  if (has_any_of) {
    if (type || !settings_key.empty()) Fail(path, "takes \"anyOf\" or a \"type\", not both");
    a.type = AuthType::kAnyOf;
  } else if (type) {
    a.type = *type;
  } else if (!settings_key.empty()) {
    a.type = *ParseAuthType(settings_key);  // ingress: the settings name the type
  } else if (enabled.value_or(true)) {
    Fail(path, "needs a \"type\" (jwt, basic, bearer, apiKey, hmac, none), \"anyOf\", or \"enabled\": false");
  }
  a.enabled = enabled.value_or(true);
  if (inside_any_of && (!a.enabled || a.type == AuthType::kNone))
    Fail(path, "an anyOf alternative must check a credential (not \"none\" or disabled)");

  const bool jwt_fields = !a.providers.empty() || a.validation_mode.has_value();
  if (jwt_fields && a.type != AuthType::kJwt) Fail(path, "\"providers\" and \"validationMode\" belong to type jwt");
  if (!settings_key.empty() && *ParseAuthType(settings_key) != a.type)
    Fail(Join(path, settings_key), "are settings of type " + settings_key + ", but the type is another");
  const bool needs_settings = a.enabled && (a.type == AuthType::kBasic || a.type == AuthType::kBearer ||
                                            a.type == AuthType::kApiKey || a.type == AuthType::kHmac);
  if (needs_settings && settings_key.empty()) {
    // GoFr's API keys and ingress's Basic users need their lists; an apiKey
    // with a validator needs at least {"validator": true}.
    const char* names[] = {"", "", "basic", "bearer", "apiKey", "hmac"};
    const std::string name = names[static_cast<int>(a.type)];
    Fail(Join(path, name), "is required for type " + name);
  }
  if (settings_key.empty()) return a;
  const std::string spath = Join(path, settings_key);
  switch (a.type) {
    case AuthType::kJwt:
      ParseJwt(settings, spath, &a);
      break;
    case AuthType::kBasic:
      ParseBasic(settings, spath, &a);
      break;
    case AuthType::kBearer:
      ParseBearer(settings, spath, &a);
      break;
    case AuthType::kApiKey:
      ParseApiKey(settings, spath, &a);
      break;
    case AuthType::kHmac:
      ParseHmac(settings, spath, &a);
      break;
    case AuthType::kNone:
    case AuthType::kAnyOf:
      break;
  }
  return a;
}

PathConfig ParsePath(element e, const std::string& path) {
  PathConfig p;
  bool has_path = false;
  for (auto [key, value] : AsObject(e, path)) {
    const std::string kpath = Join(path, key);
    if (key == "path" || key == "exact") {
      if (has_path) Fail(path, "takes \"path\" (a prefix) or \"exact\", not both");
      has_path = true;
      p.match.path = AsString(value, kpath);
      p.match.exact = key == "exact";
    } else if (key == "auth") {
      p.auth = ParseAuth(value, kpath, false);
    } else {
      UnknownField(path, key);
    }
  }
  if (!has_path) Fail(path, "needs \"path\" (a prefix) or \"exact\"");
  return p;
}

RuleConfig ParseRule(element e, const std::string& path) {
  RuleConfig r;
  for (auto [key, value] : AsObject(e, path)) {
    const std::string kpath = Join(path, key);
    if (key == "name") {
      r.name = AsString(value, kpath);
    } else if (key == "host") {
      r.host = AsString(value, kpath);
    } else if (key == "auth") {
      r.auth = ParseAuth(value, kpath, false);
    } else if (key == "paths") {
      size_t i = 0;
      for (element item : AsArray(value, kpath, "path rules")) {
        if (r.paths.size() >= kMaxPathsPerRule) Fail(kpath, "too many paths");
        r.paths.push_back(ParsePath(item, Index(kpath, i++)));
      }
    } else {
      UnknownField(path, key);
    }
  }
  return r;
}

}  // namespace

ValidationMode ParseValidationMode(element e, const std::string& path) {
  const std::string mode = AsString(e, path);
  if (mode == "Strict") return ValidationMode::kStrict;
  if (mode == "AllowMissing") return ValidationMode::kAllowMissing;
  Fail(path, "must be \"Strict\" or \"AllowMissing\", not \"" + mode + "\"");
}

std::vector<RuleConfig> ParseRules(element e, const std::string& path) {
  std::vector<RuleConfig> rules;
  size_t i = 0;
  for (element item : AsArray(e, path, "rules")) {
    if (rules.size() >= kMaxRules) Fail(path, "too many rules");
    rules.push_back(ParseRule(item, Index(path, i++)));
  }
  if (rules.empty()) Fail(path, "is empty; leave \"rules\" out to authenticate every request with the providers");
  return rules;
}

namespace {

void Wipe(std::string* s) {
  if (!s->empty()) OPENSSL_cleanse(s->data(), s->size());
  s->clear();
}

void WipeAuth(AuthConfig* auth) {
  for (auto& [user, password] : auth->users) Wipe(&password);
  for (auto& c : auth->credentials) Wipe(&c.text);
  for (auto& secret : auth->secrets) Wipe(&secret.key);
  for (auto& alt : auth->any_of) WipeAuth(&alt);
}

}  // namespace

void WipeCredentials(std::vector<RuleConfig>* rules) {
  for (auto& rule : *rules) {
    if (rule.auth) WipeAuth(&*rule.auth);
    for (auto& path : rule.paths)
      if (path.auth) WipeAuth(&*path.auth);
  }
}

bool UsesJwt(const AuthConfig& auth) {
  if (!auth.enabled) return false;
  if (auth.type == AuthType::kJwt) return true;
  for (const auto& alt : auth.any_of)
    if (UsesJwt(alt)) return true;
  return false;
}

}  // namespace tokenverify::internal
