"""Shared fixtures: keys made with `cryptography`, tokens signed with PyJWT."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Tuple

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

import tokenverify

SECRET = "0123456789abcdef0123456789abcdef-hs256"  # >= 32 bytes, as the engine requires
NOW = int(time.time())


@dataclass
class KeyPair:
    alg: str
    private: Any  # what PyJWT signs with
    public: Any  # cryptography public key, or the secret
    public_pem: bytes
    jwk: Dict[str, Any]


def _pair(alg: str, private: Any) -> KeyPair:
    public = private.public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    jwk = json.loads(pyjwt.algorithms.get_default_algorithms()[alg].to_jwk(public))
    return KeyPair(alg, private, public, pem, jwk)


@pytest.fixture(scope="session")
def rsa_key() -> KeyPair:
    return _pair("RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="session")
def ec_key() -> KeyPair:
    return _pair("ES256", ec.generate_private_key(ec.SECP256R1()))


@pytest.fixture(scope="session")
def ed_key() -> KeyPair:
    return _pair("EdDSA", ed25519.Ed25519PrivateKey.generate())


@pytest.fixture(scope="session")
def hs_key() -> KeyPair:
    return KeyPair("HS256", SECRET, SECRET, b"", {"kty": "oct", "k": pyjwt.utils.base64url_encode(SECRET.encode()).decode()})


@pytest.fixture(scope="session")
def all_keys(rsa_key: KeyPair, ec_key: KeyPair, ed_key: KeyPair, hs_key: KeyPair) -> Dict[str, KeyPair]:
    return {k.alg: k for k in (hs_key, rsa_key, ec_key, ed_key)}


def claims(**extra: Any) -> Dict[str, Any]:
    base: Dict[str, Any] = {"iss": "https://issuer.test", "sub": "alice", "aud": "my-api", "iat": NOW - 10,
                            "exp": NOW + 3600}
    base.update(extra)
    return {k: v for k, v in base.items() if v is not None}


def sign(key: KeyPair, payload: Dict[str, Any], alg: str = "", headers: Any = None) -> str:
    return pyjwt.encode(payload, key.private, algorithm=alg or key.alg, headers=headers)


@pytest.fixture()
def hs_verifier() -> tokenverify.Verifier:
    return tokenverify.Verifier({"providers": [{"name": "internal", "issuer": "https://issuer.test",
                                                "audiences": ["my-api"], "secret": SECRET}]})


@pytest.fixture()
def make_token(hs_key: KeyPair) -> Callable[..., str]:
    def make(**extra: Any) -> str:
        return sign(hs_key, claims(**extra))

    return make


# PyJWT against tokenverify.jwt: the same call through both modules.
Outcome = Tuple[str, Any]


def outcome(call: Callable[[Any], Any], module: Any) -> Outcome:
    """The payload |call| returns with |module| (jwt or tokenverify.jwt), or the class name and message it raises."""
    try:
        return ("ok", call(module))
    except Exception as e:  # noqa: BLE001 - the class and message are what is compared
        return (type(e).__name__, str(e))


def same(call: Callable[[Any], Any]) -> Outcome:
    """The outcome of |call| with tokenverify.jwt, asserted equal to PyJWT's."""
    from tokenverify import jwt

    expected = outcome(call, pyjwt)
    got = outcome(call, jwt)
    assert got == expected
    return got
