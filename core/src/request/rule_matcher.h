// Which rule, and which of its paths, a request falls under: hosts by hash
// lookup (exact, then the longest "*.suffix", then the rule without a host),
// paths by a walk down a trie of path segments. The cost depends on the depth
// of the request path, not on how many rules there are.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "tokenverify/result.h"

namespace tokenverify::internal {

struct PathRuleSpec {
  std::string path;    // starts with '/'; a trailing '/' means "under" (for prefixes)
  bool exact = false;  // the whole path, not a prefix on segment boundaries
};

struct HostRuleSpec {
  std::optional<std::string> host;  // "example.com", "*.example.com", or none: every host
  std::vector<PathRuleSpec> paths;
};

class RuleMatcher {
 public:
  struct Match {
    int rule = -1;  // index into the specs; -1: no rule matches the host
    int path = -1;  // index into that rule's paths; -1: the rule's own auth applies
  };

  // Build checks the specs: hosts must be names ("*." only as the first
  // label), paths normalized origin-form paths without a query; no host and
  // no path within a rule twice; at most one rule without a host. Failures are
  // ERR_CONFIG with err->field set relative to the rules array ("[2].paths[0].path").
  static Result<RuleMatcher> Build(const std::vector<HostRuleSpec>& rules, Error* err);

  // `host` as NormalizeHost made it (lower case, no port; may be empty), `path`
  // as NormalizeTarget made it.
  Match Find(std::string_view host, std::string_view path) const;

 private:
  struct Node {
    absl::flat_hash_map<std::string, int> children;  // segment -> node index
    int prefix = -1;                                 // "/a": this node and everything below
    int under = -1;                                  // "/a/": everything strictly below
    int exact = -1;                                  // "/a" exactly
  };
  struct Trie {
    std::vector<Node> nodes{1};  // nodes[0] is the root ("/" before any segment)
  };

  int FindPath(const Trie& trie, std::string_view path) const;

  std::vector<Trie> tries_;  // one per rule
  absl::flat_hash_map<std::string, int> exact_hosts_;
  absl::flat_hash_map<std::string, int> wildcard_hosts_;  // ".example.com" -> rule
  int default_rule_ = -1;
};

}  // namespace tokenverify::internal
