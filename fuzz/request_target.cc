// Request targets and rules: NormalizeTarget, NormalizeHost and the rule
// matcher on arbitrary bytes. Properties: normalisation is idempotent (a
// normalized path normalizes to itself); a normalized path starts with '/'
// and has no "." or ".." segment; and the trie answers what a plain scan of
// the same rules answers (longest prefix on segment boundaries, "/x/" under,
// exact), for the fuzzed path.
//
// Input: up to eight rule paths, one per line (a line starting with '=' is an
// exact path), then a line with the host, then the request target.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "request/rule_matcher.h"
#include "request/target.h"

namespace {

using tokenverify::Error;
using tokenverify::Status;
using tokenverify::internal::HostRuleSpec;
using tokenverify::internal::NormalizedTarget;
using tokenverify::internal::NormalizeHost;
using tokenverify::internal::NormalizeTarget;
using tokenverify::internal::PathRuleSpec;
using tokenverify::internal::RuleMatcher;

[[noreturn]] void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "request_target: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// The reference: a scan over the paths with the documented rules.
int ScanPaths(const std::vector<PathRuleSpec>& paths, std::string_view path) {
  int best = -1;
  size_t best_len = 0;
  bool best_exact = false;
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string& p = paths[i].path;
    bool match;
    if (paths[i].exact) {
      match = path == p;
    } else if (p.back() == '/') {
      match = path.size() > p.size() - 1 && path.starts_with(p);  // strictly under p without its slash
    } else {
      match = path.starts_with(p) && (path.size() == p.size() || path[p.size()] == '/');
    }
    if (!match) continue;
    // Longest wins; on equal length an exact path beats a prefix.
    if (best < 0 || p.size() > best_len || (p.size() == best_len && paths[i].exact && !best_exact)) {
      best = static_cast<int>(i);
      best_len = p.size();
      best_exact = paths[i].exact;
    }
  }
  return best;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string_view> lines;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (lines.size() < 10) {
    const size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) break;
    lines.push_back(rest.substr(0, nl));
    rest.remove_prefix(nl + 1);
  }
  const std::string_view target = rest;
  const std::string_view host = lines.empty() ? std::string_view() : lines.back();
  if (!lines.empty()) lines.pop_back();

  NormalizedTarget t;
  if (NormalizeTarget(target, &t) != Status::OK) return 0;
  if (t.path.empty() || t.path[0] != '/') Fail("a normalized path must start with '/'", t.path);
  if (t.path.find("/./") != std::string::npos || t.path.find("/../") != std::string::npos || t.path.ends_with("/.") ||
      t.path.ends_with("/.."))
    Fail("a dot segment survived", t.path);
  NormalizedTarget again;
  if (NormalizeTarget(t.path, &again) != Status::OK || again.path != t.path) Fail("not idempotent", t.path);

  std::string normalized_host;
  if (!NormalizeHost(host, &normalized_host)) return 0;

  HostRuleSpec rule{std::nullopt, {}};
  for (const std::string_view line : lines) {
    const bool exact = !line.empty() && line[0] == '=';
    rule.paths.push_back({std::string(exact ? line.substr(1) : line), exact});
  }
  Error err;
  const auto matcher = RuleMatcher::Build({rule}, &err);
  if (!matcher.ok()) return 0;
  const auto match = matcher->Find(normalized_host, t.path);
  if (match.rule != 0) Fail("the rule without a host must match every host", normalized_host);
  const int expected = ScanPaths(rule.paths, t.path);
  if (match.path != expected) Fail("the trie and the scan disagree", t.path);
  return 0;
}
