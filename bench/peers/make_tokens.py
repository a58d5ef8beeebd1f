#!/usr/bin/env python3
"""Generate the peer harness's token set: fresh keys, one payload, five algorithms.

    make_tokens.py OUT_DIR

Every run makes new keys (nothing secret is committed) and writes into OUT_DIR:

  manifest.json        issuer, audience, and per algorithm: kid, token, key files,
                       public JWK, and the negative tokens every peer must reject
  <alg>.jwt            the token to verify (alg in lower case: hs256, rs256, ps256,
                       es256, eddsa)
  <alg>.<neg>.jwt      bad_signature, expired, wrong_issuer, wrong_audience
  <alg>.pub.pem        SubjectPublicKeyInfo PEM of the verification key (not HS256)
  <alg>.jwk.json       the verification key as a JWK (HS256: the oct key)
  hs256.secret         the raw HMAC secret (32 random bytes)
  jwks.json            every public key as one JWK set
  <alg>.tv.json        a tokenverify configuration document for that algorithm

The payload is the same for every algorithm (only the header's alg and kid
differ), so every signing input is about the same size.
"""

import base64
import json
import os
import sys
import time
import uuid

from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

ISSUER = "https://auth.tokenverify-bench.example"
AUDIENCE = "bench-api"
EXP_FAR = 4102444800  # 2100-01-01T00:00:00Z
ALGS = ["HS256", "RS256", "PS256", "ES256", "EdDSA"]


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_int(n: int, length: int | None = None) -> str:
    if length is None:
        length = (n.bit_length() + 7) // 8
    return b64u(n.to_bytes(length, "big"))


def compact_json(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class Signer:
    """One algorithm's key pair: signs signing inputs, describes its public half."""

    def __init__(self, alg: str):
        self.alg = alg
        self.kid = "bench-" + alg.lower()
        if alg == "HS256":
            self.secret = os.urandom(32)
        elif alg in ("RS256", "PS256"):
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif alg == "ES256":
            self.private = ec.generate_private_key(ec.SECP256R1())
        elif alg == "EdDSA":
            self.private = ed25519.Ed25519PrivateKey.generate()
        else:
            raise ValueError(alg)

    def sign(self, signing_input: bytes) -> bytes:
        if self.alg == "HS256":
            mac = hmac.HMAC(self.secret, hashes.SHA256())
            mac.update(signing_input)
            return mac.finalize()
        if self.alg == "RS256":
            return self.private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        if self.alg == "PS256":
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
            return self.private.sign(signing_input, pss, hashes.SHA256())
        if self.alg == "ES256":
            r, s = decode_dss_signature(self.private.sign(signing_input, ec.ECDSA(hashes.SHA256())))
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")  # JWS wants raw r||s
        return self.private.sign(signing_input)  # Ed25519

    def jwk(self) -> dict:
        base = {"kid": self.kid, "alg": self.alg, "use": "sig"}
        if self.alg == "HS256":
            return {"kty": "oct", "k": b64u(self.secret), **base}
        pub = self.private.public_key()
        if self.alg in ("RS256", "PS256"):
            nums = pub.public_numbers()
            return {"kty": "RSA", "n": b64u_int(nums.n), "e": b64u_int(nums.e), **base}
        if self.alg == "ES256":
            nums = pub.public_numbers()
            return {"kty": "EC", "crv": "P-256", "x": b64u_int(nums.x, 32),
                    "y": b64u_int(nums.y, 32), **base}
        raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64u(raw), **base}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def make_token(signer: Signer, payload: dict) -> str:
    header = {"alg": signer.alg, "typ": "JWT", "kid": signer.kid}
    signing_input = (b64u(compact_json(header)) + "." + b64u(compact_json(payload))).encode("ascii")
    return signing_input.decode("ascii") + "." + b64u(signer.sign(signing_input))


def flip_signature(token: str) -> str:
    """The same token with one bit of its signature changed (still valid base64url)."""
    head, _, sig = token.rpartition(".")
    raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
    raw[len(raw) // 2] ^= 0x01
    return head + "." + b64u(bytes(raw))


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "sub": "user-" + str(uuid.uuid4()),
        "aud": AUDIENCE,
        "exp": EXP_FAR,
        "nbf": now - 60,
        "iat": now - 60,
        "jti": str(uuid.uuid4()),
        "scope": "openid profile email orders:read orders:write",
        "name": "Bench User",
        "email": "bench.user@example.com",
        "email_verified": True,
        "roles": ["viewer", "editor"],
        "tenant": "acme-eu-1",
    }
    negatives = {
        "expired": {**payload, "exp": now - 3600, "nbf": now - 7200, "iat": now - 7200},
        "wrong_issuer": {**payload, "iss": "https://evil.example"},
        "wrong_audience": {**payload, "aud": "some-other-api"},
    }

    def write(name: str, data) -> None:
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(os.path.join(out, name), mode) as f:
            f.write(data)

    manifest = {"issuer": ISSUER, "audience": AUDIENCE, "exp": EXP_FAR, "generated_at": now,
                "payload_bytes": len(compact_json(payload)), "algs": {}}
    public_jwks = []
    for alg in ALGS:
        signer = Signer(alg)
        low = alg.lower()
        token = make_token(signer, payload)
        neg = {"bad_signature": flip_signature(token)}
        for kind, bad_payload in negatives.items():
            neg[kind] = make_token(signer, bad_payload)
        write(f"{low}.jwt", token)
        for kind, bad in neg.items():
            write(f"{low}.{kind}.jwt", bad)
        jwk = signer.jwk()
        write(f"{low}.jwk.json", json.dumps(jwk, indent=2) + "\n")
        provider = {"name": low, "issuer": ISSUER, "audiences": [AUDIENCE], "algorithms": [alg]}
        entry = {"kid": signer.kid, "token": token, "file": f"{low}.jwt", "negatives": neg,
                 "jwk": jwk, "jwk_file": f"{low}.jwk.json",
                 "signing_input_bytes": len(token.rpartition(".")[0])}
        if alg == "HS256":
            write("hs256.secret", signer.secret)
            entry["secret_file"] = "hs256.secret"
            entry["secret_b64url"] = b64u(signer.secret)
            provider["secret"] = {"base64url": b64u(signer.secret)}
        else:
            write(f"{low}.pub.pem", signer.public_pem())
            entry["public_pem_file"] = f"{low}.pub.pem"
            public_jwks.append(jwk)
            provider["jwks"] = {"local": {"inline": {"keys": [jwk]}}}
        tv_config = {"providers": [provider], "requiredClaims": ["exp"]}
        write(f"{low}.tv.json", json.dumps(tv_config, indent=2) + "\n")
        entry["tokenverify_config_file"] = f"{low}.tv.json"
        manifest["algs"][alg] = entry
    write("jwks.json", json.dumps({"keys": public_jwks}, indent=2) + "\n")
    write("manifest.json", json.dumps(manifest, indent=2) + "\n")
    sizes = ", ".join(f"{a} {len(manifest['algs'][a]['token'])}" for a in ALGS)
    print(f"tokens in {out}: payload {manifest['payload_bytes']} bytes; token bytes: {sizes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
