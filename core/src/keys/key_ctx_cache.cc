// A small per-thread cache of prepared OpenSSL verification contexts.
//
// Why: building an EVP_PKEY_CTX for every token costs an allocation, a
// provider lookup and parameter setting, and it bumps the EVP_PKEY's reference
// count, an atomic write to a cache line that every verifying thread shares.
// A warm thread instead reuses the context it prepared the first time it saw
// a (key, alg) pair.
//
// Entries are keyed by the key's process-unique id (never by its address,
// which a later key may reuse after the first is freed). A context holds a
// reference to its EVP_PKEY (for RSA, the thread's own copy: see key_rsa.cc), so a key dropped from a key set stays
// alive in a thread's cache until that entry is evicted (least recently used first) or the thread exits; the cache is
// small, so this is bounded by kSlots keys per thread. Evicted and thread-exit entries are freed.
#include <openssl/evp.h>

#include "keys/key_impl.h"

namespace tokenverify::internal {
namespace {

class VerifyCtxCache {
 public:
  static constexpr int kSlots = 16;

  ~VerifyCtxCache() {
    for (Slot& s : slots_) FreeVerifyCtx(&s.ctx);
  }

  VerifyCtx* Get(uint64_t key_id, Alg alg, EVP_PKEY* pkey, VerifyCtxInit init) noexcept {
    ++clock_;
    // A thread mostly sees one key again and again: try the last hit first.
    if (Slot& last = *last_; last.key_id == key_id && last.alg == alg) {
      last.last_use = clock_;
      return &last.ctx;
    }
    Slot* victim = &slots_[0];
    for (Slot& s : slots_) {
      if (s.key_id == key_id && s.alg == alg) {
        s.last_use = clock_;
        last_ = &s;
        return &s.ctx;
      }
      if (s.last_use < victim->last_use) victim = &s;  // empty slots have last_use 0
    }
    VerifyCtx fresh;
    if (!init(pkey, alg, &fresh)) {
      FreeVerifyCtx(&fresh);
      return nullptr;
    }
    FreeVerifyCtx(&victim->ctx);
    victim->ctx = fresh;
    victim->key_id = key_id;
    victim->alg = alg;
    victim->last_use = clock_;
    last_ = victim;
    return &victim->ctx;
  }

 private:
  struct Slot {
    uint64_t key_id = 0;  // 0: empty (ids start at 1)
    Alg alg = Alg::kHS256;
    uint64_t last_use = 0;
    VerifyCtx ctx;
  };
  Slot slots_[kSlots];
  Slot* last_ = &slots_[0];  // the slot of the last hit or fill
  uint64_t clock_ = 0;
};

}  // namespace

void FreeVerifyCtx(VerifyCtx* ctx) noexcept {
  EVP_MD_CTX_free(ctx->md_ctx);  // also frees the EVP_PKEY_CTX it owns
  EVP_PKEY_CTX_free(ctx->pkey_ctx);
  ctx->md_ctx = nullptr;
  ctx->pkey_ctx = nullptr;
}

VerifyCtx* CachedVerifyCtx(uint64_t key_id, Alg alg, EVP_PKEY* pkey, VerifyCtxInit init) noexcept {
  thread_local VerifyCtxCache cache;
  return cache.Get(key_id, alg, pkey, init);
}

}  // namespace tokenverify::internal
