// The decision as JSON (tokenverify/request.h): the document tv_decision_json
// returns and `tokenverify authenticate` prints. Member names are fixed by the
// C ABI's contract; the README's "Request authentication" lists them.
#include "json/writer.h"
#include "tokenverify/request.h"

namespace tokenverify {
namespace {

void StringOrNull(internal::JsonWriter& w, std::string_view key, std::string_view value) {
  w.Key(key);
  if (value.empty())
    w.Null();
  else
    w.String(value);
}

void StringArray(internal::JsonWriter& w, std::string_view key, const std::vector<std::string>& values) {
  w.Key(key).BeginArray();
  for (const auto& v : values) w.String(v);
  w.EndArray();
}

std::string Render(const Decision& d) {
  internal::JsonWriter w;
  w.BeginObject();
  w.Member("allow", d.allowed());
  w.Member("httpStatus", d.http_status);
  w.Member("status", StatusName(d.status));
  w.Member("method", AuthMethodName(d.method));
  StringOrNull(w, "rule", d.rule);
  StringOrNull(w, "principal", d.principal);
  StringOrNull(w, "provider", d.provider);
  w.Key("setHeaders").BeginArray();
  for (const auto& [name, value] : d.set_headers) w.BeginArray().String(name).String(value).EndArray();
  w.EndArray();
  StringArray(w, "removeHeaders", d.remove_headers);
  StringArray(w, "removeQueryParameters", d.remove_query_parameters);
  StringArray(w, "removeCookies", d.remove_cookies);
  w.Key("omittedHeaders").BeginArray();
  for (const auto& o : d.omitted_headers)
    w.BeginObject().Member("header", o.header).Member("claim", o.claim).Member("reason", o.reason).EndObject();
  w.EndArray();
  w.Key("wwwAuthenticate");
  if (d.www_authenticate)
    w.String(*d.www_authenticate);
  else
    w.Null();
  w.Member("message", d.allowed() ? std::string_view("allowed") : StatusMessage(d.status));
  w.EndObject();
  return w.str();
}

}  // namespace

std::string_view AuthMethodName(AuthMethod m) noexcept {
  switch (m) {
    case AuthMethod::kNone:
      return "none";
    case AuthMethod::kJwt:
      return "jwt";
    case AuthMethod::kBasic:
      return "basic";
    case AuthMethod::kBearer:
      return "bearer";
    case AuthMethod::kApiKey:
      return "apiKey";
    case AuthMethod::kHmac:
      return "hmac";
  }
  return "none";
}

const std::string& Decision::Json() const {
  std::call_once(rendered_, [this] { json_ = Render(*this); });
  return json_;
}

}  // namespace tokenverify
