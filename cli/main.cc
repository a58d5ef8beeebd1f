// tokenverify: the command-line face of libtokenverify.
//
// Exit codes are part of the interface (scripts branch on them):
//   0 success; 2 usage; 3 configuration, I/O or misuse (9xx);
//   10 + status/100 for a token rejected with a 1xx..6xx status
//   (11 malformed, 12 header/alg, 13 signature, 14 claims/time, 15 keys,
//   16 request credentials).
#include <cstdio>

#include "cli.h"

namespace tvcli {

void PrintUsage(std::FILE* to) {
  std::fputs(
      "usage:\n"
      "  tokenverify verify (--config FILE | KEYS) [--now UNIX] [--leeway DUR] [TOKEN | -]\n"
      "  tokenverify inspect [TOKEN | -]\n"
      "  tokenverify bench (--config FILE | KEYS) [--seconds S] [--now UNIX] [TOKEN]\n"
      "  tokenverify keys (--config FILE | KEYS) [--json]\n"
      "  tokenverify authenticate --config FILE [--method M] [--host H] [-H 'Name: value']...\n"
      "                           [--data TEXT | --data @FILE] [--now UNIX] TARGET\n"
      "  tokenverify revoke --config FILE (--jti ID --exp UNIX | --sub S --before UNIX) [--issuer ISS]\n"
      "  tokenverify serve --config FILE [--listen HOST:PORT]... [--metrics-listen HOST:PORT]\n"
      "                    [--dialect auto|forwarded|nginx|envoy] [--path-prefix /P] [--threads N]\n"
      "                    [--max-connections N] [--max-connections-per-ip N]\n"
      "                    [--new-connections-per-second N] [--timeout S] [--max-header-bytes N]\n"
      "                    [--max-body-bytes N] [--drain-timeout S]\n"
      "  tokenverify version\n"
      "  tokenverify help\n"
      "\n"
      "KEYS (instead of --config) describe one provider:\n"
      "  --jwks FILE_OR_JSON      key set: a file path if it exists, else inline JSON;\n"
      "                           a JWK set, or a {\"kid\": \"PEM certificate\"} map\n"
      "  --jwks-url URL           key set fetched over http(s) (waits up to 10 s for it)\n"
      "  --secret TEXT            HMAC secret as raw text (HS256/384/512)\n"
      "  --secret-base64url B64   HMAC secret as base64url\n"
      "  --issuer ISS             required iss\n"
      "  --audience AUD           accepted aud (repeatable)\n"
      "  --alg ALG                allowed algorithm (repeatable): HS256..HS512,\n"
      "                           RS256..RS512, PS256..PS512, ES256, ES384, ES512,\n"
      "                           ES256K (only when given), Ed25519, Ed448, EdDSA\n"
      "\n"
      "TOKEN is the compact token; without it one token is read from stdin. With -\n"
      "verify reads one token per line and prints one line per token: the claims\n"
      "JSON or \"TV_ERR_NAME: message\".\n"
      "\n"
      "keys prints each provider's keys (kid, kty, alg, size or curve, RFC 7638\n"
      "thumbprint) and health; --json prints the stats document instead. It exits\n"
      "0 when every provider is healthy, 15 otherwise.\n"
      "\n"
      "authenticate decides whether one request (TARGET is its origin-form target,\n"
      "such as /api/x?y=1) may pass by the configuration's rules, prints the\n"
      "decision JSON and exits 0 when it is allowed, else with the code of its status.\n"
      "\n"
      "revoke adds one revocation to the Redis stream named by the configuration's\n"
      "revocation.redis (every verifier reading it refuses the token with\n"
      "TV_ERR_REVOKED) and prints the stream entry's ID.\n"
      "\n"
      "serve answers forward-auth requests from nginx (auth_request), Caddy\n"
      "(forward_auth), Traefik (ForwardAuth), Envoy and kgateway (ext_authz, HTTP)\n"
      "with the configuration's decision: 200 and headers to pass on, or 400, 401,\n"
      "403, 503. Default --listen 127.0.0.1:9000; /healthz and /metrics only on\n"
      "--metrics-listen. SIGHUP reloads --config, SIGTERM drains and stops.\n"
      "\n"
      "exit codes: 0 ok, 2 usage, 3 configuration/IO, 11 malformed, 12 header/alg,\n"
      "            13 signature, 14 claims/time, 15 keys, 16 request credentials\n",
      to);
}

}  // namespace tvcli

int main(int argc, char** argv) {
  using namespace tvcli;
  Options opt;
  if (!ParseArgs(argc, argv, opt)) {
    PrintUsage(stderr);
    return kExitUsage;
  }
  if (opt.command == "help" || opt.help) {
    PrintUsage(stdout);
    return kExitOk;
  }

  int code = kExitUsage;
  if (opt.command == "verify")
    code = RunVerify(opt);
  else if (opt.command == "inspect")
    code = RunInspect(opt);
  else if (opt.command == "bench")
    code = RunBench(opt);
  else if (opt.command == "keys")
    code = RunKeys(opt);
  else if (opt.command == "authenticate")
    code = RunAuthenticate(opt);
  else if (opt.command == "revoke")
    code = RunRevoke(opt);
  else if (opt.command == "serve")
    code = RunServeCommand(opt);
  else if (opt.command == "version")
    code = RunVersion();

  // A full disk or closed pipe must not look like a successful verification.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "tokenverify: error writing output\n");
    if (code == kExitOk) code = kExitConfig;
  }
  return code;
}
