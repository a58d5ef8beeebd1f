#!/usr/bin/env bash
# make_examples.sh: regenerate examples/hs256, es256, eddsa, ed25519, es256k,
# firebase and alb with fresh keys and tokens.
#
# Only the openssl command line and the python3 standard library are used, so
# that the examples can be rebuilt on any machine without installing a JWT
# library (which would also make the examples depend on the code under test's
# competitors). Private keys live in a temporary directory that is removed on
# exit: the examples ship public material only (and, for HS256, the shared
# secret, which a verifier necessarily holds).
#
# Usage: scripts/make_examples.sh [EXAMPLES_DIR]   (default: examples/ in the repo)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out_dir=${1:-$repo_root/examples}
command -v openssl >/dev/null || { echo "make_examples.sh: openssl not found" >&2; exit 1; }
command -v python3 >/dev/null || { echo "make_examples.sh: python3 not found" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$out_dir" "$work" <<'PY'
import base64, hashlib, hmac, json, os, subprocess, sys

out_dir, work = sys.argv[1], sys.argv[2]

ISSUER = "example.tokenverify.dev"
CLAIMS = {"iss": ISSUER, "sub": "alice", "aud": "my-api",
          "iat": 1767225600, "exp": 2082758400, "team": "dev"}  # 2026-01-01 .. 2036-01-01


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def compact(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def openssl(*args, stdin=None) -> bytes:
    return subprocess.run(["openssl", *args], input=stdin, check=True,
                          stdout=subprocess.PIPE).stdout


def der_length(buf, i):
    """Reads a DER length at buf[i]; returns (length, index after it)."""
    first = buf[i]
    if first < 0x80:
        return first, i + 1
    n = first & 0x7F
    return int.from_bytes(buf[i + 1:i + 1 + n], "big"), i + 1 + n


def ecdsa_der_to_raw(der: bytes, size: int) -> bytes:
    """ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } -> r||s, each |size| bytes.
    JWS (RFC 7518 3.4) wants the fixed-width form; openssl emits DER."""
    assert der[0] == 0x30
    _, i = der_length(der, 1)
    parts = []
    for _ in range(2):
        assert der[i] == 0x02
        n, i = der_length(der, i + 1)
        value = int.from_bytes(der[i:i + n], "big")
        parts.append(value.to_bytes(size, "big"))
        i += n
    return b"".join(parts)


def public_key_bits(key_pem: str) -> bytes:
    """The subjectPublicKey bytes: they end the SubjectPublicKeyInfo DER."""
    return openssl("pkey", "-in", key_pem, "-pubout", "-outform", "DER")


def signing_input(header, claims=CLAIMS) -> bytes:
    return (b64url(compact(header)) + "." + b64url(compact(claims))).encode()


def write_example(name, alg, token, config_provider, jwks=None, key_file="jwks.json"):
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "token.jwt"), "w") as f:
        f.write(token + "\n")
    if jwks is not None:
        with open(os.path.join(folder, key_file), "w") as f:
            json.dump(jwks, f, indent=2)
            f.write("\n")
    provider = {"name": name, "issuer": ISSUER, "audiences": ["my-api"], "algorithms": [alg]}
    provider.update(config_provider)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump({"providers": [provider]}, f, indent=2)
        f.write("\n")
    print(f"wrote {folder}/ ({alg})")


def jwks_file(name):
    # Relative to the repository root, like every example command in the docs.
    return {"jwks": {"local": {"file": f"examples/{name}/jwks.json"}}}


# HS256: a 256-bit random secret, shipped in config.json as base64url.
secret = openssl("rand", "32")
header = {"alg": "HS256", "typ": "JWT"}
si = signing_input(header)
token = si.decode() + "." + b64url(hmac.new(secret, si, hashlib.sha256).digest())
write_example("hs256", "HS256", token, {"secret": {"base64url": b64url(secret)}})

# ES256: P-256 key; openssl signs SHA-256 and returns DER, converted to r||s.
key = os.path.join(work, "es256.pem")
openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
point = public_key_bits(key)[-65:]
assert point[0] == 0x04, "expected an uncompressed point"
kid = "es256-example-" + hashlib.sha256(point).hexdigest()[:8]
header = {"alg": "ES256", "typ": "JWT", "kid": kid}
si = signing_input(header)
with open(os.path.join(work, "es256.in"), "wb") as f:
    f.write(si)
der = openssl("dgst", "-sha256", "-sign", key, os.path.join(work, "es256.in"))
token = si.decode() + "." + b64url(ecdsa_der_to_raw(der, 32))
jwks = {"keys": [{"kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "alg": "ES256",
                  "x": b64url(point[1:33]), "y": b64url(point[33:])}]}
write_example("es256", "ES256", token, jwks_file("es256"), jwks)

# EdDSA: Ed25519 signs the message itself (no prehash), hence pkeyutl -rawin.
key = os.path.join(work, "ed25519.pem")
openssl("genpkey", "-algorithm", "ED25519", "-out", key)
public = public_key_bits(key)[-32:]
kid = "ed25519-example-" + hashlib.sha256(public).hexdigest()[:8]
header = {"alg": "EdDSA", "typ": "JWT", "kid": kid}
si = signing_input(header)
with open(os.path.join(work, "ed25519.in"), "wb") as f:
    f.write(si)
sig = openssl("pkeyutl", "-sign", "-inkey", key, "-rawin", "-in", os.path.join(work, "ed25519.in"))
assert len(sig) == 64
token = si.decode() + "." + b64url(sig)
jwks = {"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": kid, "use": "sig", "alg": "EdDSA",
                  "x": b64url(public)}]}
write_example("eddsa", "EdDSA", token, jwks_file("eddsa"), jwks)

# Ed25519 under its RFC 9864 name ("EdDSA" is deprecated): the same signature
# scheme, the fully specified "alg" in the token and in the JWK.
key = os.path.join(work, "ed25519-rfc9864.pem")
openssl("genpkey", "-algorithm", "ED25519", "-out", key)
public = public_key_bits(key)[-32:]
kid = "ed25519-rfc9864-" + hashlib.sha256(public).hexdigest()[:8]
header = {"alg": "Ed25519", "typ": "JWT", "kid": kid}
si = signing_input(header)
with open(os.path.join(work, "ed25519-rfc9864.in"), "wb") as f:
    f.write(si)
sig = openssl("pkeyutl", "-sign", "-inkey", key, "-rawin", "-in", os.path.join(work, "ed25519-rfc9864.in"))
assert len(sig) == 64
token = si.decode() + "." + b64url(sig)
jwks = {"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": kid, "use": "sig", "alg": "Ed25519",
                  "x": b64url(public)}]}
write_example("ed25519", "Ed25519", token, jwks_file("ed25519"), jwks)

# ES256K (RFC 8812): ECDSA on secp256k1 with SHA-256, raw r||s like ES256.
key = os.path.join(work, "es256k.pem")
openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1", "-out", key)
point = public_key_bits(key)[-65:]
assert point[0] == 0x04, "expected an uncompressed point"
kid = "es256k-example-" + hashlib.sha256(point).hexdigest()[:8]
header = {"alg": "ES256K", "typ": "JWT", "kid": kid}
si = signing_input(header)
with open(os.path.join(work, "es256k.in"), "wb") as f:
    f.write(si)
der = openssl("dgst", "-sha256", "-sign", key, os.path.join(work, "es256k.in"))
token = si.decode() + "." + b64url(ecdsa_der_to_raw(der, 32))
jwks = {"keys": [{"kty": "EC", "crv": "secp256k1", "kid": kid, "use": "sig", "alg": "ES256K",
                  "x": b64url(point[1:33]), "y": b64url(point[33:])}]}
write_example("es256k", "ES256K", token, jwks_file("es256k"), jwks)

# Firebase Auth: an RS256 ID token and Google's x509 document, which maps each
# kid to a PEM certificate. Two certificates, as Google publishes during a
# rotation; the token is signed by the second.
PROJECT = "tokenverify-example"
certs = {}
for n in range(2):
    key = os.path.join(work, f"firebase{n}.pem")
    cert = os.path.join(work, f"firebase{n}.crt")
    openssl("genpkey", "-quiet", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key)
    openssl("req", "-x509", "-new", "-key", key, "-subj", "/CN=securetoken.system.gserviceaccount.com",
            "-days", "3650", "-sha256", "-out", cert)
    der = openssl("x509", "-in", cert, "-outform", "DER")
    kid = hashlib.sha1(der).hexdigest()  # Google's kids are 40 hex digits too
    with open(cert) as f:
        certs[kid] = f.read()
firebase_claims = {"iss": f"https://securetoken.google.com/{PROJECT}", "aud": PROJECT,
                   "sub": "alice-uid", "user_id": "alice-uid", "auth_time": 1767225600,
                   "iat": 1767225600, "exp": 2082758400, "firebase": {"sign_in_provider": "password"}}
header = {"alg": "RS256", "kid": kid, "typ": "JWT"}
si = signing_input(header, firebase_claims)
with open(os.path.join(work, "firebase.in"), "wb") as f:
    f.write(si)
token = si.decode() + "." + b64url(openssl("dgst", "-sha256", "-sign", key, os.path.join(work, "firebase.in")))
write_example("firebase", "RS256", token,
              {"issuer": f"https://securetoken.google.com/{PROJECT}", "audiences": [PROJECT],
               "jwks": {"local": {"file": "examples/firebase/certs.json", "format": "x509"}}},
              certs, key_file="certs.json")

# AWS ALB: the x-amzn-oidc-data token an Application Load Balancer passes to its
# targets, ES256 with base64 padding on every segment (the padded text is what
# ALB signs). ALB publishes one PEM public key per kid at
# https://public-keys.auth.elb.<region>.amazonaws.com/<kid>; the configuration
# holds that PEM and "allowPaddedSegments".
def b64pad(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


key = os.path.join(work, "alb.pem")
openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
kid = "b7a3e4c2-5f1d-4e8a-9c6b-" + hashlib.sha256(public_key_bits(key)).hexdigest()[:12]
header = {"typ": "JWT", "kid": kid, "alg": "ES256", "iss": ISSUER, "client": "tokenverify-example-client",
          "signer": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/example/50dc6c495c0c9188",
          "exp": 2082758400}
alb_claims = {"sub": "alice", "email": "alice@example.com", "exp": 2082758400, "iss": ISSUER}
si = (b64pad(compact(header)) + "." + b64pad(compact(alb_claims))).encode()
assert si.count(b"=") > 0, "the example should show padding"
with open(os.path.join(work, "alb.in"), "wb") as f:
    f.write(si)
der = openssl("dgst", "-sha256", "-sign", key, os.path.join(work, "alb.in"))
token = si.decode() + "." + b64pad(ecdsa_der_to_raw(der, 32))
pem = openssl("pkey", "-in", key, "-pubout").decode()
folder = os.path.join(out_dir, "alb")
os.makedirs(folder, exist_ok=True)
with open(os.path.join(folder, "token.jwt"), "w") as f:
    f.write(token + "\n")
with open(os.path.join(folder, "config.json"), "w") as f:
    json.dump({"providers": [{"name": "alb", "issuer": ISSUER, "algorithms": ["ES256"], "allowPaddedSegments": True,
                              "jwks": {"local": {"pem": pem}}}]}, f, indent=2)
    f.write("\n")
print(f"wrote {folder}/ (ES256, ALB padding)")
PY
