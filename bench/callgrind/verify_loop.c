/* Verifies one token N times through the C ABI, for instruction counts under
 * callgrind (scripts/callgrind_verify.sh). Instruction counts, unlike times,
 * are stable on a shared machine, so two versions of the verify path compare
 * exactly: the script runs this for N and 2N and divides the difference by N,
 * which removes start-up, configuration and the first (cold) verification.
 *
 *   verify_loop CONFIG_FILE TOKEN_FILE N */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenverify.h"

static char* ReadAll(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return NULL;
  char* buf = malloc(1 << 20);
  *len = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
  fclose(f);
  while (*len > 0 && (buf[*len - 1] == '\n' || buf[*len - 1] == '\r')) --*len;
  return buf;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: verify_loop CONFIG_FILE TOKEN_FILE N\n");
    return 2;
  }
  size_t config_len = 0, token_len = 0;
  char* config = ReadAll(argv[1], &config_len);
  char* token = ReadAll(argv[2], &token_len);
  long n = strtol(argv[3], NULL, 10);
  if (config == NULL || token == NULL || n < 1) {
    fprintf(stderr, "verify_loop: cannot read %s or %s, or N < 1\n", argv[1], argv[2]);
    return 2;
  }
  tv_verifier* v = NULL;
  tv_status s = tv_verifier_new(&v, config, config_len, NULL);
  if (s != TV_OK) {
    fprintf(stderr, "verify_loop: configuration refused: %s\n", tv_status_name(s));
    return 3;
  }
  for (long i = 0; i < n; ++i) {
    s = tv_verify(v, NULL, (const uint8_t*)token, token_len);
    if (s != TV_OK) {
      fprintf(stderr, "verify_loop: the token does not verify: %s\n", tv_status_name(s));
      return 1;
    }
  }
  tv_verifier_free(v);
  free(config);
  free(token);
  return 0;
}
