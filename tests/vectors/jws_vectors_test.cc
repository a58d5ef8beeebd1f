// The JWS vectors, each key set configured as a provider's inline key set
// and every token run through Verify's own pipeline (Verifier::VerifySignature:
// the same steps in the same order, with the payload taken as opaque bytes,
// since most of these payloads are not JSON; a JSON-object payload gets the
// same answer from Verify itself, JsonPayloadsGetTheSameAnswerFromVerify):
//  - Wycheproof's JSON Web Signature, JSON Web Key and JSON Web Crypto files
//    (suite JwsVectors), with the outcomes they disagree on listed in
//    tests/vectors/jws_deviations.txt;
//  - RFC 7515 Appendix A, the RFC 7520 cookbook (with RFC 8037's Ed25519
//    example) and RFC 7797's unencoded-payload examples (suite CookbookVectors).
// Set TV_VECTORS_VERBOSE=1 to print the status returned for every rejected vector.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base64url/base64url.h"
#include "keys/key.h"
#include "support/key_set_verifier.h"
#include "support/signer.h"
#include "vectors/vectors_util.h"
#include "verify/verifier_testing.h"

namespace tokenverify::internal {
namespace {

namespace dom = simdjson::dom;
using testing::Expect;
using testing::ExpectName;
using testing::ExpectOf;
using testing::Has;
using testing::IntOr;
using testing::JsonText;
using testing::StrOr;

// Room for the few keys a vector's key set holds.
constexpr size_t kMaxKeysWithoutKid = 4;

bool Verbose() {
  const char* v = std::getenv("TV_VECTORS_VERBOSE");
  return v != nullptr && *v != '\0' && std::string_view(v) != "0";
}

bool HasFlag(dom::element test, std::string_view flag) {
  dom::array flags;
  if (test["flags"].get_array().get(flags) != simdjson::SUCCESS) return false;
  for (dom::element f : flags) {
    std::string_view s;
    if (f.get_string().get(s) == simdjson::SUCCESS && s == flag) return true;
  }
  return false;
}

// ------------------------------------------------------------ key sets

// A verifier of a key set given as JWK text, or the status that refused it.
// A refused set is the verifier's rejection of every token checked against
// it. A set refuses itself only for structural problems or when no key is
// usable; an unusable key beside usable ones is skipped, and a token naming
// it is refused with its status (KeysBesideAUsableKeyAreRefusedPerToken).
struct LoadedSet {
  std::shared_ptr<const Verifier> verifier;
  Status status = Status::OK;
  std::string message;
};

LoadedSet LoadKeySet(const std::string& json) {
  LoadedSet out;
  Error err;
  out.verifier = testing::KeySetVerifier(json, &err, kMaxKeysWithoutKid);
  if (out.verifier == nullptr) {
    out.status = err.status;
    out.message = err.message;
  }
  return out;
}

Status Verify(const LoadedSet& set, std::string_view token) {
  if (set.verifier == nullptr) return set.status;
  return set.verifier->VerifySignature(token);
}

// True when `jwk` (a JWK or a JWK set) holds the private half of an
// asymmetric key. A verifier is never configured with one.
bool HoldsAsymmetricPrivateKey(dom::element jwk) {
  dom::array keys;
  if (jwk["keys"].get_array().get(keys) == simdjson::SUCCESS) {
    for (dom::element k : keys) {
      if (HoldsAsymmetricPrivateKey(k)) return true;
    }
    return false;
  }
  return StrOr(jwk, "kty") != "oct" && Has(jwk, "d");
}

// The key material a verifier of this group is configured with: the public
// JWK(s); for HMAC groups, which have no "public", the secret JWK(s) under
// "private". Empty (after a test failure) if that would hand over a private key.
std::string VerifierKeyJson(dom::element group) {
  dom::element key;
  if (group["public"].get(key) == simdjson::SUCCESS) return JsonText(key);
  if (group["private"].get(key) != simdjson::SUCCESS) {
    ADD_FAILURE() << "group without key material: " << StrOr(group, "comment");
    return "";
  }
  if (HoldsAsymmetricPrivateKey(key)) {
    ADD_FAILURE() << "group " << StrOr(group, "comment")
                  << " has only a private asymmetric key; a verifier never gets one";
    return "";
  }
  return JsonText(key);
}

// ------------------------------------------------------------ deviations

// The JOSE files' deviations live in their own list (`file tcId reason`).
constexpr char kDeviationList[] = "jws_deviations.txt";

// ------------------------------------------------------------ exact statuses

// For attacks whose comment or flag leaves no doubt about what is wrong, the
// rejection must come from the check that catches that attack, not from some
// incidental one. A trailing '*' matches a comment prefix.
struct Pin {
  std::string_view name;
  std::vector<Status> allowed;
};

const std::vector<Pin>& PinsByComment() {
  using S = Status;
  static const std::vector<Pin> pins = {
      // Token structure.
      {"rejectsModifiedSignature", {S::ERR_SIGNATURE_INVALID}},
      {"rejectsModifiedPayload", {S::ERR_SIGNATURE_INVALID}},
      {"rejectsMissingSignature", {S::ERR_EMPTY_SIGNATURE}},
      {"rejectsMissingSignatureAndSeparator", {S::ERR_MALFORMED_TOKEN}},
      {"rejectsMissingPayloadAndSeparator", {S::ERR_MALFORMED_TOKEN}},
      {"rejectsMissingHeaderAndSeparator", {S::ERR_MALFORMED_TOKEN}},
      {"rejectsMissingHeaderSignatureAndSeparator*", {S::ERR_MALFORMED_TOKEN}},
      {"rejectsExtraComponent", {S::ERR_MALFORMED_TOKEN}},
      {"rejectsExtraEmptyComponent", {S::ERR_MALFORMED_TOKEN}},
      {"rejectsEmptyString", {S::ERR_MALFORMED_TOKEN}},
      {"rejectsNoneAlgorithmAndMissingSignature", {S::ERR_ALG_NONE}},
      // Key confusion: an HS256 token naming the kid of a public key.
      {"rejectsSymmetryConfusionAttacks*", {S::ERR_KEY_ALG_MISMATCH}},
      // The embedded jwk is ignored, so the attacker's signature fails against our key.
      {"rejectsAttackerProvidedEmbeddedJwk", {S::ERR_SIGNATURE_INVALID}},
      // Keys that are not for signing.
      {"rejectWrongUse", {S::ERR_KEY_USE_MISMATCH}},
      {"rejectWrongKeyOps", {S::ERR_KEY_USE_MISMATCH}},
      {"rejectsWrongUse", {S::ERR_KEY_USE_MISMATCH, S::ERR_KEY_ALG_MISMATCH}},  // alg RSA1_5 and use enc
      // The token's kid names an oct key whose alg is A256GCM / A256KW: the
      // verdict is about that key, not "no key for a token without a kid".
      {"rejectsAesKey", {S::ERR_KEY_ALG_MISMATCH}},
      {"mismatchedAlgAndCurve", {S::ERR_KEY_ALG_MISMATCH}},  // ES521 / ES224 on P-256
      // Weak keys: skipped when the set is loaded, so a set of one such key
      // has no usable key and is refused with its status; beside a usable key
      // a token naming it gets that status (or, for a secret shorter than
      // the hash, when it is used).
      {"rejects1024bitRsaKey", {S::ERR_JWK_WEAK}},
      {"rejectsPublicExponent1", {S::ERR_JWK_WEAK}},
      {"key_too_short", {S::ERR_JWK_WEAK}},
      {"empty_key", {S::ERR_JWK_WEAK, S::ERR_JWK_INVALID}},
      // Strict base64url.
      {"rejectsSpacesInMac", {S::ERR_BAD_BASE64URL}},
      {"rejectsInvalidCharacterInsertedInMac", {S::ERR_BAD_BASE64URL}},
      {"rejects0ReplacedbyInvalidCharacter", {S::ERR_BAD_BASE64URL}},
      {"rejectsInvalidCharacters", {S::ERR_BAD_BASE64URL}},
      {"spacesInHeader", {S::ERR_BAD_BASE64URL}},
      {"invalidCharactersInHeader", {S::ERR_BAD_BASE64URL}},
      {"spacesInPayload", {S::ERR_BAD_BASE64URL}},
      {"invalidCharactersInPayload", {S::ERR_BAD_BASE64URL}},
      {"InvalidCharacterInPayload", {S::ERR_BAD_BASE64URL}},
      {"ModifiedUnusedBitsInPayload", {S::ERR_BAD_BASE64URL}},
      {"MacOfIncorrectlyEncodedMessage", {S::ERR_BAD_BASE64URL}},  // "AB": nonzero unused bits
      // Signatures of the wrong size never reach the primitive.
      {"SignatureIsnotReduced", {S::ERR_SIGNATURE_LENGTH}},  // 257 bytes for RSA-2048
      {"prependingZerosToSignature", {S::ERR_SIGNATURE_LENGTH}},
      {"appendingZerosToSignature", {S::ERR_SIGNATURE_LENGTH}},
      {"truncatedSignature", {S::ERR_SIGNATURE_LENGTH}},
      {"SignatureTooLong", {S::ERR_SIGNATURE_LENGTH}},  // ES256: 66 bytes, not 64
      {"TrailingZeros", {S::ERR_SIGNATURE_LENGTH}},
      {"RisTooBig", {S::ERR_SIGNATURE_LENGTH}},
      {"SisTooBig", {S::ERR_SIGNATURE_LENGTH}},
      {"IntegerOverflow", {S::ERR_SIGNATURE_LENGTH}},
      {"BufferOverflow", {S::ERR_SIGNATURE_LENGTH}},
      // r, s in {0, 1, n-1, n}: right length, never a valid signature.
      {"rIs*", {S::ERR_SIGNATURE_INVALID}},
  };
  return pins;
}

const std::vector<Pin>& PinsByFlag() {
  using S = Status;
  static const std::vector<Pin> pins = {
      {"AlgIsNone", {S::ERR_ALG_NONE}},  // "none" in any letter case
      {"ModifiedPadding", {S::ERR_SIGNATURE_INVALID}},
      {"ModifiedSignature", {S::ERR_SIGNATURE_INVALID}},
      // PS512 key: an RS*/PS* header other than PS512 is the wrong algorithm for
      // the key; a PS512 header over another primitive's signature fails to verify.
      {"WrongPrimitive", {S::ERR_KEY_ALG_MISMATCH, S::ERR_SIGNATURE_INVALID}},
      {"MixedKeySet", {S::ERR_JWKS_MIXED}},
      // The vector's second key has a "k" whose last character carries nonzero
      // unused bits, which strict base64url refuses before the kids are
      // compared; DuplicateKidRefused checks the kid rule on a strict copy.
      {"DuplicateKid", {S::ERR_JWKS_DUPLICATE_KID, S::ERR_JWK_INVALID}},
      // A JSON serialization is not three dot-separated segments.
      {"JsonSerialization", {S::ERR_MALFORMED_TOKEN}},
  };
  return pins;
}

const Pin* FindPin(dom::element test) {
  const std::string_view comment = StrOr(test, "comment");
  for (const Pin& p : PinsByComment()) {
    const bool prefix = p.name.ends_with('*');
    const std::string_view name = prefix ? p.name.substr(0, p.name.size() - 1) : p.name;
    if (prefix ? comment.starts_with(name) : comment == name) return &p;
  }
  for (const Pin& p : PinsByFlag()) {
    if (HasFlag(test, p.name)) return &p;
  }
  return nullptr;
}

std::string Names(const std::vector<Status>& statuses) {
  std::string s;
  for (Status st : statuses) {
    if (!s.empty()) s += " or ";
    s += StatusName(st);
  }
  return s;
}

// ------------------------------------------------------------ Wycheproof files

std::string Describe(dom::element test) {
  return std::string(StrOr(test, "comment")) + " " + JsonText(test["flags"].value_unsafe());
}

// Runs every JWS vector of a Wycheproof JOSE file. The token is the compact
// string, or the JSON text of a JSON-serialization object, which a compact-only
// verifier must refuse like any other malformed token.
void RunJoseFile(const std::string& relative) {
  const testing::VectorFile f = testing::LoadVectorFile(relative);
  ASSERT_TRUE(f.ok);
  testing::FileRun run(f.name, kDeviationList);
  int64_t walked = 0;
  int pinned = 0;  // rejections whose exact status was checked
  for (dom::element group : f.root["testGroups"].get_array()) {
    std::optional<LoadedSet> set;  // loaded at the first JWS test: JWE groups carry other keys
    for (dom::element test : group["tests"].get_array()) {
      ++walked;
      const int64_t id = IntOr(test, "tcId");
      if (Has(test, "jwe")) {
        run.Skip(id, "JWE not supported (this engine verifies JWS only)");
        continue;
      }
      if (!set) set = LoadKeySet(VerifierKeyJson(group));
      dom::element jws;
      if (test["jws"].get(jws) != simdjson::SUCCESS) {
        ADD_FAILURE() << f.name << " tcId " << id << " has neither \"jws\" nor \"jwe\"";
        continue;
      }
      std::string_view compact;
      const std::string token =
          jws.get_string().get(compact) == simdjson::SUCCESS ? std::string(compact) : JsonText(jws);
      const Expect expect = ExpectOf(StrOr(test, "result"));
      const Status got = Verify(*set, token);
      std::string what = Describe(test);
      if (set->verifier == nullptr) what += " [key set refused: " + set->message + "]";
      if (Verbose() && !(expect == Expect::kValid && got == Status::OK))
        std::printf("[ jws      ] %s tcId %lld %s -> %s  (%s)\n", f.name.c_str(), static_cast<long long>(id),
                    std::string(ExpectName(expect)).c_str(), std::string(StatusName(got)).c_str(), what.c_str());
      const bool as_expected =
          run.Check(id, expect, got == Status::OK, {}, "got " + std::string(StatusName(got)) + " -- " + what);
      if (!as_expected || expect != Expect::kInvalid) continue;
      if (const Pin* pin = FindPin(test)) {
        ++pinned;
        bool ok = false;
        for (Status s : pin->allowed) ok = ok || s == got;
        EXPECT_TRUE(ok) << f.name << " tcId " << id << " (" << what << "): rejected with " << got << ", want "
                        << Names(pin->allowed);
      }
    }
  }
  EXPECT_EQ(walked, IntOr(f.root, "numberOfTests")) << f.name;
  EXPECT_EQ(static_cast<int64_t>(run.seen()), walked) << f.name << ": duplicate tcIds";
  std::printf("[ vectors  ] %s: exact status checked for %d rejections\n", f.name.c_str(), pinned);
}

// The tokens of one file by tcId, for checks on the data itself.
std::map<int64_t, std::string> CompactTokens(const testing::VectorFile& f) {
  std::map<int64_t, std::string> out;
  for (dom::element group : f.root["testGroups"].get_array()) {
    for (dom::element test : group["tests"].get_array()) {
      std::string_view s;
      if (test["jws"].get_string().get(s) == simdjson::SUCCESS) out[IntOr(test, "tcId")] = std::string(s);
    }
  }
  return out;
}

TEST(JwsVectors, JsonWebSignature) { RunJoseFile("wycheproof/testvectors_v1/json_web_signature_test.json"); }

// The data bug that jws_deviations.txt blames for tcIds 367 and 370, checked
// here so that the reason stays true if the file is ever fixed upstream.
TEST(JwsVectors, JsonWebSignatureKnownDataBug) {
  const testing::VectorFile f = testing::LoadVectorFile("wycheproof/testvectors_v1/json_web_signature_test.json");
  ASSERT_TRUE(f.ok);
  const auto tokens = CompactTokens(f);
  ASSERT_TRUE(tokens.count(357) && tokens.count(367) && tokens.count(370));
  EXPECT_EQ(tokens.at(367), tokens.at(357));
  EXPECT_EQ(tokens.at(370), tokens.at(357));
}

TEST(JwsVectors, JsonWebKey) { RunJoseFile("wycheproof/testvectors_v1/json_web_key_test.json"); }

TEST(JwsVectors, JsonWebCrypto) { RunJoseFile("wycheproof/testvectors_v1/json_web_crypto_test.json"); }

// Clears the unused low bits of the last character of unpadded base64url
// text, giving the canonical encoding of the same bytes.
std::string ClearUnusedBits(std::string s) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const size_t unused_mask = s.size() % 4 == 2 ? 0xF : s.size() % 4 == 3 ? 0x3 : 0;
  const size_t v = s.empty() ? std::string_view::npos : kAlphabet.find(s.back());
  if (unused_mask != 0 && v != std::string_view::npos) s.back() = kAlphabet[v & ~unused_mask];
  return s;
}

// Wycheproof's DuplicateKid set is refused for a non-canonical "k" before its
// kids are compared (see the pin above). The same set with canonical secrets
// must be refused for the duplicate kid itself.
TEST(JwsVectors, DuplicateKidRefused) {
  const testing::VectorFile f = testing::LoadVectorFile("wycheproof/testvectors_v1/json_web_key_test.json");
  ASSERT_TRUE(f.ok);
  int checked = 0;
  for (dom::element group : f.root["testGroups"].get_array()) {
    if (!HasFlag(group["tests"].at(0).value_unsafe(), "DuplicateKid")) continue;
    std::string jwks = "{\"keys\":[";
    for (dom::element key : group["private"]["keys"].get_array()) {
      ASSERT_EQ(StrOr(key, "kty"), "oct");
      if (jwks.back() != '[') jwks += ',';
      jwks += R"({"kty":"oct","kid":)" + JsonText(key["kid"].value_unsafe()) + R"(,"k":")" +
              ClearUnusedBits(std::string(StrOr(key, "k"))) + "\"}";
    }
    jwks += "]}";
    const LoadedSet set = LoadKeySet(jwks);
    EXPECT_EQ(set.status, Status::ERR_JWKS_DUPLICATE_KID) << jwks << ": " << set.message;
    ++checked;
  }
  EXPECT_EQ(checked, 1);
}

// The JSON Web Key groups again, each key set with one more usable key of the
// same kind (an unrelated kid): what refused a one-key set as a whole now
// refuses its tokens one by one, and every vector keeps its verdict and its
// pinned status. (The DuplicateKid group's second key is skipped for its
// encoding: its kid still makes the first key ambiguous.)
TEST(JwsVectors, KeysBesideAUsableKeyAreRefusedPerToken) {
  const testing::VectorFile f = testing::LoadVectorFile("wycheproof/testvectors_v1/json_web_key_test.json");
  ASSERT_TRUE(f.ok);
  const testing::TestKey extra_oct = testing::MakeKey("HS256", "tokenverify-extra"),
                         extra_ec = testing::MakeKey("ES256", "tokenverify-extra");
  int checked = 0, set_level = 0;
  for (dom::element group : f.root["testGroups"].get_array()) {
    const std::string json = VerifierKeyJson(group);
    dom::parser parser;
    dom::element keys_doc;
    ASSERT_EQ(parser.parse(json).get(keys_doc), simdjson::SUCCESS);
    std::vector<std::string> members;
    bool all_oct = true;
    auto add = [&](dom::element k) {
      members.push_back(JsonText(k));
      all_oct = all_oct && StrOr(k, "kty") == "oct";
    };
    dom::array arr;
    if (keys_doc["keys"].get_array().get(arr) == simdjson::SUCCESS) {
      for (dom::element k : arr) add(k);
    } else {
      add(keys_doc);
    }
    std::string doc = "{\"keys\":[";
    for (const std::string& m : members) doc += m + ",";
    doc += (all_oct ? extra_oct : extra_ec).PublicJwk() + "]}";
    const LoadedSet alone = LoadKeySet(json), beside = LoadKeySet(doc);
    if (alone.verifier == nullptr && beside.verifier != nullptr) ++set_level;
    for (dom::element test : group["tests"].get_array()) {
      std::string_view token;
      ASSERT_EQ(test["jws"].get_string().get(token), simdjson::SUCCESS);
      const Expect expect = ExpectOf(StrOr(test, "result"));
      const Status got = Verify(beside, std::string(token));
      const std::string what = Describe(test) + " [" + beside.message + "]";
      if (expect == Expect::kValid) {
        EXPECT_EQ(got, Status::OK) << what;
      }
      if (expect != Expect::kInvalid) continue;
      EXPECT_NE(got, Status::OK) << what;
      if (const Pin* pin = FindPin(test)) {
        bool ok = false;
        for (Status st : pin->allowed) ok = ok || st == got;
        EXPECT_TRUE(ok) << what << ": rejected with " << got << ", want " << Names(pin->allowed);
      }
      ++checked;
    }
  }
  EXPECT_GE(set_level, 8);  // groups whose only key is unusable: now refused per token
  std::printf("[ vectors  ] json_web_key_test.json beside a usable key: %d rejections checked, %d sets now load\n",
              checked, set_level);
}

TEST(JwsVectors, DeviationListNamesKnownFiles) {
  const std::set<std::string> files = {"json_web_signature_test.json", "json_web_key_test.json",
                                       "json_web_crypto_test.json"};
  std::set<std::pair<std::string, std::string>> unique;
  for (const testing::Deviation& d : testing::Deviations(kDeviationList)) {
    EXPECT_TRUE(files.count(d.file)) << kDeviationList << ": unknown file " << d.file;
    EXPECT_TRUE(unique.emplace(d.file, d.selector).second)
        << kDeviationList << ": " << d.file << " tcId " << d.selector << " is listed twice";
    char* end = nullptr;
    EXPECT_TRUE(std::strtoll(d.selector.c_str(), &end, 10) >= 0 && *end == '\0')
        << kDeviationList << ": " << d.file << ": \"" << d.selector << "\" is not a tcId";
  }
}

// ------------------------------------------------------------ RFC examples

// The JWK without its private members (RFC 7518 6.2.2 and 6.3.2, RFC 8037 2):
// what a verifier is configured with. "k" of an oct key is the secret itself
// and stays. Member names in the cookbook are plain ASCII, so they need no escaping.
std::string PublicJwk(dom::element jwk) {
  static const std::set<std::string_view> kPrivate = {"d", "p", "q", "dp", "dq", "qi", "oth"};
  std::string out = "{";
  for (dom::key_value_pair member : jwk.get_object()) {
    if (kPrivate.count(member.key)) continue;
    if (out.size() > 1) out += ',';
    out += '"' + std::string(member.key) + "\":" + simdjson::minify(member.value);
  }
  return out + "}";
}

// Changes one character in the middle of the signature segment. A middle
// character never holds the segment's unused trailing bits, so the token stays
// strict base64url and must fail as a signature, not as an encoding.
std::string TamperSignature(std::string token) {
  const size_t start = token.rfind('.') + 1;
  const size_t mid = start + (token.size() - start) / 2;
  token[mid] = token[mid] == 'A' ? 'B' : 'A';
  return token;
}

// Counts for one group of RFC examples, printed like the Wycheproof files.
struct ExampleCount {
  explicit ExampleCount(std::string n) : name(std::move(n)) {}

  std::string name;
  int verified = 0;  // the example verifies
  int tampered = 0;  // and fails once its signature is altered
  int refused = 0;   // examples that must be refused, and are
  std::map<std::string, int> skipped;

  ~ExampleCount() {
    int skips = 0;
    for (const auto& [reason, n] : skipped) skips += n;
    std::printf("[ vectors  ] %s: verified %d, tampered copies rejected %d, refused as required %d, skipped %d\n",
                name.c_str(), verified, tampered, refused, skips);
    for (const auto& [reason, n] : skipped) std::printf("[ vectors  ]   skipped (%d): %s\n", n, reason.c_str());
    std::fflush(stdout);
  }
};

// A valid compact example: it must verify with `key_json`, and a copy with one
// signature character changed must not.
void ExpectVerifies(const std::string& label, const std::string& key_json, const std::string& compact,
                    ExampleCount& count) {
  const LoadedSet set = LoadKeySet(key_json);
  ASSERT_NE(set.verifier, nullptr) << label << ": key refused: " << set.status << " " << set.message;
  const Status got = Verify(set, compact);
  EXPECT_EQ(got, Status::OK) << label << ": " << compact;
  if (got == Status::OK) ++count.verified;
  const std::string tampered = TamperSignature(compact);
  const Status bad = Verify(set, tampered);
  EXPECT_EQ(bad, Status::ERR_SIGNATURE_INVALID) << label << " with an altered signature: " << tampered;
  if (bad == Status::ERR_SIGNATURE_INVALID) ++count.tampered;
}

TEST(CookbookVectors, Rfc7515AppendixA) {
  const testing::VectorFile f = testing::LoadVectorFile("rfc7520/rfc7515_appendix_a.json");
  ASSERT_TRUE(f.ok);
  ExampleCount count("rfc7515_appendix_a.json");
  std::string any_key;  // A.5 is unsecured and has no key; any set will do to reach the header check
  for (dom::element ex : f.root["examples"].get_array()) {
    const std::string label = "RFC 7515 " + std::string(StrOr(ex, "section"));
    const std::string compact(StrOr(ex, "compact"));
    dom::element jwk;
    if (ex["public_jwk"].get_object().error() == simdjson::SUCCESS) {
      jwk = ex["public_jwk"].value_unsafe();
      if (any_key.empty()) any_key = JsonText(jwk);
      ExpectVerifies(label, JsonText(jwk), compact, count);
      continue;
    }
    ASSERT_EQ(StrOr(ex, "alg"), "none") << label;
    ASSERT_FALSE(any_key.empty());
    const Status got = Verify(LoadKeySet(any_key), compact);
    EXPECT_EQ(got, Status::ERR_ALG_NONE) << label << ": " << compact;
    if (got == Status::ERR_ALG_NONE) ++count.refused;
  }
  EXPECT_EQ(count.verified + count.refused, 5);
}

// One pipeline: RFC 7515's examples are mostly JWTs (JSON payloads), so
// Verify itself can take them, at a time before their exp. It must give the
// answer the opaque-payload pass gives, for the token and for a tampered copy;
// A.4's payload is the text "Payload", which Verify refuses before the signature.
TEST(CookbookVectors, JsonPayloadsGetTheSameAnswerFromVerify) {
  const testing::VectorFile f = testing::LoadVectorFile("rfc7520/rfc7515_appendix_a.json");
  ASSERT_TRUE(f.ok);
  int compared = 0, not_json = 0;
  for (dom::element ex : f.root["examples"].get_array()) {
    if (ex["public_jwk"].get_object().error() != simdjson::SUCCESS) continue;
    const std::string label = "RFC 7515 " + std::string(StrOr(ex, "section"));
    Error err;
    const auto v = testing::KeySetVerifier(JsonText(ex["public_jwk"].value_unsafe()), &err, kMaxKeysWithoutKid,
                                           R"("now": 1300819000)");
    ASSERT_NE(v, nullptr) << label << ": " << err.message;
    const std::string compact(StrOr(ex, "compact"));
    const std::string_view segment =
        std::string_view(compact).substr(compact.find('.') + 1, compact.rfind('.') - compact.find('.') - 1);
    std::string payload(Base64urlDecodedLength(segment.size()) + kBase64urlOutputSlack, '\0');
    ASSERT_TRUE(Base64urlDecode(segment, reinterpret_cast<uint8_t*>(payload.data()))) << label;
    payload.resize(Base64urlDecodedLength(segment.size()));
    for (const std::string& token : {compact, TamperSignature(compact)}) {
      if (payload.starts_with('{')) {
        EXPECT_EQ(v->Verify(token), v->VerifySignature(token)) << label << ": " << token;
        ++compared;
      } else {
        EXPECT_EQ(v->Verify(token), Status::ERR_JSON_NOT_OBJECT) << label << ": " << token;
        ++not_json;
      }
    }
    if (payload.starts_with('{')) {
      EXPECT_EQ(v->Verify(compact), Status::OK) << label;
    }
  }
  EXPECT_EQ(compared, 6);
  EXPECT_EQ(not_json, 2);
}

// RFC 7520 section 4 (and RFC 8037's Ed25519 example in the same layout):
// input.key is the signer's JWK, output.compact the token when one exists.
TEST(CookbookVectors, Rfc7520Signatures) {
  const char* const kFiles[] = {
      "rfc7520/jws/4_1.rsa_v15_signature.json",
      "rfc7520/jws/4_2.rsa-pss_signature.json",
      "rfc7520/jws/4_3.ecdsa_signature.json",
      "rfc7520/jws/4_4.hmac-sha2_integrity_protection.json",
      "rfc7520/jws/4_5.signature_with_detached_content.json",
      "rfc7520/jws/4_6.protecting_specific_header_fields.json",
      "rfc7520/jws/4_7.protecting_content_only.json",
      "rfc7520/jws/4_8.multiple_signatures.json",
      "rfc7520/curve25519/jws.json",
  };
  ExampleCount count("rfc7520 jws/4_*.json + curve25519/jws.json");
  for (const char* path : kFiles) {
    const testing::VectorFile f = testing::LoadVectorFile(path);
    ASSERT_TRUE(f.ok);
    const std::string label = f.name + " (" + std::string(StrOr(f.root, "title")) + ")";
    dom::element key = f.root["input"]["key"].value_unsafe();
    std::string_view compact;
    if (key.is_array()) {
      ++count.skipped["multiple signatures: JSON serialization only"];
      continue;
    }
    if (f.root["output"]["compact"].get_string().get(compact) != simdjson::SUCCESS) {
      ++count.skipped["JSON serialization only (unprotected header members), no compact form"];
      continue;
    }
    const std::string token(compact);
    const size_t dot1 = token.find('.'), dot2 = token.rfind('.');
    if (dot2 == dot1 + 1) {
      // Detached content: the payload travels outside the token, and we take
      // no payload argument. The token as given must not verify either.
      ++count.skipped["detached content: the payload is not in the token"];
      EXPECT_NE(Verify(LoadKeySet(PublicJwk(key)), token), Status::OK) << label;
      continue;
    }
    ExpectVerifies(label, PublicJwk(key), token, count);
  }
  EXPECT_EQ(count.verified, 5);
}

// RFC 7797 unencoded payloads ("b64":false) are not implemented, so such
// tokens must be refused for their header, before anything else is tried.
TEST(CookbookVectors, Rfc7797UnencodedPayloadRefused) {
  ExampleCount count("rfc7797/*.json");
  auto expect_refused = [&](const std::string& label, const std::string& key_json, const std::string& token) {
    const Status got = Verify(LoadKeySet(key_json), token);
    EXPECT_TRUE(got == Status::ERR_CRIT_UNSUPPORTED || got == Status::ERR_B64_UNSUPPORTED)
        << label << ": got " << got << " for " << token;
    if (got == Status::ERR_CRIT_UNSUPPORTED || got == Status::ERR_B64_UNSUPPORTED) ++count.refused;
  };

  // The compact example ("crit":["b64"]). Its signing.* fields disagree with
  // its output (rfc7520/SOURCE.md), so only output.compact is used.
  testing::VectorFile f = testing::LoadVectorFile("rfc7520/rfc7797/hmac-sha2_b64_false.json");
  ASSERT_TRUE(f.ok);
  expect_refused(f.name, PublicJwk(f.root["input"]["key"].value_unsafe()),
                 std::string(StrOr(f.root["output"].value_unsafe(), "compact")));

  // RFC 7797 4.2 is JSON-only: its payload "$.02" holds a dot, so it has no
  // compact form. Its protected header ({"alg":"HS256","b64":false}, no
  // crit) in front of the base64url payload and its signature is what a
  // client that mixes the two forms would send: b64 alone must be refused too.
  f = testing::LoadVectorFile("rfc7520/rfc7797/4.2.hmac-sha2_b64_false.json");
  ASSERT_TRUE(f.ok);
  dom::element flat = f.root["output"]["json_flat"].value_unsafe();
  expect_refused(f.name + " (as compact)", PublicJwk(f.root["input"]["key"].value_unsafe()),
                 std::string(StrOr(flat, "protected")) + "." + testing::B64(StrOr(flat, "payload")) + "." +
                     std::string(StrOr(flat, "signature")));
  EXPECT_EQ(count.refused, 2);
}

// The cookbook's key files include private JWKs (d, p, q, ...). A verifier
// handed one must ignore the private members and verify with the public part,
// exactly as with the matching public JWK.
TEST(CookbookVectors, PrivateJwkMembersIgnored) {
  struct Case {
    const char* private_jwk;
    const char* public_jwk;  // nullptr: the key is a secret (oct)
    const char* example;     // a compact example signed with this key
  };
  const Case kCases[] = {
      {"rfc7520/jwk/3_4.rsa_private_key.json", "rfc7520/jwk/3_3.rsa_public_key.json",
       "rfc7520/jws/4_1.rsa_v15_signature.json"},
      {"rfc7520/jwk/3_4.rsa_private_key.json", "rfc7520/jwk/3_3.rsa_public_key.json",
       "rfc7520/jws/4_2.rsa-pss_signature.json"},
      {"rfc7520/jwk/3_2.ec_private_key.json", "rfc7520/jwk/3_1.ec_public_key.json",
       "rfc7520/jws/4_3.ecdsa_signature.json"},
      {"rfc7520/jwk/3_5.symmetric_key_mac_computation.json", nullptr,
       "rfc7520/jws/4_4.hmac-sha2_integrity_protection.json"},
  };
  const std::string dir = testing::VectorsDir() + "/";
  for (const Case& c : kCases) {
    const testing::VectorFile ex = testing::LoadVectorFile(c.example);
    ASSERT_TRUE(ex.ok);
    const std::string token(StrOr(ex.root["output"].value_unsafe(), "compact"));
    const std::string private_jwk = testing::ReadFile(dir + c.private_jwk);

    Error err;
    auto one = ParseJwk(private_jwk, &err);
    ASSERT_TRUE(one.ok()) << c.private_jwk << ": " << one.status() << " " << err.message;
    EXPECT_NE(one.value(), nullptr) << c.private_jwk << " was skipped";

    const LoadedSet from_private = LoadKeySet(private_jwk);
    ASSERT_NE(from_private.verifier, nullptr) << c.private_jwk << ": " << from_private.message;
    EXPECT_EQ(Verify(from_private, token), Status::OK) << c.private_jwk << " with " << c.example;
    if (c.public_jwk != nullptr) {
      const LoadedSet from_public = LoadKeySet(testing::ReadFile(dir + c.public_jwk));
      ASSERT_NE(from_public.verifier, nullptr) << c.public_jwk << ": " << from_public.message;
      EXPECT_EQ(Verify(from_public, token), Status::OK) << c.public_jwk << " with " << c.example;
    }
  }
}

}  // namespace
}  // namespace tokenverify::internal
