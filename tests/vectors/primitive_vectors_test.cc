// The Wycheproof primitive vectors (ECDSA P1363, RSA PKCS#1 v1.5, RSA-PSS,
// EdDSA, HMAC, and the public JWKs of the ECDH WebCrypto files) run through
// ParseJwk + Key::CheckUsableFor + Key::Verify, exactly as the verifier uses
// them. Each file prints its counts; deviations live in deviations.txt.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "keys/key.h"
#include "support/signer.h"
#include "vectors/vectors_util.h"

namespace tokenverify::internal {
namespace {

namespace dom = simdjson::dom;
using testing::B64;
using testing::Expect;
using testing::ExpectOf;
using testing::FileRun;
using testing::HexDecode;
using testing::IntOr;
using testing::JsonText;
using testing::StrOr;

std::span<const uint8_t> S(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// A key loaded from a JWK, or why it could not be.
struct LoadedKey {
  std::unique_ptr<Key> key;
  std::string why;  // non-empty when key is null
};

LoadedKey LoadJwk(const std::string& jwk) {
  LoadedKey out;
  Error err;
  auto r = ParseJwk(jwk, &err);
  if (!r.ok()) {
    out.why = std::string(StatusName(r.status())) + ": " + err.message;
  } else if (r.value() == nullptr) {
    out.why = "skipped by the parser";
  } else {
    out.key = std::move(r).value();
  }
  return out;
}

// What the verifier does with one signature: usable key and a good signature.
bool Accepts(const LoadedKey& k, Alg alg, const std::string& msg, const std::string& sig) {
  return k.key != nullptr && k.key->CheckUsableFor(alg) == Status::OK &&
         k.key->Verify(alg, S(msg), S(sig)) == Status::OK;
}

// Left-pads (or strips leading zeros from) a big-endian integer to n bytes.
std::string FixedWidth(std::string v, size_t n) {
  while (v.size() > n && v[0] == '\0') v.erase(0, 1);
  if (v.size() < n) v.insert(0, n - v.size(), '\0');
  return v;
}

std::string StripZeros(std::string v) {
  while (!v.empty() && v[0] == '\0') v.erase(0, 1);
  return v;
}

// The vector's comment and flags, then `extra`, then why the key did not load.
std::string What(dom::element test, const LoadedKey& key, std::string_view extra = "") {
  std::string s(StrOr(test, "comment"));
  s += ' ';
  s += JsonText(test["flags"].value_unsafe());
  if (!extra.empty()) {
    s += ' ';
    s += extra;
  }
  if (key.key == nullptr) {
    s += " [key: ";
    s += key.why;
    s += ']';
  }
  return s;
}

// ---------------------------------------------------------------- ECDSA

struct EcCurveInfo {
  std::string_view wycheproof, jwk;
  size_t coord;
};
constexpr EcCurveInfo kEcCurves[] = {
    {"secp256r1", "P-256", 32}, {"secp384r1", "P-384", 48}, {"secp521r1", "P-521", 66}, {"secp256k1", "secp256k1", 32}};

// ES256/384/512 exist only as P-256+SHA-256, P-384+SHA-384, P-521+SHA-512,
// and ES256K (RFC 8812) as secp256k1+SHA-256.
bool EcdsaAlg(std::string_view crv, std::string_view sha, Alg* alg) {
  if (crv == "P-256" && sha == "SHA-256")
    *alg = Alg::kES256;
  else if (crv == "P-384" && sha == "SHA-384")
    *alg = Alg::kES384;
  else if (crv == "P-521" && sha == "SHA-512")
    *alg = Alg::kES512;
  else if (crv == "secp256k1" && sha == "SHA-256")
    *alg = Alg::kES256K;
  else
    return false;
  return true;
}

// The WebCrypto files name secp256k1 "P-256K", an early draft's name; RFC 8812
// registered "secp256k1", the only name a JWK may use for it.
void RenameDraftSecp256k1(std::string* jwk, std::string* crv) {
  if (*crv != "P-256K") return;
  *crv = "secp256k1";
  const size_t at = jwk->find("\"P-256K\"");
  if (at != std::string::npos) jwk->replace(at, 8, "\"secp256k1\"");
}

void RunEcdsa(const testing::VectorFile& f, FileRun& run) {
  for (dom::element g : f.root["testGroups"].get_array()) {
    std::string jwk, crv;
    dom::element j;
    if (g["publicKeyJwk"].get(j) == simdjson::SUCCESS || g["jwk"].get(j) == simdjson::SUCCESS) {
      jwk = JsonText(j);
      crv = std::string(StrOr(j, "crv"));
    } else {  // a few v1 groups carry only the raw point
      dom::element pk = g["publicKey"].value_unsafe();
      for (const auto& c : kEcCurves) {
        if (c.wycheproof != StrOr(pk, "curve")) continue;
        crv = std::string(c.jwk);
        jwk = R"({"kty":"EC","crv":")" + crv + R"(","x":")" + B64(FixedWidth(HexDecode(StrOr(pk, "wx")), c.coord)) +
              R"(","y":")" + B64(FixedWidth(HexDecode(StrOr(pk, "wy")), c.coord)) + "\"}";
      }
    }
    RenameDraftSecp256k1(&jwk, &crv);
    const std::string sha(StrOr(g, "sha"));
    Alg alg = Alg::kES256;
    const bool expressible = !jwk.empty() && EcdsaAlg(crv, sha, &alg);
    LoadedKey key;
    if (expressible) key = LoadJwk(jwk);
    for (dom::element t : g["tests"].get_array()) {
      const int64_t id = IntOr(t, "tcId");
      if (!expressible) {
        run.Skip(id, "curve " + crv + " with " + sha + " has no JWS alg");
        continue;
      }
      const bool ok = Accepts(key, alg, HexDecode(StrOr(t, "msg")), HexDecode(StrOr(t, "sig")));
      run.Check(id, ExpectOf(StrOr(t, "result")), ok, {}, What(t, key));
    }
  }
}

// ---------------------------------------------------------------- RSA

bool ShaBits(std::string_view sha, int* bits) {
  if (sha == "SHA-256")
    *bits = 256;
  else if (sha == "SHA-384")
    *bits = 384;
  else if (sha == "SHA-512")
    *bits = 512;
  else
    return false;
  return true;
}

std::string RsaJwkFromGroup(dom::element g) {
  dom::element j;
  if (g["publicKeyJwk"].get(j) == simdjson::SUCCESS || g["keyJwk"].get(j) == simdjson::SUCCESS) return JsonText(j);
  dom::element pk = g["publicKey"].value_unsafe();
  return R"({"kty":"RSA","n":")" + B64(StripZeros(HexDecode(StrOr(pk, "modulus")))) + R"(","e":")" +
         B64(StripZeros(HexDecode(StrOr(pk, "publicExponent")))) + "\"}";
}

void RunRsaPkcs1(const testing::VectorFile& f, FileRun& run) {
  for (dom::element g : f.root["testGroups"].get_array()) {
    const std::string sha(StrOr(g, "sha"));
    int bits = 0;
    const bool expressible = ShaBits(sha, &bits);
    const Alg alg = bits == 256 ? Alg::kRS256 : bits == 384 ? Alg::kRS384 : Alg::kRS512;
    LoadedKey key;
    if (expressible) key = LoadJwk(RsaJwkFromGroup(g));
    const std::vector<std::string> rules = {"rsa-key-" + std::to_string(IntOr(g, "keySize"))};
    for (dom::element t : g["tests"].get_array()) {
      const int64_t id = IntOr(t, "tcId");
      if (!expressible) {
        run.Skip(id, "RSASSA-PKCS1-v1_5 with " + sha + " has no JWS alg");
        continue;
      }
      const bool ok = Accepts(key, alg, HexDecode(StrOr(t, "msg")), HexDecode(StrOr(t, "sig")));
      run.Check(id, ExpectOf(StrOr(t, "result")), ok, rules, What(t, key));
    }
  }
}

void RunRsaPss(const testing::VectorFile& f, FileRun& run) {
  for (dom::element g : f.root["testGroups"].get_array()) {
    const std::string sha(StrOr(g, "sha")), mgf_sha(StrOr(g, "mgfSha")), mgf(StrOr(g, "mgf"));
    const int64_t salt = IntOr(g, "sLen");
    int bits = 0;
    const bool expressible = ShaBits(sha, &bits);
    const Alg alg = bits == 256 ? Alg::kPS256 : bits == 384 ? Alg::kPS384 : Alg::kPS512;
    // PS256/384/512 fix MGF1 on the message hash and a salt of hash length:
    // other parameter sets must not verify as PS*, whatever the file says.
    const bool jws_params = mgf == "MGF1" && mgf_sha == sha && salt == bits / 8;
    const std::string params = sha + " MGF1-" + mgf_sha + " sLen " + std::to_string(salt);
    LoadedKey key;
    if (expressible) key = LoadJwk(RsaJwkFromGroup(g));
    const std::vector<std::string> rules = {"rsa-key-" + std::to_string(IntOr(g, "keySize"))};
    for (dom::element t : g["tests"].get_array()) {
      const int64_t id = IntOr(t, "tcId");
      if (!expressible) {
        run.Skip(id, "RSASSA-PSS on " + sha + " has no JWS alg");
        continue;
      }
      Expect expect = ExpectOf(StrOr(t, "result"));
      if (!jws_params && expect != Expect::kInvalid) {
        run.Remap(
            "valid only with its own PSS parameters (MGF1 hash or salt length differ), "
            "so invalid as PS" +
            std::to_string(bits));
        expect = Expect::kInvalid;
      }
      const bool ok = Accepts(key, alg, HexDecode(StrOr(t, "msg")), HexDecode(StrOr(t, "sig")));
      run.Check(id, expect, ok, rules, What(t, key, params));
    }
  }
}

// ---------------------------------------------------------------- EdDSA

void RunEddsa(const testing::VectorFile& f, FileRun& run) {
  for (dom::element g : f.root["testGroups"].get_array()) {
    dom::element j;
    std::string jwk;
    if (g["publicKeyJwk"].get(j) == simdjson::SUCCESS || g["jwk"].get(j) == simdjson::SUCCESS) jwk = JsonText(j);
    const LoadedKey key = LoadJwk(jwk);
    for (dom::element t : g["tests"].get_array()) {
      const bool ok = Accepts(key, Alg::kEdDSA, HexDecode(StrOr(t, "msg")), HexDecode(StrOr(t, "sig")));
      run.Check(IntOr(t, "tcId"), ExpectOf(StrOr(t, "result")), ok, {}, What(t, key));
    }
  }
}

// ---------------------------------------------------------------- HMAC

void RunHmac(const testing::VectorFile& f, FileRun& run, Alg alg, int hash_bits) {
  for (dom::element g : f.root["testGroups"].get_array()) {
    const int64_t key_bits = IntOr(g, "keySize"), tag_bits = IntOr(g, "tagSize");
    std::vector<std::string> rules;
    if (key_bits < 256) rules.push_back("key-under-32-bytes");
    if (key_bits < hash_bits) rules.push_back("key-shorter-than-hash");
    for (dom::element t : g["tests"].get_array()) {
      const int64_t id = IntOr(t, "tcId");
      Expect expect = ExpectOf(StrOr(t, "result"));
      if (tag_bits != hash_bits && expect != Expect::kInvalid) {
        // RFC 7518 3.2: the JWS HMAC signature is the full hash output.
        run.Remap("truncated " + std::to_string(tag_bits) + "-bit tag, never valid for JWS");
        expect = Expect::kInvalid;
      }
      const LoadedKey key = LoadJwk(R"({"kty":"oct","k":")" + B64(HexDecode(StrOr(t, "key"))) + "\"}");
      const bool ok = Accepts(key, alg, HexDecode(StrOr(t, "msg")), HexDecode(StrOr(t, "tag")));
      run.Check(id, expect, ok, rules,
                What(t, key, "key " + std::to_string(key_bits) + " bits, tag " + std::to_string(tag_bits)));
    }
  }
}

// ---------------------------------------------------------------- ECDH public JWKs

void RunEcdhPublicJwks(const testing::VectorFile& f, FileRun& run) {
  const std::string file_curve(StrOr(f.root["testGroups"].at(0).value_unsafe(), "curve"));
  for (dom::element g : f.root["testGroups"].get_array()) {
    for (dom::element t : g["tests"].get_array()) {
      dom::element pub = t["public"].value_unsafe();
      std::vector<std::string> rules;
      // A valid key on another curve: invalid for ECDH with this file's private key, but a
      // perfectly good JWK on its own.
      if (StrOr(pub, "crv") != file_curve) rules.push_back("other-curve");
      const LoadedKey key = LoadJwk(JsonText(pub));
      run.Check(IntOr(t, "tcId"), ExpectOf(StrOr(t, "result")), key.key != nullptr, rules, What(t, key));
    }
  }
}

// ---------------------------------------------------------------- the files

struct VectorCase {
  const char* path;  // under the vectors directory
  void (*run)(const testing::VectorFile&, FileRun&);
};

void RunHs256(const testing::VectorFile& f, FileRun& r) { RunHmac(f, r, Alg::kHS256, 256); }
void RunHs384(const testing::VectorFile& f, FileRun& r) { RunHmac(f, r, Alg::kHS384, 384); }
void RunHs512(const testing::VectorFile& f, FileRun& r) { RunHmac(f, r, Alg::kHS512, 512); }

const VectorCase kCases[] = {
    {"wycheproof/testvectors_v1/ecdsa_secp256r1_sha256_p1363_test.json", RunEcdsa},
    {"wycheproof/testvectors_v1/ecdsa_secp384r1_sha384_p1363_test.json", RunEcdsa},
    {"wycheproof/testvectors_v1/ecdsa_secp521r1_sha512_p1363_test.json", RunEcdsa},
    {"wycheproof/testvectors_legacy/ecdsa_webcrypto_test.json", RunEcdsa},
    {"wycheproof/testvectors_v1/rsa_signature_2048_sha256_test.json", RunRsaPkcs1},
    {"wycheproof/testvectors_v1/rsa_signature_2048_sha384_test.json", RunRsaPkcs1},
    {"wycheproof/testvectors_v1/rsa_signature_2048_sha512_test.json", RunRsaPkcs1},
    {"wycheproof/testvectors_v1/rsa_signature_3072_sha256_test.json", RunRsaPkcs1},
    {"wycheproof/testvectors_v1/rsa_signature_3072_sha384_test.json", RunRsaPkcs1},
    {"wycheproof/testvectors_v1/rsa_signature_3072_sha512_test.json", RunRsaPkcs1},
    {"wycheproof/testvectors_v1/rsa_signature_4096_sha256_test.json", RunRsaPkcs1},
    {"wycheproof/testvectors_v1/rsa_signature_4096_sha384_test.json", RunRsaPkcs1},
    {"wycheproof/testvectors_v1/rsa_signature_4096_sha512_test.json", RunRsaPkcs1},
    {"wycheproof/testvectors_v1/rsa_pss_2048_sha256_mgf1_32_test.json", RunRsaPss},
    {"wycheproof/testvectors_v1/rsa_pss_3072_sha256_mgf1_32_test.json", RunRsaPss},
    {"wycheproof/testvectors_v1/rsa_pss_4096_sha256_mgf1_32_test.json", RunRsaPss},
    {"wycheproof/testvectors_v1/rsa_pss_2048_sha384_mgf1_48_test.json", RunRsaPss},
    {"wycheproof/testvectors_v1/rsa_pss_4096_sha384_mgf1_48_test.json", RunRsaPss},
    {"wycheproof/testvectors_v1/rsa_pss_4096_sha512_mgf1_64_test.json", RunRsaPss},
    {"wycheproof/testvectors_v1/rsa_pss_misc_test.json", RunRsaPss},
    {"wycheproof/testvectors_v1/ed25519_test.json", RunEddsa},
    {"wycheproof/testvectors_v1/ed448_test.json", RunEddsa},
    {"wycheproof/testvectors_legacy/eddsa_test.json", RunEddsa},
    {"wycheproof/testvectors_v1/hmac_sha256_test.json", RunHs256},
    {"wycheproof/testvectors_v1/hmac_sha384_test.json", RunHs384},
    {"wycheproof/testvectors_v1/hmac_sha512_test.json", RunHs512},
    {"wycheproof/testvectors_v1/ecdh_secp256r1_webcrypto_test.json", RunEcdhPublicJwks},
    {"wycheproof/testvectors_v1/ecdh_secp384r1_webcrypto_test.json", RunEcdhPublicJwks},
    {"wycheproof/testvectors_v1/ecdh_secp521r1_webcrypto_test.json", RunEcdhPublicJwks},
};

class PrimitiveVectors : public ::testing::TestWithParam<VectorCase> {};

TEST_P(PrimitiveVectors, File) {
  const testing::VectorFile f = testing::LoadVectorFile(GetParam().path);
  ASSERT_TRUE(f.ok);
  FileRun run(f.name);
  GetParam().run(f, run);
  // The file's own count, so that no test is silently dropped.
  const int64_t declared = IntOr(f.root, "numberOfTests");
  int64_t walked = 0;
  for (dom::element g : f.root["testGroups"].get_array()) walked += g["tests"].get_array().size();
  EXPECT_EQ(walked, declared) << f.name;
}

std::string CaseName(const ::testing::TestParamInfo<VectorCase>& info) {
  std::string name = info.param.path;
  name = name.substr(name.find_last_of('/') + 1);
  name = name.substr(0, name.find(".json"));
  for (char& c : name) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Wycheproof, PrimitiveVectors, ::testing::ValuesIn(kCases), CaseName);

}  // namespace
}  // namespace tokenverify::internal
