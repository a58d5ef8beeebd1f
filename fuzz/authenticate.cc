// tv_authenticate: a request, and optionally the configuration, from the
// input. Checks the decision's invariants: Authenticate always decides; the
// HTTP status is one of 200, 400, 401, 403, 503 and is 200 exactly when the
// request is allowed; a challenge only on 400/401; no header to set carries
// a control byte; the JSON document is strict JSON.
//
// Input: a flag byte (odd: a configuration follows up to the first NUL; even:
// the built-in one), then the request: method, host and target lines, header
// lines "name: value" up to an empty line, then the body. A configuration
// holding '$' is not used: its password hashes could be arbitrarily slow by
// design (bcrypt cost 31), which is not a finding.
#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenverify/request.h"
#include "tokenverify/verifier.h"

namespace {

using tokenverify::Decision;
using tokenverify::HeaderView;
using tokenverify::Status;
using tokenverify::Verifier;

// Every credential type, every path form. The JWT provider's secret is not in
// the input, so no fuzzed token can verify.
constexpr std::string_view kConfig = R"({
  "now": 1700000000,
  "providers": [{"name": "p", "issuer": "iss", "secret": "0123456789abcdef0123456789abcdef",
                 "claimsToHeaders": [{"name": "team", "header": "x-team"}],
                 "tokenSource": {"header": {"header": "x-jwt", "prefix": "Bearer "}}},
                {"name": "q", "secret": "fedcba9876543210fedcba9876543210", "tokenSource": {"cookie": "session"}}],
  "rules": [
    {"name": "site", "host": "example.com",
     "auth": {"type": "basic", "basic": {"users": [{"username": "default", "password": "default123"}]}},
     "paths": [
       {"path": "/api", "auth": {"type": "bearer", "bearer": {"tokens": ["api-token-1"]}}},
       {"path": "/jwt", "auth": {"type": "jwt", "providers": ["p"]}},
       {"path": "/keys", "auth": {"type": "apiKey", "apiKey": {"keys": [{"name": "acme", "key": "k"}]}}},
       {"path": "/q", "auth": {"type": "apiKey", "apiKey": {"query": "key", "validator": true}}},
       {"path": "/hooks", "auth": {"type": "hmac", "hmac": {"scheme": "authgate", "secrets": ["s"], "replayCacheEntries": 16}}},
       {"path": "/stripe", "auth": {"type": "hmac", "hmac": {"scheme": "stripe", "secrets": ["s"]}}},
       {"path": "/.well-known/", "auth": {"enabled": false}},
       {"exact": "/either", "auth": {"anyOf": [{"type": "jwt", "validationMode": "AllowMissing"},
                                              {"type": "basic", "basic": {"validator": true}}]}}]},
    {"host": "*.example.com", "auth": {"type": "jwt"}},
    {"paths": [{"path": "/open"}]}
  ]})";

[[noreturn]] void Fail(const char* what, const Decision& d) {
  std::fprintf(stderr, "authenticate: %s: %s\n", what, d.Json().c_str());
  std::abort();
}

bool ValidatorAcceptsOk(const tokenverify::CredentialCheck& c) { return c.user == "ok"; }

std::unique_ptr<Verifier> Make(std::string_view config) {
  tokenverify::Error err;
  tokenverify::VerifierOptions options;
  options.validator = ValidatorAcceptsOk;
  auto v = Verifier::Create(config, &err, std::move(options));
  return v.ok() ? std::move(v).value() : nullptr;
}

std::string_view Line(std::string_view* rest) {
  const size_t nl = rest->find('\n');
  const std::string_view line = rest->substr(0, nl);
  *rest = nl == std::string_view::npos ? std::string_view() : rest->substr(nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const std::unique_ptr<Verifier> built_in = Make(kConfig);
  if (!built_in) std::abort();
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::unique_ptr<Verifier> own;
  const Verifier* v = built_in.get();
  if (data[0] & 1) {
    const size_t nul = rest.find('\0');
    const std::string_view config = rest.substr(0, nul);
    rest = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
    if (config.find('$') == std::string_view::npos && (own = Make(config))) v = own.get();
  }
  const std::string_view method = Line(&rest), host = Line(&rest), target = Line(&rest);
  std::vector<HeaderView> headers;
  while (!rest.empty() && headers.size() < 64) {
    const std::string_view line = Line(&rest);
    if (line.empty()) break;
    const size_t colon = line.find(':');
    const std::string_view name = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers.push_back({name.data(), name.size(), value.data(), value.size()});
  }
  const tokenverify::RequestView request{method, host, target, headers, rest};

  Decision d;
  if (v->Authenticate(request, &d) != Status::OK) Fail("no decision", d);
  const int h = d.http_status;
  if (h != 200 && h != 400 && h != 401 && h != 403 && h != 503) Fail("HTTP status", d);
  if ((h == 200) != d.allowed()) Fail("allowed and 200 disagree", d);
  if (d.www_authenticate && h != 401 && h != 400) Fail("a challenge without 400/401", d);
  if (!d.allowed() && (!d.set_headers.empty() || d.claims)) Fail("a refusal that sets headers or has claims", d);
  for (const auto& [name, value] : d.set_headers)
    for (unsigned char c : value)
      if ((c < 0x20 && c != '\t') || c == 0x7f) Fail("a control byte in a header to set", d);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(d.Json()).get(doc) != simdjson::SUCCESS) Fail("the JSON does not parse", d);
  return 0;
}
