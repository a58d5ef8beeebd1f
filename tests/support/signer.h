// Test helpers: key generation, JWS signing and JWK export, built directly on
// OpenSSL so that tests check the engine against an independent signer.
#pragma once

#include <openssl/evp.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

namespace tokenverify::testing {

// A copyable handle to a test key. The EVP_PKEY is shared, so copies are cheap.
struct TestKey {
  // "HS256".."HS512", "RS256".."RS512", "PS256".."PS512", "ES256", "ES384",
  // "ES512", "ES256K" (secp256k1), "EdDSA" (Ed25519, signing as "EdDSA"),
  // "Ed25519" (Ed25519, signing with RFC 9864's name "Ed25519") or "Ed448"
  // (Ed448, signing as "EdDSA").
  std::string alg;
  std::string kid;
  std::shared_ptr<EVP_PKEY> pkey;  // the private key; null for HMAC
  std::string secret;              // HMAC secret bytes

  // The public JWK as JSON object text: kty, kid (when not empty), the public
  // parameters (for oct: k), then `extra_members` verbatim, e.g. R"("use":"sig")".
  std::string PublicJwk(std::string_view extra_members = "") const;

  // The public key as PEM: "PUBLIC KEY" (SubjectPublicKeyInfo), or with
  // `form` "pkcs1" an RSA "RSA PUBLIC KEY", or with "certificate" a
  // self-signed "CERTIFICATE" holding it.
  std::string PublicPem(std::string_view form = "spki") const;

  // The JWS "alg" header value: `alg`, except "EdDSA" for "Ed448".
  std::string JwsAlg() const;
};

// Returns a key for `alg`. Cached per (alg, kid, rsa_bits) for the whole test
// binary, because RSA key generation is slow; the same arguments give the same
// key. RS* and PS* share the key pair for one (kid, rsa_bits): MakeKey("RS256",
// "a") and MakeKey("PS512", "a") differ only in `alg`. Use distinct kids for
// distinct keys.
TestKey MakeKey(std::string_view alg, std::string_view kid = "", int rsa_bits = 2048);

// base64url without padding.
std::string B64(std::string_view bytes);

// Signs header.payload (both given as JSON text, base64url-encoded here) with
// key.alg and returns the compact JWS. ES* signatures are raw r||s.
std::string SignJws(const TestKey& key, std::string_view header_json, std::string_view payload_json);

// Signs `signing_input` as is and returns the raw signature bytes.
std::string SignRaw(const TestKey& key, std::string_view signing_input);

// SignJws with the header {"alg":...,"typ":"JWT"} plus "kid" when the key has one.
std::string SignJwt(const TestKey& key, std::string_view payload_json);

// {"keys":[...]} of the keys' public JWKs, each with `extra_members`.
std::string Jwks(std::initializer_list<const TestKey*> keys, std::string_view extra_members = "");

// {"kid": "<PEM certificate>", ...}: Google's x509 key-set document for the
// keys (each under its kid, newlines as \n as Google sends them).
std::string X509Map(std::initializer_list<const TestKey*> keys);

// `pem` as a JSON string literal, its newlines as \n.
std::string PemJson(std::string_view pem);

// The vectors directory: $TOKENVERIFY_VECTORS, else TV_VECTORS_DEFAULT. Adds a
// test failure naming the path and the variable when the directory is missing.
std::string VectorsDir();

// `s` as a JSON string literal, quotes included (escapes " and \ only: enough
// for the JSON texts and base64url strings that tests embed).
std::string JsonQuote(std::string_view s);

// The whole file as bytes; adds a test failure (and returns "") if unreadable.
std::string ReadFile(const std::string& path);

}  // namespace tokenverify::testing
