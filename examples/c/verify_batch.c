/* Batch verification from C: read tokens, one per line, from stdin and verify
 * them all with one tv_verify_batch call on two threads; print each token's
 * status (and sub when it verified) in input order.
 *
 *   cc -std=c11 examples/c/verify_batch.c -Ibindings/c/include -Ibuild/generated/include \
 *      -Lbuild -ltokenverify -Wl,-rpath,$PWD/build -o verify_batch_example
 *   { cat examples/hs256/token.jwt; echo junk; } | ./verify_batch_example "$(cat examples/hs256/config.json)"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenverify.h"

enum { kMaxTokens = 1024, kMaxLine = 16384 };

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s CONFIG_JSON < tokens\n", argv[0]);
    return 2;
  }
  tv_verifier* verifier = NULL;
  tv_diag diag;
  tv_status s = tv_verifier_new(&verifier, argv[1], strlen(argv[1]), &diag);
  if (s != TV_OK) {
    fprintf(stderr, "%s: %s %s\n", tv_status_name(s), diag.field, diag.message);
    return 1;
  }

  static char lines[kMaxTokens][kMaxLine];
  static const uint8_t* tokens[kMaxTokens];
  static size_t lens[kMaxTokens];
  static tv_status statuses[kMaxTokens];
  static tv_claims* claims[kMaxTokens];
  size_t n = 0;
  while (n < kMaxTokens && fgets(lines[n], kMaxLine, stdin) != NULL) {
    size_t len = strcspn(lines[n], "\r\n");
    if (len == 0) continue;
    tokens[n] = (const uint8_t*)lines[n];
    lens[n] = len;
    ++n;
  }

  /* One status per token, in order; a claims object for each one that verified. */
  s = tv_verify_batch(verifier, statuses, claims, tokens, lens, n, 2);
  if (s != TV_OK) {
    fprintf(stderr, "%s\n", tv_status_name(s));
    tv_verifier_free(verifier);
    return 1;
  }
  for (size_t i = 0; i < n; ++i) {
    const char* sub = "";
    size_t sub_len = 0;
    if (statuses[i] == TV_OK && tv_claims_get_string(claims[i], &sub, &sub_len, "sub", 3) == TV_OK)
      printf("%zu %s sub=%.*s\n", i, tv_status_name(statuses[i]), (int)sub_len, sub);
    else
      printf("%zu %s\n", i, tv_status_name(statuses[i]));
    tv_claims_free(claims[i]); /* NULL for a token that failed: a no-op */
  }
  tv_verifier_free(verifier);
  return 0;
}
