// The C ABI: a thin, noexcept shim that maps values between tokenverify.h and
// the C++ core. No logic of its own lives here.
#include "tokenverify.h"

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tokenverify/claims.h"
#include "tokenverify/inspect.h"
#include "tokenverify/request.h"
#include "tokenverify/revocation.h"
#include "tokenverify/status.h"
#include "tokenverify/verifier.h"

using tokenverify::Status;

// Pin the C values to the C++ ones: both come from status.def, this proves it.
#define TV_STATUS(sym, num, msg) \
  static_assert(TV_##sym == static_cast<int>(tokenverify::Status::sym), "C/C++ status mismatch");
#include "tokenverify/status.def"
#undef TV_STATUS

struct tv_verifier {
  std::unique_ptr<tokenverify::Verifier> impl;
};

struct tv_claims {
  std::unique_ptr<tokenverify::Claims> impl;
  std::string provider;  // a copy: claims outlive their verifier
};

struct tv_decision {
  tokenverify::Decision impl;
  tv_claims claims;  // impl.claims moved here, lent out by tv_decision_claims
};

// The C and C++ views of a header are the same bytes.
static_assert(sizeof(tv_header) == sizeof(tokenverify::HeaderView) &&
              offsetof(tv_header, name_len) == offsetof(tokenverify::HeaderView, name_len) &&
              offsetof(tv_header, value) == offsetof(tokenverify::HeaderView, value) &&
              offsetof(tv_header, value_len) == offsetof(tokenverify::HeaderView, value_len));

namespace {

tv_status ToC(Status s) { return static_cast<tv_status>(s); }

void CopyTruncated(char* dst, size_t cap, const std::string& src) {
  const size_t n = std::min(cap - 1, src.size());
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

void FillDiag(tv_diag* diag, Status s, const std::string& field, const std::string& message) {
  if (diag == nullptr) return;
  diag->status = ToC(s);
  CopyTruncated(diag->field, sizeof diag->field, field);
  CopyTruncated(diag->message, sizeof diag->message, message);
}

// The header and payload have been checked (by tv_verify or the inspection's
// decoder): the claims index is built on the first lookup.
tv_status NewClaims(tv_claims** out, std::string_view header, std::string_view payload, std::string_view provider) {
  try {
    auto claims = tokenverify::Claims::CreateFromChecked(header, payload);
    if (!claims.ok()) return ToC(claims.status());
    auto c = std::make_unique<tv_claims>();
    c->impl = std::move(claims).value();
    c->provider = provider;
    *out = c.release();
    return TV_OK;
  } catch (const std::bad_alloc&) {
    return TV_ERR_OUT_OF_MEMORY;
  }
}

// Adapts core key-set events to the C callback.
tokenverify::KeySetEventCallback EventAdapter(tv_event_fn fn, void* user_data) {
  if (fn == nullptr) return {};
  return [fn, user_data](const tokenverify::KeySetEvent& e) {
    tv_event c{};
    switch (e.kind) {
      case tokenverify::KeySetEvent::Kind::kUpdated:
        c.kind = TV_EVENT_KEYS_UPDATED;
        break;
      case tokenverify::KeySetEvent::Kind::kUnchanged:
        c.kind = TV_EVENT_KEYS_UNCHANGED;
        break;
      case tokenverify::KeySetEvent::Kind::kFailed:
        c.kind = TV_EVENT_REFRESH_FAILED;
        break;
      case tokenverify::KeySetEvent::Kind::kDropped:
        c.kind = TV_EVENT_KEYS_DROPPED;
        break;
    }
    c.provider = e.provider.c_str();
    c.generation = e.generation;
    c.key_count = e.key_count;
    c.http_status = static_cast<int32_t>(e.http_status);
    c.message = e.message.c_str();
    fn(user_data, &c);
  };
}

// Adapts the C credential validator to the core's.
tokenverify::CredentialValidator ValidatorAdapter(tv_validator_fn fn, void* user_data) {
  if (fn == nullptr) return {};
  return [fn, user_data](const tokenverify::CredentialCheck& c) {
    tv_credential cred{};
    cred.rule = c.rule.data();
    cred.rule_len = c.rule.size();
    cred.method = c.method == tokenverify::AuthMethod::kBasic ? TV_AUTH_BASIC : TV_AUTH_API_KEY;
    cred.user = c.user.data();
    cred.user_len = c.user.size();
    cred.password = c.password.data();
    cred.password_len = c.password.size();
    return fn(user_data, &cred) != 0;
  };
}

// A view of caller bytes: NULL with length 0 is the empty view.
bool View(const void* p, size_t len, std::string_view* out) {
  if (p == nullptr && len != 0) return false;
  *out = p == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(p), len);
  return true;
}

tv_status StringOut(const std::string& s, const char** out, size_t* out_len) {
  if (out == nullptr || out_len == nullptr) return TV_ERR_INVALID_ARGUMENT;
  *out = s.c_str();
  *out_len = s.size();
  return TV_OK;
}

}  // namespace

extern "C" {

uint32_t tv_version_number(void) { return TV_VERSION_NUMBER; }
const char* tv_version_string(void) { return TV_VERSION_STRING; }

// StatusName/StatusMessage return views of string literals, so data() is NUL-terminated.
const char* tv_status_name(tv_status s) { return tokenverify::StatusName(static_cast<Status>(s)).data(); }
const char* tv_status_message(tv_status s) { return tokenverify::StatusMessage(static_cast<Status>(s)).data(); }

tv_status tv_verifier_new(tv_verifier** out, const char* config_json, size_t config_len, tv_diag* diag) {
  return tv_verifier_new_ex(out, config_json, config_len, nullptr, nullptr, diag);
}

tv_status tv_verifier_new_ex(tv_verifier** out, const char* config_json, size_t config_len, tv_event_fn on_event,
                             void* user_data, tv_diag* diag) {
  tv_verifier_options options{};
  options.struct_size = sizeof options;
  options.on_event = on_event;
  options.event_user_data = user_data;
  return tv_verifier_new_ex2(out, config_json, config_len, &options, diag);
}

tv_status tv_verifier_new_ex2(tv_verifier** out, const char* config_json, size_t config_len,
                              const tv_verifier_options* options, tv_diag* diag) {
  if (out == nullptr || (config_json == nullptr && config_len != 0)) {
    FillDiag(diag, Status::ERR_INVALID_ARGUMENT, "", "out and config_json must not be NULL");
    return TV_ERR_INVALID_ARGUMENT;
  }
  *out = nullptr;
  try {
    tokenverify::Error err;
    tv_verifier_options opts{};
    if (options != nullptr) {
      // An older caller's smaller struct: the fields it does not have stay zero.
      std::memcpy(&opts, options, std::min(sizeof opts, options->struct_size));
    }
    tokenverify::VerifierOptions cpp;
    cpp.on_event = EventAdapter(opts.on_event, opts.event_user_data);
    cpp.validator = ValidatorAdapter(opts.validator, opts.validator_user_data);
    auto v = tokenverify::Verifier::Create(std::string_view(config_json, config_len), &err, std::move(cpp));
    if (!v.ok()) {
      FillDiag(diag, v.status(), err.field, err.message);
      return ToC(v.status());
    }
    *out = new tv_verifier{std::move(v).value()};
    FillDiag(diag, Status::OK, "", "");
    return TV_OK;
  } catch (const std::bad_alloc&) {
    FillDiag(diag, Status::ERR_OUT_OF_MEMORY, "", "out of memory");
    return TV_ERR_OUT_OF_MEMORY;
  } catch (...) {
    FillDiag(diag, Status::ERR_INTERNAL, "", "unexpected internal error");
    return TV_ERR_INTERNAL;
  }
}

void tv_verifier_free(tv_verifier* v) { delete v; }

tv_status tv_verify(const tv_verifier* v, tv_claims** out_claims, const uint8_t* token, size_t token_len) {
  if (out_claims != nullptr) *out_claims = nullptr;
  if (v == nullptr || (token == nullptr && token_len != 0)) return TV_ERR_INVALID_ARGUMENT;
  const std::string_view t(reinterpret_cast<const char*>(token), token_len);
  if (out_claims == nullptr) return ToC(v->impl->Verify(t));
  tokenverify::VerifiedToken verified;
  const Status s = v->impl->Verify(t, &verified);
  if (s != Status::OK) return ToC(s);
  return NewClaims(out_claims, verified.header_json, verified.payload_json, verified.provider);
}

tv_status tv_verify_signature(const tv_verifier* v, const uint8_t* token, size_t token_len) {
  if (v == nullptr || (token == nullptr && token_len != 0)) return TV_ERR_INVALID_ARGUMENT;
  return ToC(v->impl->VerifySignature(std::string_view(reinterpret_cast<const char*>(token), token_len)));
}

tv_status tv_verify_batch(const tv_verifier* v, tv_status* statuses_out, tv_claims** claims_out,
                          const uint8_t* const* tokens, const size_t* token_lens, size_t n, unsigned threads) {
  if (n == 0) return v == nullptr ? TV_ERR_INVALID_ARGUMENT : TV_OK;
  // A call that verifies nothing still leaves every output defined.
  auto refuse = [&](tv_status s) {
    if (statuses_out != nullptr) std::fill(statuses_out, statuses_out + n, s);
    if (claims_out != nullptr) std::fill(claims_out, claims_out + n, nullptr);
    return s;
  };
  if (v == nullptr || statuses_out == nullptr || tokens == nullptr || token_lens == nullptr)
    return refuse(TV_ERR_INVALID_ARGUMENT);
  if (claims_out != nullptr) std::fill(claims_out, claims_out + n, nullptr);
  try {
    // The core takes views. A NULL token with a length is the caller's
    // mistake, answered as tv_verify answers it and never verified (nor
    // counted): such tokens are left out of the views, and `index_of` maps a
    // view back to its token (empty when there are none, the usual case).
    std::vector<std::string_view> views;
    std::vector<size_t> index_of;
    views.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      std::string_view t;
      if (View(tokens[i], token_lens[i], &t)) {
        if (!index_of.empty()) index_of.push_back(i);
        views.push_back(t);
        continue;
      }
      if (index_of.empty()) {
        index_of.reserve(n);
        for (size_t j = 0; j < i; ++j) index_of.push_back(j);
      }
      statuses_out[i] = TV_ERR_INVALID_ARGUMENT;
    }
    const Status s = v->impl->VerifyBatch(
        views, threads, [&](size_t view, Status st, const tokenverify::VerifiedToken* verified) noexcept {
          const size_t i = index_of.empty() ? view : index_of[view];
          tv_status c = ToC(st);
          if (c == TV_OK && claims_out != nullptr)
            c = NewClaims(&claims_out[i], verified->header_json, verified->payload_json, verified->provider);
          statuses_out[i] = c;
        });
    return s == Status::OK ? TV_OK : refuse(ToC(s));
  } catch (const std::bad_alloc&) {
    return refuse(TV_ERR_OUT_OF_MEMORY);
  } catch (const std::length_error&) {  // n views cannot even be sized
    return refuse(TV_ERR_OUT_OF_MEMORY);
  }
}

tv_status tv_verifier_stats(const tv_verifier* v, char** out_json, size_t* out_len, uint32_t flags) {
  if (out_json != nullptr) *out_json = nullptr;
  if (v == nullptr || out_json == nullptr || (flags & ~TV_STATS_KEYS) != 0) return TV_ERR_INVALID_ARGUMENT;
  try {
    const std::string json = v->impl->StatsJson((flags & TV_STATS_KEYS) != 0);
    char* copy = static_cast<char*>(std::malloc(json.size() + 1));
    if (copy == nullptr) return TV_ERR_OUT_OF_MEMORY;
    std::memcpy(copy, json.c_str(), json.size() + 1);
    *out_json = copy;
    if (out_len != nullptr) *out_len = json.size();
    return TV_OK;
  } catch (const std::bad_alloc&) {
    return TV_ERR_OUT_OF_MEMORY;
  } catch (...) {
    return TV_ERR_INTERNAL;
  }
}

void tv_string_free(char* s) { std::free(s); }

tv_status tv_verifier_revoke(const tv_verifier* v, const char* jti, size_t jti_len, int64_t exp) {
  if (v == nullptr || jti == nullptr) return TV_ERR_INVALID_ARGUMENT;
  return ToC(v->impl->Revoke(std::string_view(jti, jti_len), exp));
}

tv_status tv_verifier_revoke_subject(const tv_verifier* v, const char* sub, size_t sub_len, int64_t issued_before) {
  if (v == nullptr || sub == nullptr) return TV_ERR_INVALID_ARGUMENT;
  return ToC(v->impl->RevokeSubject(std::string_view(sub, sub_len), issued_before));
}

tv_status tv_revocation_publish(const char* config_json, size_t config_len, const tv_revocation* r, char** out_id,
                                tv_diag* diag) {
  if (out_id != nullptr) *out_id = nullptr;
  if (config_json == nullptr || r == nullptr || r->id == nullptr || (r->issuer == nullptr && r->issuer_len != 0) ||
      (r->kind != TV_REVOKE_TOKEN && r->kind != TV_REVOKE_SUBJECT)) {
    FillDiag(diag, Status::ERR_INVALID_ARGUMENT, "",
             "config_json, r and r->id must not be NULL; r->kind is TV_REVOKE_TOKEN or TV_REVOKE_SUBJECT");
    return TV_ERR_INVALID_ARGUMENT;
  }
  try {
    tokenverify::Revocation rev;
    rev.kind =
        r->kind == TV_REVOKE_TOKEN ? tokenverify::Revocation::Kind::kToken : tokenverify::Revocation::Kind::kSubject;
    rev.id = std::string_view(r->id, r->id_len);
    rev.time = r->time;
    if (r->issuer != nullptr) rev.issuer = std::string_view(r->issuer, r->issuer_len);
    tokenverify::Error err;
    std::string id;
    const Status s = tokenverify::PublishRevocation(std::string_view(config_json, config_len), rev, &id, &err);
    FillDiag(diag, s, err.field, err.message);
    if (s != Status::OK || out_id == nullptr) return ToC(s);
    char* copy = static_cast<char*>(std::malloc(id.size() + 1));
    if (copy == nullptr) return TV_ERR_OUT_OF_MEMORY;
    std::memcpy(copy, id.c_str(), id.size() + 1);
    *out_id = copy;
    return TV_OK;
  } catch (const std::bad_alloc&) {
    FillDiag(diag, Status::ERR_OUT_OF_MEMORY, "", "out of memory");
    return TV_ERR_OUT_OF_MEMORY;
  }
}

tv_status tv_claims_provider(const tv_claims* c, const char** out, size_t* out_len) {
  if (c == nullptr || out == nullptr || out_len == nullptr) return TV_ERR_INVALID_ARGUMENT;
  *out = c->provider.c_str();
  *out_len = c->provider.size();
  return TV_OK;
}

void tv_claims_free(tv_claims* c) { delete c; }

tv_status tv_claims_json(const tv_claims* c, const char** out, size_t* out_len) {
  if (c == nullptr || out == nullptr || out_len == nullptr) return TV_ERR_INVALID_ARGUMENT;
  *out = c->impl->payload_json().data();
  *out_len = c->impl->payload_json().size();
  return TV_OK;
}

tv_status tv_claims_header_json(const tv_claims* c, const char** out, size_t* out_len) {
  if (c == nullptr || out == nullptr || out_len == nullptr) return TV_ERR_INVALID_ARGUMENT;
  *out = c->impl->header_json().data();
  *out_len = c->impl->header_json().size();
  return TV_OK;
}

// The member |name|, or nullptr with *status NOT_FOUND (or the index's failure).
static const tokenverify::Claims::Member* FindMember(const tv_claims* c, const char* name, size_t name_len,
                                                     tv_status* status) {
  const Status indexed = c->impl->Index();
  if (indexed != Status::OK) {
    *status = ToC(indexed);
    return nullptr;
  }
  const auto* m = c->impl->Find(std::string_view(name, name_len));
  *status = m == nullptr ? TV_ERR_NOT_FOUND : TV_OK;
  return m;
}

tv_status tv_claims_get_raw(const tv_claims* c, const char** out, size_t* out_len, const char* name, size_t name_len) {
  if (c == nullptr || out == nullptr || out_len == nullptr || (name == nullptr && name_len != 0))
    return TV_ERR_INVALID_ARGUMENT;
  tv_status st;
  const auto* m = FindMember(c, name, name_len, &st);
  if (m == nullptr) return st;
  *out = m->raw.data();
  *out_len = m->raw.size();
  return TV_OK;
}

tv_status tv_claims_get_string(const tv_claims* c, const char** out, size_t* out_len, const char* name,
                               size_t name_len) {
  if (c == nullptr || out == nullptr || out_len == nullptr || (name == nullptr && name_len != 0))
    return TV_ERR_INVALID_ARGUMENT;
  tv_status st;
  const auto* m = FindMember(c, name, name_len, &st);
  if (m == nullptr) return st;
  if (!m->is_string) return TV_ERR_WRONG_TYPE;
  *out = m->string_value.c_str();
  *out_len = m->string_value.size();
  return TV_OK;
}

tv_status tv_claims_get_int64(const tv_claims* c, int64_t* out, const char* name, size_t name_len) {
  if (c == nullptr || out == nullptr || (name == nullptr && name_len != 0)) return TV_ERR_INVALID_ARGUMENT;
  tv_status st;
  const auto* m = FindMember(c, name, name_len, &st);
  if (m == nullptr) return st;
  if (!m->is_int64) return TV_ERR_WRONG_TYPE;
  *out = m->int_value;
  return TV_OK;
}

tv_status tv_claims_dup(tv_claims** out, const tv_claims* c) {
  if (out != nullptr) *out = nullptr;
  if (out == nullptr || c == nullptr) return TV_ERR_INVALID_ARGUMENT;
  return NewClaims(out, c->impl->header_json(), c->impl->payload_json(), c->provider);
}

tv_status tv_inspect_unverified(tv_claims** out_claims, const uint8_t* token, size_t token_len) {
  if (out_claims == nullptr || (token == nullptr && token_len != 0)) return TV_ERR_INVALID_ARGUMENT;
  *out_claims = nullptr;
  try {
    std::string header, payload;
    // With a verifier's default limits.
    const Status s = tokenverify::DecodeUnverified(std::string_view(reinterpret_cast<const char*>(token), token_len),
                                                   &header, &payload);
    if (s != Status::OK) return ToC(s);
    return NewClaims(out_claims, header, payload, "");
  } catch (const std::bad_alloc&) {
    return TV_ERR_OUT_OF_MEMORY;
  }
}

tv_status tv_authenticate(const tv_verifier* v, tv_decision** out, const tv_request* req) {
  if (out != nullptr) *out = nullptr;
  if (v == nullptr || out == nullptr || req == nullptr) return TV_ERR_INVALID_ARGUMENT;
  tokenverify::RequestView r;
  std::string_view body;
  if (!View(req->method, req->method_len, &r.method) || !View(req->host, req->host_len, &r.host) ||
      !View(req->target, req->target_len, &r.target) || !View(req->body, req->body_len, &body) ||
      (req->headers == nullptr && req->header_count != 0))
    return TV_ERR_INVALID_ARGUMENT;
  r.body = body;
  if (req->header_count != 0)
    r.headers = {reinterpret_cast<const tokenverify::HeaderView*>(req->headers), req->header_count};
  try {
    auto d = std::make_unique<tv_decision>();
    const Status s = v->impl->Authenticate(r, &d->impl);
    if (s != Status::OK) return ToC(s);
    if (d->impl.claims) {
      d->claims.impl = std::move(d->impl.claims);
      d->claims.provider = d->impl.provider;
    }
    *out = d.release();
    return TV_OK;
  } catch (const std::bad_alloc&) {
    return TV_ERR_OUT_OF_MEMORY;
  }
}

void tv_decision_free(tv_decision* d) { delete d; }

tv_status tv_decision_status(const tv_decision* d) {
  return d == nullptr ? TV_ERR_INVALID_ARGUMENT : ToC(d->impl.status);
}

int32_t tv_decision_http_status(const tv_decision* d) { return d == nullptr ? 0 : d->impl.http_status; }

int32_t tv_decision_method(const tv_decision* d) { return d == nullptr ? -1 : static_cast<int32_t>(d->impl.method); }

tv_status tv_decision_json(const tv_decision* d, const char** out, size_t* out_len) {
  if (d == nullptr) return TV_ERR_INVALID_ARGUMENT;
  try {
    return StringOut(d->impl.Json(), out, out_len);
  } catch (const std::bad_alloc&) {
    return TV_ERR_OUT_OF_MEMORY;
  } catch (...) {
    return TV_ERR_INTERNAL;
  }
}

tv_status tv_decision_principal(const tv_decision* d, const char** out, size_t* out_len) {
  if (d == nullptr) return TV_ERR_INVALID_ARGUMENT;
  if (d->impl.principal.empty()) return TV_ERR_NOT_FOUND;
  return StringOut(d->impl.principal, out, out_len);
}

tv_status tv_decision_www_authenticate(const tv_decision* d, const char** out, size_t* out_len) {
  if (d == nullptr) return TV_ERR_INVALID_ARGUMENT;
  if (!d->impl.www_authenticate) return TV_ERR_NOT_FOUND;
  return StringOut(*d->impl.www_authenticate, out, out_len);
}

size_t tv_decision_set_header_count(const tv_decision* d) { return d == nullptr ? 0 : d->impl.set_headers.size(); }

tv_status tv_decision_set_header(const tv_decision* d, size_t index, const char** name, size_t* name_len,
                                 const char** value, size_t* value_len) {
  if (d == nullptr || name == nullptr || name_len == nullptr || value == nullptr || value_len == nullptr)
    return TV_ERR_INVALID_ARGUMENT;
  if (index >= d->impl.set_headers.size()) return TV_ERR_NOT_FOUND;
  const auto& [n, v] = d->impl.set_headers[index];
  StringOut(n, name, name_len);
  return StringOut(v, value, value_len);
}

size_t tv_decision_remove_header_count(const tv_decision* d) {
  return d == nullptr ? 0 : d->impl.remove_headers.size();
}

tv_status tv_decision_remove_header(const tv_decision* d, size_t index, const char** name, size_t* name_len) {
  if (d == nullptr) return TV_ERR_INVALID_ARGUMENT;
  if (index >= d->impl.remove_headers.size()) return TV_ERR_NOT_FOUND;
  return StringOut(d->impl.remove_headers[index], name, name_len);
}

const tv_claims* tv_decision_claims(const tv_decision* d) {
  return d == nullptr || !d->claims.impl ? nullptr : &d->claims;
}

const char* tv_base64url_implementation(void) {
  // Kernel names are string literals, so data() is NUL-terminated.
  return tokenverify::Base64urlImplementationName().data();
}

}  // extern "C"
