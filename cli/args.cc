// Command-line parsing. Hand-written rather than getopt_long so that options
// may follow operands, "--name=value" and "--name value" both work, and every
// error names the offending word (usage errors exit 2, before any work).
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cli.h"

namespace tvcli {
namespace {

// Which commands accept an option. Keeping this as data makes the usage
// errors precise ("--seconds is not an option of verify") with no per-command code.
enum CommandBit : unsigned { kVerify = 1, kBench = 2, kKeys = 4, kAuthenticate = 8, kRevoke = 16, kServe = 32 };
constexpr unsigned kVerifierCommands = kVerify | kBench | kKeys;

struct OptionSpec {
  std::string_view name;
  unsigned commands;
};

constexpr OptionSpec kOptions[] = {
    {"config", kVerifierCommands | kAuthenticate | kRevoke | kServe},
    {"jwks", kVerifierCommands},
    {"jwks-url", kVerifierCommands},
    {"issuer", kVerifierCommands | kRevoke},
    {"audience", kVerifierCommands},
    {"alg", kVerifierCommands},
    {"secret", kVerifierCommands},
    {"secret-base64url", kVerifierCommands},
    {"now", kVerify | kBench | kAuthenticate},
    {"leeway", kVerify | kBench},
    {"seconds", kBench},
    {"json", kKeys},
    {"method", kAuthenticate},
    {"host", kAuthenticate},
    {"header", kAuthenticate},  // also -H
    {"data", kAuthenticate},
    {"jti", kRevoke},
    {"exp", kRevoke},
    {"sub", kRevoke},
    {"before", kRevoke},
    {"listen", kServe},
    {"metrics-listen", kServe},
    {"threads", kServe},
    {"dialect", kServe},
    {"path-prefix", kServe},
    {"max-connections", kServe},
    {"max-connections-per-ip", kServe},
    {"new-connections-per-second", kServe},
    {"timeout", kServe},
    {"max-header-bytes", kServe},
    {"max-body-bytes", kServe},
    {"drain-timeout", kServe},
    {"answer-200-unauthenticated", kServe},
};

// Options that are flags: no value follows.
bool IsFlag(std::string_view name) { return name == "json" || name == "answer-200-unauthenticated"; }

bool Fail(const std::string& why) {
  std::fprintf(stderr, "tokenverify: %s\n", why.c_str());
  return false;
}

unsigned CommandBitOf(std::string_view command) {
  if (command == "verify") return kVerify;
  if (command == "bench") return kBench;
  if (command == "keys") return kKeys;
  if (command == "authenticate") return kAuthenticate;
  if (command == "revoke") return kRevoke;
  if (command == "serve") return kServe;
  return 0;  // inspect, version, help: no options
}

bool ParseInt64(std::string_view s, int64_t& out) {
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && p == end && !s.empty();
}

// A whole number in [min, max] for --NAME, else a usage error.
template <typename T>
bool StoreBounded(std::string_view name, const std::string& value, uint64_t min, uint64_t max, T& out) {
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (value.empty() || ec != std::errc() || p != value.data() + value.size() || n < min || n > max)
    return Fail("--" + std::string(name) + " wants a whole number from " + std::to_string(min) + " to " +
                std::to_string(max) + ", got \"" + value + "\"");
  out = static_cast<T>(n);
  return true;
}

// The options of serve (see serve/serve.h for what each means).
bool StoreServe(tvserve::ServeOptions& s, std::string_view name, const std::string& value) {
  if (name == "listen") {
    s.listen.push_back(value);
  } else if (name == "metrics-listen") {
    s.metrics_listen = value;
  } else if (name == "path-prefix") {
    if (!value.starts_with("/")) return Fail("--path-prefix wants a path such as /auth, got \"" + value + "\"");
    s.path_prefix = value;
  } else if (name == "dialect") {
    using tvserve::Dialect;
    if (value == "auto")
      s.dialect = Dialect::kAuto;
    else if (value == "forwarded")
      s.dialect = Dialect::kForwarded;
    else if (value == "nginx")
      s.dialect = Dialect::kNginx;
    else if (value == "envoy")
      s.dialect = Dialect::kEnvoy;
    else
      return Fail("--dialect wants auto, forwarded, nginx or envoy, got \"" + value + "\"");
  } else if (name == "threads") {
    return StoreBounded(name, value, 1, 256, s.threads);
  } else if (name == "max-connections") {
    return StoreBounded(name, value, 1, 1000000, s.max_connections);
  } else if (name == "max-connections-per-ip") {
    return StoreBounded(name, value, 0, 1000000, s.max_connections_per_ip);
  } else if (name == "new-connections-per-second") {
    return StoreBounded(name, value, 0, 10000000, s.new_connections_per_second);
  } else if (name == "timeout") {
    return StoreBounded(name, value, 1, 3600, s.timeout_seconds);
  } else if (name == "max-header-bytes") {
    return StoreBounded(name, value, 1024, 1 << 20, s.max_header_bytes);
  } else if (name == "max-body-bytes") {
    return StoreBounded(name, value, 0, 64 << 20, s.max_body_bytes);
  } else if (name == "drain-timeout") {
    unsigned seconds = 0;
    if (!StoreBounded(name, value, 0, 3600, seconds)) return false;
    s.drain_seconds = seconds;
  } else if (name == "answer-200-unauthenticated") {
    s.answer_200_unauthenticated = true;
  }
  return true;
}

// Stores one option value into |opt|; |name| is already known to be valid.
bool Store(Options& opt, std::string_view name, const std::string& value) {
  if (opt.command == "serve" && name != "config") return StoreServe(opt.serve, name, value);
  if (name == "config") {
    opt.config_file = value;
  } else if (name == "jwks") {
    opt.jwks = value;
  } else if (name == "jwks-url") {
    opt.jwks_url = value;
  } else if (name == "json") {
    opt.json = true;
  } else if (name == "issuer") {
    opt.issuer = value;
  } else if (name == "audience") {
    opt.audiences.push_back(value);
  } else if (name == "alg") {
    opt.algorithms.push_back(value);
  } else if (name == "secret") {
    opt.secret = value;
  } else if (name == "secret-base64url") {
    opt.secret_b64 = value;
  } else if (name == "method") {
    opt.method = value;
  } else if (name == "host") {
    opt.host = value;
  } else if (name == "header") {
    // "Name: value", as curl takes it; the name must not be empty.
    const size_t colon = value.find(':');
    if (colon == std::string::npos || colon == 0) return Fail("-H wants \"Name: value\", got \"" + value + "\"");
    std::string header_value = value.substr(colon + 1);
    header_value.erase(0, header_value.find_first_not_of(" \t"));
    opt.headers.emplace_back(value.substr(0, colon), header_value);
  } else if (name == "data") {
    opt.data = value;
  } else if (name == "leeway") {
    opt.leeway = value;
  } else if (name == "jti") {
    opt.jti = value;
  } else if (name == "sub") {
    opt.sub = value;
  } else if (name == "now" || name == "exp" || name == "before") {
    int64_t n = 0;
    if (!ParseInt64(value, n) || n < 0)
      return Fail("--" + std::string(name) + " wants unix seconds, got \"" + value + "\"");
    (name == "now" ? opt.now : name == "exp" ? opt.exp : opt.before) = n;
  } else if (name == "seconds") {
    char* end = nullptr;
    double d = std::strtod(value.c_str(), &end);
    // An upper bound keeps a typo (--seconds 1e9) from hanging a terminal.
    if (value.empty() || *end != '\0' || !std::isfinite(d) || d <= 0 || d > 3600)
      return Fail("--seconds wants a number in (0, 3600], got \"" + value + "\"");
    opt.seconds = d;
  }
  return true;
}

}  // namespace

bool ParseArgs(int argc, char** argv, Options& opt) {
  if (argc < 2) return Fail("missing command");
  opt.command = argv[1];
  if (opt.command == "--help" || opt.command == "-h" || opt.command == "help") {
    opt.command = "help";
    return true;
  }
  if (opt.command == "--version") opt.command = "version";
  if (opt.command != "verify" && opt.command != "inspect" && opt.command != "bench" && opt.command != "keys" &&
      opt.command != "version" && opt.command != "authenticate" && opt.command != "revoke" && opt.command != "serve")
    return Fail("unknown command \"" + opt.command + "\"");

  const unsigned bit = CommandBitOf(opt.command);
  bool options_done = false;
  for (int i = 2; i < argc; ++i) {
    std::string_view word = argv[i];
    if (options_done || word == "-" || !word.starts_with("-")) {
      opt.positional.emplace_back(word);
      continue;
    }
    if (word == "--") {
      options_done = true;
      continue;
    }
    if (word == "--help" || word == "-h") {
      opt.help = true;
      continue;
    }
    if (word == "-H") word = "--header";  // curl's spelling
    if (!word.starts_with("--")) return Fail("unknown option \"" + std::string(word) + "\"");

    std::string_view name = word.substr(2);
    std::string value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string_view::npos) {
      value = std::string(name.substr(eq + 1));
      name = name.substr(0, eq);
      inline_value = true;
    }
    const OptionSpec* spec = nullptr;
    for (const auto& s : kOptions)
      if (s.name == name) spec = &s;
    if (spec == nullptr) return Fail("unknown option \"--" + std::string(name) + "\"");
    if ((spec->commands & bit) == 0) return Fail("--" + std::string(name) + " is not an option of " + opt.command);
    if (IsFlag(name)) {
      if (inline_value) return Fail("--" + std::string(name) + " takes no value");
    } else if (!inline_value) {
      if (i + 1 >= argc) return Fail("--" + std::string(name) + " needs a value");
      value = argv[++i];
    }
    if (!Store(opt, name, value)) return false;
  }

  const size_t max_operands = opt.command == "version" || opt.command == "keys" ? 0 : 1;
  if (opt.command == "authenticate") {
    if (opt.positional.size() != 1) return Fail("authenticate takes one TARGET, such as /api/x?y=1");
    if (!opt.config_file) return Fail("authenticate needs --config FILE");
    return true;
  }
  if (opt.command == "serve") {
    if (!opt.positional.empty()) return Fail("serve takes no operands");
    if (!opt.config_file) return Fail("serve needs --config FILE");
    return true;
  }
  if (opt.command == "revoke") {
    if (!opt.positional.empty()) return Fail("revoke takes no operands");
    if (!opt.config_file) return Fail("revoke needs --config FILE (its revocation.redis names the stream)");
    const bool by_jti = opt.jti || opt.exp, by_sub = opt.sub || opt.before;
    if (by_jti == by_sub) return Fail("revoke wants either --jti ID --exp UNIX or --sub S --before UNIX");
    if (by_jti && !(opt.jti && opt.exp)) return Fail("--jti and --exp go together");
    if (by_sub && !(opt.sub && opt.before)) return Fail("--sub and --before go together");
    return true;
  }
  if (opt.positional.size() > max_operands)
    return Fail("too many arguments for " + opt.command + " (one token at most; use - to read lines)");
  return true;
}

}  // namespace tvcli
