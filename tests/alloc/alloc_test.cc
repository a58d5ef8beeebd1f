// Heap allocations on the warm success path, counted for real.
//
// Every malloc/calloc/realloc in the process is counted (by interposing the
// allocator, or through the sanitizer's hooks in an ASan build), and OpenSSL's
// own allocations are counted separately through CRYPTO_set_mem_functions.
// The engine's share is the difference. Claims:
//  - HS256/384/512: a warm verify allocates nothing at all;
//  - every algorithm: the engine itself allocates nothing (what remains is
//    inside OpenSSL's public-key primitives, which allocate per operation).
#include <gtest/gtest.h>
#include <openssl/crypto.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "support/signer.h"
#include "tokenverify/verifier.h"

#if defined(__SANITIZE_ADDRESS__)
// From the sanitizer runtime's allocator interface (gcc does not install that header).
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*, size_t),
                                                         void (*free_hook)(const volatile void*));
#endif

namespace {

std::atomic<bool> g_counting{false};
std::atomic<long> g_mallocs{0};
std::atomic<long> g_openssl_mallocs{0};

void CountMalloc() {
  if (g_counting.load(std::memory_order_relaxed)) g_mallocs.fetch_add(1, std::memory_order_relaxed);
}

void* OpensslMalloc(size_t n, const char*, int) {
  if (g_counting.load(std::memory_order_relaxed)) g_openssl_mallocs.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n);
}
void* OpensslRealloc(void* p, size_t n, const char*, int) {
  if (g_counting.load(std::memory_order_relaxed)) g_openssl_mallocs.fetch_add(1, std::memory_order_relaxed);
  return std::realloc(p, n);
}
void OpensslFree(void* p, const char*, int) { std::free(p); }

// Must run before OpenSSL allocates anything.
__attribute__((constructor(101))) void InstallOpensslCounters() {
  if (!CRYPTO_set_mem_functions(OpensslMalloc, OpensslRealloc, OpensslFree)) {
    std::fprintf(stderr, "alloc_test: CRYPTO_set_mem_functions failed\n");
    std::abort();
  }
#if defined(__SANITIZE_ADDRESS__)
  __sanitizer_install_malloc_and_free_hooks([](const volatile void*, size_t) { CountMalloc(); },
                                            [](const volatile void*) {});
#endif
}

}  // namespace

#if !defined(__SANITIZE_ADDRESS__)
// Interpose the C allocator for the whole process (libstdc++'s operator new,
// simdjson and OpenSSL all end up here).
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void __libc_free(void*);
void* malloc(size_t n) {
  CountMalloc();
  return __libc_malloc(n);
}
void* calloc(size_t a, size_t b) {
  CountMalloc();
  return __libc_calloc(a, b);
}
void* realloc(void* p, size_t n) {
  CountMalloc();
  return __libc_realloc(p, n);
}
void free(void* p) { __libc_free(p); }
}
#endif

namespace tokenverify {
namespace {

struct Counts {
  long total;
  long openssl;
};

Counts CountDuring(const std::function<void()>& fn) {
  g_mallocs = 0;
  g_openssl_mallocs = 0;
  g_counting = true;
  fn();
  g_counting = false;
  return {g_mallocs.load(), g_openssl_mallocs.load()};
}

class WarmVerify : public ::testing::TestWithParam<const char*> {};

TEST_P(WarmVerify, AllocatesNothingOfItsOwn) {
  using testing::MakeKey;
  const auto key = MakeKey(GetParam(), "k");
  const std::string config =
      R"({"now":1800000000,"requiredClaims":["exp"],"providers":[{"issuer":"https://issuer.example","audiences":["my-api"],)"
      R"("algorithms":[")" +
      key.JwsAlg() +
      R"("],)"  // ES256K is allowed only when listed
      R"("jwks":{"local":{"inline":)" +
      testing::JsonQuote(testing::Jwks({&key})) + "}}}]}";
  Error err;
  auto v = Verifier::Create(config, &err);
  ASSERT_TRUE(v.ok()) << err.message;
  const std::string token = testing::SignJwt(
      key,
      R"({"iss":"https://issuer.example","sub":"alice","aud":["other","my-api"],"exp":1800003600,"team":"dev","nested":{"a":[1,2,{"b":null}]}})");
  // Warm up: per-thread scratch memory grows on first use only.
  for (int i = 0; i < 3; ++i) ASSERT_EQ((*v)->Verify(token), Status::OK);

  constexpr int kRuns = 100;
  Status last = Status::OK;
  const Counts c = CountDuring([&] {
    for (int i = 0; i < kRuns; ++i) last = (*v)->Verify(token);
  });
  ASSERT_EQ(last, Status::OK);
  std::printf("%-6s %d verifications: %ld allocations, %ld of them inside OpenSSL\n", GetParam(), kRuns, c.total,
              c.openssl);
  EXPECT_EQ(c.total - c.openssl, 0) << "the engine allocated on the warm success path";
  if (std::string_view(GetParam()).starts_with("HS")) {
    EXPECT_EQ(c.total, 0) << "HMAC verification must not allocate at all";
  }
}

INSTANTIATE_TEST_SUITE_P(Alloc, WarmVerify,
                         ::testing::Values("HS256", "HS384", "HS512", "RS256", "PS256", "ES256", "ES384", "ES256K",
                                           "EdDSA", "Ed25519"));

// A token-cache hit allocates nothing, with or without claims, and with a
// non-empty revocation list to consult.
TEST(Alloc, ATokenCacheHitAllocatesNothing) {
  using testing::MakeKey;
  const auto key = MakeKey("RS256", "k");
  const std::string config =
      R"({"now":1800000000,"tokenCache":{"maxEntries":64},"providers":[{"jwks":{"local":{"inline":)" +
      testing::JsonQuote(testing::Jwks({&key})) + "}}}]}";
  Error err;
  auto v = Verifier::Create(config, &err);
  ASSERT_TRUE(v.ok()) << err.message;
  ASSERT_EQ((*v)->Revoke("another-token", 1800003600), Status::OK);
  const std::string token = testing::SignJwt(key, R"({"sub":"alice","jti":"mine","exp":1800003600})");
  VerifiedToken out;
  for (int i = 0; i < 3; ++i) ASSERT_EQ((*v)->Verify(token, &out), Status::OK);  // the miss, then warm hits
  Status last = Status::OK;
  const Counts c = CountDuring([&] {
    for (int i = 0; i < 100; ++i) {
      last = (*v)->Verify(token);
      if (last == Status::OK) last = (*v)->Verify(token, &out);
    }
  });
  ASSERT_EQ(last, Status::OK);
  EXPECT_EQ(out.subject, "alice");
  EXPECT_EQ(c.total, 0) << "a cache hit allocated";
}

TEST(Alloc, CounterWorks) {
  // Guards against a counter that silently counts nothing.
  const Counts c = CountDuring([] {
    void* volatile p = std::malloc(64);
    std::free(p);
    auto* q = new std::string(100, 'x');
    asm volatile("" : : "r"(q) : "memory");  // clang may otherwise elide a new/delete pair
    delete q;
  });
  EXPECT_GE(c.total, 2);
}

}  // namespace
}  // namespace tokenverify
