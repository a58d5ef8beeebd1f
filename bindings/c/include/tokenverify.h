/* tokenverify.h: the stable C ABI of tokenverify, a JWT/JWS verification engine.
 *
 * This header is the whole API. It compiles as C11 and C++, and includes only
 * <stddef.h>, <stdint.h> and the generated tokenverify_status.h (an enum).
 * Anything not declared here is not API.
 *
 * Conventions
 *  - Fallible functions return tv_status (TV_OK == 0) and write results through
 *    out parameters. Parameter order: handle, outputs, inputs.
 *  - Inputs are pointer + length and are never required to be NUL-terminated.
 *    They are borrowed for the duration of the call unless documented.
 *  - Every object allocated for the caller has a _free function; _free(NULL)
 *    does nothing.
 *  - No C++ exception crosses this boundary.
 */
#ifndef TOKENVERIFY_H_
#define TOKENVERIFY_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(TV_BUILDING_LIBRARY)
#define TV_API __attribute__((visibility("default")))
#else
#define TV_API
#endif

/* ---------------------------------------------------------------- versions */

#define TV_VERSION_MAJOR 0
#define TV_VERSION_MINOR 2
#define TV_VERSION_PATCH 0
#define TV_VERSION_NUMBER (TV_VERSION_MAJOR * 10000 + TV_VERSION_MINOR * 100 + TV_VERSION_PATCH)
#define TV_VERSION_STRING "0.2.0"

/* tv_version_number returns TV_VERSION_NUMBER of the library actually loaded,
 * which may differ from the header a caller was compiled against. */
TV_API uint32_t tv_version_number(void);

/* tv_version_string returns a static string such as "0.2.0". */
TV_API const char* tv_version_string(void);

/* ---------------------------------------------------------------- status */

/* tv_status is an int32_t whose values come from the status table. Values are
 * grouped by range and never renumbered:
 *   0 success, 1xx malformed token/base64url/JSON, 2xx header and algorithm,
 *   3xx signature, 4xx time and claims, 5xx keys and key sets,
 *   6xx other credentials, 9xx misuse, configuration and internal. */
typedef int32_t tv_status;

/* The named values (TV_OK, TV_ERR_EXPIRED, ...) are in tokenverify_status.h,
 * generated at build time from the one status table, core/include/tokenverify/status.def. */
#include "tokenverify_status.h"

/* tv_status_name returns a static string naming |s|, e.g. "TV_ERR_EXPIRED",
 * or "TV_UNKNOWN_STATUS" for a number that is not in the table. */
TV_API const char* tv_status_name(tv_status s);

/* tv_status_message returns a static English sentence describing |s|. */
TV_API const char* tv_status_message(tv_status s);

/* ---------------------------------------------------------------- diagnostics */

/* tv_diag carries per-call details for calls that can fail in many ways (such
 * as building a verifier). It is caller-owned and optional: pass NULL when not
 * wanted. The text is for humans (logs, error messages), not for matching;
 * match on the returned tv_status instead. Both strings are NUL-terminated and
 * truncated to fit. */
typedef struct tv_diag {
  tv_status status;  /* same value the call returned */
  char field[128];   /* configuration path at fault, e.g. "providers[0].issuer", or "" */
  char message[384]; /* what was wrong, e.g. "unknown field \"isser\"" */
} tv_diag;

/* ---------------------------------------------------------------- verifier */

/* THREAD SAFETY: a tv_verifier is immutable once built. Any number of threads
 * may call tv_verify and tv_verify_batch on the same verifier at once. tv_verifier_free must not
 * run concurrently with any other use of that verifier.
 *
 * FORK: a verifier built before fork() may be used, and freed, in the child;
 * its key-set refreshers start again there on first use (the README's
 * "Forking servers"). */
typedef struct tv_verifier tv_verifier;

/* THREAD SAFETY: a tv_claims is immutable; it may be read from several threads
 * at once. It does not reference the verifier or the token it came from. */
typedef struct tv_claims tv_claims;

/* tv_verifier_new builds a verifier from the JSON configuration document at
 * |config_json| (|config_len| bytes; see the README for its fields). On
 * success it writes a new verifier to |*out| and returns TV_OK; the caller
 * frees it with tv_verifier_free. On failure |*out| is set to NULL, the status
 * says what class of problem occurred (TV_ERR_CONFIG, TV_ERR_IO,
 * TV_ERR_JWKS_MALFORMED, ...) and |diag|, if not NULL, names the field. */
TV_API tv_status tv_verifier_new(tv_verifier** out, const char* config_json, size_t config_len, tv_diag* diag);

/* tv_event describes a change in a provider's key set (file or remote key
 * sets). Its pointers are valid only during the callback. */
typedef enum tv_event_kind {
  TV_EVENT_KEYS_UPDATED = 1,   /* a new key set is being served */
  TV_EVENT_KEYS_UNCHANGED = 2, /* a refresh confirmed the current set (304, same document) */
  TV_EVENT_REFRESH_FAILED = 3, /* a refresh failed; the last good set (if any) is still served */
  TV_EVENT_KEYS_DROPPED = 4    /* the last good set outlived maxStale and is no longer served */
} tv_event_kind;

typedef struct tv_event {
  int32_t kind;         /* a tv_event_kind */
  const char* provider; /* provider name, NUL-terminated */
  uint64_t generation;  /* of the key set served after the event */
  uint64_t key_count;
  int32_t http_status; /* remote key sets: the response status, 0 if none */
  const char* message; /* human text: what failed, or where the keys came from */
} tv_event;

/* tv_event_fn receives key-set events. It is called from the verifier's
 * refresher threads (never from tv_verify), one event at a time per provider.
 * It may call tv_verifier_stats but must not free the verifier. */
typedef void (*tv_event_fn)(void* user_data, const tv_event* event);

/* tv_verifier_new_ex is tv_verifier_new with a key-set event callback
 * |on_event| (may be NULL) and its |user_data|, which must stay valid until the
 * verifier is freed. */
TV_API tv_status tv_verifier_new_ex(tv_verifier** out, const char* config_json, size_t config_len, tv_event_fn on_event,
                                    void* user_data, tv_diag* diag);

/* tv_verifier_free releases |v|. NULL is a no-op. */
TV_API void tv_verifier_free(tv_verifier* v);

/* tv_verify verifies the compact JWS/JWT |token| (|token_len| bytes): size,
 * structure, header, algorithm, key, signature and claims. Returns TV_OK when
 * the token is valid, otherwise the first failure found. Claims and times are
 * checked only after the signature has verified: a claim status (4xx) means
 * the token was signed by a configured key but its claims are refused, and a
 * forged token is TV_ERR_SIGNATURE_INVALID whatever its claims.
 *
 * If |out_claims| is not NULL, then on success a new tv_claims is written to
 * it (free with tv_claims_free) and on failure NULL is written. Passing NULL
 * avoids all heap allocation in tv_verify on a warm verifier. */
TV_API tv_status tv_verify(const tv_verifier* v, tv_claims** out_claims, const uint8_t* token, size_t token_len);

/* tv_verify_signature checks |token| as tv_verify does up to and including
 * its signature: size, structure, header, algorithm allow-lists, key choice
 * (with a remote set's early refresh for an unknown kid) and signature, with
 * tv_verify's statuses. The payload is opaque bytes: it is not parsed, no
 * claim is checked, and neither revocation nor the token cache applies (nor
 * is the call counted in the stats). TV_OK means only that a configured key
 * signed the token: for a JWS whose payload is not a JWT, or for a front end
 * that checks the claims itself. Never treat it as a verified JWT. */
TV_API tv_status tv_verify_signature(const tv_verifier* v, const uint8_t* token, size_t token_len);

/* tv_verify_batch verifies |n| tokens as |n| calls of tv_verify would: token
 * |i| is |token_lens[i]| bytes at |tokens[i]|, and its status is written to
 * |statuses_out[i]|, in input order. A token that fails never stops the
 * batch, and each status, claim and verification count is exactly what
 * tv_verify would have given for that token (a NULL |tokens[i]| with a
 * non-zero length gets TV_ERR_INVALID_ARGUMENT, as in tv_verify).
 *
 * If |claims_out| is not NULL it is an array of |n| pointers: for each token
 * that verified, a new tv_claims is written to |claims_out[i]| (free each with
 * tv_claims_free), and NULL for every other token. Passing NULL saves the
 * copies.
 *
 * |threads| is how many threads work on the batch, the calling thread
 * included: 0 means one per CPU; at most 64 are used, and never more than
 * |n|. The threads other than the caller's belong to a pool that the verifier
 * starts on the first batch that needs it, grows to the largest count asked
 * for, and joins in tv_verifier_free: no call creates threads once the pool is
 * large enough. A batch may run concurrently with other batches and tv_verify
 * calls on the same verifier; a verifier built before fork() starts a new
 * pool in the child.
 *
 * Returns TV_OK when every token got its status (whatever those statuses
 * are); n == 0 is TV_OK, with the arrays allowed to be NULL. Otherwise no
 * token was verified, each |statuses_out[i]| (when that array is there) holds
 * the returned value and each |claims_out[i]| NULL: TV_ERR_INVALID_ARGUMENT
 * when |v| is NULL, or when |statuses_out|, |tokens| or |token_lens| is NULL
 * and n > 0; TV_ERR_OUT_OF_MEMORY when the call's own array of n token views
 * could not be allocated. */
TV_API tv_status tv_verify_batch(const tv_verifier* v, tv_status* statuses_out, tv_claims** claims_out,
                                 const uint8_t* const* tokens, const size_t* token_lens, size_t n, unsigned threads);

/* Flags for tv_verifier_stats. */
#define TV_STATS_KEYS 1u /* also list each provider's keys */

/* tv_verifier_stats writes to |*out_json| a new NUL-terminated JSON document
 * describing every provider: its key source, health, key count, key-set
 * generation, last refresh (time, outcome, error, HTTP status), next refresh,
 * consecutive failures, fetch / 304 / error counts and verification counts by
 * status name; with TV_STATS_KEYS in |flags|, each key's kid, kty, alg, size
 * or curve and RFC 7638 thumbprint. |*out_len| (if not NULL) gets its length.
 * Free it with tv_string_free. Safe to call while other threads verify. The
 * README's "Health and stats" section documents every member. */
TV_API tv_status tv_verifier_stats(const tv_verifier* v, char** out_json, size_t* out_len, uint32_t flags);

/* tv_string_free releases a string that the library allocated for the caller.
 * NULL is a no-op. */
TV_API void tv_string_free(char* s);

/* ---------------------------------------------------------------- revocation */

/* tv_verifier_revoke refuses, from now on, every token whose "jti" claim is
 * |jti| (|jti_len| bytes): tv_verify returns TV_ERR_REVOKED for it (after its
 * signature and claims passed, from the token cache too) until its |exp|
 * (unix seconds) plus the leeway, when it would be refused as expired anyway.
 * Returns TV_OK (also when |exp| is already past), TV_ERR_INVALID_ARGUMENT
 * (NULL, empty, or a negative |exp|) or TV_ERR_REVOCATIONS_FULL (the list
 * holds revocation.maxEntries live entries). Thread-safe, also while other
 * threads verify. Revocations live in this verifier only; see
 * tv_revocation_publish and "revocation.redis" to share them. */
TV_API tv_status tv_verifier_revoke(const tv_verifier* v, const char* jti, size_t jti_len, int64_t exp);

/* tv_verifier_revoke_subject ("log out everywhere") refuses every token whose
 * "sub" is |sub| and whose "iat" is before |issued_before| (unix seconds), or
 * that has no "iat", with TV_ERR_REVOKED. The entry lasts revocation.subjectTtl
 * (default 24 h) after |issued_before|: set it to the longest lifetime of a
 * token. Returns as tv_verifier_revoke. */
TV_API tv_status tv_verifier_revoke_subject(const tv_verifier* v, const char* sub, size_t sub_len,
                                            int64_t issued_before);

/* One revocation to publish on a Redis stream. */
#define TV_REVOKE_TOKEN 1u   /* id: a jti; time: the token's exp */
#define TV_REVOKE_SUBJECT 2u /* id: a sub; time: tokens issued before it are refused */
typedef struct tv_revocation {
  uint32_t kind; /* TV_REVOKE_TOKEN or TV_REVOKE_SUBJECT */
  const char* id;
  size_t id_len;
  int64_t time;       /* unix seconds */
  const char* issuer; /* optional (NULL or empty): only tokens of this iss */
  size_t issuer_len;
} tv_revocation;

/* tv_revocation_publish adds |r| to the Redis stream that the configuration
 * |config_json| names in "revocation.redis" (only that member is used: no key
 * set is loaded), for every verifier reading that stream. On success, if
 * |out_id| is not NULL, it gets the new stream entry's ID (free with
 * tv_string_free). Fails with TV_ERR_CONFIG (no revocation.redis, or a bad
 * document), TV_ERR_INVALID_ARGUMENT or TV_ERR_IO (Redis unreachable or
 * refusing); |diag| says why. */
TV_API tv_status tv_revocation_publish(const char* config_json, size_t config_len, const tv_revocation* r,
                                       char** out_id, tv_diag* diag);

/* ---------------------------------------------------------------- claims */

/* tv_claims_free releases |c|. NULL is a no-op. */
TV_API void tv_claims_free(tv_claims* c);

/* tv_claims_json sets |*out| and |*out_len| to the decoded payload, a JSON
 * object, exactly as it appeared in the token. The bytes live as long as |c|
 * and are followed by a NUL that |*out_len| does not count. */
TV_API tv_status tv_claims_json(const tv_claims* c, const char** out, size_t* out_len);

/* tv_claims_header_json is tv_claims_json for the decoded protected header. */
TV_API tv_status tv_claims_header_json(const tv_claims* c, const char** out, size_t* out_len);

/* tv_claims_provider sets |*out|/|*out_len| to the name of the provider that
 * accepted the token (NUL-terminated, lives as long as |c|); "" for claims
 * from tv_inspect_unverified. */
TV_API tv_status tv_claims_provider(const tv_claims* c, const char** out, size_t* out_len);

/* tv_claims_get_raw sets |*out|/|*out_len| to the JSON text of the top-level
 * claim named |name| (|name_len| bytes, compared after JSON unescaping), e.g.
 * "\"alice\"", "1700000000" or "[\"a\",\"b\"]". Returns TV_ERR_NOT_FOUND when
 * the claim is absent. The bytes live as long as |c| and are NOT NUL-terminated. */
TV_API tv_status tv_claims_get_raw(const tv_claims* c, const char** out, size_t* out_len, const char* name,
                                   size_t name_len);

/* tv_claims_get_string sets |*out|/|*out_len| to the unescaped value of the
 * string claim |name|. The bytes live as long as |c|, are UTF-8 and are
 * followed by a NUL that |*out_len| does not count (the value itself may hold
 * NULs). Returns TV_ERR_NOT_FOUND if absent, TV_ERR_WRONG_TYPE if not a string. */
TV_API tv_status tv_claims_get_string(const tv_claims* c, const char** out, size_t* out_len, const char* name,
                                      size_t name_len);

/* tv_claims_get_int64 sets |*out| to the value of the integer claim |name|.
 * Returns TV_ERR_NOT_FOUND if absent, TV_ERR_WRONG_TYPE if it is not a JSON
 * integer that fits int64_t. */
TV_API tv_status tv_claims_get_int64(const tv_claims* c, int64_t* out, const char* name, size_t name_len);

/* tv_claims_dup writes to |*out| a new copy of |c| (free it with
 * tv_claims_free), for example of claims borrowed from a tv_decision. */
TV_API tv_status tv_claims_dup(tv_claims** out, const tv_claims* c);

/* tv_inspect_unverified decodes |token| WITHOUT verifying anything but its
 * shape: three segments, strict base64url, and a header and payload that are
 * strict JSON objects. It writes a new tv_claims whose header and payload can
 * be read with the functions above. NEVER trust its contents: it exists for
 * debugging tools such as `tokenverify inspect`. */
TV_API tv_status tv_inspect_unverified(tv_claims** out_claims, const uint8_t* token, size_t token_len);

/* ---------------------------------------------------------------- requests */

/* Request authentication: the configuration's "rules" (or, without rules, its
 * providers' tokens) decide whether a whole request may pass (the README's
 * "Request authentication"). */

/* One header field as received. */
typedef struct tv_header {
  const char* name;
  size_t name_len;
  const char* value;
  size_t value_len;
} tv_header;

typedef struct tv_request {
  const char* method; /* "GET" */
  size_t method_len;
  const char* host; /* Host or :authority; may be empty */
  size_t host_len;
  const char* target; /* origin-form request target with query: "/api/x?y=1" */
  size_t target_len;
  const tv_header* headers; /* as received; repeated names kept, in order */
  size_t header_count;
  const uint8_t* body; /* only needed by request-signature rules; may be NULL */
  size_t body_len;
} tv_request;

/* THREAD SAFETY: a tv_decision is immutable; it may be read from several
 * threads at once. It does not reference the verifier or the request. */
typedef struct tv_decision tv_decision;

/* How the request was authenticated (tv_decision_method). */
typedef enum tv_auth_method {
  TV_AUTH_NONE = 0, /* no credential needed, or AllowMissing without one */
  TV_AUTH_JWT = 1,
  TV_AUTH_BASIC = 2,
  TV_AUTH_BEARER = 3,
  TV_AUTH_API_KEY = 4,
  TV_AUTH_HMAC = 5
} tv_auth_method;

/* tv_authenticate decides whether |req| may pass and writes a new decision to
 * |*out| (free it with tv_decision_free). It returns TV_OK whenever it made a
 * decision, allowed or denied: read the verdict with tv_decision_status. A
 * non-OK return means misuse (NULL pointers, a NULL pointer with a non-zero
 * length: TV_ERR_INVALID_ARGUMENT) or TV_ERR_OUT_OF_MEMORY; |*out| is then NULL. */
TV_API tv_status tv_authenticate(const tv_verifier* v, tv_decision** out, const tv_request* req);

/* tv_decision_free releases |d|. NULL is a no-op. */
TV_API void tv_decision_free(tv_decision* d);

/* TV_OK when the request may pass, otherwise why not (6xx, or the token's status). */
TV_API tv_status tv_decision_status(const tv_decision* d);

/* 200, 400, 401, 403 or 503 (0 for NULL). */
TV_API int32_t tv_decision_http_status(const tv_decision* d);

/* A tv_auth_method (-1 for NULL). */
TV_API int32_t tv_decision_method(const tv_decision* d);

/* tv_decision_json sets |*out|/|*out_len| to the decision as a JSON object
 * (members: allow, httpStatus, status, method, rule, principal, provider,
 * setHeaders, removeHeaders, removeQueryParameters, removeCookies,
 * omittedHeaders, wwwAuthenticate, message). The bytes live as long as |d|
 * and are followed by a NUL that |*out_len| does not count. */
TV_API tv_status tv_decision_json(const tv_decision* d, const char** out, size_t* out_len);

/* The principal (user name, key or token name, or the token's sub) and the
 * WWW-Authenticate challenge of a 401: NUL-terminated, living as long as |d|;
 * TV_ERR_NOT_FOUND when the decision has none. */
TV_API tv_status tv_decision_principal(const tv_decision* d, const char** out, size_t* out_len);
TV_API tv_status tv_decision_www_authenticate(const tv_decision* d, const char** out, size_t* out_len);

/* The headers to set on the forwarded request (names in lower case) and the
 * headers to remove from it, by index; TV_ERR_NOT_FOUND past the end. The
 * bytes live as long as |d| and are NUL-terminated. */
TV_API size_t tv_decision_set_header_count(const tv_decision* d);
TV_API tv_status tv_decision_set_header(const tv_decision* d, size_t index, const char** name, size_t* name_len,
                                        const char** value, size_t* value_len);
TV_API size_t tv_decision_remove_header_count(const tv_decision* d);
TV_API tv_status tv_decision_remove_header(const tv_decision* d, size_t index, const char** name, size_t* name_len);

/* The verified token's claims when the request was authenticated by a JWT,
 * else NULL. Borrowed: lives as long as |d|; do not free it (tv_claims_dup
 * makes a copy that outlives it). */
TV_API const tv_claims* tv_decision_claims(const tv_decision* d);

/* A credential handed to the application's validator: a "basic" or "apiKey"
 * auth marked "validator": true. Pointers are valid during the call only. */
typedef struct tv_credential {
  const char* rule; /* the rule's name (or index) */
  size_t rule_len;
  int32_t method;   /* TV_AUTH_BASIC or TV_AUTH_API_KEY */
  const char* user; /* basic: the user name; apiKey: the key */
  size_t user_len;
  const char* password; /* basic: the password; apiKey: empty */
  size_t password_len;
} tv_credential;

/* Returns non-zero to accept the credential. Called on the thread that runs
 * tv_authenticate, possibly from several threads at once. */
typedef int (*tv_validator_fn)(void* user_data, const tv_credential* credential);

typedef struct tv_verifier_options {
  size_t struct_size;   /* sizeof(tv_verifier_options): fields may be added at the end */
  tv_event_fn on_event; /* may be NULL */
  void* event_user_data;
  tv_validator_fn validator; /* may be NULL; needed by "validator": true */
  void* validator_user_data;
} tv_verifier_options;

/* tv_verifier_new_ex2 is tv_verifier_new with |options| (may be NULL). The
 * user data pointers must stay valid until the verifier is freed. */
TV_API tv_status tv_verifier_new_ex2(tv_verifier** out, const char* config_json, size_t config_len,
                                     const tv_verifier_options* options, tv_diag* diag);

/* ---------------------------------------------------------------- runtime info */

/* tv_base64url_implementation returns a static string naming the base64url
 * kernel this process uses ("fallback", "haswell", "icelake", "arm64"). It is
 * chosen on first use for the running CPU; the environment variable
 * TOKENVERIFY_FORCE_IMPLEMENTATION, read at that moment, can force one. */
TV_API const char* tv_base64url_implementation(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TOKENVERIFY_H_ */
