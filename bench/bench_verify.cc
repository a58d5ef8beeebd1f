// Full verification per algorithm through tokenverify::Verifier::Verify (out =
// nullptr, warm verifier, the fixture's ~550-byte signing input), each beside
// the raw OpenSSL operation on the same signing input with the best reuse
// OpenSSL allows:
//   HS*     the SHA-2 hash of the signing input alone (low-level API, stack
//           state: OpenSSL 3's one-shot SHA256() fetches and allocates);
//   RS/PS/ES  low-level SHA-2 digest + EVP_PKEY_verify on one EVP_PKEY_CTX
//           created and parameterised once (padding, salt length, md);
//   EdDSA   EVP_DigestVerify on one EVP_MD_CTX initialised once (re-initialised
//           per call only if this OpenSSL refuses reuse; the label says which).
//           The engine verifies Ed25519 through libsodium (issue 16: target
//           ≤ 0.6× this OpenSSL baseline); verify/EdDSA/raw-libsodium is
//           crypto_sign_verify_detached alone on the same input, for reference.
// The raw side uses a public-only EVP_PKEY re-read from the key's SPKI, like
// the engine's keys parsed from JWKs.
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "bench_util.h"

namespace tvbench {
namespace {

using tokenverify::Status;

constexpr const char* kAlgorithms[] = {"HS256", "HS384", "HS512", "RS256", "PS256", "ES256", "ES384", "EdDSA"};

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// The public half of `key` as its own EVP_PKEY (through DER SubjectPublicKeyInfo).
PkeyPtr PublicOnly(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return nullptr;
  const unsigned char* p = der;
  PkeyPtr pub(d2i_PUBKEY(nullptr, &p, len));
  OPENSSL_free(der);
  return pub;
}

// raw r||s -> DER ECDSA-Sig-Value (done once, outside the timed loop).
std::string RawEcdsaToDer(const std::string& raw) {
  const int half = static_cast<int>(raw.size() / 2);
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(p, half, nullptr);
  BIGNUM* s = BN_bin2bn(p + half, half, nullptr);
  std::string out;
  if (sig != nullptr && r != nullptr && s != nullptr && ECDSA_SIG_set0(sig, r, s) == 1) {
    r = s = nullptr;  // owned by sig now
    unsigned char* der = nullptr;
    const int len = i2d_ECDSA_SIG(sig, &der);
    if (len > 0) out.assign(reinterpret_cast<char*>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
  }
  BN_free(r);
  BN_free(s);
  ECDSA_SIG_free(sig);
  return out;
}

// SHA-2 of `msg` with the hash `bits` names (256, 384 or 512); returns its length.
inline size_t Sha2(int bits, const std::string& msg, unsigned char* md) {
  switch (bits) {
    case 256: {
      SHA256_CTX c;
      SHA256_Init(&c);
      SHA256_Update(&c, msg.data(), msg.size());
      SHA256_Final(md, &c);
      return 32;
    }
    case 384: {
      SHA512_CTX c;
      SHA384_Init(&c);
      SHA384_Update(&c, msg.data(), msg.size());
      SHA384_Final(md, &c);
      return 48;
    }
    default: {
      SHA512_CTX c;
      SHA512_Init(&c);
      SHA512_Update(&c, msg.data(), msg.size());
      SHA512_Final(md, &c);
      return 64;
    }
  }
}

int HashBits(const std::string& alg) { return std::stoi(alg.substr(2)); }

const EVP_MD* MdFor(int bits) { return bits == 256 ? EVP_sha256() : bits == 384 ? EVP_sha384() : EVP_sha512(); }

std::string SizeLabel(const Fixture& f) { return std::to_string(f.signing_input.size()) + "-byte signing input"; }

void BM_Verify(benchmark::State& state, const char* alg) {
  if (const Fixture* f = VerifyLoop(state, alg)) state.SetLabel(SizeLabel(*f));
}

// The fixture for `alg`, or null after marking the benchmark failed.
const Fixture* FixtureOrFail(benchmark::State& state, const char* alg) {
  try {
    return &FixtureFor(alg);
  } catch (const std::exception& e) {
    Fail(state, e.what());
    return nullptr;
  }
}

// HS*: the hash of the signing input alone.
void BM_RawHash(benchmark::State& state, const char* alg) {
  const Fixture* f = FixtureOrFail(state, alg);
  if (f == nullptr) return;
  const int bits = HashBits(f->alg);
  const std::string& msg = f->signing_input;
  unsigned char md[SHA512_DIGEST_LENGTH];
  for (auto _ : state) {
    const size_t n = Sha2(bits, msg, md);
    benchmark::DoNotOptimize(n);
    benchmark::DoNotOptimize(md);
    benchmark::ClobberMemory();
  }
  state.SetLabel("SHA-" + std::to_string(bits) + " of the signing input");
}

// RS/PS/ES's raw operation: digest + EVP_PKEY_verify on a context prepared once.
class RawPkeyVerify {
 public:
  // Prepares the context for the fixture's key and checks that it accepts the
  // fixture's signature; false (and `why`) when it cannot.
  bool Prepare(const Fixture& f, std::string* why) {
    const std::string& a = f.alg;
    bits_ = HashBits(a);
    const EVP_MD* md = MdFor(bits_);
    pub_ = PublicOnly(f.key.pkey.get());
    if (!pub_) return *why = "cannot extract the public key", false;
    ctx_.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, pub_.get(), nullptr));
    bool ok = ctx_ && EVP_PKEY_verify_init(ctx_.get()) == 1 && EVP_PKEY_CTX_set_signature_md(ctx_.get(), md) == 1;
    if (ok && a[0] == 'R') ok = EVP_PKEY_CTX_set_rsa_padding(ctx_.get(), RSA_PKCS1_PADDING) == 1;
    if (ok && a[0] == 'P') {
      ok = EVP_PKEY_CTX_set_rsa_padding(ctx_.get(), RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(ctx_.get(), md) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx_.get(), RSA_PSS_SALTLEN_DIGEST) == 1;
    }
    if (!ok) return *why = "cannot prepare the EVP_PKEY_CTX", false;
    sig_ = a[0] == 'E' ? RawEcdsaToDer(f.signature) : f.signature;
    msg_ = &f.signing_input;
    if (Run() != 1) {
      ERR_clear_error();
      return *why = "raw EVP_PKEY_verify does not accept the fixture signature", false;
    }
    return true;
  }

  // One raw verification: 1 when the signature verifies.
  int Run() {
    unsigned char digest[SHA512_DIGEST_LENGTH];
    const size_t n = Sha2(bits_, *msg_, digest);
    return EVP_PKEY_verify(ctx_.get(), reinterpret_cast<const unsigned char*>(sig_.data()), sig_.size(), digest, n);
  }

  std::string Label() const { return "SHA-" + std::to_string(bits_) + " + EVP_PKEY_verify, ctx reused"; }

 private:
  int bits_ = 256;
  PkeyPtr pub_;
  PkeyCtxPtr ctx_;
  std::string sig_;
  const std::string* msg_ = nullptr;
};

void BM_RawPkeyVerify(benchmark::State& state, const char* alg) {
  const Fixture* f = FixtureOrFail(state, alg);
  if (f == nullptr) return;
  RawPkeyVerify raw;
  if (std::string why; !raw.Prepare(*f, &why)) return Fail(state, why);
  int r = 1;
  for (auto _ : state) {
    r = raw.Run();
    benchmark::DoNotOptimize(r);
  }
  if (r != 1) state.SkipWithError("raw EVP_PKEY_verify failed in the loop");
  state.SetLabel(raw.Label());
}

int64_t MonotonicNs() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

// Paired: tokenverify and the raw operation (HS*: the hash of the signing
// input; RS/PS/ES: RawPkeyVerify) in alternating blocks of kPairBlock calls,
// each iteration one block of each (which goes first alternates). Both sides of a pair run within a few hundred
// microseconds of each other, so what disturbs the machine (another process, a frequency change) disturbs both alike,
// and a preempted block is an outlier that the median of the pairs' ratios leaves out. Reports that median as the
// counter "ratio" (tokenverify / raw), and each side's median ns per call.
constexpr int kPairBlock = 4;

void BM_Paired(benchmark::State& state, const char* alg) {
  const Fixture* f = FixtureOrFail(state, alg);
  if (f == nullptr) return;
  const bool hmac = f->alg[0] == 'H';
  RawPkeyVerify raw;
  if (std::string why; !hmac && !raw.Prepare(*f, &why)) return Fail(state, why);
  const int bits = HashBits(f->alg);
  unsigned char md[SHA512_DIGEST_LENGTH];
  std::vector<double> ratios, ours_ns, raw_ns;
  Status st = Status::OK;
  int r = 1;
  bool ours_first = true;
  for (auto _ : state) {
    auto ours = [&] {
      const int64_t t0 = MonotonicNs();
      for (int i = 0; i < kPairBlock; ++i) st = f->verifier->Verify(f->token);
      return MonotonicNs() - t0;
    };
    auto base = [&] {
      const int64_t t0 = MonotonicNs();
      if (hmac) {
        for (int i = 0; i < kPairBlock; ++i) {
          benchmark::DoNotOptimize(Sha2(bits, f->signing_input, md));
          benchmark::ClobberMemory();
        }
      } else {
        for (int i = 0; i < kPairBlock; ++i) r = raw.Run();
      }
      return MonotonicNs() - t0;
    };
    int64_t a, b;
    if (ours_first) {
      a = ours();
      b = base();
    } else {
      b = base();
      a = ours();
    }
    ours_first = !ours_first;
    ratios.push_back(static_cast<double>(a) / static_cast<double>(b));
    ours_ns.push_back(static_cast<double>(a) / kPairBlock);
    raw_ns.push_back(static_cast<double>(b) / kPairBlock);
  }
  if (st != Status::OK || r != 1) return state.SkipWithError("a verification failed in the loop");
  auto median = [](std::vector<double>& v) {
    if (v.empty()) return 0.0;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  state.counters["ratio"] = median(ratios);
  state.counters["tokenverify_ns"] = median(ours_ns);
  state.counters["raw_ns"] = median(raw_ns);
  state.counters["pairs"] = static_cast<double>(ratios.size());
  state.SetLabel("paired blocks of " + std::to_string(kPairBlock) + ": Verify vs " +
                 (hmac ? "SHA-" + std::to_string(bits) + " of the signing input" : raw.Label()));
}

// EdDSA: EVP_DigestVerify on an EVP_MD_CTX initialised once, if OpenSSL lets it be reused.
void BM_RawEdDsa(benchmark::State& state, const char* alg) {
  const Fixture* f = FixtureOrFail(state, alg);
  if (f == nullptr) return;
  PkeyPtr pub = PublicOnly(f->key.pkey.get());
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!pub || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pub.get()) != 1)
    return Fail(state, "cannot prepare the EVP_MD_CTX");
  const auto* sig = reinterpret_cast<const unsigned char*>(f->signature.data());
  const size_t sig_len = f->signature.size();
  const auto* msg = reinterpret_cast<const unsigned char*>(f->signing_input.data());
  const size_t msg_len = f->signing_input.size();
  if (EVP_DigestVerify(ctx.get(), sig, sig_len, msg, msg_len) != 1) {
    ERR_clear_error();
    return Fail(state, "raw EVP_DigestVerify does not accept the fixture signature");
  }
  // Does a second call on the same context work?
  const bool reuse = EVP_DigestVerify(ctx.get(), sig, sig_len, msg, msg_len) == 1;
  ERR_clear_error();
  int r = 1;
  if (reuse) {
    for (auto _ : state) {
      r = EVP_DigestVerify(ctx.get(), sig, sig_len, msg, msg_len);
      benchmark::DoNotOptimize(r);
    }
  } else {
    for (auto _ : state) {
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pub.get());
      r = EVP_DigestVerify(ctx.get(), sig, sig_len, msg, msg_len);
      benchmark::DoNotOptimize(r);
    }
  }
  if (r != 1) state.SkipWithError("raw EVP_DigestVerify failed in the loop");
  state.SetLabel(reuse ? "EVP_DigestVerify, EVP_MD_CTX reused"
                       : "EVP_DigestVerifyInit + EVP_DigestVerify per call (reuse refused)");
}

// Ed25519: libsodium's crypto_sign_verify_detached alone on the 32-byte public key.
void BM_RawSodiumEdDsa(benchmark::State& state, const char* alg) {
  const Fixture* f = FixtureOrFail(state, alg);
  if (f == nullptr) return;
  unsigned char pk[32];
  size_t pk_len = sizeof pk;
  if (sodium_init() < 0 || EVP_PKEY_get_raw_public_key(f->key.pkey.get(), pk, &pk_len) != 1 || pk_len != sizeof pk ||
      f->signature.size() != crypto_sign_BYTES)
    return Fail(state, "not an Ed25519 fixture, or libsodium cannot start");
  const auto* sig = reinterpret_cast<const unsigned char*>(f->signature.data());
  const auto* msg = reinterpret_cast<const unsigned char*>(f->signing_input.data());
  const size_t msg_len = f->signing_input.size();
  int r = 0;
  for (auto _ : state) {
    r = crypto_sign_verify_detached(sig, msg, msg_len, pk);
    benchmark::DoNotOptimize(r);
  }
  if (r != 0) state.SkipWithError("crypto_sign_verify_detached refused the fixture signature");
  state.SetLabel("crypto_sign_verify_detached (libsodium " + std::string(sodium_version_string()) + ")");
}

}  // namespace

void RegisterVerifyBenchmarks() {
  for (const char* alg : kAlgorithms) {
    const std::string a = alg;
    benchmark::RegisterBenchmark(("verify/" + a + "/tokenverify").c_str(), BM_Verify, alg);
    auto raw = a[0] == 'H' ? BM_RawHash : a == "EdDSA" ? BM_RawEdDsa : BM_RawPkeyVerify;
    benchmark::RegisterBenchmark(("verify/" + a + "/raw-openssl").c_str(), raw, alg);
    if (a == "EdDSA") benchmark::RegisterBenchmark("verify/EdDSA/raw-libsodium", BM_RawSodiumEdDsa, alg);
  }
  for (const char* alg : {"HS256", "RS256", "PS256", "ES256"})
    benchmark::RegisterBenchmark(("verify/" + std::string(alg) + "/paired").c_str(), BM_Paired, alg);
}

}  // namespace tvbench
