"""RFC 9864's Ed25519/Ed448 names, ES256K and Google's x509 certificate maps from
Python: tokenverify.jwt.decode(..., algorithms=[...]) and tokenverify.Verifier.
Tokens are signed here with the `cryptography` package, independently of the engine."""

from __future__ import annotations

import base64
import datetime
import json
from typing import Any, Dict, Optional

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

import tokenverify
from tokenverify import jwt as tvjwt
from conftest import NOW

PAYLOAD = {"sub": "alice", "iat": NOW - 10, "exp": NOW + 3600}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed(private: Any, alg: str, kid: Optional[str] = None, payload: Optional[Dict[str, Any]] = None) -> str:
    header: Dict[str, Any] = {"alg": alg, "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    body = json.dumps(PAYLOAD if payload is None else payload).encode()
    signing_input = (b64(json.dumps(header).encode()) + "." + b64(body)).encode()
    if isinstance(private, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
        signature = private.sign(signing_input)
    elif isinstance(private, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(private.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        signature = private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return signing_input.decode() + "." + b64(signature)


def public_pem(private: Any) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)


def status_of(call: Any) -> str:
    try:
        call()
    except tokenverify.TokenVerifyError as e:
        return e.name
    return "TV_OK"


@pytest.fixture(scope="module")
def ed25519_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def ed448_key() -> ed448.Ed448PrivateKey:
    return ed448.Ed448PrivateKey.generate()


@pytest.fixture(scope="module")
def secp256k1_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256K1())


@pytest.mark.parametrize("form", ["pem", "object"])
def test_decode_accepts_the_rfc9864_name(ed25519_key: Any, form: str) -> None:
    key = public_pem(ed25519_key) if form == "pem" else ed25519_key.public_key()
    token = signed(ed25519_key, "Ed25519")
    assert tvjwt.decode(token, key, algorithms=["Ed25519"]) == PAYLOAD
    assert tvjwt.decode(signed(ed25519_key, "EdDSA"), key, algorithms=["EdDSA", "Ed25519"]) == PAYLOAD
    # Each name stands on its own in the allow-list.
    assert status_of(lambda: tvjwt.decode(token, key, algorithms=["EdDSA"])) == "TV_ERR_ALG_NOT_ALLOWED"
    assert status_of(lambda: tvjwt.decode(signed(ed25519_key, "EdDSA"), key, algorithms=["Ed25519"])) \
        == "TV_ERR_ALG_NOT_ALLOWED"


def test_ed448_key_never_takes_the_ed25519_name(ed448_key: Any) -> None:
    pem = public_pem(ed448_key)
    assert tvjwt.decode(signed(ed448_key, "Ed448"), pem, algorithms=["Ed448"]) == PAYLOAD
    assert tvjwt.decode(signed(ed448_key, "EdDSA"), pem, algorithms=["EdDSA"]) == PAYLOAD
    assert status_of(lambda: tvjwt.decode(signed(ed448_key, "Ed25519"), pem, algorithms=["Ed25519", "Ed448"])) \
        == "TV_ERR_NO_MATCHING_KEY"


def test_es256k_only_when_listed(secp256k1_key: Any) -> None:
    pem = public_pem(secp256k1_key)
    token = signed(secp256k1_key, "ES256K")
    assert tvjwt.decode(token, pem, algorithms=["ES256K"]) == PAYLOAD
    assert tvjwt.decode(token, secp256k1_key.public_key(), algorithms=["ES256K"]) == PAYLOAD
    assert status_of(lambda: tvjwt.decode(token, pem, algorithms=["ES256", "ES384", "ES512"])) \
        == "TV_ERR_ALG_NOT_ALLOWED"
    # The engine's default allow-list leaves ES256K out too.
    verifier = tokenverify.Verifier({"providers": [{"name": "k1", "jwks": {"local": {"pem": pem.decode()}}}]})
    assert status_of(lambda: verifier.verify(token)) == "TV_ERR_ALG_NOT_ALLOWED"
    listed = tokenverify.Verifier({"providers": [{"name": "k1", "algorithms": ["ES256K"],
                                                  "jwks": {"local": {"pem": pem.decode()}}}]})
    assert listed.verify(token)["sub"] == "alice"


def certificate_pem(private: Any) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "securetoken.system.gserviceaccount.com")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(private, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_verifier_reads_a_firebase_x509_document() -> None:
    keys = {kid: rsa.generate_private_key(public_exponent=65537, key_size=2048) for kid in ("kid-a", "kid-b")}
    document = {kid: certificate_pem(k) for kid, k in keys.items()}
    project = "demo-project"
    payload = dict(PAYLOAD, iss="https://securetoken.google.com/" + project, aud=project)
    for local in ({"inline": document}, {"inline": json.dumps(document), "format": "x509"}):
        verifier = tokenverify.Verifier({"providers": [{
            "name": "firebase", "issuer": payload["iss"], "audiences": [project], "algorithms": ["RS256"],
            "jwks": {"local": local}}]})
        for kid, k in keys.items():
            assert verifier.verify(signed(k, "RS256", kid, payload))["aud"] == project
            assert status_of(lambda: verifier.verify(signed(k, "RS256", "kid-c", payload))) == "TV_ERR_KID_NOT_FOUND"
    with pytest.raises(tokenverify.KeySetError) as e:
        tokenverify.Verifier({"providers": [{"name": "firebase", "jwks": {"local": {
            "inline": {"kid-a": 5}, "format": "x509"}}}]})
    assert e.value.name == "TV_ERR_JWKS_MALFORMED"
