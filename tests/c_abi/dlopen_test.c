/* dlopen_test.c: the C ABI as a foreign runtime sees it.
 *
 * Usage: tv_c_abi_test LIBTOKENVERIFY.so EXAMPLES_DIR
 *
 * Compiled as strict C11 and NOT linked against the library: every function
 * is looked up with dlsym, the way Go, Node, Java or Python ctypes load it. This
 * catches what a C++ test linked against the library cannot: a symbol missing
 * from the export list, a C++-only type in the header, or an ABI function that
 * only works when called from C++.
 */
#define _POSIX_C_SOURCE 200809L

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenverify.h"

/* One pointer per function in tokenverify.h. */
struct api {
  uint32_t (*tv_version_number)(void);
  const char* (*tv_version_string)(void);
  const char* (*tv_status_name)(tv_status);
  const char* (*tv_status_message)(tv_status);
  tv_status (*tv_verifier_new)(tv_verifier**, const char*, size_t, tv_diag*);
  void (*tv_verifier_free)(tv_verifier*);
  tv_status (*tv_verify)(const tv_verifier*, tv_claims**, const uint8_t*, size_t);
  tv_status (*tv_verify_signature)(const tv_verifier*, const uint8_t*, size_t);
  void (*tv_claims_free)(tv_claims*);
  tv_status (*tv_claims_json)(const tv_claims*, const char**, size_t*);
  tv_status (*tv_claims_header_json)(const tv_claims*, const char**, size_t*);
  tv_status (*tv_claims_get_raw)(const tv_claims*, const char**, size_t*, const char*, size_t);
  tv_status (*tv_claims_get_string)(const tv_claims*, const char**, size_t*, const char*, size_t);
  tv_status (*tv_claims_get_int64)(const tv_claims*, int64_t*, const char*, size_t);
  tv_status (*tv_inspect_unverified)(tv_claims**, const uint8_t*, size_t);
  const char* (*tv_base64url_implementation)(void);
  tv_status (*tv_verifier_new_ex)(tv_verifier**, const char*, size_t, tv_event_fn, void*, tv_diag*);
  tv_status (*tv_verifier_stats)(const tv_verifier*, char**, size_t*, uint32_t);
  void (*tv_string_free)(char*);
  tv_status (*tv_claims_provider)(const tv_claims*, const char**, size_t*);
  tv_status (*tv_verifier_new_ex2)(tv_verifier**, const char*, size_t, const tv_verifier_options*, tv_diag*);
  tv_status (*tv_authenticate)(const tv_verifier*, tv_decision**, const tv_request*);
  void (*tv_decision_free)(tv_decision*);
  tv_status (*tv_decision_status)(const tv_decision*);
  int32_t (*tv_decision_http_status)(const tv_decision*);
  int32_t (*tv_decision_method)(const tv_decision*);
  tv_status (*tv_decision_json)(const tv_decision*, const char**, size_t*);
  tv_status (*tv_decision_principal)(const tv_decision*, const char**, size_t*);
  tv_status (*tv_decision_www_authenticate)(const tv_decision*, const char**, size_t*);
  size_t (*tv_decision_set_header_count)(const tv_decision*);
  tv_status (*tv_decision_set_header)(const tv_decision*, size_t, const char**, size_t*, const char**, size_t*);
  size_t (*tv_decision_remove_header_count)(const tv_decision*);
  tv_status (*tv_decision_remove_header)(const tv_decision*, size_t, const char**, size_t*);
  const tv_claims* (*tv_decision_claims)(const tv_decision*);
  tv_status (*tv_claims_dup)(tv_claims**, const tv_claims*);
  tv_status (*tv_verify_batch)(const tv_verifier*, tv_status*, tv_claims**, const uint8_t* const*, const size_t*,
                               size_t, unsigned);
};

/* The X-list of every function, used both to load them and to check at
 * compile time that each pointer above has exactly the header's type. */
#define TV_FUNCTIONS(X)              \
  X(tv_version_number)               \
  X(tv_version_string)               \
  X(tv_status_name)                  \
  X(tv_status_message)               \
  X(tv_verifier_new)                 \
  X(tv_verifier_free)                \
  X(tv_verify)                       \
  X(tv_verify_signature)             \
  X(tv_claims_free)                  \
  X(tv_claims_json)                  \
  X(tv_claims_header_json)           \
  X(tv_claims_get_raw)               \
  X(tv_claims_get_string)            \
  X(tv_claims_get_int64)             \
  X(tv_inspect_unverified)           \
  X(tv_base64url_implementation)     \
  X(tv_verifier_new_ex)              \
  X(tv_verifier_stats)               \
  X(tv_string_free)                  \
  X(tv_claims_provider)              \
  X(tv_verifier_new_ex2)             \
  X(tv_authenticate)                 \
  X(tv_decision_free)                \
  X(tv_decision_status)              \
  X(tv_decision_http_status)         \
  X(tv_decision_method)              \
  X(tv_decision_json)                \
  X(tv_decision_principal)           \
  X(tv_decision_www_authenticate)    \
  X(tv_decision_set_header_count)    \
  X(tv_decision_set_header)          \
  X(tv_decision_remove_header_count) \
  X(tv_decision_remove_header)       \
  X(tv_decision_claims)              \
  X(tv_claims_dup)                   \
  X(tv_verify_batch)

static struct api api;
static int failures;

static void check(int ok, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  printf("%s ", ok ? "PASS" : "FAIL");
  vprintf(fmt, args);
  printf("\n");
  va_end(args);
  if (!ok) ++failures;
}

/* check_status reports "what: got NAME, want NAME". */
static void check_status(tv_status got, tv_status want, const char* what) {
  check(got == want, "%s: got %s (%d), want %s", what, api.tv_status_name(got), (int)got, api.tv_status_name(want));
}

/* ISO C has no conversion from void* to a function pointer; copying the
 * representation is what POSIX guarantees to work for dlsym results. */
typedef char fnptr_is_voidptr_sized[sizeof(void*) == sizeof(void (*)(void)) ? 1 : -1];

static int load(void* lib, const char* name, void* slot, size_t slot_size) {
  void* sym = dlsym(lib, name);
  check(sym != NULL, "dlsym %s", name);
  if (sym == NULL) return 0;
  memcpy(slot, &sym, slot_size);
  return 1;
}

/* read_file returns the file's bytes (NUL-terminated, trailing whitespace
 * removed) or NULL. */
static char* read_file(const char* dir, const char* name, size_t* out_len) {
  char path[4096];
  FILE* f;
  char* buf;
  size_t cap = 1 << 16, len;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  f = fopen(path, "rb");
  if (f == NULL) {
    check(0, "open %s", path);
    return NULL;
  }
  buf = malloc(cap);
  len = buf ? fread(buf, 1, cap - 1, f) : 0;
  fclose(f);
  if (buf == NULL || len == cap - 1) {
    check(0, "read %s (missing or larger than %zu bytes)", path, cap - 1);
    free(buf);
    return NULL;
  }
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' ')) --len;
  buf[len] = '\0';
  *out_len = len;
  return buf;
}

/* json_escape writes |in| as a JSON string literal (quotes included) into a
 * new buffer: the key set embedded as a string, the form most callers use. */
static char* json_escape(const char* in) {
  size_t n = strlen(in);
  char* out = malloc(6 * n + 3);
  char* p = out;
  if (out == NULL) return NULL;
  *p++ = '"';
  for (; *in; ++in) {
    unsigned char c = (unsigned char)*in;
    if (c == '"' || c == '\\') {
      *p++ = '\\';
      *p++ = (char)c;
    } else if (c < 0x20) {
      p += sprintf(p, "\\u%04x", c);
    } else {
      *p++ = (char)c;
    }
  }
  *p++ = '"';
  *p = '\0';
  return out;
}

/* new_verifier builds a verifier for the kgateway key set (|jwks| is a JSON
 * value: an object or a string) with |extra| provider members. */
static tv_verifier* new_verifier(const char* jwks, const char* extra, tv_status want, const char* what) {
  static const char fmt[] =
      "{\"providers\":[{\"name\":\"kgateway\",\"issuer\":\"solo.io\"%s,"
      "\"jwks\":{\"local\":{\"inline\":%s}}}],\"now\":1800000000}";
  size_t cap = sizeof fmt + strlen(jwks) + strlen(extra);
  char* config = malloc(cap);
  tv_verifier* v = NULL;
  tv_diag diag;
  tv_status st;
  if (config == NULL) return NULL;
  snprintf(config, cap, fmt, extra, jwks);
  memset(&diag, 0, sizeof diag);
  st = api.tv_verifier_new(&v, config, strlen(config), &diag);
  check_status(st, want, what);
  if (st != TV_OK) printf("     diag: field \"%s\" message \"%s\"\n", diag.field, diag.message);
  free(config);
  return v;
}

static void check_claims(const tv_claims* c);

/* One request through tv_authenticate; returns the decision (NULL on misuse). */
static tv_decision* authenticate(const tv_verifier* v, const tv_header* headers, size_t header_count) {
  tv_request req;
  tv_decision* d = NULL;
  memset(&req, 0, sizeof req);
  req.method = "GET";
  req.method_len = 3;
  req.target = "/api?x=1";
  req.target_len = 8;
  req.headers = headers;
  req.header_count = header_count;
  check_status(api.tv_authenticate(v, &d, &req), TV_OK, "tv_authenticate");
  return d;
}

static void check_authenticate(const tv_verifier* v, const char* token, size_t token_len) {
  char bearer[4096];
  tv_header h[1];
  tv_decision* d;
  const char *s = NULL, *value = NULL;
  size_t n = 0, value_len = 0;
  tv_request req;
  snprintf(bearer, sizeof bearer, "Bearer %.*s", (int)token_len, token);
  h[0].name = "Authorization";
  h[0].name_len = 13;
  h[0].value = bearer;
  h[0].value_len = strlen(bearer);

  d = authenticate(v, h, 1);
  if (d == NULL) return;
  check_status(api.tv_decision_status(d), TV_OK, "decision status of a good token");
  check(api.tv_decision_http_status(d) == 200, "decision http status 200");
  check(api.tv_decision_method(d) == TV_AUTH_JWT, "decision method jwt");
  check(api.tv_decision_claims(d) != NULL, "decision claims of a jwt request");
  {
    tv_claims* copy = NULL;
    check_status(api.tv_claims_dup(&copy, api.tv_decision_claims(d)), TV_OK, "claims_dup of the decision's claims");
    check_status(api.tv_claims_dup(NULL, api.tv_decision_claims(d)), TV_ERR_INVALID_ARGUMENT, "claims_dup(out = NULL)");
    api.tv_decision_free(d);
    d = NULL;
    if (copy != NULL) check_claims(copy); /* outlives the decision */
    api.tv_claims_free(copy);
    d = authenticate(v, h, 1);
    if (d == NULL) return;
  }
  check_status(api.tv_decision_json(d, &s, &n), TV_OK, "decision json");
  check(s != NULL && strstr(s, "\"allow\":true,\"httpStatus\":200,\"status\":\"TV_OK\",\"method\":\"jwt\"") != NULL &&
            s[n] == '\0',
        "decision json: %s", s ? s : "(null)");
  check_status(api.tv_decision_remove_header(d, 0, &s, &n), TV_OK, "decision remove header 0");
  check(n == 13 && strcmp(s, "authorization") == 0, "the token header is removed (forwardToken false)");
  check_status(api.tv_decision_remove_header(d, 1, &s, &n), TV_ERR_NOT_FOUND, "decision remove header 1");
  check(api.tv_decision_set_header_count(d) == 0, "no headers to set");
  check_status(api.tv_decision_set_header(d, 0, &s, &n, &value, &value_len), TV_ERR_NOT_FOUND, "set header 0");
  check_status(api.tv_decision_www_authenticate(d, &s, &n), TV_ERR_NOT_FOUND, "no challenge when allowed");
  api.tv_decision_free(d);

  d = authenticate(v, NULL, 0);
  if (d == NULL) return;
  check_status(api.tv_decision_status(d), TV_ERR_CREDENTIAL_MISSING, "decision status without a token");
  check(api.tv_decision_http_status(d) == 401, "decision http status 401");
  check_status(api.tv_decision_www_authenticate(d, &s, &n), TV_OK, "challenge without a token");
  check(strcmp(s, "Bearer realm=\"tokenverify\"") == 0, "challenge: %s", s);
  check(api.tv_decision_claims(d) == NULL, "no claims without a token");
  check_status(api.tv_decision_principal(d, &s, &n), TV_ERR_NOT_FOUND, "no principal without a token");
  api.tv_decision_free(d);
  api.tv_decision_free(NULL);

  memset(&req, 0, sizeof req);
  d = (tv_decision*)&req;
  check_status(api.tv_authenticate(NULL, &d, &req), TV_ERR_INVALID_ARGUMENT, "authenticate(verifier = NULL)");
  check(d == NULL, "out is NULL after a refused authenticate");
  check_status(api.tv_authenticate(v, NULL, &req), TV_ERR_INVALID_ARGUMENT, "authenticate(out = NULL)");
  check_status(api.tv_authenticate(v, &d, NULL), TV_ERR_INVALID_ARGUMENT, "authenticate(request = NULL)");
  req.target_len = 4;
  check_status(api.tv_authenticate(v, &d, &req), TV_ERR_INVALID_ARGUMENT, "authenticate(target = NULL, 4)");
  req.target_len = 0;
  req.header_count = 1;
  check_status(api.tv_authenticate(v, &d, &req), TV_ERR_INVALID_ARGUMENT, "authenticate(headers = NULL, 1)");
  check(api.tv_decision_http_status(NULL) == 0 && api.tv_decision_method(NULL) == -1, "decision getters on NULL");
}

/* A validator that accepts the API key "good" and counts its calls. */
static int validator_calls;
static int accept_good(void* user_data, const tv_credential* c) {
  ++validator_calls;
  return user_data == &validator_calls && c->method == TV_AUTH_API_KEY && c->user_len == 4 &&
         memcmp(c->user, "good", 4) == 0 && c->rule_len == 3 && memcmp(c->rule, "api", 3) == 0;
}

static void check_validator(void) {
  static const char config[] =
      "{\"rules\":[{\"name\":\"api\",\"auth\":{\"type\":\"apiKey\",\"apiKey\":{\"validator\":true}}}]}";
  tv_verifier_options options;
  tv_verifier* v = NULL;
  tv_header h[1];
  tv_decision* d;
  tv_diag diag;
  memset(&options, 0, sizeof options);
  options.struct_size = sizeof options;
  check_status(api.tv_verifier_new_ex2(&v, config, strlen(config), &options, &diag), TV_ERR_CONFIG,
               "a validator rule needs a validator");
  options.validator = accept_good;
  options.validator_user_data = &validator_calls;
  check_status(api.tv_verifier_new_ex2(&v, config, strlen(config), &options, &diag), TV_OK, "verifier_new_ex2");
  if (v == NULL) return;
  h[0].name = "X-Api-Key";
  h[0].name_len = 9;
  h[0].value = "good";
  h[0].value_len = 4;
  d = authenticate(v, h, 1);
  check_status(api.tv_decision_status(d), TV_OK, "the validator accepts \"good\"");
  api.tv_decision_free(d);
  h[0].value = "evil";
  d = authenticate(v, h, 1);
  check_status(api.tv_decision_status(d), TV_ERR_UNKNOWN_KEY, "the validator refuses \"evil\"");
  api.tv_decision_free(d);
  check(validator_calls == 2, "the validator was called twice (%d)", validator_calls);
  api.tv_verifier_free(v);
}

static void check_claims(const tv_claims* c) {
  const char* s = NULL;
  size_t n = 0;
  int64_t exp = 0;
  static const char llms[] = "{\"openai\":[\"gpt-3.5-turbo\"]}";

  check_status(api.tv_claims_get_string(c, &s, &n, "team", 4), TV_OK, "get_string team");
  check(s != NULL && n == 3 && memcmp(s, "dev", 3) == 0 && s[n] == '\0', "team == \"dev\"");
  check_status(api.tv_claims_get_string(c, &s, &n, "org", 3), TV_OK, "get_string org");
  check(s != NULL && n == 7 && memcmp(s, "solo.io", 7) == 0, "org == \"solo.io\"");
  check_status(api.tv_claims_get_string(c, &s, &n, "sub", 3), TV_OK, "get_string sub");
  check(s != NULL && n == 5 && memcmp(s, "alice", 5) == 0, "sub == \"alice\"");
  check_status(api.tv_claims_get_int64(c, &exp, "exp", 3), TV_OK, "get_int64 exp");
  check(exp == 2074274884, "exp == 2074274884 (got %lld)", (long long)exp);
  check_status(api.tv_claims_get_raw(c, &s, &n, "llms", 4), TV_OK, "get_raw llms");
  check(s != NULL && n == strlen(llms) && memcmp(s, llms, n) == 0, "llms == %s (got %.*s)", llms, s ? (int)n : 0,
        s ? s : "");
  check_status(api.tv_claims_get_string(c, &s, &n, "exp", 3), TV_ERR_WRONG_TYPE, "get_string of a number");
  check_status(api.tv_claims_get_string(c, &s, &n, "nope", 4), TV_ERR_NOT_FOUND, "get_string of an absent claim");
  check_status(api.tv_claims_json(c, &s, &n), TV_OK, "claims_json");
  check(s != NULL && n > 0 && s[0] == '{' && s[n] == '\0', "claims_json is a NUL-followed object");
  check_status(api.tv_claims_header_json(c, &s, &n), TV_OK, "claims_header_json");
  check(s != NULL && strstr(s, "\"RS256\"") != NULL, "header names RS256");
  check_status(api.tv_claims_provider(c, &s, &n), TV_OK, "claims_provider");
  check(s != NULL && n == 8 && strcmp(s, "kgateway") == 0, "provider == \"kgateway\"");
}

/* check_stats reads the stats document of |v| and checks a few members. */
static void check_stats(const tv_verifier* v) {
  char* json = NULL;
  size_t n = 0;
  check_status(api.tv_verifier_stats(v, &json, &n, TV_STATS_KEYS), TV_OK, "verifier_stats");
  check(json != NULL && n == strlen(json), "stats is a NUL-terminated string of its length");
  if (json != NULL) {
    check(strstr(json, "\"name\":\"kgateway\"") != NULL, "stats names the provider");
    check(strstr(json, "\"source\":\"static\"") != NULL, "stats says the keys are static");
    check(strstr(json, "\"TV_OK\":2") != NULL, "stats counts the two good verifications");
    check(strstr(json, "\"TV_ERR_SIGNATURE_INVALID\":1") != NULL, "stats counts the tampered token");
    check(strstr(json, "\"kty\":\"RSA\",\"alg\":\"RS256\",\"bits\":2048,\"thumbprint\":") != NULL,
          "stats lists the key");
  }
  api.tv_string_free(json);
  api.tv_string_free(NULL);
  json = (char*)"x";
  check_status(api.tv_verifier_stats(v, &json, &n, 2), TV_ERR_INVALID_ARGUMENT, "verifier_stats(flags = 2)");
  check(json == NULL, "out_json is NULL after a failed verifier_stats");
}

/* check_batch: tv_verify_batch on a verifier of its own (the stats checks
 * count v's verifications): 203 tokens in a repeating pattern of good,
 * tampered, malformed and NULL-with-a-length, so a status or claim at the
 * wrong index shows; then the refusals of the whole call. */
static void check_batch(const char* jwks, const char* token, const char* tampered, size_t token_len) {
  enum { kBatch = 203 };
  static const tv_status want_of[4] = {TV_OK, TV_ERR_SIGNATURE_INVALID, TV_ERR_MALFORMED_TOKEN,
                                       TV_ERR_INVALID_ARGUMENT};
  const uint8_t* tokens[kBatch];
  size_t lens[kBatch];
  tv_status statuses[kBatch];
  tv_claims* claims[kBatch];
  size_t i;
  int wrong_status = 0, wrong_claims = 0, unlike_verify = 0, with_claims = 0;
  unsigned threads;
  tv_verifier* vb = new_verifier(jwks, "", TV_OK, "verifier_new for tv_verify_batch");
  if (vb == NULL) return;
  for (i = 0; i < kBatch; ++i) {
    switch (i % 4) {
      case 0:
        tokens[i] = (const uint8_t*)token;
        lens[i] = token_len;
        break;
      case 1:
        tokens[i] = (const uint8_t*)tampered;
        lens[i] = token_len;
        break;
      case 2:
        tokens[i] = (const uint8_t*)"abc";
        lens[i] = 3;
        break;
      default:
        tokens[i] = NULL;
        lens[i] = 5;
        break;
    }
  }
  for (threads = 0; threads <= 3; ++threads) {
    for (i = 0; i < kBatch; ++i) {
      statuses[i] = 12345;
      claims[i] = (tv_claims*)&statuses[i]; /* must be overwritten */
    }
    check_status(api.tv_verify_batch(vb, statuses, claims, tokens, lens, kBatch, threads), TV_OK,
                 threads == 0 ? "verify_batch, one thread per CPU" : "verify_batch");
    for (i = 0; i < kBatch; ++i) {
      wrong_status += statuses[i] != want_of[i % 4];
      wrong_claims += (claims[i] != NULL) != (statuses[i] == TV_OK);
      unlike_verify += statuses[i] != api.tv_verify(vb, NULL, tokens[i], lens[i]);
    }
    check(wrong_status == 0 && wrong_claims == 0 && unlike_verify == 0,
          "verify_batch on %u thread(s): %d wrong status(es), %d wrong claims, %d unlike tv_verify", threads,
          wrong_status, wrong_claims, unlike_verify);
    if (threads == 2 && claims[kBatch - 3] != NULL) check_claims(claims[kBatch - 3]); /* index 200: good */
    for (i = 0; i < kBatch; ++i) {
      with_claims += claims[i] != NULL;
      api.tv_claims_free(claims[i]);
    }
  }
  check(with_claims == 4 * 51, "verify_batch made claims for the 51 good tokens of each of 4 batches (got %d)",
        with_claims);
  /* Without claims. */
  check_status(api.tv_verify_batch(vb, statuses, NULL, tokens, lens, kBatch, 2), TV_OK, "verify_batch, no claims");
  check(statuses[0] == TV_OK && statuses[201] == TV_ERR_SIGNATURE_INVALID && statuses[202] == TV_ERR_MALFORMED_TOKEN,
        "verify_batch without claims: statuses in order");

  /* Refusals of the whole call: every output defined, nothing verified. */
  claims[0] = (tv_claims*)&statuses[0];
  check_status(api.tv_verify_batch(NULL, statuses, claims, tokens, lens, 2, 2), TV_ERR_INVALID_ARGUMENT,
               "verify_batch(verifier = NULL)");
  check(statuses[0] == TV_ERR_INVALID_ARGUMENT && statuses[1] == TV_ERR_INVALID_ARGUMENT && claims[0] == NULL,
        "verify_batch(verifier = NULL) writes its status to every token and NULL claims");
  check_status(api.tv_verify_batch(vb, statuses, NULL, NULL, lens, 2, 2), TV_ERR_INVALID_ARGUMENT,
               "verify_batch(tokens = NULL)");
  check_status(api.tv_verify_batch(vb, statuses, NULL, tokens, NULL, 2, 2), TV_ERR_INVALID_ARGUMENT,
               "verify_batch(token_lens = NULL)");
  claims[0] = (tv_claims*)&statuses[0];
  check_status(api.tv_verify_batch(vb, NULL, claims, tokens, lens, 1, 2), TV_ERR_INVALID_ARGUMENT,
               "verify_batch(statuses_out = NULL)");
  check(claims[0] == NULL, "verify_batch(statuses_out = NULL) writes NULL claims");
  check_status(api.tv_verify_batch(vb, NULL, NULL, NULL, NULL, 0, 0), TV_OK, "verify_batch of no tokens");
  api.tv_verifier_free(vb);
}

int main(int argc, char** argv) {
  void* lib;
  char *jwks, *token, *tampered, *jwks_string;
  size_t jwks_len = 0, token_len = 0;
  tv_verifier *v, *v_aud, *v_str;
  tv_claims* claims = NULL;
  tv_status st;
  int dummy;

  if (argc != 3) {
    fprintf(stderr, "usage: %s LIBTOKENVERIFY.so EXAMPLES_DIR\n", argv[0]);
    return 2;
  }
  lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    fprintf(stderr, "FAIL dlopen %s: %s\n", argv[1], dlerror());
    return 1;
  }

  /* Every declared function must be exported, with the header's type. */
#define TV_LOAD(fn) load(lib, #fn, &api.fn, sizeof api.fn);
  TV_FUNCTIONS(TV_LOAD)
#undef TV_LOAD
#define TV_TYPECHECK(fn) (void)sizeof(api.fn = fn); /* unevaluated: no link reference */
  TV_FUNCTIONS(TV_TYPECHECK)
#undef TV_TYPECHECK
  if (failures) return 1;

  /* Versions and status names. */
  check(api.tv_version_number() == TV_VERSION_NUMBER, "tv_version_number() == %d (got %u)", TV_VERSION_NUMBER,
        (unsigned)api.tv_version_number());
  check(strcmp(api.tv_version_string(), TV_VERSION_STRING) == 0, "tv_version_string() == \"%s\"", TV_VERSION_STRING);
  check(strcmp(api.tv_status_name(TV_ERR_EXPIRED), "TV_ERR_EXPIRED") == 0, "tv_status_name(TV_ERR_EXPIRED)");
  check(strcmp(api.tv_status_name(TV_OK), "TV_OK") == 0, "tv_status_name(TV_OK)");
  check(strcmp(api.tv_status_name(12345), "TV_UNKNOWN_STATUS") == 0, "tv_status_name(12345)");
  check(api.tv_status_message(TV_ERR_EXPIRED) != NULL && api.tv_status_message(TV_ERR_EXPIRED)[0],
        "tv_status_message(TV_ERR_EXPIRED) is not empty");
  check(api.tv_status_message(12345) != NULL, "tv_status_message(12345) is not NULL");
  check(api.tv_base64url_implementation() != NULL && api.tv_base64url_implementation()[0],
        "tv_base64url_implementation() = \"%s\"",
        api.tv_base64url_implementation() ? api.tv_base64url_implementation() : "(null)");
  api.tv_verifier_free(NULL);
  api.tv_claims_free(NULL);
  check(1, "tv_verifier_free(NULL) and tv_claims_free(NULL) return");

  jwks = read_file(argv[2], "kgateway/jwks.json", &jwks_len);
  token = read_file(argv[2], "kgateway/token.jwt", &token_len);
  if (jwks == NULL || token == NULL) return 1;

  /* The good token, key set inline as a JSON object. */
  v = new_verifier(jwks, "", TV_OK, "verifier_new (inline key set object)");
  if (v == NULL) return 1;
  st = api.tv_verify(v, &claims, (const uint8_t*)token, token_len);
  check_status(st, TV_OK, "verify kgateway token");
  {
    /* Its own verifier: the stats checks below count v's verifications. */
    tv_verifier* va = new_verifier(jwks, "", TV_OK, "verifier_new for tv_authenticate");
    if (va != NULL) check_authenticate(va, token, token_len);
    api.tv_verifier_free(va);
  }
  check_validator();
  if (claims != NULL) check_claims(claims);
  api.tv_claims_free(claims);
  st = api.tv_verify(v, NULL, (const uint8_t*)token, token_len);
  check_status(st, TV_OK, "verify with out_claims NULL");

  /* The same key set embedded as a JSON string. */
  jwks_string = json_escape(jwks);
  v_str = new_verifier(jwks_string, "", TV_OK, "verifier_new (inline key set string)");
  if (v_str != NULL)
    check_status(api.tv_verify(v_str, NULL, (const uint8_t*)token, token_len), TV_OK, "verify via string key set");
  api.tv_verifier_free(v_str);
  free(jwks_string);

  /* One signature character changed, in the middle so that all six of its
   * bits are significant (changing the last one could be a base64url error). */
  tampered = malloc(token_len + 1);
  memcpy(tampered, token, token_len + 1);
  {
    char* sig = strrchr(tampered, '.') + 1;
    sig[10] = sig[10] == 'A' ? 'B' : 'A';
  }
  claims = (tv_claims*)&dummy; /* must be overwritten with NULL on failure */
  st = api.tv_verify(v, &claims, (const uint8_t*)tampered, token_len);
  check_status(st, TV_ERR_SIGNATURE_INVALID, "verify tampered signature");
  check(claims == NULL, "out_claims is NULL after a failure");
  check_stats(v);
  check_batch(jwks, token, tampered, token_len);

  /* The token has no aud: a provider that requires one must refuse it. */
  v_aud = new_verifier(jwks, ",\"audiences\":[\"my-api\"]", TV_OK, "verifier_new (audiences)");
  if (v_aud != NULL) {
    check_status(api.tv_verify(v_aud, NULL, (const uint8_t*)token, token_len), TV_ERR_AUDIENCE_MISMATCH,
                 "verify without the required audience");
    /* The signature alone is good: tv_verify_signature checks no claim. */
    check_status(api.tv_verify_signature(v_aud, (const uint8_t*)token, token_len), TV_OK,
                 "verify_signature ignores the claims");
    check_status(api.tv_verify_signature(v_aud, (const uint8_t*)tampered, token_len), TV_ERR_SIGNATURE_INVALID,
                 "verify_signature of a tampered token");
    check_status(api.tv_verify_signature(NULL, (const uint8_t*)token, token_len), TV_ERR_INVALID_ARGUMENT,
                 "verify_signature without a verifier");
    check_status(api.tv_verify_signature(v_aud, NULL, 1), TV_ERR_INVALID_ARGUMENT,
                 "verify_signature of NULL with a length");
  }
  api.tv_verifier_free(v_aud);

  /* A misspelt field is an error with a diagnostic, not silently ignored. */
  {
    static const char bad[] =
        "{\"providers\":[{\"name\":\"p\",\"isser\":\"solo.io\",\"secret\":\"0123456789abcdef0123456789abcdef\"}]}";
    tv_diag diag;
    tv_verifier* out = (tv_verifier*)&dummy;
    memset(&diag, 0, sizeof diag);
    st = api.tv_verifier_new(&out, bad, strlen(bad), &diag);
    check_status(st, TV_ERR_CONFIG, "verifier_new with unknown field");
    check(out == NULL, "out is NULL after a failed verifier_new");
    check(diag.status == TV_ERR_CONFIG, "diag.status == TV_ERR_CONFIG");
    check(diag.field[0] != '\0', "diag.field is set (\"%s\")", diag.field);
    check(diag.message[0] != '\0', "diag.message is set (\"%s\")", diag.message);
  }

  /* Inspection decodes without verifying. */
  claims = NULL;
  check_status(api.tv_inspect_unverified(&claims, (const uint8_t*)tampered, token_len), TV_OK,
               "inspect_unverified of a tampered token");
  api.tv_claims_free(claims);
  claims = (tv_claims*)&dummy;
  check_status(api.tv_inspect_unverified(&claims, (const uint8_t*)"abc", 3), TV_ERR_MALFORMED_TOKEN,
               "inspect_unverified of \"abc\"");
  check(claims == NULL, "out_claims is NULL after a failed inspect");

  /* NULL where a pointer is required. */
  {
    tv_verifier* out = NULL;
    const char* s = NULL;
    char* out_json = NULL;
    size_t n = 0;
    claims = NULL;
    st = api.tv_verify(v, &claims, (const uint8_t*)token, token_len);
    check_status(api.tv_verifier_new(NULL, "{}", 2, NULL), TV_ERR_INVALID_ARGUMENT, "verifier_new(out = NULL)");
    check_status(api.tv_verifier_new(&out, NULL, 10, NULL), TV_ERR_INVALID_ARGUMENT, "verifier_new(config = NULL)");
    /* NULL with length 0 is allowed: an empty document, refused as a configuration
       error (the sanitized build once stopped here on memcpy(dst, NULL, 0)). */
    {
      tv_diag diag;
      memset(&diag, 0, sizeof diag);
      check_status(api.tv_verifier_new(&out, NULL, 0, &diag), TV_ERR_CONFIG, "verifier_new(config = NULL, 0)");
      check(out == NULL, "out is NULL after verifier_new(config = NULL, 0)");
      check(diag.message[0] != '\0', "diag.message is set for an empty configuration");
    }
    check_status(api.tv_verifier_new_ex(NULL, "{}", 2, NULL, NULL, NULL), TV_ERR_INVALID_ARGUMENT,
                 "verifier_new_ex(out = NULL)");
    check_status(api.tv_verifier_stats(NULL, &out_json, NULL, 0), TV_ERR_INVALID_ARGUMENT,
                 "verifier_stats(verifier = NULL)");
    check_status(api.tv_claims_provider(NULL, &s, &n), TV_ERR_INVALID_ARGUMENT, "claims_provider(claims = NULL)");
    check_status(api.tv_verify(NULL, NULL, (const uint8_t*)token, token_len), TV_ERR_INVALID_ARGUMENT,
                 "verify(verifier = NULL)");
    check_status(api.tv_verify(v, NULL, NULL, 10), TV_ERR_INVALID_ARGUMENT, "verify(token = NULL)");
    check_status(api.tv_claims_json(NULL, &s, &n), TV_ERR_INVALID_ARGUMENT, "claims_json(claims = NULL)");
    check_status(api.tv_claims_json(claims, NULL, &n), TV_ERR_INVALID_ARGUMENT, "claims_json(out = NULL)");
    check_status(api.tv_claims_get_string(claims, &s, &n, NULL, 3), TV_ERR_INVALID_ARGUMENT,
                 "claims_get_string(name = NULL)");
    check_status(api.tv_claims_get_int64(claims, NULL, "exp", 3), TV_ERR_INVALID_ARGUMENT,
                 "claims_get_int64(out = NULL)");
    check_status(api.tv_inspect_unverified(NULL, (const uint8_t*)token, token_len), TV_ERR_INVALID_ARGUMENT,
                 "inspect_unverified(out = NULL)");
    api.tv_claims_free(claims);
  }

  api.tv_verifier_free(v);
  free(tampered);
  free(token);
  free(jwks);
  dlclose(lib);
  printf("%s: %d failure(s)\n", failures ? "FAILED" : "OK", failures);
  return failures ? 1 : 0;
}
