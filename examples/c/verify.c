/* A complete C program against tokenverify.h: build a verifier from a
 * configuration document, verify one token, read two claims.
 *
 *   cc -std=c11 examples/c/verify.c -Ibindings/c/include -Ibuild/generated/include \
 *      -Lbuild -ltokenverify -Wl,-rpath,$PWD/build -o verify_example
 *   ./verify_example "$(cat examples/kgateway/jwks.json)" "$(cat examples/kgateway/token.jwt)"
 */
#include <stdio.h>
#include <string.h>

#include "tokenverify.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s JWKS_JSON TOKEN\n", argv[0]);
    return 2;
  }
  /* The configuration is JSON; here the key set is embedded as an object. */
  char config[8192];
  int n = snprintf(config, sizeof config,
                   "{\"providers\":[{\"issuer\":\"solo.io\",\"jwks\":{\"local\":{\"inline\":%s}}}]}", argv[1]);
  if (n < 0 || (size_t)n >= sizeof config) return 2;

  tv_verifier* verifier = NULL;
  tv_diag diag;
  tv_status s = tv_verifier_new(&verifier, config, (size_t)n, &diag);
  if (s != TV_OK) {
    fprintf(stderr, "%s: %s\n", tv_status_name(s), diag.message);
    return 1;
  }

  tv_claims* claims = NULL;
  s = tv_verify(verifier, &claims, (const uint8_t*)argv[2], strlen(argv[2]));
  if (s != TV_OK) {
    fprintf(stderr, "%s: %s\n", tv_status_name(s), tv_status_message(s));
    tv_verifier_free(verifier);
    return 1;
  }

  const char* team;
  size_t team_len;
  int64_t exp;
  if (tv_claims_get_string(claims, &team, &team_len, "team", 4) == TV_OK &&
      tv_claims_get_int64(claims, &exp, "exp", 3) == TV_OK) {
    printf("verified: team=%.*s exp=%lld\n", (int)team_len, team, (long long)exp);
  }
  tv_claims_free(claims);
  tv_verifier_free(verifier);
  return 0;
}
