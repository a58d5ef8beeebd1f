/* tokenverify_driver.c: the tokenverify row and the raw OpenSSL limit of the peer harness.
 *
 *   tokenverify_driver TOKENS_DIR [SECONDS [REPEATS]]
 *
 * For each algorithm of the token set it prints three JSON lines:
 *  - "tokenverify": tv_verify through the C ABI on a verifier built once from
 *    <alg>.tv.json (signature, exp, iss and aud checked; no claims object kept);
 *  - "tokenverify + claims": the same, asking for the decoded claims (as every
 *    other peer returns them) and freeing them;
 *  - "raw OpenSSL": the cheapest way OpenSSL can check the same signature on the
 *    same signing input, with every per-key state prepared beforehand and the
 *    signature already decoded. This is the floor no verifier can go under:
 *      HS256  HMAC-SHA256 from precomputed inner/outer SHA-256 states + CRYPTO_memcmp
 *      RS256  SHA256() + EVP_PKEY_verify on a reused, initialised EVP_PKEY_CTX (PKCS#1 v1.5)
 *      PS256  the same with PSS padding (salt length = digest length)
 *      ES256  the same on a DER signature converted once from the token's r||s
 *      EdDSA  EVP_DigestVerify on one EVP_MD_CTX initialised once (re-initialised per
 *             call only if this OpenSSL refuses to reuse it; the note says which)
 * Before timing, every check is exercised: the good token must pass and each
 * negative token (bad signature, expired, wrong issuer, wrong audience) must fail
 * (the raw limit only checks signatures, so only bad_signature applies to it).
 */
#define _POSIX_C_SOURCE 200809L       /* clock_gettime under -std=c11; before any header */
#define OPENSSL_SUPPRESS_DEPRECATED 1 /* SHA256_Init & co: the lowest-level HMAC there is */

#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "peer_common.h"
#include "tokenverify.h"

/* ---------------------------------------------------------------- tokenverify */

typedef struct {
  tv_verifier* v;
  const uint8_t* token;
  size_t len;
} tv_ctx;

static int tv_op(void* p) {
  tv_ctx* c = p;
  return tv_verify(c->v, NULL, c->token, c->len) == TV_OK;
}

/* The same, keeping the decoded claims as a caller that reads them would. */
static int tv_claims_op(void* p) {
  tv_ctx* c = p;
  tv_claims* claims = NULL;
  int ok = tv_verify(c->v, &claims, c->token, c->len) == TV_OK && claims != NULL;
  tv_claims_free(claims);
  return ok;
}

static void run_tokenverify(const options* o, const char* alg, int reference_only) {
  char low[16], name[64];
  lower_alg(alg, low);
  snprintf(name, sizeof name, "%s.tv.json", low);
  blob config = read_file(o->dir, name, 0);
  tv_ctx c = {NULL, NULL, 0};
  tv_diag diag;
  tv_status s = tv_verifier_new(&c.v, config.data, config.len, &diag);
  if (s != TV_OK) {
    char why[600];
    snprintf(why, sizeof why, "configuration rejected: %s %s %s", tv_status_name(s), diag.field, diag.message);
    print_unavailable("tokenverify", "C", tv_version_string(), alg, why);
    free(config.data);
    return;
  }
  blob token = read_token(o->dir, alg, NULL);
  c.token = (const uint8_t*)token.data;
  c.len = token.len;
  char why[300] = "";
  if ((s = tv_verify(c.v, NULL, c.token, c.len)) != TV_OK) {
    snprintf(why, sizeof why, "good token rejected: %s", tv_status_name(s));
  }
  for (int i = 0; i < kNegativeCount && why[0] == '\0'; i++) {
    blob bad = read_token(o->dir, alg, kNegatives[i]);
    if (tv_verify(c.v, NULL, (const uint8_t*)bad.data, bad.len) == TV_OK) {
      snprintf(why, sizeof why, "%s token accepted", kNegatives[i]);
    }
    free(bad.data);
  }
  static const struct {
    const char* peer;
    op_fn op;
    const char* note;
  } kRows[] = {
      {"tokenverify", tv_op, "tv_verify(v, NULL, ...): no claims object"},
      {"tokenverify + claims", tv_claims_op, "tv_verify(v, &claims, ...) + tv_claims_free: claims kept"},
  };
  for (size_t i = 0; i < (reference_only ? 1 : sizeof kRows / sizeof kRows[0]); i++) {
    if (why[0] != '\0') {
      print_unavailable(kRows[i].peer, "C", tv_version_string(), alg, why);
      continue;
    }
    measurement m = measure(kRows[i].op, &c, o->seconds, o->repeats);
    char note[256];
    snprintf(note, sizeof note, "C ABI from C; %s; base64url kernel %s", kRows[i].note, tv_base64url_implementation());
    if (m.failed) {
      print_unavailable(kRows[i].peer, "C", tv_version_string(), alg, "good token rejected while timing");
    } else {
      print_result(kRows[i].peer, "C", tv_version_string(), alg, &m, note);
    }
  }
  tv_verifier_free(c.v);
  free(token.data);
  free(config.data);
}

/* ---------------------------------------------------------------- raw OpenSSL */

typedef struct {
  const char* alg;
  const unsigned char* input; /* signing input: header.payload */
  size_t input_len;
  unsigned char sig[1024]; /* as the primitive wants it (ES256: DER) */
  size_t sig_len;
  /* HS256 */
  SHA256_CTX inner, outer;
  /* RS256, PS256, ES256 */
  EVP_PKEY_CTX* pkey_ctx;
  /* EdDSA */
  EVP_PKEY* pkey;
  EVP_MD_CTX* md_ctx;
  int reinit_each_call;
} raw_ctx;

static int raw_hs256(void* p) {
  raw_ctx* c = p;
  unsigned char inner[SHA256_DIGEST_LENGTH], mac[SHA256_DIGEST_LENGTH];
  SHA256_CTX h = c->inner;
  SHA256_Update(&h, c->input, c->input_len);
  SHA256_Final(inner, &h);
  h = c->outer;
  SHA256_Update(&h, inner, sizeof inner);
  SHA256_Final(mac, &h);
  return c->sig_len == sizeof mac && CRYPTO_memcmp(mac, c->sig, sizeof mac) == 0;
}

static int raw_pkey(void* p) {
  raw_ctx* c = p;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(c->input, c->input_len, digest);
  return EVP_PKEY_verify(c->pkey_ctx, c->sig, c->sig_len, digest, sizeof digest) == 1;
}

static int raw_eddsa(void* p) {
  raw_ctx* c = p;
  if (c->reinit_each_call && EVP_DigestVerifyInit(c->md_ctx, NULL, NULL, NULL, c->pkey) != 1) {
    return 0;
  }
  return EVP_DigestVerify(c->md_ctx, c->sig, c->sig_len, c->input, c->input_len) == 1;
}

/* Splits |token| into signing input and decoded signature (ES256: r||s -> DER). */
static int raw_load_token(raw_ctx* c, const blob* token) {
  const char* dot = strrchr(token->data, '.');
  if (dot == NULL) return 0;
  c->input = (const unsigned char*)token->data;
  c->input_len = (size_t)(dot - token->data);
  unsigned char raw[1024];
  size_t n = b64url_decode(dot + 1, token->len - c->input_len - 1, raw);
  if (n == (size_t)-1 || n > sizeof raw) return 0;
  if (strcmp(c->alg, "ES256") == 0) {
    if (n != 64) return 0;
    ECDSA_SIG* es = ECDSA_SIG_new();
    BIGNUM* r = BN_bin2bn(raw, 32, NULL);
    BIGNUM* s = BN_bin2bn(raw + 32, 32, NULL);
    if (es == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) return 0;
    unsigned char* der = c->sig;
    int len = i2d_ECDSA_SIG(es, &der);
    ECDSA_SIG_free(es);
    if (len <= 0) return 0;
    c->sig_len = (size_t)len;
  } else {
    memcpy(c->sig, raw, n);
    c->sig_len = n;
  }
  return 1;
}

static int raw_setup(raw_ctx* c, const options* o, const char* alg, char* note, size_t note_len) {
  memset(c, 0, sizeof *c);
  c->alg = alg;
  if (strcmp(alg, "HS256") == 0) {
    blob secret = read_file(o->dir, "hs256.secret", 0);
    unsigned char key[SHA256_CBLOCK] = {0}, pad[SHA256_CBLOCK];
    if (secret.len > sizeof key) {
      SHA256((const unsigned char*)secret.data, secret.len, key);
    } else {
      memcpy(key, secret.data, secret.len);
    }
    free(secret.data);
    for (size_t i = 0; i < sizeof pad; i++) pad[i] = key[i] ^ 0x36;
    SHA256_Init(&c->inner);
    SHA256_Update(&c->inner, pad, sizeof pad);
    for (size_t i = 0; i < sizeof pad; i++) pad[i] = key[i] ^ 0x5c;
    SHA256_Init(&c->outer);
    SHA256_Update(&c->outer, pad, sizeof pad);
    snprintf(note, note_len, "HMAC-SHA256 from precomputed ipad/opad SHA-256 states");
    return 1;
  }
  char low[16], name[64];
  lower_alg(alg, low);
  snprintf(name, sizeof name, "%s.pub.pem", low);
  blob pem = read_file(o->dir, name, 0);
  BIO* bio = BIO_new_mem_buf(pem.data, (int)pem.len);
  EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
  BIO_free(bio);
  free(pem.data);
  if (pkey == NULL) return 0;
  if (strcmp(alg, "EdDSA") == 0) {
    c->pkey = pkey;
    c->md_ctx = EVP_MD_CTX_new();
    if (c->md_ctx == NULL || EVP_DigestVerifyInit(c->md_ctx, NULL, NULL, NULL, pkey) != 1) return 0;
    snprintf(note, note_len, "EVP_DigestVerify on one EVP_MD_CTX initialised once");
    return 1;
  }
  c->pkey_ctx = EVP_PKEY_CTX_new(pkey, NULL);
  EVP_PKEY_free(pkey); /* the context holds its own reference */
  if (c->pkey_ctx == NULL || EVP_PKEY_verify_init(c->pkey_ctx) != 1 ||
      EVP_PKEY_CTX_set_signature_md(c->pkey_ctx, EVP_sha256()) != 1) {
    return 0;
  }
  if (strcmp(alg, "RS256") == 0) {
    if (EVP_PKEY_CTX_set_rsa_padding(c->pkey_ctx, RSA_PKCS1_PADDING) != 1) return 0;
    snprintf(note, note_len, "SHA256() + EVP_PKEY_verify on a reused EVP_PKEY_CTX");
  } else if (strcmp(alg, "PS256") == 0) {
    if (EVP_PKEY_CTX_set_rsa_padding(c->pkey_ctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(c->pkey_ctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(c->pkey_ctx, EVP_sha256()) != 1) {
      return 0;
    }
    snprintf(note, note_len, "SHA256() + EVP_PKEY_verify (PSS) on a reused EVP_PKEY_CTX");
  } else {
    snprintf(note, note_len, "SHA256() + EVP_PKEY_verify on a reused EVP_PKEY_CTX, signature pre-converted to DER");
  }
  return 1;
}

static void raw_free(raw_ctx* c) {
  EVP_PKEY_CTX_free(c->pkey_ctx);
  EVP_MD_CTX_free(c->md_ctx);
  EVP_PKEY_free(c->pkey);
}

static void run_raw(const options* o, const char* alg) {
  const char* peer = "raw OpenSSL";
  const char* version = OpenSSL_version(OPENSSL_VERSION_STRING);
  raw_ctx c;
  char note[200] = "";
  if (!raw_setup(&c, o, alg, note, sizeof note)) {
    print_unavailable(peer, "C", version, alg, "OpenSSL refused the key or context setup");
    raw_free(&c);
    return;
  }
  op_fn op = strcmp(alg, "HS256") == 0 ? raw_hs256 : strcmp(alg, "EdDSA") == 0 ? raw_eddsa : raw_pkey;
  blob bad = read_token(o->dir, alg, "bad_signature");
  blob good = read_token(o->dir, alg, NULL);
  const char* why = NULL;
  if (!raw_load_token(&c, &bad)) {
    why = "cannot decode the bad_signature token";
  } else if (op(&c)) {
    why = "bad signature accepted";
  } else if (!raw_load_token(&c, &good)) {
    why = "cannot decode the token";
  } else if (op == raw_eddsa) {
    /* Can the initialised context be used again? (Ed25519 is one-shot in OpenSSL.) */
    ERR_set_mark();
    int first = op(&c), second = first && op(&c);
    ERR_pop_to_mark();
    if (!second) {
      c.reinit_each_call = 1;
      snprintf(note, sizeof note,
               "EVP_DigestVerifyInit + EVP_DigestVerify per call (this OpenSSL does not reuse the ctx)");
      if (!op(&c)) why = "good signature rejected";
    }
  } else if (!op(&c)) {
    why = "good signature rejected";
  }
  if (why != NULL) {
    print_unavailable(peer, "C", version, alg, why);
  } else {
    measurement m = measure(op, &c, o->seconds, o->repeats);
    if (m.failed) {
      print_unavailable(peer, "C", version, alg, "good signature rejected while timing");
    } else {
      print_result(peer, "C", version, alg, &m, note);
    }
  }
  free(bad.data);
  free(good.data);
  raw_free(&c);
}

/* With TV_PEERS_REFERENCE_ALGS=HS256,RS256 only the "tokenverify" row of those
 * algorithms is measured: run.sh times it right before and right after each
 * runtime package's runner, so that the package is compared with the C ABI
 * measured at the same moment rather than minutes earlier. */
static int wanted_reference_alg(const char* alg) {
  const char* list = getenv("TV_PEERS_REFERENCE_ALGS");
  if (list == NULL) return 1;
  size_t n = strlen(alg);
  for (const char* p = list; (p = strstr(p, alg)) != NULL; p += n) {
    if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  options o = parse_options(argc, argv, "tokenverify_driver TOKENS_DIR [SECONDS [REPEATS]]");
  const int reference_only = getenv("TV_PEERS_REFERENCE_ALGS") != NULL;
  for (int i = 0; i < kAlgCount; i++) {
    if (!wanted_reference_alg(kAlgs[i])) continue;
    run_tokenverify(&o, kAlgs[i], reference_only);
    if (!reference_only) run_raw(&o, kAlgs[i]);
  }
  return 0;
}
