#include "request/rule_matcher.h"

#include "request/target.h"

namespace tokenverify::internal {
namespace {

Status ConfigError(Error* err, std::string field, std::string message) {
  err->status = Status::ERR_CONFIG;
  err->field = std::move(field);
  err->message = std::move(message);
  return Status::ERR_CONFIG;
}

// Calls f(segment) for each segment of a path that starts with '/':
// "/a/b/" -> "a", "b", "".
template <typename F>
void ForEachSegment(std::string_view path, F&& f) {
  size_t i = 0;
  while (i < path.size()) {
    size_t end = path.find('/', i + 1);
    if (end == std::string_view::npos) end = path.size();
    if (!f(path.substr(i + 1, end - i - 1), end == path.size())) return;
    i = end;
  }
}

// Debian's abseil has its own string_view type: heterogeneous lookups take that one.
absl::string_view Key(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

Result<RuleMatcher> RuleMatcher::Build(const std::vector<HostRuleSpec>& rules, Error* err) {
  RuleMatcher m;
  m.tries_.resize(rules.size());
  for (size_t r = 0; r < rules.size(); ++r) {
    const std::string at = "[" + std::to_string(r) + "]";
    const HostRuleSpec& rule = rules[r];
    if (!rule.host) {
      if (m.default_rule_ >= 0) {
        return ConfigError(err, at,
                           "a second rule without \"host\" (rule [" + std::to_string(m.default_rule_) +
                               "] already applies to every host)");
      }
      m.default_rule_ = static_cast<int>(r);
    } else {
      std::string_view name = *rule.host;
      const bool wildcard = name.starts_with("*.");
      if (wildcard) name.remove_prefix(2);
      std::string normalized;
      if (name.empty() || name.find(':') != std::string_view::npos || !NormalizeHost(name, &normalized) ||
          normalized.empty()) {
        return ConfigError(err, at + ".host",
                           "\"" + *rule.host + "\" is not a host name (\"example.com\" or \"*.example.com\", no port)");
      }
      auto& map = wildcard ? m.wildcard_hosts_ : m.exact_hosts_;
      const std::string key = wildcard ? "." + normalized : normalized;
      if (!map.emplace(key, static_cast<int>(r)).second) {
        return ConfigError(err, at + ".host", "\"" + *rule.host + "\" is also the host of another rule");
      }
    }
    Trie& trie = m.tries_[r];
    for (size_t p = 0; p < rule.paths.size(); ++p) {
      const std::string field = at + ".paths[" + std::to_string(p) + "]." + (rule.paths[p].exact ? "exact" : "path");
      const std::string& path = rule.paths[p].path;
      NormalizedTarget normalized;
      if (NormalizeTarget(path, &normalized) != Status::OK || normalized.has_query || normalized.path != path) {
        return ConfigError(err, field,
                           "\"" + path + "\" is not a normalized path (it starts with '/', has no query, " +
                               "no dot segments and no percent-encoded unreserved characters)");
      }
      // "/a/" under a prefix means "under /a": its last (empty) segment is dropped.
      const bool under = !rule.paths[p].exact && path.back() == '/';
      const std::string_view walk = under ? std::string_view(path).substr(0, path.size() - 1) : std::string_view(path);
      int node = 0;
      ForEachSegment(walk, [&](std::string_view segment, bool) {
        auto it = trie.nodes[node].children.find(Key(segment));
        if (it == trie.nodes[node].children.end()) {
          trie.nodes.emplace_back();
          it = trie.nodes[node].children.emplace(std::string(segment), static_cast<int>(trie.nodes.size() - 1)).first;
        }
        node = it->second;
        return true;
      });
      int& slot = rule.paths[p].exact ? trie.nodes[node].exact
                  : under             ? trie.nodes[node].under
                                      : trie.nodes[node].prefix;
      if (slot >= 0) {
        return ConfigError(err, field, "\"" + path + "\" is also paths[" + std::to_string(slot) + "] of this rule");
      }
      slot = static_cast<int>(p);
    }
  }
  return m;
}

int RuleMatcher::FindPath(const Trie& trie, std::string_view path) const {
  // The longest match wins. At one node, "/a/" (under) is longer than "/a"
  // (prefix), and an exact match of the whole path is the longest of all.
  int best = -1;
  int node = 0;
  auto consider = [&](const Node& n, bool more) {
    if (n.prefix >= 0) best = n.prefix;
    if (more && n.under >= 0) best = n.under;
  };
  ForEachSegment(path, [&](std::string_view segment, bool last) {
    consider(trie.nodes[node], true);
    const auto& children = trie.nodes[node].children;
    const auto it = children.find(Key(segment));
    if (it == children.end()) {
      node = -1;
      return false;
    }
    node = it->second;
    if (last) {
      const Node& n = trie.nodes[node];
      consider(n, false);
      if (n.exact >= 0) best = n.exact;
    }
    return true;
  });
  return best;
}

RuleMatcher::Match RuleMatcher::Find(std::string_view host, std::string_view path) const {
  int rule = -1;
  if (!host.empty()) {
    if (const auto it = exact_hosts_.find(Key(host)); it != exact_hosts_.end()) {
      rule = it->second;
    } else if (!wildcard_hosts_.empty()) {
      // The longest suffix first: "a.b.example.com" tries ".b.example.com", then ".example.com", ...
      for (size_t dot = host.find('.'); dot != std::string_view::npos; dot = host.find('.', dot + 1)) {
        if (const auto w = wildcard_hosts_.find(Key(host.substr(dot))); w != wildcard_hosts_.end()) {
          rule = w->second;
          break;
        }
      }
    }
  }
  if (rule < 0) rule = default_rule_;
  if (rule < 0) return Match{};
  return Match{rule, FindPath(tries_[static_cast<size_t>(rule)], path)};
}

}  // namespace tokenverify::internal
