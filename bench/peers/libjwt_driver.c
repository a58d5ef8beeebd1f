/* libjwt_driver.c: the libjwt row of the peer harness (libjwt 1.x from Debian).
 *
 *   libjwt_driver TOKENS_DIR [SECONDS [REPEATS]]
 *
 * libjwt 1.x verifies with jwt_decode(&jwt, token, key, key_len): the key is
 * handed over as bytes on every call (a PEM text for RS/ES, the raw secret for
 * HS), so this API cannot load a key once; the PEM parse is part of each call.
 * 1.x also has no claim validation of its own, so this driver checks what every
 * other peer checks, the way a libjwt user would: the header's alg is the
 * expected one, iss and aud are the expected strings, exp is in the future, and
 * nbf, if present, is not in the future.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11; before any header */

#include <jwt.h>

#include "peer_common.h"

#ifndef LIBJWT_VERSION
#define LIBJWT_VERSION "unknown"
#endif

typedef struct {
  const char* token; /* NUL-terminated, as jwt_decode wants */
  const unsigned char* key;
  int key_len;
  jwt_alg_t alg;
  const char* issuer;
  const char* audience;
} libjwt_ctx;

static int libjwt_op(void* p) {
  libjwt_ctx* c = p;
  jwt_t* jwt = NULL;
  int ok = 0;
  if (jwt_decode(&jwt, c->token, c->key, c->key_len) == 0 && jwt_get_alg(jwt) == c->alg) {
    const char* iss = jwt_get_grant(jwt, "iss");
    const char* aud = jwt_get_grant(jwt, "aud");
    long now = (long)time(NULL);
    errno = 0;
    long exp = jwt_get_grant_int(jwt, "exp");
    int has_exp = errno == 0;
    errno = 0;
    long nbf = jwt_get_grant_int(jwt, "nbf");
    int nbf_ok = errno == ENOENT || (errno == 0 && nbf <= now);
    ok = iss != NULL && strcmp(iss, c->issuer) == 0 && aud != NULL && strcmp(aud, c->audience) == 0 && has_exp &&
         exp > now && nbf_ok;
  }
  jwt_free(jwt);
  return ok;
}

/* The manifest is JSON; the C runners only need two strings from it. */
static int manifest_string(const blob* manifest, const char* key, char* out, size_t out_len) {
  char needle[64];
  snprintf(needle, sizeof needle, "\"%s\": \"", key);
  const char* at = strstr(manifest->data, needle);
  if (at == NULL) return 0;
  at += strlen(needle);
  const char* end = strchr(at, '"');
  if (end == NULL || (size_t)(end - at) >= out_len) return 0;
  memcpy(out, at, (size_t)(end - at));
  out[end - at] = '\0';
  return 1;
}

int main(int argc, char** argv) {
  options o = parse_options(argc, argv, "libjwt_driver TOKENS_DIR [SECONDS [REPEATS]]");
  const char* peer = "libjwt";
  blob manifest = read_file(o.dir, "manifest.json", 0);
  char issuer[256], audience[256];
  if (!manifest_string(&manifest, "issuer", issuer, sizeof issuer) ||
      !manifest_string(&manifest, "audience", audience, sizeof audience)) {
    fprintf(stderr, "manifest.json: no issuer/audience\n");
    return 3;
  }
  for (int i = 0; i < kAlgCount; i++) {
    const char* alg = kAlgs[i];
    libjwt_ctx c = {NULL, NULL, 0, jwt_str_alg(alg), issuer, audience};
    if (c.alg == JWT_ALG_INVAL) {
      char why[128];
      snprintf(why, sizeof why, "libjwt %s does not implement %s", LIBJWT_VERSION, alg);
      print_unavailable(peer, "C", LIBJWT_VERSION, alg, why);
      continue;
    }
    char low[16], name[64];
    lower_alg(alg, low);
    if (c.alg == JWT_ALG_HS256) {
      snprintf(name, sizeof name, "hs256.secret");
    } else {
      snprintf(name, sizeof name, "%s.pub.pem", low);
    }
    blob key = read_file(o.dir, name, 0);
    c.key = (const unsigned char*)key.data;
    c.key_len = (int)key.len;
    blob token = read_token(o.dir, alg, NULL);
    c.token = token.data;
    char why[200] = "";
    if (!libjwt_op(&c)) snprintf(why, sizeof why, "good token rejected");
    for (int n = 0; n < kNegativeCount && why[0] == '\0'; n++) {
      blob bad = read_token(o.dir, alg, kNegatives[n]);
      libjwt_ctx b = c;
      b.token = bad.data;
      if (libjwt_op(&b)) snprintf(why, sizeof why, "%s token accepted", kNegatives[n]);
      free(bad.data);
    }
    if (why[0] != '\0') {
      print_unavailable(peer, "C", LIBJWT_VERSION, alg, why);
    } else {
      measurement m = measure(libjwt_op, &c, o.seconds, o.repeats);
      if (m.failed) {
        print_unavailable(peer, "C", LIBJWT_VERSION, alg, "good token rejected while timing");
      } else {
        print_result(peer, "C", LIBJWT_VERSION, alg, &m,
                     c.alg == JWT_ALG_HS256 ? "jwt_decode + claim checks by the caller"
                                            : "jwt_decode parses the PEM key on every call (no load-once API in 1.x)");
      }
    }
    free(key.data);
    free(token.data);
  }
  free(manifest.data);
  return 0;
}
