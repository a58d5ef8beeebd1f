#include "request/authenticator.h"

#include "base/ascii.h"
#include "request/claim_headers.h"
#include "request/credential_source.h"
#include "request/target.h"

namespace tokenverify::internal {

struct Authenticator::Auth {
  AuthType type = AuthType::kNone;
  bool enabled = true;
  AuthMethod method = AuthMethod::kNone;
  // WWW-Authenticate: without a credential, with a bad one, with a repeated one.
  std::string missing_challenge, invalid_challenge, repeated_challenge;
  // jwt
  std::vector<bool> allowed;    // per provider
  std::vector<size_t> sources;  // the providers whose token source is looked in (first of each distinct one)
  ValidationMode mode = ValidationMode::kStrict;
  // basic
  std::unique_ptr<BasicUsers> users;
  bool validator = false;
  // bearer and apiKey
  CredentialList list;
  std::string header;
  std::string prefix;
  std::optional<std::string> query;
  // hmac
  SignatureScheme scheme = SignatureScheme::kAuthGate;
  std::vector<SignatureSecret> secrets;
  int64_t window_s = 300;
  size_t max_body_bytes = 0;
  std::unique_ptr<ReplayCache> replay;
  // anyOf
  std::vector<const Auth*> any_of;
};

struct Authenticator::Outcome {
  Status status = Status::OK;
  AuthMethod method = AuthMethod::kNone;
  std::string principal;
  std::string_view provider;
  std::vector<std::pair<std::string, std::string>> set_headers;
  std::vector<std::string> remove_headers, remove_query_parameters, remove_cookies;
  std::vector<OmittedHeader> omitted_headers;
  std::unique_ptr<Claims> claims;
  const std::string* challenge = nullptr;
};

namespace {

constexpr size_t kMaxHeaders = 1024;

// The HTTP answer for a status: 400 for a request or credential that is not
// well-formed, 403 when no rule lets the request in, 503 when the engine
// cannot decide (no keys, replay cache full), 401 for every credential that
// does not authenticate.
int HttpStatusFor(Status s) {
  switch (s) {
    case Status::OK:
      return 200;
    case Status::ERR_NO_MATCHING_RULE:
      return 403;
    case Status::ERR_MALFORMED_REQUEST:
    case Status::ERR_MALFORMED_CREDENTIAL:
    case Status::ERR_DUPLICATE_CREDENTIAL:
    case Status::ERR_BODY_TOO_LARGE:
      return 400;
    case Status::ERR_KEYS_UNAVAILABLE:
    case Status::ERR_KEYS_STALE:
    case Status::ERR_REPLAY_CACHE_FULL:
    case Status::ERR_OUT_OF_MEMORY:
      return 503;
    default:
      return 401;
  }
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }  // realms hold no '"' or '\'

bool SameSource(const TokenSource& a, const TokenSource& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == TokenSource::Kind::kHeader) return AsciiEqualsIgnoreCase(a.name, b.name);
  return a.name == b.name;
}

// A method and header names that a server could have received: HTTP tokens
// (an HTTP/2 pseudo-header's leading ':' aside). Header values are not
// scanned here: the engine reads only the values of credentials, and each of
// those has its own strict parser (base64url tokens, Basic's base64 and its
// control-free user and password, hex or base64 signatures) or is compared as
// bytes (API keys); no value a client sent is ever copied into a header.
bool WellFormed(const RequestView& r) {
  if (r.method.empty() || r.headers.size() > kMaxHeaders) return false;
  for (unsigned char c : r.method)
    if (!IsHttpTokenChar(c)) return false;
  for (const HeaderView& h : r.headers) {
    if ((h.name == nullptr && h.name_len != 0) || (h.value == nullptr && h.value_len != 0)) return false;
    std::string_view name = h.Name();
    if (!name.empty() && name.front() == ':') name.remove_prefix(1);
    if (name.empty()) return false;
    bool token = true;  // no early exit: one table lookup per byte, no branch
    for (unsigned char c : name) token &= IsHttpTokenChar(c);
    if (!token) return false;
  }
  return true;
}

void AddUnique(std::vector<std::string>* list, std::string value) {
  for (const auto& v : *list)
    if (v == value) return;
  list->push_back(std::move(value));
}

// Moves a found credential, keeping its view valid when it points into its own `decoded`.
void Take(FoundCredential* dst, FoundCredential* src) {
  const bool own = !src->decoded.empty() && src->value.data() == src->decoded.data();
  *dst = std::move(*src);
  if (own) dst->value = dst->decoded;
}

}  // namespace

Authenticator::~Authenticator() = default;

Result<std::unique_ptr<Authenticator>> Authenticator::Build(const VerifierConfig& cfg,
                                                            std::vector<ProviderFrontEnd> providers,
                                                            CredentialValidator validator, Error* err) {
  std::unique_ptr<Authenticator> a(new Authenticator());
  a->providers_ = std::move(providers);
  for (auto& p : a->providers_) p.lower_header = AsciiLowerCopy(p.source.name);
  a->validator_ = std::move(validator);
  a->fixed_now_ = cfg.now;
  for (const auto& p : a->providers_)
    for (const auto& c : p.claims_to_headers) AddUnique(&a->managed_headers_, c.header);

  if (!cfg.has_rules) {
    AuthConfig jwt;
    jwt.field = "providers";
    jwt.type = AuthType::kJwt;
    jwt.validation_mode = cfg.validation_mode;
    a->without_rules_ = a->Compile(jwt, err);
    for (const auto& p : a->providers_) a->target_needed_ |= p.source.kind == TokenSource::Kind::kQueryParameter;
    if (a->without_rules_ == nullptr) return err->status;
    return a;
  }
  std::vector<HostRuleSpec> specs;
  for (size_t i = 0; i < cfg.rules.size(); ++i) {
    const RuleConfig& rc = cfg.rules[i];
    Rule rule;
    rule.name = rc.name.empty() ? std::to_string(i) : rc.name;
    if (rc.auth) {
      AuthConfig auth = *rc.auth;
      if (!auth.validation_mode) auth.validation_mode = cfg.validation_mode;
      if ((rule.auth = a->Compile(auth, err)) == nullptr) return err->status;
    }
    HostRuleSpec spec;
    spec.host = rc.host;
    for (const PathConfig& pc : rc.paths) {
      spec.paths.push_back(pc.match);
      const Auth* path_auth = rule.auth;
      if (pc.auth) {
        AuthConfig auth = *pc.auth;
        if (!auth.validation_mode) auth.validation_mode = cfg.validation_mode;
        if ((path_auth = a->Compile(auth, err)) == nullptr) return err->status;
      }
      rule.path_auths.push_back(path_auth);
    }
    specs.push_back(std::move(spec));
    a->rules_.push_back(std::move(rule));
  }
  auto matcher = RuleMatcher::Build(specs, err);
  if (!matcher.ok()) {
    err->field = "rules" + err->field;
    return matcher.status();
  }
  a->matcher_ = std::move(matcher).value();
  return a;
}

const Authenticator::Auth* Authenticator::Compile(const AuthConfig& cfg, Error* err) {
  auto fail = [&](std::string field, std::string message) -> const Auth* {
    err->status = Status::ERR_CONFIG;
    err->field = std::move(field);
    err->message = std::move(message);
    return nullptr;
  };
  auto auth = std::make_unique<Auth>();
  auth->type = cfg.type;
  auth->enabled = cfg.enabled;
  auth->validator = cfg.validator;
  if (cfg.validator && !validator_)
    return fail(cfg.field, "\"validator\": true needs a validator callback from the application (tv_verifier_new_ex2)");
  const std::string realm = "realm=" + Quote(cfg.realm);
  const std::string invalid_token = ", error=\"invalid_token\", error_description=\"the token is not valid\"";
  switch (cfg.type) {
    case AuthType::kNone:
      break;
    case AuthType::kJwt: {
      auth->method = AuthMethod::kJwt;
      auth->mode = cfg.validation_mode.value_or(ValidationMode::kStrict);
      auth->allowed.assign(providers_.size(), cfg.providers.empty());
      for (const auto& name : cfg.providers)
        for (size_t i = 0; i < providers_.size(); ++i)
          if (providers_[i].name == name) auth->allowed[i] = true;
      for (size_t i = 0; i < providers_.size(); ++i) {
        if (!auth->allowed[i]) continue;
        bool seen = false;
        for (size_t s : auth->sources) seen = seen || SameSource(providers_[s].source, providers_[i].source);
        if (!seen) auth->sources.push_back(i);
      }
      auth->missing_challenge = "Bearer " + realm;
      auth->invalid_challenge = "Bearer " + realm + invalid_token;
      auth->repeated_challenge =
          "Bearer " + realm + ", error=\"invalid_request\", error_description=\"token given more than once\"";
      break;
    }
    case AuthType::kBasic: {
      auth->method = AuthMethod::kBasic;
      if (!cfg.validator) {
        auto users = BasicUsers::Build(cfg.users, err);
        if (!users.ok()) {
          err->field = cfg.field + ".basic." + err->field;
          return nullptr;
        }
        auth->users = std::move(users).value();
      }
      auth->missing_challenge = "Basic " + realm + ", charset=\"UTF-8\"";
      auth->invalid_challenge = auth->repeated_challenge = auth->missing_challenge;
      break;
    }
    case AuthType::kBearer:
    case AuthType::kApiKey: {
      const bool bearer = cfg.type == AuthType::kBearer;
      auth->method = bearer ? AuthMethod::kBearer : AuthMethod::kApiKey;
      auth->header = cfg.header;
      auth->prefix = bearer ? "Bearer " : "";
      auth->query = cfg.query;
      for (size_t i = 0; i < cfg.credentials.size(); ++i) {
        const CredentialConfig& c = cfg.credentials[i];
        if (auth->list.Add(c.name, c.text, c.sha256_hex, err) != Status::OK)
          return fail(cfg.field + (bearer ? ".bearer.tokens[" : ".apiKey.keys[") + std::to_string(i) + "]",
                      err->message);
      }
      if (bearer) {
        auth->missing_challenge = "Bearer " + realm;
        auth->invalid_challenge = "Bearer " + realm + invalid_token;
        auth->repeated_challenge =
            "Bearer " + realm + ", error=\"invalid_request\", error_description=\"token given more than once\"";
      } else {
        // No registered scheme for API keys; the challenge names where the key goes.
        auth->missing_challenge =
            "ApiKey " + realm + ", " + (cfg.query ? "query=" + Quote(*cfg.query) : "header=" + Quote(cfg.header));
        auth->invalid_challenge = auth->repeated_challenge = auth->missing_challenge;
      }
      break;
    }
    case AuthType::kHmac: {
      auth->method = AuthMethod::kHmac;
      auth->scheme = cfg.scheme;
      auth->secrets = cfg.secrets;
      auth->window_s = cfg.window_s;
      auth->max_body_bytes = cfg.max_body_bytes;
      if (SignatureSchemeHasTimestamp(cfg.scheme))
        auth->replay = std::make_unique<ReplayCache>(cfg.replay_cache_entries);
      auth->missing_challenge = "Signature " + realm + ", scheme=" + Quote(SignatureSchemeName(cfg.scheme));
      auth->invalid_challenge = auth->repeated_challenge = auth->missing_challenge;
      break;
    }
    case AuthType::kAnyOf: {
      for (const AuthConfig& alt_cfg : cfg.any_of) {
        AuthConfig alt = alt_cfg;
        if (!alt.validation_mode) alt.validation_mode = cfg.validation_mode;
        const Auth* compiled = Compile(alt, err);
        if (compiled == nullptr) return nullptr;
        auth->any_of.push_back(compiled);
        if (compiled->missing_challenge.empty()) continue;
        if (!auth->missing_challenge.empty()) auth->missing_challenge += ", ";
        auth->missing_challenge += compiled->missing_challenge;
      }
      auth->method = auth->any_of.front()->method;
      break;
    }
  }
  auths_.push_back(std::move(auth));
  return auths_.back().get();
}

void Authenticator::Authenticate(const Verifier& verifier, const RequestView& request, Decision* d) const {
  d->remove_headers = managed_headers_;
  auto finish = [&](Status st) {
    d->status = st;
    d->http_status = HttpStatusFor(st);
  };
  if (!WellFormed(request)) return finish(Status::ERR_MALFORMED_REQUEST);
  // Without rules the target matters only to a query-parameter token source:
  // otherwise nothing reads it, and it is not parsed at all.
  NormalizedTarget target;
  if ((without_rules_ == nullptr || target_needed_) && NormalizeTarget(request.target, &target) != Status::OK)
    return finish(Status::ERR_MALFORMED_REQUEST);

  const Auth* auth = without_rules_;
  std::string_view rule_name;
  if (auth == nullptr) {  // without rules the host decides nothing
    std::string host;
    if (!NormalizeHost(request.host, &host)) return finish(Status::ERR_MALFORMED_REQUEST);
    const RuleMatcher::Match m = matcher_.Find(host, target.path);
    if (m.rule < 0) return finish(Status::ERR_NO_MATCHING_RULE);
    const Rule& rule = rules_[static_cast<size_t>(m.rule)];
    rule_name = rule.name;
    d->rule = rule.name;
    auth = m.path < 0 ? rule.auth : rule.path_auths[static_cast<size_t>(m.path)];
  }
  if (auth == nullptr || !auth->enabled || auth->type == AuthType::kNone) return finish(Status::OK);

  Outcome o;
  Check(*auth, verifier, request, target.query, rule_name, &o);
  finish(o.status);
  d->method = o.method;
  if (o.status == Status::OK) {
    d->principal = std::move(o.principal);
    d->provider = o.provider;
    d->set_headers = std::move(o.set_headers);
    d->omitted_headers = std::move(o.omitted_headers);
    d->claims = std::move(o.claims);
    if (d->remove_headers.empty())
      d->remove_headers = std::move(o.remove_headers);
    else
      for (auto& h : o.remove_headers) AddUnique(&d->remove_headers, std::move(h));
    d->remove_query_parameters = std::move(o.remove_query_parameters);
    d->remove_cookies = std::move(o.remove_cookies);
  } else if (o.challenge != nullptr && !o.challenge->empty() && (d->http_status == 401 || d->http_status == 400)) {
    d->www_authenticate = *o.challenge;
  }
}

void Authenticator::Check(const Auth& auth, const Verifier& verifier, const RequestView& request,
                          std::string_view query, std::string_view rule, Outcome* out) const {
  out->method = auth.method;
  auto fail = [&](Status st) {
    out->status = st;
    out->challenge = st == Status::ERR_CREDENTIAL_MISSING     ? &auth.missing_challenge
                     : st == Status::ERR_DUPLICATE_CREDENTIAL ? &auth.repeated_challenge
                                                              : &auth.invalid_challenge;
  };
  switch (auth.type) {
    case AuthType::kNone:
      return;
    case AuthType::kJwt:
      return CheckJwt(auth, verifier, request, query, out);
    case AuthType::kBasic: {
      std::string storage;
      std::string_view user, password;
      if (const Status st = FindBasic(request.headers, &storage, &user, &password); st != Status::OK) return fail(st);
      const bool ok = auth.validator ? validator_({rule, AuthMethod::kBasic, user, password})
                                     : auth.users->Check(user, password, NowSeconds(fixed_now_)) == Status::OK;
      if (!ok) return fail(Status::ERR_BAD_CREDENTIALS);
      out->principal = user;
      return;
    }
    case AuthType::kBearer:
    case AuthType::kApiKey: {
      FoundCredential found;
      if (auth.query)
        FindInQuery(query, *auth.query, &found);
      else
        FindInHeader(request.headers, auth.header, auth.prefix, &found);
      if (found.count == FoundCredential::Count::kRepeated) return fail(Status::ERR_DUPLICATE_CREDENTIAL);
      if (found.count == FoundCredential::Count::kNone) return fail(Status::ERR_CREDENTIAL_MISSING);
      if (auth.validator) {
        if (!validator_({rule, AuthMethod::kApiKey, found.value, {}})) return fail(Status::ERR_UNKNOWN_KEY);
        return;
      }
      const std::string* name = auth.list.Find(found.value);
      if (name == nullptr) return fail(Status::ERR_UNKNOWN_KEY);
      out->principal = *name;
      return;
    }
    case AuthType::kHmac: {
      if (request.body.size() > auth.max_body_bytes) return fail(Status::ERR_BODY_TOO_LARGE);
      std::vector<HeaderField> fields;
      fields.reserve(request.headers.size());
      for (const HeaderView& h : request.headers) fields.push_back({h.Name(), h.Value()});
      const SignedRequestView signed_request{request.method, request.target, request.body, fields};
      const int64_t now = NowSeconds(fixed_now_);
      SignatureCheck check;
      const Status st = CheckRequestSignature(auth.scheme, auth.secrets, auth.window_s, signed_request, now, &check);
      if (st != Status::OK) return fail(st);
      if (auth.replay) {
        ReplayCache::Key key;
        std::copy(std::begin(check.replay_key), std::end(check.replay_key), key.begin());
        const Status admitted = auth.replay->Admit(key, check.timestamp + auth.window_s, now);
        if (admitted != Status::OK) return fail(admitted);
      }
      out->principal = auth.secrets[static_cast<size_t>(check.secret)].name;
      return;
    }
    case AuthType::kAnyOf: {
      // The first alternative that authenticates wins. Otherwise the most
      // telling failure: the first one about a credential the request
      // carries; when it carries none, every alternative's challenge.
      Outcome best;
      bool have_presented = false;
      for (const Auth* alt : auth.any_of) {
        Outcome o;
        Check(*alt, verifier, request, query, rule, &o);
        if (o.status == Status::OK) {
          *out = std::move(o);
          return;
        }
        if (!have_presented && o.status != Status::ERR_CREDENTIAL_MISSING) {
          best = std::move(o);
          have_presented = true;
        }
      }
      if (have_presented) {
        *out = std::move(best);
        return;
      }
      out->status = Status::ERR_CREDENTIAL_MISSING;
      out->challenge = &auth.missing_challenge;
      return;
    }
  }
}

void Authenticator::CheckJwt(const Auth& auth, const Verifier& verifier, const RequestView& request,
                             std::string_view query, Outcome* out) const {
  auto fail = [&](Status st, const std::string& challenge) {
    out->status = st;
    out->challenge = &challenge;
  };
  // The token, from the one place it may be: two places is two tokens (RFC 6750 §3.1).
  FoundCredential token, probe;
  size_t from = 0;
  for (size_t p : auth.sources) {
    const TokenSource& src = providers_[p].source;
    switch (src.kind) {
      case TokenSource::Kind::kHeader:
        FindInHeader(request.headers, src.name, src.prefix, &probe);
        break;
      case TokenSource::Kind::kQueryParameter:
        FindInQuery(query, src.name, &probe);
        break;
      case TokenSource::Kind::kCookie:
        FindInCookies(request.headers, src.name, &probe);
        break;
    }
    if (probe.count == FoundCredential::Count::kNone) continue;
    if (probe.count == FoundCredential::Count::kRepeated || token.count != FoundCredential::Count::kNone)
      return fail(Status::ERR_DUPLICATE_CREDENTIAL, auth.repeated_challenge);
    Take(&token, &probe);
    from = p;
  }
  if (token.count == FoundCredential::Count::kNone) {
    if (auth.mode == ValidationMode::kAllowMissing) {
      out->method = AuthMethod::kNone;
      return;
    }
    return fail(Status::ERR_CREDENTIAL_MISSING, auth.missing_challenge);
  }

  VerifiedToken verified;
  const Status st = verifier.Verify(token.value, &verified);
  if (st != Status::OK) return fail(st, auth.invalid_challenge);
  size_t accepted = 0;
  while (accepted < providers_.size() && providers_[accepted].name != verified.provider) ++accepted;
  // The provider must be one this auth accepts, and the token must have come
  // from where that provider looks for it.
  if (accepted == providers_.size() || !auth.allowed[accepted] ||
      (accepted != from && !SameSource(providers_[accepted].source, providers_[from].source)))
    return fail(Status::ERR_PROVIDER_NOT_ALLOWED, auth.invalid_challenge);
  const ProviderFrontEnd& provider = providers_[accepted];

  auto claims = Claims::CreateFromChecked(verified.header_json, verified.payload_json);
  if (!claims.ok()) return fail(claims.status(), auth.invalid_challenge);
  out->claims = std::move(claims).value();
  out->principal = verified.subject;
  out->provider = provider.name;
  CopyClaimsToHeaders(*out->claims, provider.claims_to_headers, &out->set_headers, &out->omitted_headers);
  if (!provider.forward_token) {
    switch (provider.source.kind) {
      case TokenSource::Kind::kHeader:
        out->remove_headers.push_back(provider.lower_header);
        break;
      case TokenSource::Kind::kQueryParameter:
        out->remove_query_parameters.push_back(provider.source.name);
        break;
      case TokenSource::Kind::kCookie:
        out->remove_cookies.push_back(provider.source.name);
        break;
    }
  }
}

}  // namespace tokenverify::internal
