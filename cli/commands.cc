// The commands: verify, inspect, bench, version.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "cli.h"

namespace tvcli {
namespace {

const uint8_t* Bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// The one token of verify/inspect/bench: the operand, or all of stdin.
std::string TakeToken(const Options& opt) {
  if (opt.positional.empty() || opt.positional[0] == "-") return std::string(TrimToken(ReadAllStdin()));
  return std::string(TrimToken(opt.positional[0]));
}

// Verifies one token; prints the claims (or the failure) on |out| or stderr.
// |compact| puts the claims on one line, as line mode promises.
int VerifyOne(const tv_verifier* v, std::string_view token, bool compact) {
  tv_claims* raw = nullptr;
  tv_status st = tv_verify(v, &raw, Bytes(token), token.size());
  ClaimsPtr claims(raw);
  const char* json = nullptr;
  size_t len = 0;
  if (st == TV_OK) st = tv_claims_json(claims.get(), &json, &len);
  if (st != TV_OK) {
    WriteLine(compact ? stdout : stderr, StatusLine(st));
    return ExitCodeFor(st);
  }
  std::string_view text(json, len);
  if (compact)
    WriteLine(stdout, CompactJson(text));
  else
    WriteLine(stdout, text);
  return kExitOk;
}

// Line mode: one result line per non-empty input line, in order, so the output
// can be pasted next to the input. The exit code is that of the last failure.
int VerifyLines(const tv_verifier* v) {
  int result = kExitOk;
  std::string line;
  bool too_long = false;
  while (ReadLine(std::cin, &line, &too_long)) {
    if (too_long) {  // streamed past, never held: a status line keeps the output in step
      WriteLine(stdout, StatusLine(TV_ERR_TOKEN_TOO_LARGE));
      result = ExitCodeFor(TV_ERR_TOKEN_TOO_LARGE);
      continue;
    }
    std::string_view token = TrimToken(line);
    if (token.empty()) continue;
    int code = VerifyOne(v, token, /*compact=*/true);
    if (code != kExitOk) result = code;
  }
  return result;
}

// The header's alg, for labelling bench output. The header was already
// validated by the library; a raw string without escapes is all an alg can be.
std::string HeaderAlg(std::string_view token) {
  tv_claims* raw = nullptr;
  if (tv_inspect_unverified(&raw, Bytes(token), token.size()) != TV_OK) return "?";
  ClaimsPtr claims(raw);
  const char* json = nullptr;
  size_t len = 0;
  if (tv_claims_header_json(claims.get(), &json, &len) != TV_OK) return "?";
  auto members = ScanObjectMembers(std::string_view(json, len));
  if (!members) return "?";
  for (const auto& m : *members) {
    if (m.key == "alg" && m.value.size() >= 2 && m.value.front() == '"')
      return std::string(m.value.substr(1, m.value.size() - 2));
  }
  return "?";
}

}  // namespace

// Creates the verifier for verify/bench/keys, or returns the exit code in |code|.
VerifierPtr VerifierFor(const Options& opt, int& code) {
  auto config = BuildConfig(opt, code);
  if (!config) return nullptr;
  VerifierPtr v = MakeVerifier(*config);
  if (!v) code = kExitConfig;
  return v;
}

int RunVerify(const Options& opt) {
  int code = kExitOk;
  VerifierPtr v = VerifierFor(opt, code);
  if (!v) return code;
  if (!opt.positional.empty() && opt.positional[0] == "-") return VerifyLines(v.get());
  return VerifyOne(v.get(), TakeToken(opt), /*compact=*/false);
}

int RunInspect(const Options& opt) {
  std::string token = TakeToken(opt);
  tv_claims* raw = nullptr;
  tv_status st = tv_inspect_unverified(&raw, Bytes(token), token.size());
  ClaimsPtr claims(raw);
  const char* header = nullptr;
  const char* payload = nullptr;
  size_t header_len = 0, payload_len = 0;
  if (st == TV_OK) st = tv_claims_header_json(claims.get(), &header, &header_len);
  if (st == TV_OK) st = tv_claims_json(claims.get(), &payload, &payload_len);
  if (st != TV_OK) {
    WriteLine(stderr, StatusLine(st));
    return ExitCodeFor(st);
  }
  // The banner comes first so that nobody copies the claims believing them.
  WriteLine(stdout, "UNVERIFIED \u2014 signature and claims NOT checked");
  WriteLine(stdout, "header: " + std::string(header, header_len));
  WriteLine(stdout, "payload: " + std::string(payload, payload_len));
  return kExitOk;
}

int RunBench(const Options& opt) {
  int code = kExitOk;
  VerifierPtr v = VerifierFor(opt, code);
  if (!v) return code;
  const std::string token = TakeToken(opt);

  // One checked verification first: a benchmark of failures measures nothing
  // useful, and it warms the verifier (key parsing, scratch buffers, dispatch).
  tv_status st = tv_verify(v.get(), nullptr, Bytes(token), token.size());
  if (st != TV_OK) {
    WriteLine(stderr, StatusLine(st));
    return ExitCodeFor(st);
  }

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(opt.seconds);
  uint64_t iterations = 0;
  auto now = start;
  // The clock is read once per 1024 verifications so that its cost stays out
  // of the figure even for the fastest algorithms.
  do {
    for (int i = 0; i < 1024; ++i) {
      st = tv_verify(v.get(), nullptr, Bytes(token), token.size());
      if (st != TV_OK) {
        WriteLine(stderr, StatusLine(st));
        return ExitCodeFor(st);
      }
    }
    iterations += 1024;
    now = Clock::now();
  } while (now < deadline);

  const double elapsed = std::chrono::duration<double>(now - start).count();
  const double per_second = static_cast<double>(iterations) / elapsed;
  std::printf("throughput: %s %.0f verifications/s (%.2f \u00b5s/op) on 1 thread, base64url kernel %s\n",
              HeaderAlg(token).c_str(), per_second, 1e6 * elapsed / static_cast<double>(iterations),
              tv_base64url_implementation());
  return kExitOk;
}

int RunVersion() {
  // The tool's own header version and the loaded library's can differ when a
  // newer libtokenverify.so is installed under the same SONAME; show both.
  std::printf("tokenverify %s (libtokenverify %s, base64url kernel %s)\n", TV_VERSION_STRING, tv_version_string(),
              tv_base64url_implementation());
  return kExitOk;
}

}  // namespace tvcli
