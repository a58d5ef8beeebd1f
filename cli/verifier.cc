// From options to a verifier: compose (or read) the configuration document,
// create the verifier, and map statuses to exit codes.
//
// Every user-supplied string is embedded through JsonString: a shell argument
// such as an issuer with a quote in it must not change the document's shape.
#include <cstdio>
#include <string>

#include "cli.h"

namespace tvcli {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// "--leeway 60" is a number of seconds; anything else ("60s", "5m") is a
// duration string that the library parses and validates.
std::string LeewayValue(const std::string& leeway) { return AllDigits(leeway) ? leeway : JsonString(leeway); }

std::string JsonStringArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += JsonString(items[i]);
  }
  return out + "]";
}

bool UsageError(const char* why, int& exit_code) {
  std::fprintf(stderr, "tokenverify: %s (see tokenverify help)\n", why);
  exit_code = kExitUsage;
  return false;
}

// Builds the one provider described by --jwks/--secret/--issuer/... options.
std::optional<std::string> ProviderFromOptions(const Options& opt, int& exit_code) {
  int sources = opt.jwks.has_value() + opt.jwks_url.has_value() + opt.secret.has_value() + opt.secret_b64.has_value();
  if (sources == 0) {
    UsageError("give --config FILE, or a key source: --jwks, --jwks-url, --secret or --secret-base64url", exit_code);
    return std::nullopt;
  }
  if (sources > 1) {
    UsageError("--jwks, --jwks-url, --secret and --secret-base64url are alternatives; give one", exit_code);
    return std::nullopt;
  }
  std::string p = "{\"name\":\"cli\"";
  if (opt.issuer) p += ",\"issuer\":" + JsonString(*opt.issuer);
  if (!opt.audiences.empty()) p += ",\"audiences\":" + JsonStringArray(opt.audiences);
  if (!opt.algorithms.empty()) p += ",\"algorithms\":" + JsonStringArray(opt.algorithms);
  if (opt.jwks) {
    // A path goes to the library as a file source, so its errors (TV_ERR_IO,
    // TV_ERR_JWKS_MALFORMED) name the file; anything else is inline JSON text.
    if (IsExistingFile(*opt.jwks))
      p += ",\"jwks\":{\"local\":{\"file\":" + JsonString(*opt.jwks) + "}}";
    else
      p += ",\"jwks\":{\"local\":{\"inline\":" + JsonString(*opt.jwks) + "}}";
  } else if (opt.jwks_url) {
    // A one-shot tool wants the keys before it verifies: wait for them, and
    // fail with the fetch error if they do not come.
    p += ",\"jwks\":{\"remote\":{\"url\":" + JsonString(*opt.jwks_url) +
         ",\"initialFetchWait\":\"10s\",\"requireInitialKeys\":true}}";
  } else if (opt.secret) {
    p += ",\"secret\":" + JsonString(*opt.secret);
  } else {
    p += ",\"secret\":{\"base64url\":" + JsonString(*opt.secret_b64) + "}";
  }
  return p + "}";
}

}  // namespace

std::optional<std::string> BuildConfig(const Options& opt, int& exit_code) {
  std::vector<JsonMember> overrides;
  std::string now_text = opt.now ? std::to_string(*opt.now) : std::string();
  std::string leeway_text = opt.leeway ? LeewayValue(*opt.leeway) : std::string();
  if (opt.now) overrides.push_back({"now", now_text});
  if (opt.leeway) overrides.push_back({"leeway", leeway_text});

  if (opt.config_file) {
    if (opt.jwks || opt.jwks_url || opt.secret || opt.secret_b64 || opt.issuer || !opt.audiences.empty() ||
        !opt.algorithms.empty()) {
      UsageError("--config cannot be combined with --jwks, --jwks-url, --secret, --issuer, --audience or --alg",
                 exit_code);
      return std::nullopt;
    }
    std::string error;
    auto text = ReadFile(*opt.config_file, error);
    if (!text) {
      std::fprintf(stderr, "tokenverify: cannot read %s: %s\n", opt.config_file->c_str(), error.c_str());
      exit_code = kExitConfig;
      return std::nullopt;
    }
    if (overrides.empty()) return text;
    // If the text is not even shaped like an object, hand it over untouched:
    // the library's strict parser gives a far better diagnostic than we could.
    auto replaced = ReplaceMembers(*text, overrides);
    return replaced ? std::move(*replaced) : std::move(*text);
  }

  auto provider = ProviderFromOptions(opt, exit_code);
  if (!provider) return std::nullopt;
  std::string doc = "{\"providers\":[" + *provider + "]";
  for (const auto& o : overrides) {
    doc += ",\"";
    doc += o.key;
    doc += "\":";
    doc += o.value;
  }
  return doc + "}";
}

VerifierPtr MakeVerifier(const std::string& config) {
  tv_verifier* v = nullptr;
  tv_diag diag{};
  tv_status st = tv_verifier_new(&v, config.data(), config.size(), &diag);
  if (st == TV_OK) return VerifierPtr(v);
  PrintDiag(st, diag);
  return nullptr;
}

void PrintDiag(tv_status st, tv_diag& diag) {
  // Terminate defensively: the strings come from another binary.
  diag.field[sizeof diag.field - 1] = '\0';
  diag.message[sizeof diag.message - 1] = '\0';
  std::fprintf(stderr, "%s\n", StatusLine(st).c_str());
  // The message may quote a key set (a kid): never print it raw.
  const std::string field = TerminalSafe(diag.field);
  const std::string message = TerminalSafe(diag.message);
  if (!field.empty() || !message.empty())
    std::fprintf(stderr, "  %.*s%s%.*s\n", static_cast<int>(field.size()), field.data(),
                 !field.empty() && !message.empty() ? ": " : "", static_cast<int>(message.size()), message.data());
}

int ExitCodeFor(tv_status s) {
  if (s == TV_OK) return kExitOk;
  // 1xx..6xx are facts about the token: one exit code per class, so scripts
  // can tell "malformed" from "expired" without parsing text.
  if (s >= 100 && s < 700) return 10 + s / 100;
  return kExitConfig;  // 9xx: misuse, configuration, I/O, internal
}

std::string StatusLine(tv_status s) {
  std::string line = tv_status_name(s);
  line += ": ";
  line += tv_status_message(s);
  return line;
}

}  // namespace tvcli
