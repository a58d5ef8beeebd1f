// base64url: every kernel this CPU can run against the scalar reference
// decoder (Base64urlDecodeScalar), at the segment lengths tokens have:
// 43 (HS256 tag), 86 (ES256 / EdDSA signature), 342 (RS256 signature),
// 684 (RS512 signature) and header/payload sizes around them.
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base64url/base64url.h"
#include "bench_util.h"

namespace tvbench {
namespace {

using tokenverify::internal::Base64urlDecodedLength;
using tokenverify::internal::Base64urlDecodeFn;

constexpr int kLengths[] = {43, 64, 86, 128, 256, 342, 512, 684, 1024, 4096};

// A valid base64url text of exactly `len` characters (len % 4 != 1) that
// decodes to random bytes.
std::string RandomBase64url(size_t len) {
  std::mt19937 rng(static_cast<uint32_t>(len));
  std::string bytes(Base64urlDecodedLength(len), '\0');
  for (char& c : bytes) c = static_cast<char>(rng() & 0xFF);
  return tokenverify::internal::Base64urlEncode(bytes);
}

void BM_Decode(benchmark::State& state, Base64urlDecodeFn decode, size_t len) {
  const std::string input = RandomBase64url(len);
  if (input.size() != len) return Fail(state, "could not build a base64url input of that length");
  // One buffer, the output 16 bytes after the input's end, as two neighbouring
  // heap blocks often lie: a fixed layout (figures do not depend on where
  // malloc put two blocks), and the one where a kernel reading past its input
  // (even masked off) stalls on its own output stores.
  const size_t out_at = (len + 16 + 15) & ~size_t{15};
  std::vector<uint8_t> arena(out_at + Base64urlDecodedLength(len) + tokenverify::internal::kBase64urlOutputSlack + 64);
  uint8_t* const base = arena.data() + (64 - reinterpret_cast<uintptr_t>(arena.data()) % 64) % 64;
  std::memcpy(base, input.data(), len);
  const char* in = reinterpret_cast<const char*>(base);
  uint8_t* dst = base + out_at;
  if (!decode(in, len, dst)) return Fail(state, "the kernel rejects valid input");
  for (auto _ : state) {
    benchmark::DoNotOptimize(in);
    const bool ok = decode(in, len, dst);
    benchmark::DoNotOptimize(ok);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(len));
}

}  // namespace

// Names: base64url/scalar/<len> (the baseline), then base64url/<kernel>/<len>
// for each kernel the CPU supports (the "fallback" kernel is the scalar
// decoder behind the dispatch pointer: a sanity check that reads about 1.0x).
void RegisterBase64urlBenchmarks() {
  for (const int len : kLengths) {
    const auto n = static_cast<size_t>(len);
    benchmark::RegisterBenchmark(("base64url/scalar/" + std::to_string(len)).c_str(), BM_Decode,
                                 &tokenverify::internal::Base64urlDecodeScalar, n);
    for (const auto& k : tokenverify::internal::AllBase64urlKernels()) {
      if (!k.supported()) continue;
      benchmark::RegisterBenchmark(("base64url/" + std::string(k.name) + "/" + std::to_string(len)).c_str(), BM_Decode,
                                   k.decode, n);
    }
  }
}

}  // namespace tvbench
