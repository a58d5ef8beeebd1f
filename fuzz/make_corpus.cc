// Writes the seed corpora under fuzz/corpus/<target>/ (run by hand; the
// output is committed, so fuzzing starts from inputs that reach deep):
//   cmake --build build-fuzz --target tv_fuzz_make_corpus
//   build-fuzz/fuzz/tv_fuzz_make_corpus fuzz/corpus
// Keys are generated afresh on every run (tests/support/signer), so running it
// again replaces every signed seed; hand-written seeds are written verbatim.
// The layouts are the ones each harness documents at its top.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "base64url/base64url.h"
#include "support/signer.h"

namespace {

namespace fs = std::filesystem;
using tokenverify::testing::B64;
using tokenverify::testing::JsonQuote;
using tokenverify::testing::Jwks;
using tokenverify::testing::MakeKey;
using tokenverify::testing::SignJws;
using tokenverify::testing::SignJwt;
using tokenverify::testing::TestKey;

fs::path g_root;
size_t g_written = 0;

void Write(const std::string& target, const std::string& name, std::string_view bytes) {
  const fs::path dir = g_root / target;
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "make_corpus: cannot write %s\n", (dir / name).c_str());
    std::exit(1);
  }
  ++g_written;
}

// The algorithms of the engine, with a signer key name for each.
const std::vector<std::string> kAlgs = {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256",
                                        "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed448"};

constexpr std::string_view kPayload =
    R"({"iss":"https://issuer.example","sub":"alice","aud":"my-api","iat":1799999000,)"
    R"("nbf":1799999000,"exp":1800003600,"team":"dev","scope":"read write"})";

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

// ------------------------------------------------------------------ base64url
void Base64url() {
  // Mode byte 0x00: text decoded as is.
  const std::string bytes_342 = std::string(256, '\x5a') + "tail";
  Write("base64url", "text_43", std::string(1, '\0') + B64(std::string(32, '\x11')));
  Write("base64url", "text_86", std::string(1, '\0') + B64(std::string(64, '\x7f')));
  Write("base64url", "text_342", std::string(1, '\0') + B64(std::string(256, '\xa5')));
  Write("base64url", "text_tail2", std::string(1, '\0') + B64(std::string(61, '\x3c')));
  Write("base64url", "text_tail3", std::string(1, '\0') + B64(std::string(65, '\xc3')));
  Write("base64url", "text_all_chars",
        std::string(1, '\0') +
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
  Write("base64url", "text_padding", std::string(1, '\0') + "eyJhbGciOiJIUzI1NiJ9==");
  Write("base64url", "text_std_alphabet", std::string(1, '\0') + "ab+/cd+/ef+/gh+/ij+/kl+/mn+/op+/qr+/st+/uv+/wx+/");
  Write("base64url", "text_whitespace", std::string(1, '\0') + "eyJhbGciOi JIUzI1NiJ9\n");
  Write("base64url", "text_nonzero_bits", std::string(1, '\0') + "QR");
  Write("base64url", "text_len_1_mod_4", std::string(1, '\0') + "QUJDR");
  Write("base64url", "text_high_bytes", std::string(1, '\0') + std::string(70, '\xc0') + "AAAA");
  // Mode byte 0x01 / 0x03: binary, encoded by the harness, then edited.
  Write("base64url", "bin_empty", std::string(1, '\1'));
  Write("base64url", "bin_32", "\x01" + std::string(32, '\x01') + std::string(1, '\0'));
  Write("base64url", "bin_256", "\x01" + bytes_342 + std::string(1, '\0'));
  Write("base64url", "bin_edit", "\x01" + std::string(100, '\x42') + std::string("\x2a\x00\x10\x01", 4));
  Write("base64url", "bin_cut", "\x03" + std::string(48, '\x99') + std::string("\x21\x00\x00", 3));
}

// ------------------------------------------------------------------ tokens
void TokenParse(const std::vector<TestKey>& keys) {
  for (const TestKey& k : keys) Write("token_parse", "valid_" + Lower(k.alg), SignJwt(k, kPayload));
  const TestKey& hs = keys[0];
  Write("token_parse", "kid_escaped", SignJws(hs, R"({"alg":"HS256","kid":"k\u00e9y\n","typ":"JWT"})", kPayload));
  Write("token_parse", "aud_array",
        SignJws(hs, R"({"alg":"HS256"})", R"({"aud":["a","b","my-api"],"roles":["x",1,{"y":null}],"exp":1.5e9})"));
  Write("token_parse", "nested_claims",
        SignJws(hs, R"({"alg":"HS256"})",
                R"({"a":{"b":{"c":[[[{"d":[true,false,null,-0.0,1e308]}]]]}},"team":["dev","ops"]})"));
  Write("token_parse", "empty_payload", SignJws(hs, R"({"alg":"HS256"})", ""));
  Write("token_parse", "crit", SignJws(hs, R"({"alg":"HS256","crit":["exp"]})", kPayload));
  Write("token_parse", "b64_false", SignJws(hs, R"({"alg":"HS256","b64":false})", kPayload));
  Write("token_parse", "alg_none", B64(R"({"alg":"none"})") + "." + B64(kPayload) + ".");
  Write("token_parse", "duplicate_member", SignJws(hs, R"({"alg":"HS256","alg":"HS256"})", kPayload));
  Write("token_parse", "bom", SignJws(hs, "\xEF\xBB\xBF{\"alg\":\"HS256\"}", kPayload));
  Write("token_parse", "big_numbers",
        SignJws(hs, R"({"alg":"HS256"})", R"({"exp":18446744073709551616,"nbf":-9223372036854775809,"iat":1e400})"));
  Write("token_parse", "lone_surrogate", SignJws(hs, R"({"alg":"HS256"})", R"({"sub":"\ud800"})"));
  Write("token_parse", "two_dots_only", "..");
  Write("token_parse", "four_segments", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln.eHl6");
  // Structured: header JSON, newline, payload JSON (encoded by the harness).
  Write("token_parse", "json_basic",
        std::string(R"({"alg":"ES256","kid":"k1","typ":"JWT"})") + "\n" + std::string(kPayload));
  Write("token_parse", "json_deep", std::string(R"({"alg":"RS256"})") + "\n" + R"({"x":[[[[[[[[[[[[1]]]]]]]]]]]]})");
  Write("token_parse", "json_escapes",
        std::string(R"({"alg":"PS256","kid":"\"\\\/\b\f\n\r\t\u0041\ud83d\ude00"})") + "\n" +
            R"({"iss":"\u0069ss","aud":[],"team":"d\u0065v","nonce":null})");
}

// ------------------------------------------------------------------ JSON differential
void JsonDifferential() {
  // Mode byte: bit 0 payload (else header), bits 1-2 depth 32 / 2 / 3 / 256.
  auto header = [](const std::string& name, std::string_view json, char mode = 0) {
    Write("json_differential", "header_" + name, std::string(1, mode) + std::string(json));
  };
  auto payload = [](const std::string& name, std::string_view json, char mode = 1) {
    Write("json_differential", "payload_" + name, std::string(1, mode) + std::string(json));
  };
  header("basic", R"({"alg":"ES256","kid":"k1","typ":"JWT"})");
  header("escaped", R"({"\u0061lg":"PS256","kid":"\"\\\/\b\f\n\r\t\u0041\ud83d\ude00","typ":"at+jwt"})");
  header("members", R"({"alg":"RS256","jwk":{"kty":"oct","k":"AA"},"x5c":["MII"],"b64":true,"cty":"JWT"})");
  header("crit", R"({"alg":"HS256","crit":["exp"],"exp":1})");
  header("b64_false", R"({"alg":"HS256","b64":false})");
  header("alg_none", R"({"alg":"nOnE"})");
  header("alg_wrong_type", R"({"alg":["HS256"],"kid":7})");
  header("duplicate", R"({"alg":"HS256","a\u006cg":"HS256"})");
  header("bom", "\xEF\xBB\xBF{\"alg\":\"HS256\"}");
  header("utf8", "{\"alg\":\"HS256\",\"kid\":\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\",\"x\":\"\xED\xA0\x80\"}");
  header("whitespace", " \t\r\n{ \"alg\" : \"EdDSA\" , \"kid\" : \"\" } \n");
  header("trailing", R"({"alg":"HS256"}{})");
  header("deep", R"({"alg":"HS256","x":[[[{"y":[{}]}]]]})", 2);
  payload("typical",
          R"({"iss":"https://issuer.example","sub":"alice","aud":["my-api","other"],"iat":1799999000,)"
          R"("nbf":1799999000,"exp":1800003600,"team":"dev","scope":"read write","roles":["a",1,{"b":null}]})");
  payload("dates", R"({"exp":1800000000.5,"nbf":-9223372036854775808,"iat":9223372036854775807})");
  payload("date_edges", R"({"exp":9223372036854775808,"nbf":-9223372036854775809,"iat":1e400})");
  payload("date_fraction", R"({"exp":-0.5,"nbf":1.5e9,"iat":2E-3})");
  payload("date_wrong_type", R"({"exp":"1800000000"})");
  payload("aud_wrong", R"({"aud":["my-api",{"a":[1]}]})", 3);
  payload("strings_escaped", R"({"iss":"\u0069ss","sub":"\ud83d\ude00","team":["d\u0065v","\n"],"\u00e9":"x"})");
  payload("lone_surrogate", R"({"sub":"\udc00x"})");
  payload("bad_escape", R"({"team":"\ud83d\ude00\q" })");
  payload("numbers", R"({"a":[0,-0,1.0e+2,-1E-2,123456789012345678901234567890,1e999]})");
  payload("bad_numbers", R"({"a":01})");
  payload("control_char", "{\"a\":\"tab\there\"}");
  payload("nested_duplicate", R"({"x":[{"b":1},{"b":1,"b":2}]})");
  payload("empty", "");
  payload("not_object", R"(["a"])");
  payload("depth_bomb", "{\"a\":" + std::string(300, '[') + std::string(300, ']') + "}", 7);
  // Compact ASCII documents without escapes: the fast path's (json/fast_path.h).
  header("fast_b64_true", R"({"alg":"HS256","b64":true,"kid":"k-2026-01","typ":"JWT"})");
  header("fast_missing_alg", R"({"kid":"k1","typ":"JWT","cty":"JWT","x":[1,"a",null]})");
  header("fast_alg_unknown", R"({"typ":"at+jwt","alg":"XX512","kid":""})");
  payload("fast_typical", R"({"iss":"https://issuer.example","sub":"alice","aud":["my-api","other"],"iat":1799999000,)"
                          R"("nbf":1799999000,"exp":1800003600,"team":"dev","scope":"read write","roles":["admin"],)"
                          R"("email":"a@b.example","email_verified":true,"nonce":"n-0S6_WzA2Mj","tenant":"acme"})");
  payload("fast_values", R"({"team":["dev","ops",1,true,null,[]],"n":-0,"f":1.5e-3,"x":[],"scope":"","exp":0,)"
                         R"("nbf":-1,"iat":123456789012345678,"aud":[],"roles":"one"})");
  // A member memo primed with one document (before the 0xFF), then another
  // that shares its first names and then repeats one of them.
  payload("memo_partial", R"({"iss":"i","sub":"s","team":"dev","exp":1})"
                          "\xFF"
                          R"({"iss":"j","sub":"t","roles":"r","sub":"u"})");
  // A memo primed by a document that fails part-way (its presence bits must not leak into the next view).
  payload("memo_prime_fails", R"({"iss":-"x5u")"
                              "\xFF"
                              "{}");
  {
    const std::string s(70, 'x'), name(66, 'n');  // across 64-byte blocks
    payload("fast_long_strings", "{\"" + name + "\":\"" + s + "\",\"sub\":\"" + s +
                                     "\",\"email_verified\":false,\"aud\":\"" + s + "\",\"" + name + "x\":0}");
  }
  payload("fast_duplicate", R"({"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,)"
                            R"("n":14,"o":15,"p":16,"q":17,"r":18,"a":19})");
  payload("fast_unclosed", R"({"iss":"https://issuer.example","sub":"ali)");
  payload("fast_depth2", R"({"aud":["a","b"],"team":["x",[1]],"exp":1800003600})", 3);
  payload("fast_nested", R"({"iss":"i","realm_access":{"roles":["a","b"]},"resource_access":{"api":{"roles":["r"]}},)"
                         R"("x":[[1,[]],{},{"a":{"a":{}}}],"team":["dev",{"b":1},["c"],"ops"],"cnf":{"jkt":"t"},)"
                         R"("exp":1800000000})");
  header("fast_nested_duplicate",
         R"({"alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"a","y":"b","kty":"EC"},"kid":"k"})");
  std::string big = "{";
  for (int i = 0; i < 40; ++i) big += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  payload("many_members", big + "\"k7\":0}");
}

// ------------------------------------------------------------------ JWK sets
void JwksParse(const std::vector<TestKey>& keys) {
  for (const TestKey& k : keys) {
    Write("jwks_parse", "set_" + Lower(k.alg), Jwks({&k}));
    Write("jwks_parse", "jwk_" + Lower(k.alg), k.PublicJwk());
  }
  const TestKey &rs = keys[3], &es256 = keys[9], &es384 = keys[10], &es512 = keys[11], &ed = keys[12],
                &ed448 = keys[13];
  Write("jwks_parse", "set_public_mix", Jwks({&rs, &es256, &es384, &es512, &ed, &ed448}));
  Write("jwks_parse", "set_with_members", Jwks({&rs, &es256}, R"("use":"sig","key_ops":["verify"],"x5t":"abc")"));
  Write("jwks_parse", "set_use_enc", Jwks({&ed}, R"("use":"enc")"));
  Write("jwks_parse", "set_alg_member",
        "{\"keys\":[" + es256.PublicJwk(R"("alg":"ES256")") + "," + rs.PublicJwk(R"("alg":"PS384")") + "]}");
  Write("jwks_parse", "set_mixed_secret", Jwks({&keys[0], &rs}));
  Write("jwks_parse", "set_duplicate_kid", "{\"keys\":[" + keys[0].PublicJwk() + "," + keys[0].PublicJwk() + "]}");
  Write(
      "jwks_parse", "set_unknown_kty",
      R"({"keys":[{"kty":"XYZ","kid":"a"},{"kty":"OKP","crv":"X25519","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}]})");
  // An encryption key under the signing key's kid: the signing key stays usable.
  Write("jwks_parse", "set_kid_shared_with_enc",
        R"({"keys":[{"kty":"oct","kid":"a","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI"},)"
        R"({"kty":"oct","kid":"a","use":"enc","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI"}]})");
  Write("jwks_parse", "set_empty", R"({"keys":[]})");
  const TestKey rsa_1024 = MakeKey("RS256", "small", 1024);
  Write("jwks_parse", "rsa_1024", Jwks({&rsa_1024}));
  Write(
      "jwks_parse", "ec_not_on_curve",
      R"({"keys":[{"kty":"EC","crv":"P-256","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE"}]})");
  Write("jwks_parse", "ed25519_small_order",
        R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]})");
  Write("jwks_parse", "oct_short", R"({"keys":[{"kty":"oct","k":"c2hvcnQ"}]})");
  Write("jwks_parse", "not_a_set", R"({"keys":{"kty":"oct"}})");
  Write("jwks_parse", "bad_json", R"({"keys":[{"kty":"RSA","n":)");
}

// ------------------------------------------------------------------ verify
std::string Flags(uint16_t f) { return std::string{static_cast<char>(f & 0xff), static_cast<char>(f >> 8)}; }

void Verify(const std::vector<TestKey>& keys) {
  // Flag bits as in fuzz/verify.cc.
  constexpr uint16_t kIssuer = 1, kAudiences = 2, kAlgorithms = 4, kRequired = 8, kSubject = 16, kTyp = 32,
                     kMatcher = 64, kLeeway = 128, kMaxAge = 1 << 11, kSecret = 1 << 12, kSecond = 1 << 13,
                     kTight = 1 << 14, kAllowMissing = 1 << 15;
  const uint16_t strict = kIssuer | kAudiences | kRequired | kSubject | kTyp | kMatcher | kLeeway | kMaxAge;
  const std::string expired =
      R"({"iss":"https://issuer.example","sub":"alice","aud":"my-api","iat":1799990000,"exp":1799999999})";
  for (const TestKey& k : keys) {
    const std::string name = Lower(k.alg);
    const std::string token = SignJwt(k, kPayload);
    std::string tampered = token;
    tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
    const std::string tokens = token + "\n" + SignJwt(k, expired) + "\n" + tampered;
    Write("verify", "jwks_" + name, Flags(strict) + Jwks({&k}) + "\n" + tokens);
    Write("verify", "jwks_open_" + name, Flags(0) + Jwks({&k}) + "\n" + token);
    if (k.alg.starts_with("HS")) {
      // A secret provider takes its secret as JSON text: printable, no newline.
      const TestKey text_secret{k.alg, "", nullptr,
                                "fuzz-verify-secret-" + name + "-0123456789abcdef0123456789abcdef0123456789"};
      Write("verify", "secret_" + name,
            Flags(strict | kSecret | kSecond) + text_secret.secret + "\n" + SignJwt(text_secret, kPayload) + "\n" +
                token);
    }
  }
  const TestKey &rs = keys[3], &ps = keys[6], &es = keys[9], &ed = keys[12];
  Write("verify", "allow_list_mix",
        Flags(kIssuer | kAlgorithms | (6 << 8)) + Jwks({&rs, &es, &ed}) + "\n" + SignJwt(rs, kPayload) + "\n" +
            SignJwt(ps, kPayload) + "\n" + SignJwt(es, kPayload) + "\n" + SignJwt(ed, kPayload));
  const TestKey es_no_kid{es.alg, "", es.pkey, ""};
  const TestKey rs_no_kid{rs.alg, "", rs.pkey, ""};
  Write("verify", "no_kid_tight",
        Flags(kTight | kAllowMissing) + Jwks({&es_no_kid, &rs_no_kid}) + "\n" + SignJwt(rs_no_kid, kPayload) + "\n" +
            SignJwt(es_no_kid, kPayload));
  // Structured token lines: header JSON, tab, payload JSON[, tab, signature].
  Write(
      "verify", "json_tokens",
      Flags(kIssuer | kAudiences | kSubject | kTyp | kMatcher | kMaxAge | kSecond) + Jwks({&es, &ed}) + "\n" +
          R"({"alg":"ES256","kid":")" + es.kid + R"(","typ":"at+jwt"})" + "\t" + std::string(kPayload) + "\n" +
          R"({"alg":"EdDSA","kid":")" + ed.kid + R"(","typ":"JWT"})" + "\t" +
          R"({"iss":"https://issuer.example","aud":["x","my-api"],"sub":"alice","team":["ops"],"iat":1799999999.5,"nbf":1800000001})" +
          "\n" + R"({"alg":"HS256"})" + "\t" + R"({"exp":1800000001,"iat":0})" + "\t" + B64(std::string(32, 'x')) +
          "\n" + R"({"alg":"ES256","kid":")" + es.kid + R"(","crit":["b64"],"b64":false})" + "\t{}");
  Write("verify", "garbage_tokens",
        Flags(kIssuer) + Jwks({&es}) + "\nabc\n..\na.b.c\n" + B64(R"({"alg":"none"})") + "." + B64(kPayload) + ".");
}

// ------------------------------------------------------------------ configurations
constexpr std::string_view kProbeSecret = "fuzz-config-probe-secret-0123456789abcdef";  // as in fuzz/config.cc

void Config(const std::vector<TestKey>& keys) {
  const TestKey &rs = keys[3], &es = keys[9], &ed = keys[12];
  const std::string probe_k = B64(kProbeSecret);
  Write("config", "secret_text",
        R"({"providers":[{"name":"p","secret":)" + JsonQuote(std::string(kProbeSecret)) + R"(}],"now":1800000000})");
  Write("config", "secret_base64url",
        R"({"providers":[{"issuer":"https://issuer.example","audiences":["my-api"],"algorithms":["HS256"],)"
        R"("secret":{"base64url":")" +
            probe_k +
            R"("},"subject":"alice","typ":"JWT",)"
            R"("claims":[{"name":"team","values":["dev","ops"]},{"name":"roles","value":"admin"}],)"
            R"("requiredClaims":["team"],"maxTokenAge":"1h30m"}],"leeway":"1m30s","now":1800000000,)"
            R"("requiredClaims":["exp"],"validationMode":"AllowMissing"})");
  Write("config", "oct_jwks_kid_probe",
        R"({"providers":[{"name":"oct","jwks":{"local":{"inline":{"keys":[{"kty":"oct","kid":"probe","k":")" + probe_k +
            R"("}]}}}}],"now":1800000000,"limits":{"maxTokenBytes":4096,"maxJsonDepth":8,"maxKeysWithoutKid":2}})");
  Write("config", "inline_string_jwks",
        R"({"providers":[{"name":"pub","issuer":"solo.io","algorithms":["RS256","ES256","EdDSA"],)"
        R"("jwks":{"local":{"inline":)" +
            JsonQuote(Jwks({&rs, &es, &ed})) + R"(}}}],"leeway":60})");
  Write("config", "single_jwk",
        R"({"providers":[{"jwks":{"local":{"inline":)" + es.PublicJwk() + R"(}}}],"now":1800000000})");
  Write("config", "multi_provider",
        R"({"providers":[{"name":"a","issuer":"https://issuer.example","jwks":{"local":{"inline":)" + Jwks({&ed}) +
            R"(}}},{"name":"b","secret":)" + JsonQuote(std::string(kProbeSecret)) +
            R"(},{"name":"c","issuer":"other","secret":{"base64url":")" + probe_k + R"("}}],"now":1800000000})");
  Write("config", "gateway_settings",
        R"({"providers":[{"name":"g","secret":)" + JsonQuote(std::string(kProbeSecret)) +
            R"(,"claimsToHeaders":[{"name":"sub","header":"x-user"}],"forwardToken":true,)"
            R"("tokenSource":{"header":{"header":"X-Token","prefix":"Token "}}},)"
            R"({"name":"q","issuer":"q","secret":)" +
            JsonQuote(std::string(kProbeSecret)) +
            R"(,"tokenSource":{"queryParameter":"access_token"}},)"
            R"({"name":"c","issuer":"c","secret":)" +
            JsonQuote(std::string(kProbeSecret)) + R"(,"tokenSource":{"cookie":"session"}}],"now":1800000000})");
  Write("config", "durations",
        R"({"providers":[{"secret":)" + JsonQuote(std::string(kProbeSecret)) +
            R"(,"maxTokenAge":"2h45m30s"}],"leeway":"5m","now":1800000000})");
  Write("config", "bad_now",
        R"({"providers":[{"secret":"0123456789abcdef0123456789abcdef"}],"leeway":"250ms","now":-1})");
  Write("config", "bad_unknown_field",
        R"({"providers":[{"secret":"0123456789abcdef0123456789abcdef","colour":"blue"}]})");
  Write("config", "bad_alg_none", R"({"providers":[{"algorithms":["none"],"secret":"x"}]})");
  Write(
      "config", "bad_duplicate_issuer",
      R"({"providers":[{"issuer":"i","secret":"0123456789abcdef0123456789abcdef"},{"issuer":"i","secret":"0123456789abcdef0123456789abcdef"}]})");
  Write(
      "config", "bad_limits",
      R"({"providers":[{"secret":"0123456789abcdef0123456789abcdef"}],"limits":{"maxTokenBytes":1,"maxJsonDepth":1000}})");
  Write("config", "bad_empty", "{}");
  Write("config", "bad_not_json", "providers:");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR   (fuzz/corpus)\n", argv[0]);
    return 2;
  }
  g_root = argv[1];
  std::vector<TestKey> keys;
  for (const std::string& alg : kAlgs) keys.push_back(MakeKey(alg, "kid-" + Lower(alg)));
  Base64url();
  TokenParse(keys);
  JsonDifferential();
  JwksParse(keys);
  Verify(keys);
  Config(keys);
  std::printf("make_corpus: wrote %zu seeds under %s\n", g_written, g_root.c_str());
  return 0;
}
