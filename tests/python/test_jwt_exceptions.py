"""tokenverify.jwt raises PyJWT's exception classes with PyJWT's messages (issue 17, item 5).

Each case runs the same call through PyJWT and through tokenverify.jwt and
compares the exception's class name and message; tokenverify's classes keep
their own hierarchy (and status codes) besides.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import pickle
from typing import Any, Dict

import jwt as pyjwt
import pytest
from conftest import NOW, SECRET, KeyPair, claims, outcome, same, sign
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import tokenverify
from tokenverify import jwt

@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    jwt.clear_cache()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(header: Dict[str, Any], payload_json: str, key: bytes = SECRET.encode()) -> str:
    """An HS256 token with the payload's JSON text as given (PyJWT's encode would normalise it)."""
    signing_input = b64(json.dumps(header).encode()) + "." + b64(payload_json.encode())
    return signing_input + "." + b64(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())


# ---------------------------------------------------------------- MissingRequiredClaimError


def test_missing_required_claim_error_takes_the_claim_as_pyjwt_does() -> None:
    for cls in (jwt.MissingRequiredClaimError, tokenverify.MissingRequiredClaimError):
        e = cls("exp")
        assert e.claim == "exp"
        assert str(e) == str(pyjwt.MissingRequiredClaimError("exp")) == 'Token is missing the "exp" claim'
        assert e.args == pyjwt.MissingRequiredClaimError("exp").args == ("exp",)
        assert (e.code, e.name) == (407, "TV_ERR_MISSING_CLAIM")
        assert isinstance(e, tokenverify.InvalidTokenError)
        copy = pickle.loads(pickle.dumps(e))
        assert (copy.claim, str(copy)) == ("exp", 'Token is missing the "exp" claim')
    # tokenverify's own forms are unchanged.
    assert str(tokenverify.MissingRequiredClaimError(claim="iss")) == 'Token is missing the "iss" claim'
    e = tokenverify.MissingRequiredClaimError("the token has no exp", name="TV_ERR_MISSING_CLAIM")
    assert (e.claim, str(e)) == (None, "the token has no exp")


def test_a_missing_required_claim_raised_by_decode(hs_key: KeyPair) -> None:
    token = sign(hs_key, claims(aud=None, exp=None))
    assert same(lambda m: m.decode(token, SECRET, algorithms=["HS256"], options={"require": ["exp"]})) == (
        "MissingRequiredClaimError", 'Token is missing the "exp" claim')
    with pytest.raises(jwt.MissingRequiredClaimError) as info:
        jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["exp"]})
    assert info.value.claim == "exp"


# ---------------------------------------------------------------- audience


@pytest.mark.parametrize("audience,aud", [
    ("my-api", ["my-api"]),           # a list claim
    (["my-api"], "my-api"),           # a list audience
    (["my-api"], ["my-api"]),
    ("my-api", "other"),
    ("my-api", 7),
])
def test_strict_audience_messages(hs_key: KeyPair, audience: Any, aud: Any) -> None:
    token = sign(hs_key, claims(aud=aud))
    result = same(lambda m: m.decode(token, SECRET, algorithms=["HS256"], audience=audience,
                                     options={"strict_aud": True}))
    assert result[0] == "InvalidAudienceError"


@pytest.mark.parametrize("audience", [b"my-api", [b"my-api"], (b"my-api",), [b"x", "y"]])
def test_an_audience_given_as_bytes_is_an_audience_error(hs_key: KeyPair, audience: Any) -> None:
    token = sign(hs_key, claims(aud="my-api"))
    assert same(lambda m: m.decode(token, SECRET, algorithms=["HS256"], audience=audience)) == (
        "InvalidAudienceError", "Audience doesn't match")


def test_a_bytes_audience_with_another_string_still_matches(hs_key: KeyPair) -> None:
    token = sign(hs_key, claims(aud="my-api"))
    assert same(lambda m: m.decode(token, SECRET, algorithms=["HS256"], audience=[b"x", "my-api"]))[0] == "ok"


# ---------------------------------------------------------------- crit and kid


@pytest.mark.parametrize("header", [
    {"crit": ["exp"], "exp": 1},
    {"crit": ["exp"]},
    {"crit": []},
    {"crit": "exp"},
    {"crit": [1]},
    {"crit": ["b64"]},
    {"crit": ["x", "x"]},
    {"kid": 5},
])
@pytest.mark.parametrize("signature_off", [False, True])
def test_crit_and_kid_header_messages(header: Dict[str, Any], signature_off: bool) -> None:
    token = hs256(dict({"alg": "HS256", "typ": "JWT"}, **header), json.dumps(claims(aud=None)))
    options = {"verify_signature": False} if signature_off else None
    result = same(lambda m: m.decode(token, SECRET, algorithms=["HS256"], options=options))
    assert result[0] == "InvalidTokenError"
    with pytest.raises(tokenverify.InvalidTokenError):  # tokenverify's class, its PyJWT name
        jwt.decode(token, SECRET, algorithms=["HS256"], options=options)


def test_crit_is_checked_before_the_signature() -> None:
    token = hs256({"alg": "HS256", "crit": ["exp"]}, json.dumps(claims(aud=None)), key=b"another secret" * 3)
    assert same(lambda m: m.decode(token, SECRET, algorithms=["HS256"])) == (
        "InvalidTokenError", "Unsupported critical extension: exp")


# ---------------------------------------------------------------- keys


def _certificate(private: Any) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test")])
    import datetime
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
            .serial_number(1).not_valid_before(datetime.datetime(2020, 1, 1))
            .not_valid_after(datetime.datetime(2040, 1, 1)).sign(private, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.mark.parametrize("form", ["object", "pem", "pem-str", "private-object"])
@pytest.mark.parametrize("key_curve,alg", [(ec.SECP384R1, "ES256"), (ec.SECP256R1, "ES384"),
                                           (ec.SECP521R1, "ES256")])
def test_an_ec_key_on_another_curve_is_an_invalid_key(ec_key: KeyPair, key_curve: Any, alg: str,
                                                       form: str) -> None:
    token = pyjwt.encode(claims(aud=None), ec.generate_private_key(ec.SECP256R1() if alg == "ES256" else
                                                                    ec.SECP384R1()), algorithm=alg)
    private = ec.generate_private_key(key_curve())
    pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    key = {"object": private.public_key(), "pem": pem, "pem-str": pem.decode(), "private-object": private}[form]
    result = same(lambda m: m.decode(token, key, algorithms=[alg]))
    assert result == ("InvalidKeyError", "The key's curve '%s' does not match the expected curve '%s' for this "
                      "algorithm" % (key_curve.name, {"ES256": "secp256r1", "ES384": "secp384r1"}[alg]))
    # Also when the key's own algorithm is allowed too, and for its certificate and JWK.
    both = sorted({alg, {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}[key_curve.name]})
    assert same(lambda m: m.decode(token, key, algorithms=both)) == result
    jwk = json.loads(pyjwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
    for other in (jwk, _certificate(private)):
        with pytest.raises(jwt.InvalidKeyError) as info:
            jwt.decode(token, other, algorithms=[alg])
        assert str(info.value) == result[1]


def test_an_ec_key_on_the_right_curve_still_verifies(ec_key: KeyPair) -> None:
    token = sign(ec_key, claims(aud=None))
    assert jwt.decode(token, ec_key.public, algorithms=["ES256", "ES384"])["sub"] == "alice"
    # An ES384 token with an ES256 key whose algorithm is not allowed: PyJWT's alg refusal first.
    assert same(lambda m: m.decode(sign(ec_key, claims(aud=None)), ec_key.public, algorithms=["ES384"])) == (
        "InvalidAlgorithmError", "The specified alg value is not allowed")


@pytest.mark.parametrize("form", ["pem", "der", "ssh"])
def test_a_public_key_as_an_hmac_secret_is_an_invalid_key(form: str) -> None:
    # GHSA-ffqj-6fqr-9h24: the public key's bytes sign a forged HS256 token.
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    key = {"pem": public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
           "der": public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
           "ssh": public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)}[form]
    forged = hs256({"alg": "HS256", "typ": "JWT"}, json.dumps({"sub": "mallory"}), key=key)
    for algorithms in (["HS256"], ["HS256", "ES256"]):
        assert same(lambda m: m.decode(forged, key, algorithms=algorithms)) == (
            "InvalidKeyError",
            "The specified key is an asymmetric key or x509 certificate and should not be used as an HMAC secret.")


@pytest.mark.parametrize("claim,value", [("exp", float("inf")), ("nbf", float("-inf")), ("iat", float("inf")),
                                         ("exp", float("nan")), ("iat", float("nan"))])
def test_non_finite_time_claims_name_the_claim(hs_key: KeyPair, claim: str, value: float) -> None:
    # The engine refuses NaN and Infinity (not JSON, RFC 8259) before the signature;
    # tokenverify.jwt then raises what PyJWT's check of that claim raises.
    token = sign(hs_key, {"sub": "alice", claim: value})
    result = same(lambda m: m.decode(token, SECRET, algorithms=["HS256"]))
    assert result[0] == ("InvalidIssuedAtError" if claim == "iat" else "DecodeError") and claim in result[1]
    with pytest.raises(jwt.DecodeError if claim != "iat" else jwt.InvalidIssuedAtError) as info:
        jwt.decode(token, SECRET, algorithms=["HS256"])
    assert info.value.name == "TV_ERR_MALFORMED_JSON"


def test_non_finite_numbers_elsewhere_are_not_json_to_the_engine(hs_key: KeyPair) -> None:
    # Documented in docs/python.md's differences: PyJWT reads Infinity where no check
    # reads it; the engine parses strict JSON (RFC 8259) and refuses the token.
    token = sign(hs_key, {"sub": "alice", "score": float("inf")})
    assert outcome(lambda m: m.decode(token, SECRET, algorithms=["HS256"]), pyjwt)[0] == "ok"
    with pytest.raises(jwt.DecodeError) as info:
        jwt.decode(token, SECRET, algorithms=["HS256"])
    assert info.value.name == "TV_ERR_MALFORMED_JSON"


@pytest.mark.parametrize("payload", ["1", "[]", '"text"', "hello world"])
def test_a_payload_that_is_not_a_json_object(payload: str) -> None:
    token = hs256({"alg": "HS256", "typ": "JWT"}, payload)
    result = same(lambda m: m.decode(token, SECRET, algorithms=["HS256"]))
    assert result[0] == "DecodeError" and result[1].startswith("Invalid payload string: ")


def test_a_header_that_is_not_json() -> None:
    token = b64(b"hello world") + "." + b64(b"{}") + "." + b64(b"sig")
    assert same(lambda m: m.decode(token, SECRET, algorithms=["HS256"]))[1].startswith("Invalid header string: ")
