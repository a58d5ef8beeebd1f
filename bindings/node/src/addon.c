/* addon.c: the Node-API addon of the tokenverify package, in plain C over the C ABI
 * (bindings/c/include/tokenverify.h). It holds no verification logic: it moves
 * pointers and lengths between JavaScript values and tv_* calls.
 *
 * Conventions of this file (index.js is the only caller):
 *  - Handles are napi_externals whose finalizers free what the user forgot:
 *    a verifier handle (tvn_handle), claims (tv_claims) and decisions (tv_decision).
 *  - Failures are returned, not thrown: a status number (or, for a configuration
 *    error, [code, field, message]); index.js turns them into TokenVerifyError.
 *    Only misuse of argument types throws a TypeError here.
 *  - A verifier is reference counted (tvn_core): every JS Verifier holding it
 *    owns one reference, and the last release calls tv_verifier_free. Verifiers
 *    built with {shared: true} are kept in a process-wide registry keyed by the
 *    configuration text, so worker threads with the same configuration share one
 *    native verifier (one key-set refresher, one token cache). A JS thread never
 *    runs two calls at once, and other threads hold references of their own, so
 *    no verification can run while tv_verifier_free does.
 *  - Context-aware (NAPI_MODULE_INIT): the addon loads in worker threads; its only
 *    process-wide state is that registry, behind a mutex. */
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenverify.h"

/* ---------------------------------------------------------------- helpers */

#define TVN_CLOSED (-1)  /* returned instead of a status when the verifier was closed */
#define STACK_BYTES 4096 /* tokens up to this size are copied to the stack, longer ones to the heap */

#define CHECK(call)                     \
  do {                                  \
    if ((call) != napi_ok) return NULL; \
  } while (0)

static napi_value make_int(napi_env env, int32_t i) {
  napi_value v;
  napi_create_int32(env, i, &v);
  return v;
}

static napi_value make_str(napi_env env, const char* s, size_t n) {
  napi_value v;
  if (napi_create_string_utf8(env, s, n, &v) != napi_ok) return NULL;
  return v;
}

static napi_value make_undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

static napi_value make_null(napi_env env) {
  napi_value v;
  napi_get_null(env, &v);
  return v;
}

/* Bytes of a string, Buffer or Uint8Array argument. Strings are converted to
 * UTF-8 into |stack| when they fit, else into a heap block returned in *heap
 * (the caller frees it); Buffers and typed arrays are borrowed, not copied. */
typedef struct {
  const uint8_t* p;
  size_t len;
  char* heap;
} bytes;

static int get_bytes(napi_env env, napi_value v, char* stack, size_t cap, bytes* out, const char* what) {
  out->heap = NULL;
  size_t n = 0;
  /* A string, the usual case, asked for straight away: UTF-8 into the stack
   * buffer (no napi_typeof first: napi_string_expected says it is not one).
   * (Measured on Node 20: latin1 is ~30 ns faster on a 600-byte token but
   * truncates UTF-16 units above 0xFF into other bytes; UTF-16 plus narrowing
   * is no faster than this.) */
  const napi_status as_string = napi_get_value_string_utf8(env, v, stack, cap, &n);
  if (as_string == napi_ok) {
    /* The conversion stops before a character that does not fit whole (up to 4
     * bytes), so a result this close to the end may be truncated: measure it. */
    if (n + 4 >= cap) {
      size_t full = 0;
      if (napi_get_value_string_utf8(env, v, NULL, 0, &full) != napi_ok) return 0;
      if (full != n) {
        out->heap = malloc(full + 1);
        if (out->heap == NULL) {
          napi_throw_error(env, NULL, "tokenverify: out of memory");
          return 0;
        }
        if (napi_get_value_string_utf8(env, v, out->heap, full + 1, &n) != napi_ok) {
          free(out->heap);
          out->heap = NULL;
          return 0;
        }
        out->p = (const uint8_t*)out->heap;
        out->len = n;
        return 1;
      }
    }
    out->p = (const uint8_t*)stack;
    out->len = n;
    return 1;
  }
  if (as_string != napi_string_expected) return 0;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  if (t == napi_object) {
    bool is_typed = false;
    napi_is_typedarray(env, v, &is_typed);
    if (is_typed) {
      napi_typedarray_type tt;
      size_t length = 0, offset = 0;
      void* data = NULL;
      napi_value ab;
      if (napi_get_typedarray_info(env, v, &tt, &length, &data, &ab, &offset) != napi_ok) return 0;
      if (tt == napi_uint8_array || tt == napi_uint8_clamped_array || tt == napi_int8_array) {
        out->p = data != NULL ? (const uint8_t*)data : (const uint8_t*)"";
        out->len = length;
        return 1;
      }
    }
  }
  char msg[128];
  snprintf(msg, sizeof msg, "tokenverify: %s must be a string, a Buffer or a Uint8Array", what);
  napi_throw_type_error(env, NULL, msg);
  return 0;
}

/* Copies a string argument to |buf| (NUL-terminated); 0 (with a TypeError) if it is not one. */
static int get_name(napi_env env, napi_value v, char* buf, size_t cap, bytes* out, const char* what) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  if (t != napi_string) {
    char msg[128];
    snprintf(msg, sizeof msg, "tokenverify: %s must be a string", what);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  return get_bytes(env, v, buf, cap, out, what);
}

static int get_int64(napi_env env, napi_value v, int64_t* out, const char* what) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  if (t == napi_bigint) {
    bool lossless = false;
    if (napi_get_value_bigint_int64(env, v, out, &lossless) == napi_ok && lossless) return 1;
  } else if (t == napi_number) {
    double d = 0;
    napi_get_value_double(env, v, &d);
    if (d == d && d >= -9007199254740991.0 && d <= 9007199254740991.0 && (double)(int64_t)d == d) {
      *out = (int64_t)d;
      return 1;
    }
  }
  char msg[128];
  snprintf(msg, sizeof msg, "tokenverify: %s must be an integer (number or bigint)", what);
  napi_throw_type_error(env, NULL, msg);
  return 0;
}

static void* get_external(napi_env env, napi_value v) {
  void* p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok) {
    napi_throw_type_error(env, NULL, "tokenverify: not a handle of this addon");
    return NULL;
  }
  return p;
}

/* ---------------------------------------------------------------- verifier cores */

/* Key-set events (tv_event_fn) reach JS through a thread-safe function: the engine
 * calls on_event from its refresher threads; call_js runs on the JS thread. |mu|
 * orders the refresher's calls against the function's end (its finalizer, which
 * Node also runs when a worker's environment is torn down): once |closed| is set no
 * call is made. The box is freed by whichever of the core and the finalizer lets
 * go of it last (|refs| starts at 2). */
typedef struct {
  pthread_mutex_t mu;
  napi_threadsafe_function tsfn;
  int closed;
  int refs;
} tvn_events;

static void events_unref(tvn_events* e) {
  pthread_mutex_lock(&e->mu);
  int last = --e->refs == 0;
  pthread_mutex_unlock(&e->mu);
  if (last) {
    pthread_mutex_destroy(&e->mu);
    free(e);
  }
}

typedef struct tvn_core {
  tv_verifier* v;
  tvn_events* events; /* NULL without onEvent */
  size_t refs;        /* guarded by g_registry_mutex */
  char* key;          /* shared verifiers: the configuration text; NULL otherwise */
  size_t key_len;
  struct tvn_core* next; /* the registry's list */
} tvn_core;

/* One per JS Verifier: its reference to a core, NULL once closed. */
typedef struct {
  tvn_core* core;
} tvn_handle;

static pthread_mutex_t g_registry_mutex = PTHREAD_MUTEX_INITIALIZER;
static tvn_core* g_registry = NULL;

static void core_release(tvn_core* c) {
  int last = 0;
  pthread_mutex_lock(&g_registry_mutex);
  if (--c->refs == 0) {
    last = 1;
    if (c->key != NULL) {
      for (tvn_core** p = &g_registry; *p != NULL; p = &(*p)->next) {
        if (*p == c) {
          *p = c->next;
          break;
        }
      }
    }
  }
  pthread_mutex_unlock(&g_registry_mutex);
  if (last) {
    tv_verifier_free(c->v);  /* joins the refresher threads: outside the lock */
    if (c->events != NULL) { /* no event can come any more: end the thread-safe function */
      pthread_mutex_lock(&c->events->mu);
      int closed = c->events->closed;
      pthread_mutex_unlock(&c->events->mu);
      if (!closed) napi_release_threadsafe_function(c->events->tsfn, napi_tsfn_release);
      events_unref(c->events);
    }
    free(c->key);
    free(c);
  }
}

typedef struct {
  int32_t kind;
  char* provider;
  char* message;
  uint64_t generation, key_count;
  int32_t http_status;
} tvn_event_copy;

static void event_copy_free(tvn_event_copy* e) {
  free(e->provider);
  free(e->message);
  free(e);
}

static char* dup_cstr(const char* s) {
  if (s == NULL) s = "";
  size_t n = strlen(s);
  char* d = malloc(n + 1);
  if (d != NULL) memcpy(d, s, n + 1);
  return d;
}

/* On a refresher thread. */
static void on_event(void* user_data, const tv_event* ev) {
  tvn_events* e = user_data;
  tvn_event_copy* copy = calloc(1, sizeof *copy);
  if (copy == NULL) return;
  copy->kind = ev->kind;
  copy->provider = dup_cstr(ev->provider);
  copy->message = dup_cstr(ev->message);
  copy->generation = ev->generation;
  copy->key_count = ev->key_count;
  copy->http_status = ev->http_status;
  if (copy->provider == NULL || copy->message == NULL) {
    event_copy_free(copy);
    return;
  }
  pthread_mutex_lock(&e->mu);
  napi_status st = e->closed ? napi_closing : napi_call_threadsafe_function(e->tsfn, copy, napi_tsfn_nonblocking);
  pthread_mutex_unlock(&e->mu);
  if (st != napi_ok) event_copy_free(copy);
}

/* On the JS thread: onEvent({kind, provider, generation, keyCount, httpStatus, message}). */
static void event_call_js(napi_env env, napi_value fn, void* context, void* data) {
  (void)context;
  tvn_event_copy* e = data;
  if (env != NULL && fn != NULL) {
    static const char* const kKinds[] = {"unknown", "keysUpdated", "keysUnchanged", "refreshFailed", "keysDropped"};
    const char* kind = e->kind >= 1 && e->kind <= 4 ? kKinds[e->kind] : kKinds[0];
    napi_value obj, undefined, gen, count, result;
    if (napi_create_object(env, &obj) == napi_ok) {
      napi_set_named_property(env, obj, "kind", make_str(env, kind, strlen(kind)));
      napi_set_named_property(env, obj, "provider", make_str(env, e->provider, strlen(e->provider)));
      napi_create_double(env, (double)e->generation, &gen);
      napi_create_double(env, (double)e->key_count, &count);
      napi_set_named_property(env, obj, "generation", gen);
      napi_set_named_property(env, obj, "keyCount", count);
      napi_set_named_property(env, obj, "httpStatus", make_int(env, e->http_status));
      napi_set_named_property(env, obj, "message", make_str(env, e->message, strlen(e->message)));
      napi_get_undefined(env, &undefined);
      napi_call_function(env, undefined, fn, 1, &obj, &result); /* a throw is the process's uncaught exception */
    }
  }
  event_copy_free(e);
}

/* On the JS thread, after the last release or at environment teardown. */
static void events_finalize(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  tvn_events* e = data;
  pthread_mutex_lock(&e->mu);
  e->closed = 1;
  pthread_mutex_unlock(&e->mu);
  events_unref(e);
}

static void handle_finalize(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  tvn_handle* h = data;
  if (h->core != NULL) core_release(h->core);
  free(h);
}

/* Claims handles point at this box, so that Claims#free() can release the
 * tv_claims before the garbage collector does (and later calls see NULL). */
typedef struct {
  tv_claims* c;
} tvn_claims;

static void claims_finalize(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  tvn_claims* w = data;
  tv_claims_free(w->c);
  free(w);
}

static void decision_finalize(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  tv_decision_free(data);
}

static napi_value wrap_claims(napi_env env, tv_claims* c) {
  napi_value v;
  tvn_claims* w = malloc(sizeof *w);
  if (w == NULL) {
    tv_claims_free(c);
    napi_throw_error(env, NULL, "tokenverify: out of memory");
    return NULL;
  }
  w->c = c;
  if (napi_create_external(env, w, claims_finalize, NULL, &v) != napi_ok) {
    claims_finalize(env, w, NULL);
    return NULL;
  }
  return v;
}

/* ---------------------------------------------------------------- validator */

/* The engine calls a configuration's validator ("validator": true) on the thread
 * that runs tv_authenticate, i.e. inside js_authenticate on a JS thread. That call
 * sets t_validator to its env and the JS function of the Verifier being used; the C
 * callback calls it there, synchronously. Anywhere else (no context) it refuses. */
typedef struct {
  napi_env env;
  napi_value fn;
  int failed; /* the JS function threw or returned a non-boolean: refuse, rethrow later */
} tvn_validator_ctx;

static _Thread_local tvn_validator_ctx* t_validator = NULL;

static int tvn_validate(void* user_data, const tv_credential* c) {
  (void)user_data;
  tvn_validator_ctx* ctx = t_validator;
  if (ctx == NULL || ctx->failed) return 0;
  napi_env env = ctx->env;
  napi_value args[4], global, result;
  const char* method = c->method == TV_AUTH_BASIC ? "basic" : c->method == TV_AUTH_API_KEY ? "apiKey" : "unknown";
  args[0] = make_str(env, method, strlen(method));
  args[1] = make_str(env, c->user, c->user_len);
  args[2] = make_str(env, c->password, c->password_len);
  args[3] = make_str(env, c->rule, c->rule_len);
  if (args[0] == NULL || args[1] == NULL || args[2] == NULL || args[3] == NULL ||
      napi_get_global(env, &global) != napi_ok ||
      napi_call_function(env, global, ctx->fn, 4, args, &result) != napi_ok) {
    ctx->failed = 1; /* an exception is pending; js_authenticate lets it propagate */
    return 0;
  }
  napi_valuetype t;
  bool ok = false;
  if (napi_typeof(env, result, &t) != napi_ok || t != napi_boolean) {
    ctx->failed = 1;
    napi_throw_type_error(env, NULL, "tokenverify: the validator must return true or false (synchronously)");
    return 0;
  }
  napi_get_value_bool(env, result, &ok);
  return ok ? 1 : 0;
}

/* newVerifier(configText, shared, withValidator, onEvent) -> handle | [code, field, message] */
static napi_value js_new_verifier(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char stack[STACK_BYTES];
  bytes cfg;
  if (argc < 1 || !get_name(env, argv[0], stack, sizeof stack, &cfg, "config")) return NULL;
  napi_valuetype ev_type = napi_undefined;
  if (argc > 3) napi_typeof(env, argv[3], &ev_type);
  bool shared = false, with_validator = false;
  if (argc > 1) napi_get_value_bool(env, argv[1], &shared);
  if (argc > 2) napi_get_value_bool(env, argv[2], &with_validator);

  tvn_handle* h = calloc(1, sizeof *h);
  if (h == NULL) {
    free(cfg.heap);
    napi_throw_error(env, NULL, "tokenverify: out of memory");
    return NULL;
  }
  if (shared) {
    pthread_mutex_lock(&g_registry_mutex);
    for (tvn_core* c = g_registry; c != NULL; c = c->next) {
      if (c->key_len == cfg.len && memcmp(c->key, cfg.p, cfg.len) == 0) {
        c->refs++;
        h->core = c;
        break;
      }
    }
    pthread_mutex_unlock(&g_registry_mutex);
  }
  if (h->core == NULL) {
    tv_diag diag;
    memset(&diag, 0, sizeof diag);
    tv_verifier* v = NULL;
    tv_verifier_options options;
    memset(&options, 0, sizeof options);
    options.struct_size = sizeof options;
    if (with_validator) options.validator = tvn_validate;
    tvn_events* events = NULL;
    if (ev_type == napi_function) { /* index.js refuses onEvent with shared */
      events = calloc(1, sizeof *events);
      napi_value name = make_str(env, "tokenverify.onEvent", 19);
      if (events == NULL || name == NULL) {
        free(events);
        free(cfg.heap);
        free(h);
        napi_throw_error(env, NULL, "tokenverify: out of memory");
        return NULL;
      }
      pthread_mutex_init(&events->mu, NULL);
      events->refs = 2;
      if (napi_create_threadsafe_function(env, argv[3], NULL, name, 0, 1, events, events_finalize, NULL, event_call_js,
                                          &events->tsfn) != napi_ok) {
        pthread_mutex_destroy(&events->mu);
        free(events);
        free(cfg.heap);
        free(h);
        return NULL;
      }
      napi_unref_threadsafe_function(env, events->tsfn); /* events do not keep the process alive */
      options.on_event = on_event;
      options.event_user_data = events;
    }
    tv_status s = tv_verifier_new_ex2(&v, (const char*)cfg.p, cfg.len, &options, &diag);
    if (s != TV_OK) {
      if (events != NULL) {
        napi_release_threadsafe_function(events->tsfn, napi_tsfn_release);
        events_unref(events);
      }
      free(cfg.heap);
      free(h);
      napi_value arr;
      CHECK(napi_create_array_with_length(env, 3, &arr));
      napi_set_element(env, arr, 0, make_int(env, s));
      napi_set_element(env, arr, 1, make_str(env, diag.field, strlen(diag.field)));
      napi_set_element(env, arr, 2, make_str(env, diag.message, strlen(diag.message)));
      return arr;
    }
    tvn_core* c = calloc(1, sizeof *c);
    char* key = shared ? malloc(cfg.len + 1) : NULL;
    if (c == NULL || (shared && key == NULL)) {
      free(c);
      free(key);
      free(h);
      free(cfg.heap);
      tv_verifier_free(v);
      if (events != NULL) {
        napi_release_threadsafe_function(events->tsfn, napi_tsfn_release);
        events_unref(events);
      }
      napi_throw_error(env, NULL, "tokenverify: out of memory");
      return NULL;
    }
    c->v = v;
    c->events = events;
    c->refs = 1;
    if (shared) {
      memcpy(key, cfg.p, cfg.len);
      c->key = key;
      c->key_len = cfg.len;
      pthread_mutex_lock(&g_registry_mutex);
      /* Another thread may have built the same configuration meanwhile: then use
       * its verifier (one per configuration) and drop ours. */
      tvn_core* existing = NULL;
      for (tvn_core* e = g_registry; e != NULL; e = e->next) {
        if (e->key_len == cfg.len && memcmp(e->key, cfg.p, cfg.len) == 0) {
          existing = e;
          break;
        }
      }
      if (existing != NULL) {
        existing->refs++;
        h->core = existing;
      } else {
        c->next = g_registry;
        g_registry = c;
        h->core = c;
      }
      pthread_mutex_unlock(&g_registry_mutex);
      if (existing != NULL) {
        tv_verifier_free(c->v);
        free(c->key);
        free(c);
      }
    } else {
      h->core = c;
    }
  }
  free(cfg.heap);
  napi_value ext;
  if (napi_create_external(env, h, handle_finalize, NULL, &ext) != napi_ok) {
    handle_finalize(env, h, NULL);
    return NULL;
  }
  return ext;
}

/* close(handle) -> undefined; idempotent. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tvn_handle* h = argc ? get_external(env, argv[0]) : NULL;
  if (h == NULL) return NULL;
  tvn_core* c = h->core;
  h->core = NULL;
  if (c != NULL) core_release(c);
  return make_undefined(env);
}

/* sharedCount(handle) -> references to this handle's native verifier (tests). */
static napi_value js_ref_count(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tvn_handle* h = argc ? get_external(env, argv[0]) : NULL;
  if (h == NULL) return NULL;
  if (h->core == NULL) return make_int(env, 0);
  pthread_mutex_lock(&g_registry_mutex);
  size_t refs = h->core->refs;
  pthread_mutex_unlock(&g_registry_mutex);
  return make_int(env, (int32_t)refs);
}

/* The hot path. verifyOnly(handle, token) -> undefined when valid, else the
 * status (or TVN_CLOSED): no value made for the usual answer. */
static napi_value js_verify_only(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void* p = NULL;
  if (argc < 2 || napi_get_value_external(env, argv[0], &p) != napi_ok) {
    napi_throw_type_error(env, NULL, "tokenverify: not a handle of this addon");
    return NULL;
  }
  tvn_handle* h = p;
  if (h->core == NULL) return make_int(env, TVN_CLOSED);
  char stack[STACK_BYTES];
  bytes tok;
  if (!get_bytes(env, argv[1], stack, sizeof stack, &tok, "token")) return NULL;
  tv_status s = tv_verify(h->core->v, NULL, tok.p, tok.len);
  free(tok.heap);
  return s == TV_OK ? NULL : make_int(env, s);
}

/* cLoop(handle, token, n) -> how many of n tv_verify calls returned TV_OK (or
 * TVN_CLOSED). Not part of the package's API: the peer harness's in-process
 * baseline (bench/peers/node-tokenverify/bench.mjs), tv_verify looped in C on the
 * same native verifier, to time verifyOnly against. The token is converted once. */
static napi_value js_c_loop(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tvn_handle* h = argc >= 3 ? get_external(env, argv[0]) : NULL;
  if (h == NULL) return NULL;
  int64_t n = 0;
  if (napi_get_value_int64(env, argv[2], &n) != napi_ok || n < 0) {
    napi_throw_type_error(env, NULL, "tokenverify: cLoop(handle, token, n): n must be a count");
    return NULL;
  }
  if (h->core == NULL) return make_int(env, TVN_CLOSED);
  char stack[STACK_BYTES];
  bytes tok;
  if (!get_bytes(env, argv[1], stack, sizeof stack, &tok, "token")) return NULL;
  int64_t ok = 0;
  for (int64_t i = 0; i < n; i++) ok += tv_verify(h->core->v, NULL, tok.p, tok.len) == TV_OK;
  free(tok.heap);
  napi_value out;
  CHECK(napi_create_int64(env, ok, &out));
  return out;
}

/* verify(handle, token) -> claims handle | status */
static napi_value js_verify(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void* p = NULL;
  if (argc < 2 || napi_get_value_external(env, argv[0], &p) != napi_ok) {
    napi_throw_type_error(env, NULL, "tokenverify: not a handle of this addon");
    return NULL;
  }
  tvn_handle* h = p;
  if (h->core == NULL) return make_int(env, TVN_CLOSED);
  char stack[STACK_BYTES];
  bytes tok;
  if (!get_bytes(env, argv[1], stack, sizeof stack, &tok, "token")) return NULL;
  tv_claims* c = NULL;
  tv_status s = tv_verify(h->core->v, &c, tok.p, tok.len);
  free(tok.heap);
  if (s != TV_OK) return make_int(env, s);
  return wrap_claims(env, c);
}

/* verifyAsync(handle, token) -> Promise of (claims handle | status). The token is
 * copied, the verification runs on libuv's thread pool, and the work holds a
 * reference to the native verifier, so close() meanwhile cannot free it under the
 * engine: the last reference (maybe this one, on completion) frees it. */
typedef struct {
  tvn_core* core;
  uint8_t* token;
  size_t len;
  tv_claims* claims;
  tv_status status;
  napi_deferred deferred;
  napi_async_work work;
} tvn_async_verify;

static void async_verify_execute(napi_env env, void* data) {
  (void)env;
  tvn_async_verify* a = data;
  a->status = tv_verify(a->core->v, &a->claims, a->token, a->len);
}

static void async_verify_complete(napi_env env, napi_status st, void* data) {
  tvn_async_verify* a = data;
  napi_value result = NULL;
  if (st == napi_ok && a->status == TV_OK) {
    result = wrap_claims(env, a->claims);
    a->claims = NULL;
  } else {
    result = make_int(env, st == napi_ok ? a->status : TV_ERR_INTERNAL);
  }
  tv_claims_free(a->claims);
  if (result != NULL) {
    napi_resolve_deferred(env, a->deferred, result);
  } else {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_reject_deferred(env, a->deferred, err);
  }
  napi_delete_async_work(env, a->work);
  core_release(a->core);
  free(a->token);
  free(a);
}

static napi_value js_verify_async(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tvn_handle* h = argc >= 2 ? get_external(env, argv[0]) : NULL;
  if (h == NULL) return NULL;
  napi_value promise;
  napi_deferred deferred;
  CHECK(napi_create_promise(env, &deferred, &promise));
  if (h->core == NULL) {
    napi_resolve_deferred(env, deferred, make_int(env, TVN_CLOSED));
    return promise;
  }
  char stack[STACK_BYTES];
  bytes tok;
  if (!get_bytes(env, argv[1], stack, sizeof stack, &tok, "token")) {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_reject_deferred(env, deferred, err);
    return promise;
  }
  tvn_async_verify* a = calloc(1, sizeof *a);
  uint8_t* copy = malloc(tok.len ? tok.len : 1);
  if (a == NULL || copy == NULL) {
    free(a);
    free(copy);
    free(tok.heap);
    napi_throw_error(env, NULL, "tokenverify: out of memory");
    return NULL;
  }
  memcpy(copy, tok.p, tok.len);
  free(tok.heap);
  a->token = copy;
  a->len = tok.len;
  a->deferred = deferred;
  napi_value name = make_str(env, "tokenverify.verify", 18);
  if (napi_create_async_work(env, NULL, name, async_verify_execute, async_verify_complete, a, &a->work) != napi_ok) {
    free(copy);
    free(a);
    return NULL;
  }
  pthread_mutex_lock(&g_registry_mutex);
  h->core->refs++;
  pthread_mutex_unlock(&g_registry_mutex);
  a->core = h->core;
  if (napi_queue_async_work(env, a->work) != napi_ok) {
    core_release(a->core);
    napi_delete_async_work(env, a->work);
    free(copy);
    free(a);
    return NULL;
  }
  return promise;
}

/* Token views of a JS array; strings are copied into one block, Buffers borrowed. */
typedef struct {
  const uint8_t** ptrs;
  size_t* lens;
  char** heaps; /* per token, when a string needed its own block */
  size_t n;
} token_list;

static void token_list_free(token_list* l) {
  if (l->heaps != NULL) {
    for (size_t i = 0; i < l->n; i++) free(l->heaps[i]);
  }
  free(l->heaps);
  free(l->ptrs);
  free(l->lens);
}

static int get_token_list(napi_env env, napi_value arr, token_list* l) {
  memset(l, 0, sizeof *l);
  bool is_array = false;
  napi_is_array(env, arr, &is_array);
  if (!is_array) {
    napi_throw_type_error(env, NULL, "tokenverify: tokens must be an array");
    return 0;
  }
  uint32_t n = 0;
  napi_get_array_length(env, arr, &n);
  l->n = n;
  l->ptrs = calloc(n ? n : 1, sizeof *l->ptrs);
  l->lens = calloc(n ? n : 1, sizeof *l->lens);
  l->heaps = calloc(n ? n : 1, sizeof *l->heaps);
  if (l->ptrs == NULL || l->lens == NULL || l->heaps == NULL) {
    token_list_free(l);
    napi_throw_error(env, NULL, "tokenverify: out of memory");
    return 0;
  }
  char small[512];
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    if (napi_get_element(env, arr, i, &e) != napi_ok) {
      token_list_free(l);
      return 0;
    }
    bytes b;
    if (!get_bytes(env, e, small, sizeof small, &b, "each token")) {
      token_list_free(l);
      return 0;
    }
    if (b.heap == NULL && b.p == (const uint8_t*)small) { /* a string on the stack: keep a copy */
      b.heap = malloc(b.len + 1);
      if (b.heap == NULL) {
        token_list_free(l);
        napi_throw_error(env, NULL, "tokenverify: out of memory");
        return 0;
      }
      memcpy(b.heap, small, b.len);
      b.p = (const uint8_t*)b.heap;
    }
    l->heaps[i] = b.heap;
    l->ptrs[i] = b.p;
    l->lens[i] = b.len;
  }
  return 1;
}

/* verifyMany(handle, tokens, threads, wantClaims) -> array of (claims handle | status) | TVN_CLOSED */
static napi_value js_verify_many(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tvn_handle* h = argc >= 4 ? get_external(env, argv[0]) : NULL;
  if (h == NULL) return NULL;
  if (h->core == NULL) return make_int(env, TVN_CLOSED);
  uint32_t threads = 0;
  napi_get_value_uint32(env, argv[2], &threads);
  bool want_claims = false;
  napi_get_value_bool(env, argv[3], &want_claims);
  token_list l;
  if (!get_token_list(env, argv[1], &l)) return NULL;
  tv_status* statuses = calloc(l.n ? l.n : 1, sizeof *statuses);
  tv_claims** claims = want_claims ? calloc(l.n ? l.n : 1, sizeof *claims) : NULL;
  if (statuses == NULL || (want_claims && claims == NULL)) {
    free(statuses);
    free(claims);
    token_list_free(&l);
    napi_throw_error(env, NULL, "tokenverify: out of memory");
    return NULL;
  }
  tv_status s = tv_verify_batch(h->core->v, statuses, claims, l.ptrs, l.lens, l.n, threads);
  token_list_free(&l);
  napi_value out = NULL;
  if (s != TV_OK) {
    out = make_int(env, s);
  } else if (napi_create_array_with_length(env, l.n, &out) == napi_ok) {
    for (size_t i = 0; i < l.n; i++) {
      napi_value e;
      if (claims != NULL && claims[i] != NULL) {
        e = wrap_claims(env, claims[i]);
        claims[i] = NULL;
      } else {
        e = make_int(env, statuses[i]);
      }
      if (e != NULL) napi_set_element(env, out, (uint32_t)i, e);
    }
  }
  if (claims != NULL) {
    for (size_t i = 0; i < l.n; i++) tv_claims_free(claims[i]);
  }
  free(claims);
  free(statuses);
  return out;
}

/* revoke(handle, jti, exp) / revokeSubject(handle, sub, issuedBefore) -> status */
static napi_value revoke_common(napi_env env, napi_callback_info info, int subject) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tvn_handle* h = argc >= 3 ? get_external(env, argv[0]) : NULL;
  if (h == NULL) return NULL;
  if (h->core == NULL) return make_int(env, TVN_CLOSED);
  char stack[1024];
  bytes id;
  if (!get_name(env, argv[1], stack, sizeof stack, &id, subject ? "sub" : "jti")) return NULL;
  int64_t t = 0;
  if (!get_int64(env, argv[2], &t, subject ? "issuedBefore" : "exp")) {
    free(id.heap);
    return NULL;
  }
  tv_status s = subject ? tv_verifier_revoke_subject(h->core->v, (const char*)id.p, id.len, t)
                        : tv_verifier_revoke(h->core->v, (const char*)id.p, id.len, t);
  free(id.heap);
  return make_int(env, s);
}

static napi_value js_revoke(napi_env env, napi_callback_info info) { return revoke_common(env, info, 0); }
static napi_value js_revoke_subject(napi_env env, napi_callback_info info) { return revoke_common(env, info, 1); }

/* stats(handle, withKeys) -> JSON string | status */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tvn_handle* h = argc >= 1 ? get_external(env, argv[0]) : NULL;
  if (h == NULL) return NULL;
  if (h->core == NULL) return make_int(env, TVN_CLOSED);
  bool keys = false;
  if (argc > 1) napi_get_value_bool(env, argv[1], &keys);
  char* json = NULL;
  size_t len = 0;
  tv_status s = tv_verifier_stats(h->core->v, &json, &len, keys ? TV_STATS_KEYS : 0);
  if (s != TV_OK) return make_int(env, s);
  napi_value out = make_str(env, json, len);
  tv_string_free(json);
  return out;
}

/* inspect(token) -> claims handle | status */
static napi_value js_inspect(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) {
    napi_throw_type_error(env, NULL, "tokenverify: inspect needs a token");
    return NULL;
  }
  char stack[STACK_BYTES];
  bytes tok;
  if (!get_bytes(env, argv[0], stack, sizeof stack, &tok, "token")) return NULL;
  tv_claims* c = NULL;
  tv_status s = tv_inspect_unverified(&c, tok.p, tok.len);
  free(tok.heap);
  if (s != TV_OK) return make_int(env, s);
  return wrap_claims(env, c);
}

/* ---------------------------------------------------------------- claims */

/* claimsGet(claims, name, kind) with kind 0 string, 1 int64 (bigint), 2 raw JSON
 * -> value | undefined (absent) | status number boxed as [status] (wrong type) */
static napi_value js_claims_get(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tvn_claims* w = argc >= 3 ? get_external(env, argv[0]) : NULL;
  if (w == NULL) return NULL;
  if (w->c == NULL) {
    napi_value arr;
    CHECK(napi_create_array_with_length(env, 1, &arr));
    napi_set_element(env, arr, 0, make_int(env, TVN_CLOSED));
    return arr;
  }
  const tv_claims* c = w->c;
  char stack[512];
  bytes name;
  if (!get_name(env, argv[1], stack, sizeof stack, &name, "claim name")) return NULL;
  int32_t kind = 0;
  napi_get_value_int32(env, argv[2], &kind);
  const char* s = NULL;
  size_t n = 0;
  int64_t i = 0;
  tv_status st;
  if (kind == 1) {
    st = tv_claims_get_int64(c, &i, (const char*)name.p, name.len);
  } else if (kind == 2) {
    st = tv_claims_get_raw(c, &s, &n, (const char*)name.p, name.len);
  } else {
    st = tv_claims_get_string(c, &s, &n, (const char*)name.p, name.len);
  }
  free(name.heap);
  if (st == TV_ERR_NOT_FOUND) return make_undefined(env);
  if (st != TV_OK) {
    napi_value arr;
    CHECK(napi_create_array_with_length(env, 1, &arr));
    napi_set_element(env, arr, 0, make_int(env, st));
    return arr;
  }
  if (kind == 1) {
    napi_value v;
    CHECK(napi_create_bigint_int64(env, i, &v));
    return v;
  }
  return make_str(env, s, n);
}

/* claimsText(claims, which) with which 0 payload JSON, 1 header JSON, 2 provider -> string */
static napi_value js_claims_text(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tvn_claims* w = argc >= 2 ? get_external(env, argv[0]) : NULL;
  if (w == NULL) return NULL;
  if (w->c == NULL) return make_int(env, TVN_CLOSED);
  const tv_claims* c = w->c;
  int32_t which = 0;
  napi_get_value_int32(env, argv[1], &which);
  const char* s = NULL;
  size_t n = 0;
  tv_status st = which == 1   ? tv_claims_header_json(c, &s, &n)
                 : which == 2 ? tv_claims_provider(c, &s, &n)
                              : tv_claims_json(c, &s, &n);
  if (st != TV_OK) return make_int(env, st);
  return make_str(env, s, n);
}

/* claimsFree(claims) -> undefined; idempotent. */
static napi_value js_claims_free(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tvn_claims* w = argc ? get_external(env, argv[0]) : NULL;
  if (w == NULL) return NULL;
  tv_claims_free(w->c);
  w->c = NULL;
  return make_undefined(env);
}

/* ---------------------------------------------------------------- requests */

/* authenticate(handle, method, host, target, flatHeaders, body, validator)
 *   -> {decision, code, httpStatus, method, principal, wwwAuthenticate, setHeaders, removeHeaders}
 *    | status (misuse) | TVN_CLOSED
 * flatHeaders is [name0, value0, name1, value1, ...] (Node's rawHeaders layout). */
static napi_value js_authenticate(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tvn_handle* h = argc >= 7 ? get_external(env, argv[0]) : NULL;
  if (h == NULL) return NULL;
  if (h->core == NULL) return make_int(env, TVN_CLOSED);

  /* Every string goes into one block: measure, allocate, copy. */
  bool is_array = false;
  napi_is_array(env, argv[4], &is_array);
  if (!is_array) {
    napi_throw_type_error(env, NULL, "tokenverify: headers must be an array");
    return NULL;
  }
  uint32_t flat = 0;
  napi_get_array_length(env, argv[4], &flat);
  if (flat % 2 != 0) {
    napi_throw_type_error(env, NULL, "tokenverify: headers must hold name, value pairs");
    return NULL;
  }
  size_t nstr = 3 + flat;
  napi_value* vals = malloc(nstr * sizeof *vals);
  size_t* lens = malloc(nstr * sizeof *lens);
  size_t* offs = malloc(nstr * sizeof *offs);
  tv_header* headers = malloc((flat / 2 + 1) * sizeof *headers);
  char* block = NULL;
  napi_value result = NULL;
  if (vals == NULL || lens == NULL || offs == NULL || headers == NULL) {
    napi_throw_error(env, NULL, "tokenverify: out of memory");
    goto done;
  }
  vals[0] = argv[1];
  vals[1] = argv[2];
  vals[2] = argv[3];
  for (uint32_t i = 0; i < flat; i++) {
    if (napi_get_element(env, argv[4], i, &vals[3 + i]) != napi_ok) goto done;
  }
  size_t total = 0;
  for (size_t i = 0; i < nstr; i++) {
    napi_valuetype t;
    napi_typeof(env, vals[i], &t);
    if (t != napi_string) {
      napi_throw_type_error(env, NULL,
                            i == 0   ? "tokenverify: method must be a string"
                            : i == 1 ? "tokenverify: host must be a string"
                            : i == 2 ? "tokenverify: target must be a string"
                                     : "tokenverify: header names and values must be strings");
      goto done;
    }
    if (napi_get_value_string_utf8(env, vals[i], NULL, 0, &lens[i]) != napi_ok) goto done;
    offs[i] = total;
    total += lens[i] + 1;
  }
  block = malloc(total ? total : 1);
  if (block == NULL) {
    napi_throw_error(env, NULL, "tokenverify: out of memory");
    goto done;
  }
  for (size_t i = 0; i < nstr; i++) {
    size_t n = 0;
    if (napi_get_value_string_utf8(env, vals[i], block + offs[i], lens[i] + 1, &n) != napi_ok) goto done;
  }
  for (uint32_t i = 0; i < flat / 2; i++) {
    size_t a = 3 + 2 * (size_t)i, b = a + 1;
    headers[i].name = block + offs[a];
    headers[i].name_len = lens[a];
    headers[i].value = block + offs[b];
    headers[i].value_len = lens[b];
  }
  tv_request req;
  memset(&req, 0, sizeof req);
  req.method = block + offs[0];
  req.method_len = lens[0];
  req.host = block + offs[1];
  req.host_len = lens[1];
  req.target = block + offs[2];
  req.target_len = lens[2];
  req.headers = headers;
  req.header_count = flat / 2;
  napi_valuetype bt;
  napi_typeof(env, argv[5], &bt);
  char body_stack[1];
  bytes body = {NULL, 0, NULL};
  if (bt != napi_undefined && bt != napi_null) {
    if (!get_bytes(env, argv[5], body_stack, sizeof body_stack, &body, "body")) goto done;
    /* a string body always goes to the heap (the stack buffer is 1 byte) */
    req.body = body.p;
    req.body_len = body.len;
  }
  tv_decision* d = NULL;
  napi_valuetype vt;
  napi_typeof(env, argv[6], &vt);
  tvn_validator_ctx vctx = {env, argv[6], 0};
  tvn_validator_ctx* saved = t_validator;
  t_validator = vt == napi_function ? &vctx : NULL;
  /* The validator runs JS, which could close this verifier: hold a reference. */
  tvn_core* core = h->core;
  if (t_validator != NULL) {
    pthread_mutex_lock(&g_registry_mutex);
    core->refs++;
    pthread_mutex_unlock(&g_registry_mutex);
  }
  tv_status s = tv_authenticate(core->v, &d, &req);
  if (t_validator != NULL) core_release(core);
  t_validator = saved;
  free(body.heap);
  if (vctx.failed) { /* the validator's exception is pending: let it propagate */
    tv_decision_free(d);
    goto done;
  }
  if (s != TV_OK) {
    result = make_int(env, s);
    goto done;
  }
  napi_value obj, ext;
  if (napi_create_external(env, d, decision_finalize, NULL, &ext) != napi_ok) {
    tv_decision_free(d);
    goto done;
  }
  if (napi_create_object(env, &obj) != napi_ok) goto done;
  napi_set_named_property(env, obj, "decision", ext);
  napi_set_named_property(env, obj, "code", make_int(env, tv_decision_status(d)));
  napi_set_named_property(env, obj, "httpStatus", make_int(env, tv_decision_http_status(d)));
  napi_set_named_property(env, obj, "method", make_int(env, tv_decision_method(d)));
  const char* s1 = NULL;
  size_t n1 = 0;
  napi_set_named_property(env, obj, "principal",
                          tv_decision_principal(d, &s1, &n1) == TV_OK ? make_str(env, s1, n1) : make_null(env));
  napi_set_named_property(env, obj, "wwwAuthenticate",
                          tv_decision_www_authenticate(d, &s1, &n1) == TV_OK ? make_str(env, s1, n1) : make_null(env));
  size_t nset = tv_decision_set_header_count(d), nrem = tv_decision_remove_header_count(d);
  napi_value set, rem;
  napi_create_array_with_length(env, nset, &set);
  for (size_t i = 0; i < nset; i++) {
    const char *hn, *hv;
    size_t hnl, hvl;
    if (tv_decision_set_header(d, i, &hn, &hnl, &hv, &hvl) != TV_OK) break;
    napi_value pair;
    napi_create_array_with_length(env, 2, &pair);
    napi_set_element(env, pair, 0, make_str(env, hn, hnl));
    napi_set_element(env, pair, 1, make_str(env, hv, hvl));
    napi_set_element(env, set, (uint32_t)i, pair);
  }
  napi_create_array_with_length(env, nrem, &rem);
  for (size_t i = 0; i < nrem; i++) {
    const char* hn;
    size_t hnl;
    if (tv_decision_remove_header(d, i, &hn, &hnl) != TV_OK) break;
    napi_set_element(env, rem, (uint32_t)i, make_str(env, hn, hnl));
  }
  napi_set_named_property(env, obj, "setHeaders", set);
  napi_set_named_property(env, obj, "removeHeaders", rem);
  result = obj;
done:
  free(block);
  free(headers);
  free(offs);
  free(lens);
  free(vals);
  return result;
}

/* decisionJson(decision) -> string */
static napi_value js_decision_json(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tv_decision* d = argc ? get_external(env, argv[0]) : NULL;
  if (d == NULL) return NULL;
  const char* s = NULL;
  size_t n = 0;
  if (tv_decision_json(d, &s, &n) != TV_OK) return make_null(env);
  return make_str(env, s, n);
}

/* decisionClaims(decision) -> a new claims handle (a copy) | null */
static napi_value js_decision_claims(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  tv_decision* d = argc ? get_external(env, argv[0]) : NULL;
  if (d == NULL) return NULL;
  const tv_claims* c = tv_decision_claims(d);
  if (c == NULL) return make_null(env);
  tv_claims* copy = NULL;
  if (tv_claims_dup(&copy, c) != TV_OK) return make_null(env);
  return wrap_claims(env, copy);
}

/* ---------------------------------------------------------------- runtime info */

static napi_value js_status_name(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t s = 0;
  if (argc) napi_get_value_int32(env, argv[0], &s);
  const char* name = tv_status_name(s);
  return make_str(env, name, strlen(name));
}

static napi_value js_status_message(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t s = 0;
  if (argc) napi_get_value_int32(env, argv[0], &s);
  const char* m = tv_status_message(s);
  return make_str(env, m, strlen(m));
}

NAPI_MODULE_INIT() {
  uint32_t loaded = tv_version_number();
  if (loaded / 100 != TV_VERSION_NUMBER / 100) {
    char msg[200];
    snprintf(msg, sizeof msg, "tokenverify: the addon was built for libtokenverify %s but loaded %s", TV_VERSION_STRING,
             tv_version_string());
    napi_throw_error(env, NULL, msg);
    return NULL;
  }
  const char* version = tv_version_string();
  const char* kernel = tv_base64url_implementation();
  napi_property_descriptor props[] = {
      {"newVerifier", NULL, js_new_verifier, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
      {"refCount", NULL, js_ref_count, NULL, NULL, NULL, napi_default, NULL},
      {"verifyOnly", NULL, js_verify_only, NULL, NULL, NULL, napi_default, NULL},
      {"cLoop", NULL, js_c_loop, NULL, NULL, NULL, napi_default, NULL},
      {"verify", NULL, js_verify, NULL, NULL, NULL, napi_default, NULL},
      {"verifyAsync", NULL, js_verify_async, NULL, NULL, NULL, napi_default, NULL},
      {"verifyMany", NULL, js_verify_many, NULL, NULL, NULL, napi_default, NULL},
      {"revoke", NULL, js_revoke, NULL, NULL, NULL, napi_default, NULL},
      {"revokeSubject", NULL, js_revoke_subject, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_default, NULL},
      {"inspect", NULL, js_inspect, NULL, NULL, NULL, napi_default, NULL},
      {"claimsGet", NULL, js_claims_get, NULL, NULL, NULL, napi_default, NULL},
      {"claimsFree", NULL, js_claims_free, NULL, NULL, NULL, napi_default, NULL},
      {"claimsText", NULL, js_claims_text, NULL, NULL, NULL, napi_default, NULL},
      {"authenticate", NULL, js_authenticate, NULL, NULL, NULL, napi_default, NULL},
      {"decisionJson", NULL, js_decision_json, NULL, NULL, NULL, napi_default, NULL},
      {"decisionClaims", NULL, js_decision_claims, NULL, NULL, NULL, napi_default, NULL},
      {"statusName", NULL, js_status_name, NULL, NULL, NULL, napi_default, NULL},
      {"statusMessage", NULL, js_status_message, NULL, NULL, NULL, napi_default, NULL},
      {"version", NULL, NULL, NULL, NULL, make_str(env, version, strlen(version)), napi_enumerable, NULL},
      {"versionNumber", NULL, NULL, NULL, NULL, make_int(env, (int32_t)loaded), napi_enumerable, NULL},
      {"headerVersion", NULL, NULL, NULL, NULL, make_str(env, TV_VERSION_STRING, strlen(TV_VERSION_STRING)),
       napi_enumerable, NULL},
      {"base64urlImplementation", NULL, NULL, NULL, NULL, make_str(env, kernel, strlen(kernel)), napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
