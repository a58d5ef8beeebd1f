// The commands: verify, inspect, bench, version.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli.h"

namespace tvcli {
namespace {

const uint8_t* Bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// The one token of verify/inspect/bench: the operand, or all of stdin.
std::string TakeToken(const Options& opt) {
  if (opt.positional.empty() || opt.positional[0] == "-") return std::string(TrimToken(ReadAllStdin()));
  return std::string(TrimToken(opt.positional[0]));
}

// Prints the outcome of one verification: the claims on stdout, or the
// failure on stdout (compact, as line mode promises: one line per token) or
// stderr. Takes ownership of |raw|. Returns the exit code it calls for.
int PrintVerdict(tv_status st, tv_claims* raw, bool compact) {
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

// Verifies one token; prints the claims (or the failure) on |out| or stderr.
int VerifyOne(const tv_verifier* v, std::string_view token, bool compact) {
  tv_claims* raw = nullptr;
  const tv_status st = tv_verify(v, &raw, Bytes(token), token.size());
  return PrintVerdict(st, raw, compact);
}

// Line mode verifies in batches (tv_verify_batch, one thread per CPU) once it
// has read kBatchFrom tokens, kBatchChunk at a time: a file of thousands of
// tokens is verified on every core, and the output is the same as token by
// token. Fewer tokens are not worth waking the pool for. From a terminal,
// each line is answered as soon as it is typed.
constexpr size_t kBatchFrom = 64;
constexpr size_t kBatchChunk = 256;

// A non-empty input line as line mode keeps it until its chunk is verified.
struct PendingLine {
  std::string token;      // trimmed
  bool too_long = false;  // longer than kMaxInputLine: answered without verifying
};

// Verifies and prints |lines| in order; returns the exit code of the last
// failure, or |result| when none failed.
int VerifyChunk(const tv_verifier* v, const std::vector<PendingLine>& lines, bool batch, int result) {
  std::vector<tv_status> statuses;
  std::vector<tv_claims*> claims;
  if (batch) {
    std::vector<const uint8_t*> tokens;
    std::vector<size_t> lens;
    for (const PendingLine& l : lines) {
      if (l.too_long) continue;
      tokens.push_back(Bytes(l.token));
      lens.push_back(l.token.size());
    }
    statuses.resize(tokens.size());
    claims.resize(tokens.size());
    // Not OK means nothing was verified (out of memory): token by token then.
    if (tv_verify_batch(v, statuses.data(), claims.data(), tokens.data(), lens.data(), tokens.size(), 0) != TV_OK)
      statuses.clear();
  }
  size_t next = 0;  // the next batch result
  for (const PendingLine& l : lines) {
    int code;
    if (l.too_long) {  // streamed past, never held: a status line keeps the output in step
      WriteLine(stdout, StatusLine(TV_ERR_TOKEN_TOO_LARGE));
      code = ExitCodeFor(TV_ERR_TOKEN_TOO_LARGE);
    } else if (!statuses.empty()) {
      code = PrintVerdict(statuses[next], claims[next], /*compact=*/true);
      ++next;
    } else {
      code = VerifyOne(v, l.token, /*compact=*/true);
    }
    if (code != kExitOk) result = code;
  }
  return result;
}

// Line mode: one result line per non-empty input line, in order, so the output
// can be pasted next to the input. The exit code is that of the last failure.
int VerifyLines(const tv_verifier* v) {
  const bool interactive = isatty(STDIN_FILENO) == 1;
  int result = kExitOk;
  bool batching = false;  // set once kBatchFrom tokens have been read
  std::vector<PendingLine> pending;
  std::string line;
  bool too_long = false;
  while (ReadLine(std::cin, &line, &too_long)) {
    PendingLine next;
    next.too_long = too_long;
    if (!too_long) {
      const std::string_view token = TrimToken(line);
      if (token.empty()) continue;
      next.token = std::string(token);
    }
    pending.push_back(std::move(next));
    if (interactive) {
      result = VerifyChunk(v, pending, /*batch=*/false, result);
      pending.clear();
      continue;
    }
    if (pending.size() >= kBatchFrom) batching = true;
    if (batching && pending.size() == kBatchChunk) {
      result = VerifyChunk(v, pending, /*batch=*/true, result);
      pending.clear();
    }
  }
  return VerifyChunk(v, pending, batching, result);
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
