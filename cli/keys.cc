// `tokenverify keys`: each provider's keys and health, from tv_verifier_stats.
//
// The stats document is parsed with simdjson (a library the engine already
// depends on); the tool still reaches the engine only through the C ABI.
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <thread>

#include "cli.h"

namespace tvcli {
namespace {

using simdjson::dom::element;

// A string member of the stats document, made safe for a terminal: kids,
// reasons and URLs come from key sets and configuration, not from us.
std::string Text(element e, const char* key) {
  std::string_view s;
  return e[key].get(s) ? std::string() : TerminalSafe(s);
}

int64_t Int(element e, const char* key) {
  int64_t n = 0;
  return e[key].get(n) ? 0 : n;
}

bool Bool(element e, const char* key) {
  bool b = false;
  return e[key].get(b) ? false : b;
}

struct StatsText {
  char* text = nullptr;
  ~StatsText() { tv_string_free(text); }
};

std::string Stats(const tv_verifier* v) {
  StatsText s;
  size_t len = 0;
  if (tv_verifier_stats(v, &s.text, &len, TV_STATS_KEYS) != TV_OK) return "";
  return std::string(s.text, len);
}

// Remote key sets are fetched in the background: give each provider's first
// fetch up to 10 s to finish before reporting.
std::string StatsAfterFirstRefresh(const tv_verifier* v) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    std::string json = Stats(v);
    simdjson::dom::parser parser;
    element doc;
    bool waiting = false;
    if (!parser.parse(json).get(doc)) {
      for (element p : doc["providers"].get_array()) {
        waiting |= Int(p, "lastRefreshUnixMs") == 0;
      }
    }
    if (!waiting || std::chrono::steady_clock::now() >= deadline) return json;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string UtcTime(int64_t unix_ms) {
  if (unix_ms <= 0) return "never";
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The keys the set left out, one line each: kid, kty, the status a token
// naming it gets, and why.
void PrintSkippedKeys(element p) {
  simdjson::dom::array skipped;
  if (p["skippedKeys"].get(skipped) || skipped.size() == 0) return;
  WriteLine(stdout, "  skipped keys (unusable; tokens naming them are refused with the status shown): " +
                        std::to_string(skipped.size()));
  for (element k : skipped) {
    const std::string kid = Text(k, "kid").empty() ? "(none)" : Text(k, "kid");
    const std::string kty = Text(k, "kty").empty() ? "-" : Text(k, "kty");
    WriteLine(stdout, "    " + kid + "  " + kty + "  " + Text(k, "status") + "  " + Text(k, "reason"));
  }
}

void PrintProvider(element p) {
  const bool healthy = Bool(p, "healthy"), stale = Bool(p, "stale");
  std::string line = "provider " + Text(p, "name");
  if (!Text(p, "issuer").empty()) line += "  issuer " + Text(p, "issuer");
  line += "  " + Text(p, "source");
  if (!Text(p, "location").empty()) line += " " + Text(p, "location");
  WriteLine(stdout, line);

  std::string health = healthy ? "healthy" : "UNHEALTHY";
  if (stale) health += ", serving a stale set";
  if (Int(p, "consecutiveFailures") > 0)
    health +=
        ", " + std::to_string(Int(p, "consecutiveFailures")) + " consecutive failures (" + Text(p, "lastError") + ")";
  WriteLine(stdout, "  health: " + health);
  std::string refresh = "  keys: " + std::to_string(Int(p, "keyCount")) + ", generation " +
                        std::to_string(Int(p, "generation")) + "; last refresh " + UtcTime(Int(p, "lastRefreshUnixMs"));
  if (!Text(p, "lastOutcome").empty()) refresh += " (" + Text(p, "lastOutcome") + ")";
  if (Int(p, "nextRefreshUnixMs") > 0) refresh += ", next " + UtcTime(Int(p, "nextRefreshUnixMs"));
  WriteLine(stdout, refresh);

  if (const int64_t beyond = Int(p, "keysWithoutKidBeyondLimit"); beyond > 0) {
    const int64_t without_kid = Int(p, "keysWithoutKid");
    WriteLine(stdout, "  warning: " + std::to_string(without_kid) +
                          " keys have no kid; a token without a kid is "
                          "tried against " +
                          std::to_string(without_kid - beyond) + " compatible keys at most (limits.maxKeysWithoutKid)");
  }
  PrintSkippedKeys(p);

  simdjson::dom::array keys;
  if (p["keys"].get(keys) || keys.size() == 0) return;
  char row[512];
  std::snprintf(row, sizeof row, "  %-24s %-4s %-6s %-9s %s", "KID", "KTY", "ALG", "SIZE", "THUMBPRINT (RFC 7638)");
  WriteLine(stdout, row);
  for (element k : keys) {
    const std::string size = Text(k, "crv").empty() ? std::to_string(Int(k, "bits")) + " bits" : Text(k, "crv");
    const std::string kid = Text(k, "kid").empty() ? "(none)" : Text(k, "kid");
    const std::string alg = Text(k, "alg").empty() ? "-" : Text(k, "alg");
    std::snprintf(row, sizeof row, "  %-24s %-4s %-6s %-9s %s", kid.c_str(), Text(k, "kty").c_str(), alg.c_str(),
                  size.c_str(), Text(k, "thumbprint").c_str());
    WriteLine(stdout, row);
  }
}

}  // namespace

int RunKeys(const Options& opt) {
  int code = kExitOk;
  VerifierPtr v = VerifierFor(opt, code);
  if (!v) return code;
  const std::string json = StatsAfterFirstRefresh(v.get());
  simdjson::dom::parser parser;
  element doc;
  if (json.empty() || parser.parse(json).get(doc)) {
    std::fprintf(stderr, "tokenverify: the library returned no stats document\n");
    return kExitInternal;
  }
  bool all_healthy = true;
  for (element p : doc["providers"].get_array()) {
    all_healthy &= Bool(p, "healthy");
    if (!opt.json) PrintProvider(p);
  }
  if (opt.json) WriteLine(stdout, JsonTerminalSafe(json));
  return all_healthy ? kExitOk : ExitCodeFor(TV_ERR_KEYS_UNAVAILABLE);
}

}  // namespace tvcli
