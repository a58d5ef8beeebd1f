/* peer_common.h: what the C runners of the peer harness share: reading the token
 * set, the timing loop, and the JSON result lines. Header-only on purpose (each
 * runner is one translation unit, compiled by run.sh with a plain cc line). */
#ifndef PEER_COMMON_H_
#define PEER_COMMON_H_

/* Includers define _POSIX_C_SOURCE 200809L before their first header (clock_gettime). */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The algorithms of the token set, as make_tokens.py names them. */
static const char* const kAlgs[] = {"HS256", "RS256", "PS256", "ES256", "EdDSA"};
enum { kAlgCount = 5 };
static const char* const kNegatives[] = {"bad_signature", "expired", "wrong_issuer", "wrong_audience"};
enum { kNegativeCount = 4 };

typedef struct {
  char* data;
  size_t len;
} blob;

/* Reads DIR/NAME whole, NUL-terminated; trailing newlines are kept out of len
 * only when trim is set. Exits on failure: the token set is the harness's job. */
static inline blob read_file(const char* dir, const char* name, int trim) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  blob b = {NULL, 0};
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
    exit(3);
  }
  size_t cap = 4096;
  b.data = malloc(cap + 1);
  size_t n;
  while ((n = fread(b.data + b.len, 1, cap - b.len, f)) > 0) {
    b.len += n;
    if (b.len == cap) {
      cap *= 2;
      b.data = realloc(b.data, cap + 1);
    }
  }
  fclose(f);
  while (trim && b.len > 0 && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r')) b.len--;
  b.data[b.len] = '\0';
  return b;
}

static inline void lower_alg(const char* alg, char out[16]) {
  size_t i = 0;
  for (; alg[i] != '\0' && i < 15; i++) out[i] = (char)(alg[i] | 0x20);
  out[i] = '\0';
}

/* <alg>.jwt or <alg>.<negative>.jwt */
static inline blob read_token(const char* dir, const char* alg, const char* negative) {
  char low[16], name[128];
  lower_alg(alg, low);
  if (negative == NULL) {
    snprintf(name, sizeof name, "%s.jwt", low);
  } else {
    snprintf(name, sizeof name, "%s.%s.jwt", low, negative);
  }
  return read_file(dir, name, 1);
}

/* Strict-enough base64url decoding for our own, well-formed test data. */
static inline size_t b64url_decode(const char* in, size_t len, unsigned char* out) {
  size_t n = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; i++) {
    char c = in[i];
    int v = c >= 'A' && c <= 'Z'   ? c - 'A'
            : c >= 'a' && c <= 'z' ? c - 'a' + 26
            : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '-'             ? 62
            : c == '_'             ? 63
                                   : -1;
    if (v < 0) return (size_t)-1;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (unsigned char)(acc >> bits);
    }
  }
  return n;
}

static inline uint64_t clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One operation of a runner: returns nonzero when the token was accepted. */
typedef int (*op_fn)(void* ctx);

typedef struct {
  double ns_per_op;      /* median over the repeats of CPU time per operation */
  double wall_ns_per_op; /* wall time per operation in that same repeat */
  uint64_t ops;          /* operations in the median repeat */
  double runs[16];       /* CPU ns/op of each repeat */
  int repeats;
  int failed; /* an operation rejected the good token */
} measurement;

typedef struct {
  double cpu_ns, wall_ns;
  uint64_t ops;
} run_result;

/* Runs |op| in batches for about |seconds| of wall time; batches grow until one
 * takes at least 5 ms so that reading the clocks costs nothing measurable. The
 * figure that counts is the process's CPU time per operation (every thread), so
 * that a busy machine slows the run down without skewing it. */
static inline int timed_run(op_fn op, void* ctx, double seconds, run_result* out) {
  uint64_t budget = (uint64_t)(seconds * 1e9);
  uint64_t batch = 1, done = 0;
  uint64_t cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID), start = clock_ns(CLOCK_MONOTONIC);
  uint64_t elapsed = 0;
  while (elapsed < budget) {
    for (uint64_t i = 0; i < batch; i++) {
      if (!op(ctx)) return 0;
    }
    done += batch;
    elapsed = clock_ns(CLOCK_MONOTONIC) - start;
    if (elapsed < 5000000u && batch < (1u << 24)) batch *= 2;
  }
  out->cpu_ns = (double)(clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / (double)done;
  out->wall_ns = (double)elapsed / (double)done;
  out->ops = done;
  return 1;
}

static inline int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

/* A short warm-up (a tenth of the budget), then |repeats| timed runs. */
static inline measurement measure(op_fn op, void* ctx, double seconds, int repeats) {
  measurement m;
  memset(&m, 0, sizeof m);
  if (repeats < 1) repeats = 1;
  if (repeats > 15) repeats = 15;
  run_result runs[16];
  if (!timed_run(op, ctx, seconds / 10, &runs[0])) {
    m.failed = 1;
    return m;
  }
  for (int r = 0; r < repeats; r++) {
    if (!timed_run(op, ctx, seconds, &runs[r])) {
      m.failed = 1;
      return m;
    }
    m.runs[r] = runs[r].cpu_ns;
  }
  m.repeats = repeats;
  double sorted[16];
  memcpy(sorted, m.runs, sizeof(double) * (size_t)repeats);
  qsort(sorted, (size_t)repeats, sizeof(double), cmp_double);
  m.ns_per_op = sorted[(repeats - 1) / 2];
  for (int r = 0; r < repeats; r++) {
    if (runs[r].cpu_ns == m.ns_per_op) {
      m.ops = runs[r].ops;
      m.wall_ns_per_op = runs[r].wall_ns;
    }
  }
  return m;
}

/* Writes |s| as a JSON string (our strings are plain ASCII; quote the rest). */
static inline void json_string(FILE* f, const char* s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      fputc('\\', f);
      fputc(c, f);
    } else if (c < 0x20) {
      fprintf(f, "\\u%04x", c);
    } else {
      fputc(c, f);
    }
  }
  fputc('"', f);
}

static inline void print_result(const char* peer, const char* language, const char* version, const char* alg,
                                const measurement* m, const char* note) {
  printf("{\"peer\":");
  json_string(stdout, peer);
  printf(",\"language\":");
  json_string(stdout, language);
  printf(",\"version\":");
  json_string(stdout, version);
  printf(",\"alg\":");
  json_string(stdout, alg);
  printf(",\"ns_per_op\":%.1f,\"wall_ns_per_op\":%.1f,\"ops\":%llu,\"runs_ns\":[", m->ns_per_op, m->wall_ns_per_op,
         (unsigned long long)m->ops);
  for (int r = 0; r < m->repeats; r++) printf("%s%.1f", r ? "," : "", m->runs[r]);
  printf("],\"checks\":\"ok\"");
  if (note != NULL && *note != '\0') {
    printf(",\"note\":");
    json_string(stdout, note);
  }
  printf("}\n");
  fflush(stdout);
}

static inline void print_unavailable(const char* peer, const char* language, const char* version, const char* alg,
                                     const char* reason) {
  printf("{\"peer\":");
  json_string(stdout, peer);
  printf(",\"language\":");
  json_string(stdout, language);
  printf(",\"version\":");
  json_string(stdout, version);
  printf(",\"alg\":");
  json_string(stdout, alg);
  printf(",\"unavailable\":");
  json_string(stdout, reason);
  printf("}\n");
  fflush(stdout);
}

/* Command line shared by the C runners: DIR [SECONDS [REPEATS]]. */
typedef struct {
  const char* dir;
  double seconds;
  int repeats;
} options;

static inline options parse_options(int argc, char** argv, const char* usage) {
  options o = {NULL, 1.0, 3};
  if (argc < 2 || argc > 4) {
    fprintf(stderr, "usage: %s\n", usage);
    exit(2);
  }
  o.dir = argv[1];
  if (argc > 2) o.seconds = atof(argv[2]);
  if (argc > 3) o.repeats = atoi(argv[3]);
  if (o.seconds <= 0) o.seconds = 1.0;
  return o;
}

#endif /* PEER_COMMON_H_ */
