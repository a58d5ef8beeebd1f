// Shared declarations of the `tokenverify` command-line tool.
//
// The tool is a client of the C ABI only (tokenverify.h): it must keep working
// against any libtokenverify.so with a compatible SONAME, so it never includes
// core headers. Each .cc file in cli/ owns one concern:
//   args.cc       command-line parsing into Options (no I/O besides messages)
//   json_text.cc  the few JSON text operations the tool needs (escape, compact, scan)
//   io.cc         reading files and stdin, trimming tokens
//   verifier.cc   building the configuration document and the verifier; exit codes
//   commands.cc   verify, inspect, bench, version
//   authenticate.cc  authenticate: one request through tv_authenticate
//   keys.cc       keys: each provider's keys and health
//   revoke.cc     revoke: one revocation onto the configuration's Redis stream
//   serve.cc      serve: the forward-auth server (its parts are in serve/)
//   main.cc       dispatch and usage text
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "serve.h"
#include "tokenverify.h"

namespace tvcli {

// Exit codes. Verification failures use 10 + status/100 (see ExitCodeFor).
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;  // reserved: something the tool itself got wrong
inline constexpr int kExitUsage = 2;
inline constexpr int kExitConfig = 3;  // configuration, I/O, 9xx statuses

// Everything the command line said, validated for shape but not for meaning.
struct Options {
  std::string command;
  std::optional<std::string> config_file;                    // --config
  std::optional<std::string> jwks;                           // --jwks: a path if it exists, else inline JSON
  std::optional<std::string> jwks_url;                       // --jwks-url: a remote key set
  std::optional<std::string> issuer;                         // --issuer
  std::vector<std::string> audiences;                        // --audience (repeatable)
  std::vector<std::string> algorithms;                       // --alg (repeatable)
  std::optional<std::string> secret;                         // --secret: raw text
  std::optional<std::string> secret_b64;                     // --secret-base64url
  std::optional<int64_t> now;                                // --now
  std::optional<std::string> leeway;                         // --leeway: "60", "60s", "5m"
  double seconds = 1.0;                                      // --seconds (bench)
  bool json = false;                                         // --json (keys): the stats document as is
  std::string method = "GET";                                // --method (authenticate)
  std::string host;                                          // --host (authenticate)
  std::vector<std::pair<std::string, std::string>> headers;  // -H 'Name: value' (authenticate, repeatable)
  std::optional<std::string> data;                           // --data TEXT or @FILE (authenticate): the body
  std::optional<std::string> jti, sub;                       // --jti, --sub (revoke)
  std::optional<int64_t> exp, before;                        // --exp, --before (revoke): unix seconds
  tvserve::ServeOptions serve;                               // serve: --listen, --metrics-listen, limits...
  bool help = false;
  std::vector<std::string> positional;  // operands after the command
};

// ParseArgs fills |out| from argv. On a usage error it prints "tokenverify: why"
// to stderr and returns false; the caller then prints the usage and exits 2.
bool ParseArgs(int argc, char** argv, Options& out);

// ---- json_text.cc

// JsonString returns |s| as a JSON string literal, quotes included. Bytes >= 0x80
// pass through untouched (the library validates UTF-8 and reports bad input).
std::string JsonString(std::string_view s);

// CompactJson removes insignificant whitespace so that a JSON text fits on one line.
std::string CompactJson(std::string_view json);

// A member of a JSON object: the raw key (between the quotes, still escaped) and
// the raw value text.
struct JsonMember {
  std::string_view key;
  std::string_view value;
};

// ScanObjectMembers splits a JSON object's top level into members without
// interpreting values. Returns nullopt if |json| is not shaped like an object;
// strict validation is the library's job, this only has to find boundaries.
std::optional<std::vector<JsonMember>> ScanObjectMembers(std::string_view json);

// ReplaceMembers returns the object |json| with the members named in |overrides|
// dropped and re-added with the given raw values, so that a command-line --now
// wins over the file without creating a duplicate member. Returns nullopt if
// |json| cannot be scanned.
std::optional<std::string> ReplaceMembers(std::string_view json, const std::vector<JsonMember>& overrides);

// ---- io.cc

// ReadFile reads a whole file; on failure returns nullopt and sets |error|.
std::optional<std::string> ReadFile(const std::string& path, std::string& error);

// The longest input line (or whole stdin token) kept in memory: the largest
// token any configuration accepts (limits.maxTokenBytes is at most 1 MiB),
// with room for surrounding whitespace. Longer input is never buffered whole.
inline constexpr size_t kMaxInputLine = (size_t{1} << 20) + 4096;

// ReadAllStdin reads standard input to its end, keeping at most
// kMaxInputLine bytes (more is read and dropped: still too large a token).
std::string ReadAllStdin();

// ReadLine reads one line without its '\n' into *line; false at the end of
// input. A line longer than kMaxInputLine is consumed without being kept:
// *line is empty and *too_long true.
bool ReadLine(std::istream& from, std::string* line, bool* too_long);

// TrimToken strips surrounding ASCII whitespace (including a trailing \r).
std::string_view TrimToken(std::string_view s);

// WriteLine writes |text| and a newline.
void WriteLine(std::FILE* to, std::string_view text);

// IsExistingFile reports whether |path| names something that can be opened as a file.
bool IsExistingFile(const std::string& path);

// ---- verifier.cc

struct VerifierDeleter {
  void operator()(tv_verifier* v) const noexcept { tv_verifier_free(v); }
};
struct ClaimsDeleter {
  void operator()(tv_claims* c) const noexcept { tv_claims_free(c); }
};
using VerifierPtr = std::unique_ptr<tv_verifier, VerifierDeleter>;
using ClaimsPtr = std::unique_ptr<tv_claims, ClaimsDeleter>;

// BuildConfig produces the configuration document for |opt| (reading
// --config, or composing one from --jwks/--secret/...). On failure it prints
// why and returns nullopt with |exit_code| set (2 usage, 3 I/O).
std::optional<std::string> BuildConfig(const Options& opt, int& exit_code);

// MakeVerifier creates the verifier, printing "NAME: message" and the
// diagnostics on failure (the caller exits 3).
VerifierPtr MakeVerifier(const std::string& config);

// PrintDiag prints a failed call's status line and its diagnostic (field: message) to stderr.
void PrintDiag(tv_status st, tv_diag& diag);

// ExitCodeFor maps a failed status to the documented exit code.
int ExitCodeFor(tv_status s);

// StatusLine formats "TV_ERR_X: message".
std::string StatusLine(tv_status s);

// ---- commands.cc

int RunVerify(const Options& opt);
int RunInspect(const Options& opt);
int RunBench(const Options& opt);
int RunVersion();
// Builds the verifier for a command that needs one (verify, bench, keys).
VerifierPtr VerifierFor(const Options& opt, int& code);

// ---- terminal_text.cc

// TerminalSafe returns |text| with everything a terminal would act on shown
// as an escape instead: C0 controls and DEL as \xNN, C1 and bidirectional
// controls as \uNNNN, bytes that are not UTF-8 as \xNN, and "\" as "\\".
// For text that comes from key sets (kids, reasons) or the library's messages.
std::string TerminalSafe(std::string_view text);

// JsonTerminalSafe returns the JSON document |json| with C1 and bidirectional
// controls written as \uNNNN escapes: the same JSON value, safe on a terminal.
std::string JsonTerminalSafe(std::string_view json);

// ---- authenticate.cc

int RunAuthenticate(const Options& opt);

// ---- revoke.cc
int RunRevoke(const Options& opt);

// ---- serve.cc
int RunServeCommand(const Options& opt);

// ---- keys.cc

int RunKeys(const Options& opt);

// ---- main.cc

void PrintUsage(std::FILE* to);

}  // namespace tvcli
