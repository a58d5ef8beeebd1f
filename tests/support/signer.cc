#include "support/signer.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "base64url/base64url.h"

namespace tokenverify::testing {
namespace {

// Test helpers may throw: a failure here is a broken test setup, and gtest
// reports an escaping exception with its message.
[[noreturn]] void Die(const std::string& what) { throw std::runtime_error("signer: " + what); }

struct AlgInfo {
  enum Family { kHmac, kRsa, kPss, kEc, kEd } family;
  const EVP_MD* (*md)();  // null for EdDSA
  const char* curve;      // EC group or Edwards key type
  int coord_bytes;        // EC coordinate size
};

AlgInfo InfoFor(std::string_view alg) {
  if (alg == "HS256") return {AlgInfo::kHmac, EVP_sha256, nullptr, 0};
  if (alg == "HS384") return {AlgInfo::kHmac, EVP_sha384, nullptr, 0};
  if (alg == "HS512") return {AlgInfo::kHmac, EVP_sha512, nullptr, 0};
  if (alg == "RS256") return {AlgInfo::kRsa, EVP_sha256, nullptr, 0};
  if (alg == "RS384") return {AlgInfo::kRsa, EVP_sha384, nullptr, 0};
  if (alg == "RS512") return {AlgInfo::kRsa, EVP_sha512, nullptr, 0};
  if (alg == "PS256") return {AlgInfo::kPss, EVP_sha256, nullptr, 0};
  if (alg == "PS384") return {AlgInfo::kPss, EVP_sha384, nullptr, 0};
  if (alg == "PS512") return {AlgInfo::kPss, EVP_sha512, nullptr, 0};
  if (alg == "ES256") return {AlgInfo::kEc, EVP_sha256, "P-256", 32};
  if (alg == "ES384") return {AlgInfo::kEc, EVP_sha384, "P-384", 48};
  if (alg == "ES512") return {AlgInfo::kEc, EVP_sha512, "P-521", 66};
  if (alg == "ES256K") return {AlgInfo::kEc, EVP_sha256, "secp256k1", 32};
  if (alg == "EdDSA" || alg == "Ed25519") return {AlgInfo::kEd, nullptr, "ED25519", 0};
  if (alg == "Ed448") return {AlgInfo::kEd, nullptr, "ED448", 0};
  Die("unknown alg " + std::string(alg));
}

std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* p) {
  if (p == nullptr) Die("key generation failed");
  return std::shared_ptr<EVP_PKEY>(p, EVP_PKEY_free);
}

std::string RandomBytes(size_t n) {
  std::string s(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), static_cast<int>(n)) != 1) Die("RAND_bytes");
  return s;
}

TestKey Generate(std::string_view alg, std::string_view kid, int rsa_bits) {
  TestKey k;
  k.alg = std::string(alg);
  k.kid = std::string(kid);
  const AlgInfo info = InfoFor(alg);
  switch (info.family) {
    case AlgInfo::kHmac:
      k.secret = RandomBytes(EVP_MD_get_size(info.md()));
      break;
    case AlgInfo::kRsa:
    case AlgInfo::kPss:
      k.pkey = Own(EVP_RSA_gen(static_cast<unsigned>(rsa_bits)));
      break;
    case AlgInfo::kEc:
      k.pkey = Own(EVP_EC_gen(info.curve));
      break;
    case AlgInfo::kEd:
      k.pkey = Own(EVP_PKEY_Q_keygen(nullptr, nullptr, info.curve));
      break;
  }
  return k;
}

std::string BnParam(const EVP_PKEY* pkey, const char* name, size_t pad_to = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) Die(std::string("no parameter ") + name);
  const size_t n = std::max(pad_to, static_cast<size_t>(BN_num_bytes(bn)));
  std::string out(n, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n));
  BN_free(bn);
  return out;
}

std::string DerToRawEcdsa(const std::string& der, int coord_bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (sig == nullptr) Die("d2i_ECDSA_SIG");
  std::string raw(2 * coord_bytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, coord_bytes);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + coord_bytes, coord_bytes);
  ECDSA_SIG_free(sig);
  return raw;
}

}  // namespace

std::string TestKey::JwsAlg() const { return alg == "Ed448" ? "EdDSA" : alg; }

std::string TestKey::PublicPem(std::string_view form) const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  bool ok = false;
  if (form == "spki") {
    ok = PEM_write_bio_PUBKEY(bio.get(), pkey.get()) == 1;
  } else if (form == "pkcs1") {
    OSSL_ENCODER_CTX* ctx =
        OSSL_ENCODER_CTX_new_for_pkey(pkey.get(), EVP_PKEY_PUBLIC_KEY, "PEM", "type-specific", nullptr);
    ok = ctx != nullptr && OSSL_ENCODER_to_bio(ctx, bio.get()) == 1;
    OSSL_ENCODER_CTX_free(ctx);
  } else if (form == "certificate") {
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("test"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_set_pubkey(cert, pkey.get());
    const bool edwards =
        EVP_PKEY_get_base_id(pkey.get()) == EVP_PKEY_ED25519 || EVP_PKEY_get_base_id(pkey.get()) == EVP_PKEY_ED448;
    ok = X509_sign(cert, pkey.get(), edwards ? nullptr : EVP_sha256()) > 0 && PEM_write_bio_X509(bio.get(), cert) == 1;
    X509_free(cert);
  }
  if (!ok) {
    ADD_FAILURE() << "cannot write " << form << " PEM for " << alg;
    return "";
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string TestKey::PublicJwk(std::string_view extra_members) const {
  const AlgInfo info = InfoFor(alg);
  std::string j = "{";
  switch (info.family) {
    case AlgInfo::kHmac:
      j += R"("kty":"oct","k":")" + B64(secret) + "\"";
      break;
    case AlgInfo::kRsa:
    case AlgInfo::kPss:
      j += R"("kty":"RSA","n":")" + B64(BnParam(pkey.get(), OSSL_PKEY_PARAM_RSA_N)) + R"(","e":")" +
           B64(BnParam(pkey.get(), OSSL_PKEY_PARAM_RSA_E)) + "\"";
      break;
    case AlgInfo::kEc:
      j += R"("kty":"EC","crv":")" + std::string(info.curve) + R"(","x":")" +
           B64(BnParam(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, info.coord_bytes)) + R"(","y":")" +
           B64(BnParam(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, info.coord_bytes)) + "\"";
      break;
    case AlgInfo::kEd: {
      size_t len = 0;
      EVP_PKEY_get_raw_public_key(pkey.get(), nullptr, &len);
      std::string pub(len, '\0');
      if (EVP_PKEY_get_raw_public_key(pkey.get(), reinterpret_cast<unsigned char*>(pub.data()), &len) != 1)
        Die("EVP_PKEY_get_raw_public_key");
      j +=
          R"("kty":"OKP","crv":")" + std::string(alg == "Ed448" ? "Ed448" : "Ed25519") + R"(","x":")" + B64(pub) + "\"";
      break;
    }
  }
  if (!kid.empty()) j += ",\"kid\":" + JsonQuote(kid);
  if (!extra_members.empty()) {
    j += ',';
    j += extra_members;
  }
  return j + "}";
}

TestKey MakeKey(std::string_view alg, std::string_view kid, int rsa_bits) {
  static std::mutex mu;
  static std::map<std::tuple<std::string, std::string, int>, TestKey> cache;
  std::lock_guard<std::mutex> lock(mu);
  // RS* and PS* keys with the same (kid, bits) share one RSA key pair:
  // generation is what makes RSA tests slow, and the key does not depend on
  // the padding or the hash.
  const AlgInfo::Family family = InfoFor(alg).family;
  const bool rsa = family == AlgInfo::kRsa || family == AlgInfo::kPss;
  auto key = std::make_tuple(rsa ? std::string("RSA") : std::string(alg), std::string(kid), rsa ? rsa_bits : 0);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, Generate(alg, kid, rsa_bits)).first;
  TestKey out = it->second;
  out.alg = std::string(alg);
  return out;
}

std::string B64(std::string_view bytes) { return internal::Base64urlEncode(bytes); }

std::string SignRaw(const TestKey& key, std::string_view input) {
  const AlgInfo info = InfoFor(key.alg);
  const auto* msg = reinterpret_cast<const unsigned char*>(input.data());
  if (info.family == AlgInfo::kHmac) {
    unsigned char tag[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (HMAC(info.md(), key.secret.data(), static_cast<int>(key.secret.size()), msg, input.size(), tag, &len) ==
        nullptr)
      Die("HMAC");
    return std::string(reinterpret_cast<char*>(tag), len);
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  if (ctx == nullptr || EVP_DigestSignInit(ctx, &pctx, info.md ? info.md() : nullptr, nullptr, key.pkey.get()) != 1)
    Die("EVP_DigestSignInit");
  if (info.family == AlgInfo::kPss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                                       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
                                       EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, info.md()) != 1))
    Die("PSS parameters");
  size_t len = 0;
  if (EVP_DigestSign(ctx, nullptr, &len, msg, input.size()) != 1) Die("EVP_DigestSign size");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, msg, input.size()) != 1)
    Die("EVP_DigestSign");
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  if (info.family == AlgInfo::kEc) return DerToRawEcdsa(sig, info.coord_bytes);
  return sig;
}

std::string SignJws(const TestKey& key, std::string_view header_json, std::string_view payload_json) {
  std::string input = B64(header_json) + "." + B64(payload_json);
  return input + "." + B64(SignRaw(key, input));
}

std::string SignJwt(const TestKey& key, std::string_view payload_json) {
  std::string header = "{\"alg\":" + JsonQuote(key.JwsAlg()) + ",\"typ\":\"JWT\"";
  if (!key.kid.empty()) header += ",\"kid\":" + JsonQuote(key.kid);
  header += "}";
  return SignJws(key, header, payload_json);
}

std::string Jwks(std::initializer_list<const TestKey*> keys, std::string_view extra_members) {
  std::string out = "{\"keys\":[";
  bool first = true;
  for (const TestKey* k : keys) {
    if (!first) out += ",";
    first = false;
    out += k->PublicJwk(extra_members);
  }
  return out + "]}";
}

std::string VectorsDir() {
  const char* env = std::getenv("TOKENVERIFY_VECTORS");
  std::string dir = (env != nullptr && *env != '\0') ? env : TV_VECTORS_DEFAULT;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    ADD_FAILURE() << "test vectors directory '" << dir << "' does not exist; set "
                  << "TOKENVERIFY_VECTORS to the shared vectors directory (default " << TV_VECTORS_DEFAULT << ")";
  }
  return dir;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return "";
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string PemJson(std::string_view pem) {
  std::string escaped;
  for (char c : pem) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  return "\"" + escaped + "\"";  // PEM has no quote or backslash to escape
}

std::string X509Map(std::initializer_list<const TestKey*> keys) {
  std::string out = "{";
  for (const TestKey* k : keys) {
    if (out.size() > 1) out += ",";
    out += JsonQuote(k->kid) + ":" + PemJson(k->PublicPem("certificate"));
  }
  return out + "}";
}

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace tokenverify::testing
