// The verifier end to end: every algorithm, every rejection with its exact
// status, multi-provider selection, and the kgateway example.
#include <gtest/gtest.h>

#include <string>

#include "support/signer.h"
#include "tokenverify/claims.h"
#include "tokenverify/verifier.h"

namespace tokenverify {
namespace {

using testing::B64;
using testing::JsonQuote;
using testing::Jwks;
using testing::MakeKey;
using testing::SignJws;
using testing::SignJwt;
using testing::TestKey;

constexpr int64_t kNow = 1800000000;

// One provider around `jwks`, plus extra provider members and top-level members.
std::string Config(const std::string& jwks, std::string_view provider_extra = "", std::string_view top_extra = "") {
  std::string s = R"({"providers":[{"name":"p","jwks":{"local":{"inline":)" + JsonQuote(jwks) + "}}";
  if (!provider_extra.empty()) s += "," + std::string(provider_extra);
  s += "}],\"now\":" + std::to_string(kNow);
  if (!top_extra.empty()) s += "," + std::string(top_extra);
  return s + "}";
}

std::unique_ptr<Verifier> Make(const std::string& config) {
  Error err;
  auto v = Verifier::Create(config, &err);
  EXPECT_TRUE(v.ok()) << err.message << "\nconfig: " << config;
  return v.ok() ? std::move(v).value() : nullptr;
}

std::string Payload(std::string_view extra = "") {
  std::string s = R"({"iss":"https://issuer.example","sub":"alice","aud":"my-api","iat":1799999000,"exp":1800003600)";
  if (!extra.empty()) s += "," + std::string(extra);
  return s + "}";
}

std::string Header(const TestKey& k, std::string_view extra = "") {
  std::string s = R"({"alg":")" + k.JwsAlg() + "\"";
  if (!k.kid.empty()) s += R"(,"kid":")" + k.kid + "\"";
  if (!extra.empty()) s += "," + std::string(extra);
  return s + "}";
}

class EveryAlgorithm : public ::testing::TestWithParam<const char*> {};

TEST_P(EveryAlgorithm, VerifiesAndRejectsTampering) {
  const TestKey key = MakeKey(GetParam(), std::string("kid-") + GetParam());
  auto v = Make(Config(Jwks({&key})));
  ASSERT_TRUE(v);
  const std::string token = SignJwt(key, Payload());
  VerifiedToken out;
  ASSERT_EQ(v->Verify(token, &out), Status::OK);
  EXPECT_EQ(out.payload_json, Payload());
  EXPECT_EQ(out.provider, "p");

  std::string tampered = token;
  const size_t sig_start = token.rfind('.') + 1;
  tampered[sig_start + 2] = tampered[sig_start + 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(v->Verify(tampered), Status::ERR_SIGNATURE_INVALID);

  const std::string other_payload = SignJwt(key, Payload(R"("admin":true)"));
  const std::string spliced =
      token.substr(0, token.find('.') + 1) +
      other_payload.substr(other_payload.find('.') + 1, other_payload.rfind('.') - other_payload.find('.') - 1) +
      token.substr(token.rfind('.'));
  EXPECT_EQ(v->Verify(spliced), Status::ERR_SIGNATURE_INVALID);

  // One signature byte short, or one too many: exact lengths are enforced.
  const std::string raw_sig = testing::SignRaw(key, token.substr(0, sig_start - 1));
  EXPECT_EQ(v->Verify(token.substr(0, sig_start) + B64(raw_sig.substr(1))), Status::ERR_SIGNATURE_LENGTH);
  EXPECT_EQ(v->Verify(token.substr(0, sig_start) + B64(raw_sig + '\0')), Status::ERR_SIGNATURE_LENGTH);
}

INSTANTIATE_TEST_SUITE_P(Verifier, EveryAlgorithm,
                         ::testing::Values("HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384",
                                           "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed448"));

TEST(Verifier, RejectsMalformedTokens) {
  const TestKey key = MakeKey("HS256", "k1");
  auto v = Make(Config(Jwks({&key}), "", R"("limits":{"maxTokenBytes":1024})"));
  ASSERT_TRUE(v);
  const std::string good = SignJwt(key, Payload());
  ASSERT_EQ(v->Verify(good), Status::OK);
  const std::string sig = good.substr(good.rfind('.'));
  const std::string payload = B64(Payload());

  EXPECT_EQ(v->Verify(std::string(1025, 'a')), Status::ERR_TOKEN_TOO_LARGE);
  EXPECT_EQ(v->Verify(""), Status::ERR_MALFORMED_TOKEN);
  EXPECT_EQ(v->Verify("abc.def"), Status::ERR_MALFORMED_TOKEN);
  EXPECT_EQ(v->Verify(good + ".x"), Status::ERR_MALFORMED_TOKEN);
  // More than three segments is ERR_MALFORMED_TOKEN before anything the
  // header, the key or the signature would say.
  const std::string head = good.substr(0, good.find('.'));
  for (const std::string& bad :
       {head + "." + payload + ".x" + sig, head + ".." + payload + sig, head + "." + payload + "." + sig,
        "e30=." + payload + ".x" + sig, B64(R"({"alg":"RS256","kid":"k1"})") + "." + payload + ".x" + sig,
        B64(R"({"alg":"HS256","kid":"nope"})") + "." + payload + ".x" + sig,
        B64(R"({"alg":"HS256","kid":"k1","crit":["x"]})") + ".a.b.c" + sig}) {
    EXPECT_EQ(v->Verify(bad), Status::ERR_MALFORMED_TOKEN) << bad;
    EXPECT_EQ(v->VerifySignature(bad), Status::ERR_MALFORMED_TOKEN) << bad;
  }
  EXPECT_EQ(v->Verify("e30=." + payload + sig), Status::ERR_BAD_BASE64URL);   // padding
  EXPECT_EQ(v->Verify("e3+." + payload + sig), Status::ERR_BAD_BASE64URL);    // standard alphabet
  EXPECT_EQ(v->Verify("e30 ." + payload + sig), Status::ERR_BAD_BASE64URL);   // whitespace
  EXPECT_EQ(v->Verify("e31." + payload + sig), Status::ERR_BAD_BASE64URL);    // non-zero trailing bits
  EXPECT_EQ(v->Verify("e30xx." + payload + sig), Status::ERR_BAD_BASE64URL);  // length 1 mod 4
  EXPECT_EQ(v->Verify(B64("[1]") + "." + payload + sig), Status::ERR_JSON_NOT_OBJECT);
  EXPECT_EQ(v->Verify(B64("{\"alg\":") + "." + payload + sig), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(v->Verify(B64(R"({"alg":"HS256","alg":"HS256"})") + "." + payload + sig), Status::ERR_DUPLICATE_MEMBER);
  EXPECT_EQ(v->Verify(B64("\xEF\xBB\xBF{\"alg\":\"HS256\"}") + "." + payload + sig), Status::ERR_JSON_BOM);
  EXPECT_EQ(v->Verify(B64(R"({"alg":"HS256","x":"\ud800"})") + "." + payload + sig), Status::ERR_INVALID_UTF8);
  EXPECT_EQ(
      v->Verify(B64(R"({"alg":"HS256","x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]})") +
                "." + payload + sig),
      Status::ERR_JSON_TOO_DEEP);
  const std::string header = B64(Header(key));
  EXPECT_EQ(v->Verify(header + "." + B64("{\"a\":1}trailing") + sig), Status::ERR_MALFORMED_JSON);
  EXPECT_EQ(v->Verify(header + "." + B64(R"({"exp":1,"exp":2})") + sig), Status::ERR_DUPLICATE_MEMBER);
  EXPECT_EQ(v->Verify(header + "." + B64("\"just a string\"") + sig), Status::ERR_JSON_NOT_OBJECT);
  EXPECT_EQ(v->Verify(header + "." + sig), Status::ERR_MALFORMED_JSON);  // empty payload: a JWS, not a JWT
  EXPECT_EQ(v->Verify(header + "." + payload + ".!!!"), Status::ERR_BAD_BASE64URL);
  EXPECT_EQ(v->Verify(header + "." + payload + "."), Status::ERR_EMPTY_SIGNATURE);
}

TEST(Verifier, RejectsBadHeaders) {
  const TestKey key = MakeKey("HS256", "k1");
  auto v = Make(Config(Jwks({&key})));
  ASSERT_TRUE(v);
  auto with_header = [&](std::string_view header_json) { return SignJws(key, header_json, Payload()); };
  EXPECT_EQ(v->Verify(B64(R"({"alg":"none"})") + "." + B64(Payload()) + "."), Status::ERR_ALG_NONE);
  EXPECT_EQ(v->Verify(B64(R"({"alg":"nOnE"})") + "." + B64(Payload()) + ".c2ln"), Status::ERR_ALG_NONE);
  EXPECT_EQ(v->Verify(with_header(R"({"alg":"hs256","kid":"k1"})")), Status::ERR_ALG_UNSUPPORTED);
  EXPECT_EQ(v->Verify(with_header(R"({"alg":"HS256 ","kid":"k1"})")), Status::ERR_ALG_UNSUPPORTED);
  EXPECT_EQ(v->Verify(with_header(R"({"alg":"RSA-OAEP","kid":"k1"})")), Status::ERR_ALG_UNSUPPORTED);
  EXPECT_EQ(v->Verify(with_header(R"({"kid":"k1"})")), Status::ERR_MISSING_ALG);
  EXPECT_EQ(v->Verify(with_header(R"({"alg":["HS256"],"kid":"k1"})")), Status::ERR_MALFORMED_HEADER);
  EXPECT_EQ(v->Verify(with_header(R"({"alg":"HS256","kid":7})")), Status::ERR_MALFORMED_HEADER);
  EXPECT_EQ(v->Verify(with_header(R"({"alg":"HS256","kid":"k1","crit":["exp"],"exp":1})")),
            Status::ERR_CRIT_UNSUPPORTED);
  EXPECT_EQ(v->Verify(with_header(R"({"alg":"HS256","kid":"k1","crit":[]})")), Status::ERR_CRIT_UNSUPPORTED);
  EXPECT_EQ(v->Verify(with_header(R"({"alg":"HS256","kid":"k1","b64":false})")), Status::ERR_B64_UNSUPPORTED);
  EXPECT_EQ(v->Verify(with_header(R"({"alg":"HS256","kid":"k1","b64":"no"})")), Status::ERR_MALFORMED_HEADER);
  // Embedded keys and key URLs are never used: the token still needs the configured key.
  const TestKey attacker = MakeKey("HS256", "k1-attacker");
  const std::string embedded =
      SignJws(attacker,
              R"({"alg":"HS256","kid":"k1","jwk":)" + attacker.PublicJwk() +
                  R"(,"jku":"https://evil.example/jwks","x5u":"https://evil.example/x5u","x5c":["AAAA"]})",
              Payload());
  EXPECT_EQ(v->Verify(embedded), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(v->Verify(with_header(R"({"alg":"HS256","kid":"k1","jwk":{"kty":"oct"},"typ":"JWT"})")), Status::OK);
}

TEST(Verifier, KeysDecideTheAlgorithm) {
  const TestKey rsa = MakeKey("RS256", "rsa");
  const TestKey ec256 = MakeKey("ES256", "ec256");
  const TestKey ec384 = MakeKey("ES384", "ec384");
  auto v = Make(Config(Jwks({&rsa, &ec256, &ec384})));
  ASSERT_TRUE(v);
  // HS256 "signed" with the RSA public JWK text as the secret: the classic confusion attack.
  TestKey confused = MakeKey("HS256");
  confused.secret = rsa.PublicJwk();
  confused.kid = "rsa";
  EXPECT_EQ(v->Verify(SignJwt(confused, Payload())), Status::ERR_KEY_ALG_MISMATCH);
  // ES256 token naming the P-384 key.
  TestKey ec256_as_384 = ec256;
  ec256_as_384.kid = "ec384";
  EXPECT_EQ(v->Verify(SignJwt(ec256_as_384, Payload())), Status::ERR_KEY_ALG_MISMATCH);
  // RS256 key with PS256: same family, allowed unless the JWK pins alg.
  TestKey ps = MakeKey("PS256");
  ps.pkey = rsa.pkey;
  ps.kid = "rsa";
  EXPECT_EQ(v->Verify(SignJwt(ps, Payload())), Status::OK);
  auto pinned = Make(Config(Jwks({&rsa}, R"("alg":"RS256")")));
  ASSERT_TRUE(pinned);
  EXPECT_EQ(pinned->Verify(SignJwt(ps, Payload())), Status::ERR_KEY_ALG_MISMATCH);
  // A key that may not verify is skipped (a set needs one usable key beside it);
  // a token naming it gets ERR_KEY_USE_MISMATCH.
  const std::string usable = ec256.PublicJwk();
  auto enc_only = Make(Config(R"({"keys":[)" + rsa.PublicJwk(R"("use":"enc")") + "," + usable + "]}"));
  ASSERT_TRUE(enc_only);
  EXPECT_EQ(enc_only->Verify(SignJwt(rsa, Payload())), Status::ERR_KEY_USE_MISMATCH);
  auto ops = Make(Config(R"({"keys":[)" + rsa.PublicJwk(R"("key_ops":["encrypt"])") + "," + usable + "]}"));
  ASSERT_TRUE(ops);
  EXPECT_EQ(ops->Verify(SignJwt(rsa, Payload())), Status::ERR_KEY_USE_MISMATCH);
}

TEST(Verifier, AllowListAndKeySelection) {
  const TestKey rsa = MakeKey("RS256", "rsa");
  const TestKey ec = MakeKey("ES256", "");  // no kid
  auto v = Make(Config(Jwks({&rsa, &ec}), R"("algorithms":["RS256","ES256"])"));
  ASSERT_TRUE(v);
  TestKey ps = MakeKey("PS256");
  ps.pkey = rsa.pkey;
  ps.kid = "rsa";
  EXPECT_EQ(v->Verify(SignJwt(ps, Payload())), Status::ERR_ALG_NOT_ALLOWED);
  EXPECT_EQ(v->Verify(SignJwt(ec, Payload())), Status::OK);  // no kid: tried against compatible keys
  TestKey unknown = rsa;
  unknown.kid = "rotated-away";
  EXPECT_EQ(v->Verify(SignJwt(unknown, Payload())), Status::ERR_KID_NOT_FOUND);
  const TestKey es384 = MakeKey("ES384", "");
  auto only_rsa = Make(Config(Jwks({&rsa})));
  ASSERT_TRUE(only_rsa);
  EXPECT_EQ(only_rsa->Verify(SignJwt(es384, Payload())), Status::ERR_NO_MATCHING_KEY);
  const TestKey other_ec = MakeKey("ES256", "other");
  TestKey other_no_kid = other_ec;
  other_no_kid.kid = "";
  EXPECT_EQ(v->Verify(SignJwt(other_no_kid, Payload())), Status::ERR_SIGNATURE_INVALID);
}

TEST(Verifier, ForeignAlgOrKidIsRejectedBeforeThePayload) {
  // The payload here is not even base64url: a verdict from the header alone
  // proves the payload was never decoded (junk floods stay cheap).
  const TestKey key = MakeKey("RS256", "known");
  auto v = Make(Config(Jwks({&key}), R"("algorithms":["RS256"])"));
  ASSERT_TRUE(v);
  const std::string junk_payload = ".%%%not-base64%%%.c2ln";
  EXPECT_EQ(v->Verify(B64(R"({"alg":"HS256","kid":"known"})") + junk_payload), Status::ERR_ALG_NOT_ALLOWED);
  EXPECT_EQ(v->Verify(B64(R"({"alg":"RS256","kid":"unknown"})") + junk_payload), Status::ERR_KID_NOT_FOUND);
  EXPECT_EQ(v->Verify(B64(R"({"alg":"RS256","kid":"known"})") + junk_payload), Status::ERR_BAD_BASE64URL);
  // A bare secret ignores kid, so a kid cannot be screened out there.
  const TestKey hs = MakeKey("HS256", "");
  auto secret = Make(R"({"now":1800000000,"providers":[{"secret":{"base64url":")" + B64(hs.secret) + R"("}}]})");
  ASSERT_TRUE(secret);
  EXPECT_EQ(secret->Verify(B64(R"({"alg":"HS256","kid":"anything"})") + junk_payload), Status::ERR_BAD_BASE64URL);
}

TEST(Verifier, TimeClaims) {
  const TestKey key = MakeKey("HS256", "k1");
  auto strict = Make(Config(Jwks({&key}), "", R"("leeway":0)"));
  auto lenient = Make(Config(Jwks({&key}), "", R"("leeway":"60s")"));
  auto aged = Make(Config(Jwks({&key}), R"("maxTokenAge":"10m")", R"("leeway":0)"));
  ASSERT_TRUE(strict && lenient && aged);
  auto tok = [&](std::string_view claims) { return SignJwt(key, "{" + std::string(claims) + "}"); };
  const std::string n = std::to_string(kNow);
  EXPECT_EQ(strict->Verify(tok(R"("exp":)" + n)), Status::ERR_EXPIRED);  // exp is exclusive
  EXPECT_EQ(strict->Verify(tok(R"("exp":)" + std::to_string(kNow + 1))), Status::OK);
  EXPECT_EQ(lenient->Verify(tok(R"("exp":)" + std::to_string(kNow - 59))), Status::OK);
  EXPECT_EQ(lenient->Verify(tok(R"("exp":)" + std::to_string(kNow - 60))), Status::ERR_EXPIRED);
  EXPECT_EQ(strict->Verify(tok(R"("exp":1800000001.5)")), Status::OK);  // fractions allowed, truncated
  EXPECT_EQ(strict->Verify(tok(R"("exp":1800000000.5)")), Status::ERR_EXPIRED);
  EXPECT_EQ(strict->Verify(tok(R"("nbf":)" + std::to_string(kNow + 1))), Status::ERR_NOT_YET_VALID);
  EXPECT_EQ(strict->Verify(tok(R"("nbf":)" + n)), Status::OK);
  EXPECT_EQ(lenient->Verify(tok(R"("nbf":)" + std::to_string(kNow + 60))), Status::OK);
  EXPECT_EQ(strict->Verify(tok(R"("iat":)" + std::to_string(kNow + 1))), Status::ERR_ISSUED_IN_FUTURE);
  EXPECT_EQ(lenient->Verify(tok(R"("iat":)" + std::to_string(kNow + 60))), Status::OK);
  EXPECT_EQ(aged->Verify(tok(R"("iat":)" + std::to_string(kNow - 600))), Status::OK);
  EXPECT_EQ(aged->Verify(tok(R"("iat":)" + std::to_string(kNow - 601))), Status::ERR_TOKEN_TOO_OLD);
  EXPECT_EQ(aged->Verify(tok(R"("sub":"no iat")")), Status::ERR_MISSING_CLAIM);
  // Overflow-safe arithmetic at the edges of int64.
  EXPECT_EQ(lenient->Verify(tok(R"("exp":9223372036854775807)")), Status::OK);
  EXPECT_EQ(lenient->Verify(tok(R"("nbf":-9223372036854775808)")), Status::OK);
  EXPECT_EQ(lenient->Verify(tok(R"("iat":-9223372036854775808)")), Status::OK);
  EXPECT_EQ(aged->Verify(tok(R"("iat":-9223372036854775808)")), Status::ERR_TOKEN_TOO_OLD);
}

TEST(Verifier, DefaultClockSkewIsSixtySeconds) {
  // An identity provider whose clock runs a little fast must not break fresh
  // tokens: without "leeway" exp, nbf and iat get 60 s, as Envoy's default.
  const TestKey key = MakeKey("HS256", "k1");
  auto v = Make(Config(Jwks({&key})));
  ASSERT_TRUE(v);
  auto tok = [&](std::string_view claims) { return SignJwt(key, "{" + std::string(claims) + "}"); };
  EXPECT_EQ(v->Verify(tok(R"("iat":)" + std::to_string(kNow + 2))), Status::OK);
  EXPECT_EQ(v->Verify(tok(R"("iat":)" + std::to_string(kNow + 60))), Status::OK);
  EXPECT_EQ(v->Verify(tok(R"("iat":)" + std::to_string(kNow + 61))), Status::ERR_ISSUED_IN_FUTURE);
  EXPECT_EQ(v->Verify(tok(R"("nbf":)" + std::to_string(kNow + 60))), Status::OK);
  EXPECT_EQ(v->Verify(tok(R"("nbf":)" + std::to_string(kNow + 61))), Status::ERR_NOT_YET_VALID);
  EXPECT_EQ(v->Verify(tok(R"("exp":)" + std::to_string(kNow - 59))), Status::OK);
  EXPECT_EQ(v->Verify(tok(R"("exp":)" + std::to_string(kNow - 60))), Status::ERR_EXPIRED);
  // NumericDates must be JSON numbers within int64.
  for (const char* bad :
       {R"("exp":"1900000000")", R"("exp":null)", R"("exp":true)", R"("exp":[1])", R"("exp":9223372036854775808)",
        R"("nbf":1e300)", R"("iat":-1e19)", R"("exp":123456789012345678901234567890)"})
    EXPECT_EQ(v->Verify(tok(bad)), Status::ERR_MALFORMED_CLAIM) << bad;
}

TEST(Verifier, ValueClaims) {
  const TestKey key = MakeKey("HS256", "k1");
  auto v = Make(Config(Jwks({&key}),
                       R"("issuer":"https://issuer.example","audiences":["my-api","other-api"],"subject":"alice",
                          "typ":"JWT","claims":[{"name":"team","values":["dev","ops"]},{"name":"groups","value":"admin"}],
                          "requiredClaims":["jti"])",
                       R"("requiredClaims":["exp"])"));
  ASSERT_TRUE(v);
  const std::string extra = R"("jti":"1","team":"dev","groups":["users","admin"])";
  auto tok = [&](std::string_view payload, std::string_view header_extra = R"("typ":"JWT")") {
    return SignJws(key, Header(key, header_extra), payload);
  };
  EXPECT_EQ(v->Verify(tok(Payload(extra))), Status::OK);
  EXPECT_EQ(v->Verify(tok(Payload(extra), R"("typ":"application/jwt")")), Status::OK);
  EXPECT_EQ(v->Verify(tok(Payload(extra), R"("typ":"at+jwt")")), Status::ERR_TYP_MISMATCH);
  EXPECT_EQ(v->Verify(tok(Payload(extra), "")), Status::ERR_TYP_MISMATCH);
  auto replace = [&](std::string from, std::string to) {
    std::string p = Payload(extra);
    p.replace(p.find(from), from.size(), to);
    return p;
  };
  EXPECT_EQ(v->Verify(tok(replace(R"("iss":"https://issuer.example")", R"("iss":"https://evil.example")"))),
            Status::ERR_ISSUER_MISMATCH);
  EXPECT_EQ(v->Verify(tok(replace(R"("iss":"https://issuer.example")", R"("iss":7)"))), Status::ERR_MALFORMED_CLAIM);
  EXPECT_EQ(v->Verify(tok(replace(R"("iss":"https://issuer.example")", R"("x":1)"))), Status::ERR_ISSUER_MISMATCH);
  EXPECT_EQ(v->Verify(tok(replace(R"("aud":"my-api")", R"("aud":["x","other-api"])"))), Status::OK);
  EXPECT_EQ(v->Verify(tok(replace(R"("aud":"my-api")", R"("aud":["x","y"])"))), Status::ERR_AUDIENCE_MISMATCH);
  EXPECT_EQ(v->Verify(tok(replace(R"("aud":"my-api")", R"("aud":"My-Api")"))), Status::ERR_AUDIENCE_MISMATCH);
  EXPECT_EQ(v->Verify(tok(replace(R"("aud":"my-api")", R"("aud":[])"))), Status::ERR_AUDIENCE_MISMATCH);
  EXPECT_EQ(v->Verify(tok(replace(R"("aud":"my-api")", R"("x":1)"))), Status::ERR_AUDIENCE_MISMATCH);
  EXPECT_EQ(v->Verify(tok(replace(R"("aud":"my-api")", R"("aud":["my-api",1])"))), Status::ERR_MALFORMED_CLAIM);
  EXPECT_EQ(v->Verify(tok(replace(R"("aud":"my-api")", R"("aud":{"a":"my-api"})"))), Status::ERR_MALFORMED_CLAIM);
  EXPECT_EQ(v->Verify(tok(replace(R"("sub":"alice")", R"("sub":"bob")"))), Status::ERR_SUBJECT_MISMATCH);
  EXPECT_EQ(v->Verify(tok(replace(R"("team":"dev")", R"("team":"ops")"))), Status::OK);
  EXPECT_EQ(v->Verify(tok(replace(R"("team":"dev")", R"("team":"sales")"))), Status::ERR_CLAIM_MISMATCH);
  EXPECT_EQ(v->Verify(tok(replace(R"("team":"dev")", R"("team":["sales","dev"])"))), Status::OK);
  EXPECT_EQ(v->Verify(tok(replace(R"("team":"dev")", R"("team":{"name":"dev"})"))), Status::ERR_CLAIM_MISMATCH);
  EXPECT_EQ(v->Verify(tok(replace(R"("groups":["users","admin"])", R"("groups":["users"])"))),
            Status::ERR_CLAIM_MISMATCH);
  EXPECT_EQ(v->Verify(tok(replace(R"("groups":["users","admin"])", R"("groupz":["admin"])"))),
            Status::ERR_CLAIM_MISMATCH);
  EXPECT_EQ(v->Verify(tok(replace(R"("jti":"1")", R"("jtx":"1")"))), Status::ERR_MISSING_CLAIM);
  EXPECT_EQ(v->Verify(tok(replace(R"("exp":1800003600)", R"("exq":1800003600)"))), Status::ERR_MISSING_CLAIM);
  // A required claim that is JSON null is missing.
  EXPECT_EQ(v->Verify(tok(replace(R"("jti":"1")", R"("jti":null)"))), Status::ERR_MISSING_CLAIM);
  EXPECT_EQ(v->Verify(tok(replace(R"("jti":"1")", R"("jti": null)"))), Status::ERR_MISSING_CLAIM);
  EXPECT_EQ(v->Verify(tok(replace(R"("jti":"1")", R"("jti":false)"))), Status::OK);
  EXPECT_EQ(v->Verify(tok(replace(R"("jti":"1")", R"("jti":{"n":null})"))), Status::OK);
}

TEST(Verifier, ClaimsAreNoOracleForForgers) {
  // A sender without the key must learn nothing about which claims would be
  // accepted: every forged token gets ERR_SIGNATURE_INVALID, whatever its
  // claims; the precise claim status is for tokens whose signature verified.
  const TestKey key = MakeKey("HS256", "k1");
  const TestKey forger{"HS256", "k1", nullptr, std::string(48, 'f')};
  auto v = Make(Config(Jwks({&key}),
                       R"("issuer":"https://issuer.example","audiences":["my-api"],"subject":"alice",
                          "claims":[{"name":"team","values":["dev"]}],"requiredClaims":["jti"])"));
  ASSERT_TRUE(v);
  const std::string good = R"({"iss":"https://issuer.example","aud":"my-api","sub":"alice","team":"dev","jti":"1"})";
  auto with = [&](std::string from, std::string to) {
    std::string p = good;
    p.replace(p.find(from), from.size(), to);
    return p;
  };
  const std::pair<std::string, Status> cases[] = {
      {with(R"("aud":"my-api")", R"("aud":"guess")"), Status::ERR_AUDIENCE_MISMATCH},
      {with(R"("sub":"alice")", R"("sub":"guess")"), Status::ERR_SUBJECT_MISMATCH},
      {with(R"("team":"dev")", R"("team":"guess")"), Status::ERR_CLAIM_MISMATCH},
      {with(R"("jti":"1")", R"("jtx":"1")"), Status::ERR_MISSING_CLAIM},
      {with(R"("iss":"https://issuer.example")", R"("iss":"https://guess.example")"), Status::ERR_ISSUER_MISMATCH},
      {R"({"iss":"https://issuer.example","aud":"my-api","sub":"alice","team":"dev","jti":"1","exp":1})",
       Status::ERR_EXPIRED},
  };
  for (const auto& [payload, genuine_status] : cases) {
    EXPECT_EQ(v->Verify(SignJwt(forger, payload)), Status::ERR_SIGNATURE_INVALID) << payload;
    EXPECT_EQ(v->Verify(SignJwt(key, payload)), genuine_status) << payload;
  }
  EXPECT_EQ(v->Verify(SignJwt(forger, good)), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(v->Verify(SignJwt(key, good)), Status::OK);
}

TEST(Verifier, ProvidersByIssuerAndInOrder) {
  const TestKey a = MakeKey("ES256", "a");
  const TestKey b = MakeKey("RS256", "b");
  const TestKey hs = MakeKey("HS256", "");
  const std::string config = R"({"now":1800000000,"providers":[)"
                             R"({"name":"A","issuer":"https://a.example","jwks":{"local":{"inline":)" +
                             JsonQuote(Jwks({&a})) +
                             R"(}}},)"
                             R"({"name":"B","issuer":"https://b.example","jwks":{"local":{"inline":)" +
                             JsonQuote(Jwks({&b})) +
                             R"(}}},)"
                             R"({"name":"R","jwks":{"local":{"inline":)" +
                             JsonQuote(Jwks({&b})) +
                             R"(}},"audiences":["r-api"]},)"
                             R"({"name":"S","secret":{"base64url":")" +
                             B64(hs.secret) + R"("}}]})";
  auto v = Make(config);
  ASSERT_TRUE(v);
  VerifiedToken out;
  ASSERT_EQ(v->Verify(SignJwt(a, R"({"iss":"https://a.example"})"), &out), Status::OK);
  EXPECT_EQ(out.provider, "A");
  ASSERT_EQ(v->Verify(SignJwt(b, R"({"iss":"https://b.example"})"), &out), Status::OK);
  EXPECT_EQ(out.provider, "B");
  // iss picks the provider: B's key does not verify for A.
  EXPECT_EQ(v->Verify(SignJwt(b, R"({"iss":"https://a.example"})")), Status::ERR_KID_NOT_FOUND);
  // No issuer match: the providers without an issuer, in order.
  ASSERT_EQ(v->Verify(SignJwt(b, R"({"iss":"https://c.example","aud":"r-api"})"), &out), Status::OK);
  EXPECT_EQ(out.provider, "R");
  ASSERT_EQ(v->Verify(SignJwt(hs, R"({"sub":"x"})"), &out), Status::OK);
  EXPECT_EQ(out.provider, "S");
  // R owns the key but the audience is wrong; S has no RSA key. The report is R's.
  EXPECT_EQ(v->Verify(SignJwt(b, R"({"aud":"wrong"})")), Status::ERR_AUDIENCE_MISMATCH);
  auto only_issuers = Make(R"({"providers":[{"issuer":"https://a.example","jwks":{"local":{"inline":)" +
                           JsonQuote(Jwks({&a})) + "}}}]}");
  ASSERT_TRUE(only_issuers);
  EXPECT_EQ(only_issuers->Verify(SignJwt(a, R"({"iss":"https://z.example"})")), Status::ERR_ISSUER_MISMATCH);
  EXPECT_EQ(only_issuers->Verify(SignJwt(a, R"({"sub":"no iss"})")), Status::ERR_ISSUER_MISMATCH);
  // Which issuers are accepted is no answer for a forger: a token under an
  // unknown issuer whose signature no provider verifies is a bad signature.
  TestKey a_forged = MakeKey("ES256", "forger");  // another key, under a's kid
  a_forged.kid = "a";
  EXPECT_EQ(only_issuers->Verify(SignJwt(a_forged, R"({"iss":"https://z.example"})")), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(only_issuers->Verify(SignJwt(a_forged, R"({"sub":"no iss"})")), Status::ERR_SIGNATURE_INVALID);
}

// The token's iss picks its provider: compared in order for a few issuers,
// through a hash map for many. Both must pick the same provider. (Two
// providers cannot share an issuer: the config refuses it.)
TEST(Verifier, ProvidersByIssuerFewAndMany) {
  const TestKey a = MakeKey("ES256", "a");
  const std::string jwks = JsonQuote(Jwks({&a}));
  for (const int n : {1, 8, 9, 12}) {
    std::string config = R"({"now":1800000000,"providers":[)";
    for (int i = 0; i < n; ++i) {
      config += std::string(i ? "," : "") + R"({"name":"P)" + std::to_string(i) + R"(","issuer":"https://i)" +
                std::to_string(i) + R"(.example","jwks":{"local":{"inline":)" + jwks + "}}}";
    }
    config += "]}";
    auto v = Make(config);
    ASSERT_TRUE(v) << n;
    VerifiedToken out;
    for (int i = 0; i < n; ++i) {
      const std::string iss = "https://i" + std::to_string(i) + ".example";
      ASSERT_EQ(v->Verify(SignJwt(a, R"({"iss":")" + iss + R"("})"), &out), Status::OK) << n << " " << iss;
      EXPECT_EQ(out.provider, "P" + std::to_string(i));
    }
    EXPECT_EQ(v->Verify(SignJwt(a, R"({"iss":"https://i.example"})")), Status::ERR_ISSUER_MISMATCH) << n;
    EXPECT_EQ(v->Verify(SignJwt(a, R"({"iss":"https://i0.example "})")), Status::ERR_ISSUER_MISMATCH) << n;
    EXPECT_EQ(v->Verify(SignJwt(a, R"({"sub":"no iss"})")), Status::ERR_ISSUER_MISMATCH) << n;
  }
}

TEST(Verifier, KidBindsTheKeyInSetsOfSecrets) {
  // Six HMAC keys in one JWK set: the kid must pick the key, as for public keys
  // (and the no-kid bound of 4 must not apply to a token that names its key).
  std::vector<TestKey> keys;
  for (int i = 0; i < 6; ++i) keys.push_back(MakeKey("HS256", "k" + std::to_string(i)));
  std::string jwks = "{\"keys\":[";
  for (int i = 0; i < 6; ++i) jwks += (i ? "," : "") + keys[i].PublicJwk();
  jwks += "]}";
  auto v = Make(Config(jwks));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->Verify(SignJwt(keys[5], Payload())), Status::OK);
  TestKey k1_named_k0 = keys[1];
  k1_named_k0.kid = "k0";
  EXPECT_EQ(v->Verify(SignJwt(k1_named_k0, Payload())), Status::ERR_SIGNATURE_INVALID);
  TestKey unknown = keys[0];
  unknown.kid = "nosuchkid";
  EXPECT_EQ(v->Verify(SignJwt(unknown, Payload())), Status::ERR_KID_NOT_FOUND);
}

TEST(Verifier, SecretProvidersIgnoreKid) {
  const TestKey hs = MakeKey("HS512", "whatever");
  auto v = Make(R"({"providers":[{"secret":{"base64url":")" + B64(hs.secret) + R"("}}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->Verify(SignJwt(hs, R"({"sub":"x"})")), Status::OK);
}

constexpr std::string_view kKgatewayJwks =
    R"({"keys":[{"kty":"RSA","kid":"solo-public-key-001","use":"sig","alg":"RS256","n":"AOfIaJMUm7564sWWNHaXt_hS8H0O1Ew59-nRqruMQosfQqa7tWne5lL3m9sMAkfa3Twx0LMN_7QqRDoztvV3Wa_JwbMzb9afWE-IfKIuDqkvog6s-xGIFNhtDGBTuL8YAQYtwCF7l49SMv-GqyLe-nO9yJW-6wIGoOqImZrCxjxXFzF6mTMOBpIODFj0LUZ54QQuDcD1Nue2LMLsUvGa7V1ZHsYuGvUqzvXFBXMmMS2OzGir9ckpUhrUeHDCGFpEM4IQnu-9U8TbAJxKE5Zp8Nikefr2ISIG2Hk1K2rBAc_HwoPeWAcAWUAR5tWHAxx-UXClSZQ9TMFK850gQGenUp8","e":"AQAB"}]})";
constexpr std::string_view kKgatewayToken =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InNvbG8tcHVibGljLWtleS0wMDEifQ."
    "eyJpc3MiOiJzb2xvLmlvIiwib3JnIjoic29sby5pbyIsInN1YiI6ImFsaWNlIiwidGVhbSI6ImRldiIsImV4cCI6MjA3NDI3NDg4NCwibGxtcyI6ey"
    "JvcGVuYWkiOlsiZ3B0LTMuNS10dXJibyJdfX0."
    "il5Rjsad65jpQR_pyRzBdEKFSj-ERmBf4K2VksvGvswWVv4n79lYERslr4KCECuiz9y_T-"
    "xUiQ9IkhW3YHzl5zo1kajhhIg7Nhnl1AvAqODbnF6wYpLRk0Npna_2T6lK3Yj54qQGi6vXG3IMRpo1_o2DrbdlKx2k_"
    "WFegCoQyyYazb4z3ZXfWvTiWqQDJA5wWcM3-jKzAWfNM8zgZWa-1BeAHDvpLcfWtuXEGSjkdCW0FQJOTjgIEqACnnXb2Jio0tWgelh9hDPILI-"
    "tvanj3iKCjpf3uF6g8QWSBNoVFfu7F1jJgj5Aj1sX8AV-CQVu2aQx3EHRZ1mL_3w3qSRWPw";

TEST(Verifier, KgatewayExample) {
  const std::string base = R"({"now":1800000000,"providers":[{"issuer":"solo.io","jwks":{"local":{"inline":)" +
                           JsonQuote(kKgatewayJwks) + "}}";
  auto v = Make(base + "}]}");
  ASSERT_TRUE(v);
  VerifiedToken out;
  ASSERT_EQ(v->Verify(kKgatewayToken, &out), Status::OK);
  auto claims = Claims::Create(out.header_json, out.payload_json);
  ASSERT_TRUE(claims.ok());
  ASSERT_NE((*claims)->Find("team"), nullptr);
  EXPECT_EQ((*claims)->Find("team")->string_value, "dev");
  EXPECT_EQ((*claims)->Find("org")->string_value, "solo.io");
  EXPECT_EQ((*claims)->Find("sub")->string_value, "alice");
  EXPECT_EQ((*claims)->Find("exp")->int_value, 2074274884);
  EXPECT_EQ((*claims)->Find("llms")->raw, R"({"openai":["gpt-3.5-turbo"]})");
  EXPECT_EQ((*claims)->Find("missing"), nullptr);

  std::string tampered(kKgatewayToken);
  tampered[tampered.size() - 10] = tampered[tampered.size() - 10] == 'x' ? 'y' : 'x';
  EXPECT_EQ(v->Verify(tampered), Status::ERR_SIGNATURE_INVALID);
  auto with_audience = Make(base + R"(,"audiences":["my-api"]}]})");
  ASSERT_TRUE(with_audience);
  EXPECT_EQ(with_audience->Verify(kKgatewayToken), Status::ERR_AUDIENCE_MISMATCH);
  auto wrong_issuer = Make(R"({"now":1800000000,"providers":[{"issuer":"kgateway.dev","jwks":{"local":{"inline":)" +
                           JsonQuote(kKgatewayJwks) + "}}}]}");
  ASSERT_TRUE(wrong_issuer);
  EXPECT_EQ(wrong_issuer->Verify(kKgatewayToken), Status::ERR_ISSUER_MISMATCH);
  auto later = Make(R"({"now":2074274884,"leeway":0,"providers":[{"jwks":{"local":{"inline":)" +
                    JsonQuote(kKgatewayJwks) + "}}}]}");
  ASSERT_TRUE(later);
  EXPECT_EQ(later->Verify(kKgatewayToken), Status::ERR_EXPIRED);
}

// "allowShortHmacSecrets": PyJWT's enforce_minimum_key_length: False for the
// engine. Short secrets are refused unless the provider asks, then serve every
// HS algorithm; an empty one never.
TEST(Verifier, ShortHmacSecretsOnlyWhenTheProviderAllowsThem) {
  TestKey key;
  key.alg = "HS256";
  key.secret = "secret";
  const std::string provider = R"({"now":1800000000,"providers":[{"name":"p","secret":"secret")";
  Error err;
  auto refused = Verifier::Create(provider + "}]}", &err);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status(), Status::ERR_JWK_WEAK);
  EXPECT_NE(err.message.find("allowShortHmacSecrets"), std::string::npos) << err.message;

  auto v = Make(provider + R"(,"allowShortHmacSecrets":true}]})");
  ASSERT_TRUE(v);
  for (const char* alg : {"HS256", "HS384", "HS512"}) {
    key.alg = alg;
    const std::string token = SignJwt(key, Payload());
    EXPECT_EQ(v->Verify(token), Status::OK) << alg;
    std::string tampered = token;
    tampered.back() = tampered.back() == 'A' ? 'Q' : 'A';
    EXPECT_EQ(v->Verify(tampered), Status::ERR_SIGNATURE_INVALID) << alg;
  }

  // The same in a JWK set, where the setting also governs refreshes.
  key.alg = "HS256";
  const std::string jwks = Jwks({&key});
  Error jwks_err;
  auto strict = Verifier::Create(Config(jwks), &jwks_err);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status(), Status::ERR_JWK_WEAK) << jwks_err.message;
  auto allowed = Make(Config(jwks, R"("allowShortHmacSecrets":true)"));
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->Verify(SignJwt(key, Payload())), Status::OK);
}

// AWS ALB signs "header.payload" with base64 padding on each segment; the
// padding is part of what was signed. Only a provider with
// "allowPaddedSegments" accepts such a token.
TEST(Verifier, PaddedSegmentsOnlyWhenTheProviderAllowsThem) {
  const TestKey key = MakeKey("ES256", "alb-key");
  auto pad = [](std::string s) {
    while (s.size() % 4 != 0) s += '=';
    return s;
  };
  // A header and payload whose encodings need one and two "=".
  const std::string header = pad(B64(R"({"alg":"ES256","kid":"alb-key","typ":"JWT"})"));
  const std::string payload = pad(B64(Payload(R"("email":"a@example.com")")));
  ASSERT_EQ(header.back(), '=');
  ASSERT_EQ(payload.back(), '=');
  const std::string signing_input = header + "." + payload;
  const std::string padded = signing_input + "." + pad(B64(testing::SignRaw(key, signing_input)));

  auto strict = Make(Config(Jwks({&key})));
  ASSERT_TRUE(strict);
  EXPECT_EQ(strict->Verify(padded), Status::ERR_BAD_BASE64URL);

  auto alb = Make(Config(Jwks({&key}), R"("allowPaddedSegments":true)"));
  ASSERT_TRUE(alb);
  VerifiedToken out;
  ASSERT_EQ(alb->Verify(padded, &out), Status::OK);
  EXPECT_EQ(out.payload_json, Payload(R"("email":"a@example.com")"));
  EXPECT_EQ(alb->Verify(SignJwt(key, Payload())), Status::OK);  // unpadded tokens still verify
  // The padding was signed: without it the signature no longer matches.
  std::string stripped = padded;
  std::erase(stripped, '=');
  EXPECT_EQ(alb->Verify(stripped), Status::ERR_SIGNATURE_INVALID);
  // Padding that is not base64's is still refused.
  const std::string overpadded = header + "==." + payload + "." + B64(testing::SignRaw(key, header + "==." + payload));
  EXPECT_EQ(alb->Verify(overpadded), Status::ERR_BAD_BASE64URL);
  const std::string inner = "eyJ=" + signing_input.substr(4);
  EXPECT_EQ(alb->Verify(inner + "." + B64(testing::SignRaw(key, inner))), Status::ERR_BAD_BASE64URL);

  // Two providers: the padded token is one only the opted-in provider accepts.
  const TestKey other = MakeKey("ES256", "other-key");
  auto two =
      Make(R"({"now":1800000000,"providers":[{"name":"strict","jwks":{"local":{"inline":)" + JsonQuote(Jwks({&key})) +
           R"(}}},{"name":"alb","allowPaddedSegments":true,"jwks":{"local":{"inline":)" + JsonQuote(Jwks({&other})) +
           "}}}]}");
  ASSERT_TRUE(two);
  EXPECT_EQ(two->Verify(padded), Status::ERR_BAD_BASE64URL);  // key's provider does not allow padding
  EXPECT_EQ(two->Verify(SignJwt(key, Payload())), Status::OK);
}

// VerifySignature: Verify's checks up to the signature, the payload opaque.
TEST(Verifier, VerifySignatureChecksTheSignatureAndNoClaim) {
  const TestKey key = MakeKey("ES256", "k1");
  const TestKey other = MakeKey("ES256", "k2");
  // The key's provider names an issuer; the other provider names none. An
  // opaque payload has no iss to choose by: every provider is tried.
  auto v = Make(R"({"now":1800000000,"providers":[{"name":"issued","issuer":"https://issuer.example",)"
                R"("audiences":["nobody"],"jwks":{"local":{"inline":)" +
                JsonQuote(Jwks({&key})) + R"(}}},{"name":"open","jwks":{"local":{"inline":)" +
                JsonQuote(Jwks({&other})) + "}}}]}");
  ASSERT_TRUE(v);
  const std::string token = SignJwt(key, Payload());
  EXPECT_EQ(v->Verify(token), Status::ERR_AUDIENCE_MISMATCH);
  EXPECT_EQ(v->VerifySignature(token), Status::OK);
  // Claims of any type, or no JSON at all: the payload is not read.
  EXPECT_EQ(v->VerifySignature(SignJws(key, Header(key), R"({"iat":"1638202770","aud":null})")), Status::OK);
  EXPECT_EQ(v->VerifySignature(SignJws(key, Header(key), "not json")), Status::OK);
  std::string tampered = token;
  char& c = tampered[tampered.rfind('.') + 5];
  c = c == 'A' ? 'B' : 'A';
  EXPECT_EQ(v->VerifySignature(tampered), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(v->VerifySignature(SignJwt(MakeKey("ES256", "k3"), Payload())), Status::ERR_KID_NOT_FOUND);
  EXPECT_EQ(v->VerifySignature("a.b"), Status::ERR_MALFORMED_TOKEN);
}

}  // namespace
}  // namespace tokenverify
