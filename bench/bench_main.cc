// tv_bench's main: says what it runs on (the active base64url kernel, every
// kernel and whether this CPU supports it, CPU features, OpenSSL) on stderr
// and in the benchmark context (console header and JSON "context"), then runs
// the suites with Google Benchmark's usual flags.
#include <openssl/crypto.h>
#include <simdjson.h>

#include <cstdio>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "base64url/base64url.h"
#include "bench_util.h"

namespace {

namespace ti = tokenverify::internal;

std::string CpuFeatures() {
  std::string s;
  auto add = [&](const char* name, bool on) {
    if (!s.empty()) s += ' ';
    s += name;
    s += on ? "=yes" : "=no";
  };
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  add("avx2", __builtin_cpu_supports("avx2"));
  add("avx512f", __builtin_cpu_supports("avx512f"));
  add("avx512bw", __builtin_cpu_supports("avx512bw"));
  add("avx512vbmi", __builtin_cpu_supports("avx512vbmi"));
  // SHA extensions: CPUID.(EAX=7, ECX=0):EBX bit 29.
  unsigned a = 0, b = 0, c = 0, d = 0;
  const bool leaf7 = __get_cpuid_count(7, 0, &a, &b, &c, &d) != 0;
  add("sha-ni", leaf7 && (b & (1u << 29)) != 0);
#elif defined(__aarch64__)
  add("neon", true);
#else
  s = "unknown architecture";
#endif
  return s;
}

std::string Kernels(bool supported) {
  std::string s;
  for (const auto& k : ti::AllBase64urlKernels()) {
    if (k.supported() != supported) continue;
    if (!s.empty()) s += ", ";
    s += std::string(k.name) + " (" + std::string(k.description) + ")";
  }
  return s.empty() ? "none" : s;
}

void Describe() {
  const auto& active = ti::ActiveBase64urlKernel();
  const std::pair<const char*, std::string> items[] = {
      {"tv_base64url_kernel", std::string(active.name) + " (" + std::string(active.description) + ")"},
      {"tv_base64url_kernels_supported", Kernels(true)},
      {"tv_base64url_kernels_unsupported", Kernels(false)},
      {"tv_cpu_features", CpuFeatures()},
      // The On-Demand front end is compiled into the caller for the kernel its
      // compiler flags allow (SIMDJSON_BUILTIN_IMPLEMENTATION), whatever the CPU
      // supports; this is tv_bench's, which has the core's flags unless the core
      // target adds its own.
      {"tv_simdjson", "runtime kernel " + std::string(simdjson::get_active_implementation()->name()) +
                          ", On-Demand compiled for " SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION)},
      {"tv_openssl", OpenSSL_version(OPENSSL_VERSION)},
      {"tv_openssl_cpuinfo", OpenSSL_version(OPENSSL_CPU_INFO)},
  };
  for (const auto& [key, value] : items) {
    std::fprintf(stderr, "%-34s %s\n", key, value.c_str());
    benchmark::AddCustomContext(key, value);
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Describe();
  tvbench::RegisterBase64urlBenchmarks();
  tvbench::RegisterJsonBenchmarks();
  tvbench::RegisterVerifyBenchmarks();
  tvbench::RegisterRejectBenchmarks();
  tvbench::RegisterThreadBenchmarks();
  tvbench::RegisterBatchBenchmarks();
  tvbench::RegisterRefreshBenchmarks();
  tvbench::RegisterRequestBenchmarks();
  tvbench::RegisterAuthenticateBenchmarks();
  tvbench::RegisterTokenCacheBenchmarks();
  tvbench::RegisterRevocationRedisBenchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
