"""tokenverify.jwt.decode against PyJWT's jwt.decode on the same generated tokens:
the same accept/reject decision, the same exception class names, the same payload."""

from __future__ import annotations

import base64
import datetime
import json
import os
import time
import warnings
from datetime import timedelta
from typing import Any, Callable, Dict, List, Tuple

import jwt as pyjwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

import tokenverify
from tokenverify import jwt as tvjwt
from conftest import NOW, SECRET, KeyPair, claims, same, sign

ALGS = ["HS256", "RS256", "ES256", "EdDSA"]


def outcome(decode: Callable[..., Any], token: Any, key: Any, **kwargs: Any) -> Tuple[str, Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "ok", decode(token, key, **kwargs)
    except Exception as e:  # noqa: BLE001 - the class name is what is compared
        return type(e).__name__, None


def assert_same(token: Any, key: Any, **kwargs: Any) -> str:
    theirs = outcome(pyjwt.decode, token, key, **kwargs)
    ours = outcome(tvjwt.decode, token, key, **kwargs)
    assert ours == theirs, "PyJWT %s, tokenverify %s" % (theirs[0], ours[0])
    return ours[0]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_key(k: KeyPair) -> Any:
    return k.public_pem if k.alg != "HS256" else SECRET


def other_alg(alg: str) -> str:
    return {"HS256": "HS384", "RS256": "PS256", "ES256": "ES384", "EdDSA": "ES256"}[alg]


@pytest.mark.parametrize("alg", ALGS)
def test_differential_core_cases(alg: str, all_keys: Dict[str, KeyPair]) -> None:
    k = all_keys[alg]
    key = verify_key(k)
    common = dict(algorithms=[alg], audience="my-api", issuer="https://issuer.test")
    valid = sign(k, claims())
    assert assert_same(valid, key, **common) == "ok"
    assert tvjwt.decode(valid, key, **common) == pyjwt.decode(valid, key, **common) == claims()  # type: ignore[arg-type]

    cases: Dict[str, str] = {
        "expired": sign(k, claims(exp=NOW - 100)),
        "not yet valid": sign(k, claims(nbf=NOW + 1000)),
        "issued in the future": sign(k, claims(iat=NOW + 1000)),
        "wrong audience": sign(k, claims(aud="someone-else")),
        "audience list without ours": sign(k, claims(aud=["a", "b"])),
        "wrong issuer": sign(k, claims(iss="https://evil.test")),
        "no issuer": sign(k, claims(iss=None)),
        "no audience": sign(k, claims(aud=None)),
    }
    header, payload, signature = valid.split(".")
    forged = json.loads(unb64(payload))
    forged["sub"] = "mallory"
    cases["tampered payload"] = ".".join([header, b64(json.dumps(forged).encode()), signature])
    sig = bytearray(unb64(signature))
    sig[len(sig) // 2] ^= 0x01
    cases["tampered signature"] = ".".join([header, payload, b64(bytes(sig))])
    cases["alg none"] = pyjwt.encode(claims(), None, algorithm="none")
    cases["garbage"] = "not.a.token"
    expected = {
        "expired": "ExpiredSignatureError",
        "not yet valid": "ImmatureSignatureError",
        "issued in the future": "ImmatureSignatureError",
        "wrong audience": "InvalidAudienceError",
        "audience list without ours": "InvalidAudienceError",
        "wrong issuer": "InvalidIssuerError",
        "no issuer": "MissingRequiredClaimError",
        "no audience": "MissingRequiredClaimError",
        "tampered payload": "InvalidSignatureError",
        "tampered signature": "InvalidSignatureError",
        "alg none": "InvalidAlgorithmError",
        "garbage": "DecodeError",
    }
    for name, token in cases.items():
        assert assert_same(token, key, **common) == expected[name], name


@pytest.mark.parametrize("alg", ALGS)
def test_differential_wrong_algorithm(alg: str, all_keys: Dict[str, KeyPair]) -> None:
    k = all_keys[alg]
    token = sign(k, claims(aud=None))
    assert assert_same(token, verify_key(k), algorithms=[other_alg(alg)]) == "InvalidAlgorithmError"


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_asymmetric_key_forms(alg: str, all_keys: Dict[str, KeyPair]) -> None:
    k = all_keys[alg]
    token = sign(k, claims(aud=None))
    expected = claims(aud=None)
    for key in (k.public_pem, k.public_pem.decode(), k.public, k.jwk, {"keys": [k.jwk]},
                pyjwt.PyJWK.from_dict(k.jwk, algorithm=alg)):
        assert tvjwt.decode(token, key, algorithms=[alg]) == expected, type(key)
    private_pem = k.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())
    ssh = k.public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    assert assert_same(token, ssh, algorithms=[alg]) == "ok"
    # PyJWT refuses certificates and private keys; the engine reads the first,
    # and the public half of the second is enough here.
    assert tvjwt.decode(token, self_signed_certificate(k), algorithms=[alg]) == expected
    assert tvjwt.decode(token, k.private, algorithms=[alg]) == expected
    assert tvjwt.decode(token, private_pem, algorithms=[alg]) == expected


def self_signed_certificate(k: KeyPair) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tokenverify test")])
    start = datetime.datetime(2020, 1, 1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(k.public)
            .serial_number(1).not_valid_before(start).not_valid_after(start + datetime.timedelta(days=36500))
            .sign(k.private, None if k.alg == "EdDSA" else hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def test_hmac_key_forms(hs_key: KeyPair) -> None:
    token = sign(hs_key, claims(aud=None))
    for key in (SECRET, SECRET.encode(), hs_key.jwk, {"keys": [hs_key.jwk]},
                pyjwt.PyJWK.from_dict(hs_key.jwk, algorithm="HS256")):
        assert tvjwt.decode(token, key, algorithms=["HS256"]) == claims(aud=None)


def test_pem_key_as_hmac_secret_is_refused(rsa_key: KeyPair) -> None:
    # The key-confusion attack: an HS256 token "signed" with the RSA public key.
    forged = pyjwt.api_jws.PyJWS()
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims(aud=None)).encode())
    import hashlib
    import hmac

    sig = b64(hmac.new(rsa_key.public_pem, (header + "." + payload).encode(), hashlib.sha256).digest())
    token = ".".join([header, payload, sig])
    del forged
    assert assert_same(token, rsa_key.public_pem, algorithms=["HS256"]) == "InvalidKeyError"
    assert assert_same(token, rsa_key.public_pem, algorithms=["RS256"]) == "InvalidAlgorithmError"


@pytest.mark.parametrize("kwargs,extra", [
    ({"options": {"verify_exp": False}}, {"exp": NOW - 100}),
    ({"options": {"verify_nbf": False}}, {"nbf": NOW + 1000}),
    ({"options": {"verify_iat": False}}, {"iat": NOW + 1000}),
    ({"options": {"verify_aud": False}}, {"aud": "x"}),
    ({"options": {"verify_iss": False}, "issuer": "y"}, {}),
    ({"options": {"verify_signature": False}}, {"exp": NOW - 100}),
    ({"options": {"verify_signature": False, "verify_exp": True}}, {"exp": NOW - 100}),
    ({"options": {"require": ["exp", "iat"]}}, {}),
    ({"options": {"require": ["jti"]}}, {}),
    ({"options": {"require": ["jti"]}}, {"jti": None}),
    ({"options": {"strict_aud": True}, "audience": "my-api"}, {}),
    ({"options": {"strict_aud": True}, "audience": "my-api"}, {"aud": ["my-api"]}),
    ({"audience": ["x", "my-api"]}, {}),
    ({"audience": ["x", "my-api"]}, {"aud": ["my-api", "z"]}),
    ({"audience": "my-api"}, {"aud": ""}),
    ({}, {"aud": []}),
    ({"issuer": ["a", "https://issuer.test"]}, {}),
    ({"issuer": ("a", "b")}, {}),
    ({"leeway": 200}, {"exp": NOW - 100}),
    ({"leeway": timedelta(seconds=200)}, {"exp": NOW - 100}),
    ({"leeway": 50}, {"exp": NOW - 100}),
    ({"leeway": 150.5}, {"exp": NOW - 100}),
    ({"leeway": -100}, {"exp": NOW + 50}),
    ({"leeway": 2000}, {"nbf": NOW + 1000}),
    ({"subject": "alice"}, {}),
    ({"subject": "bob"}, {}),
    ({}, {"sub": 5}),
    ({}, {"jti": 5}),
    ({}, {"jti": "id-1"}),
    ({}, {"iat": "yesterday"}),
    ({}, {"exp": "tomorrow"}),
    ({}, {"nbf": [1]}),
    ({"issuer": "https://issuer.test"}, {"iss": 7}),
    ({"audience": "my-api"}, {"aud": 7}),
    ({}, {"exp": NOW + 100.5}),
])
def test_differential_options(hs_key: KeyPair, kwargs: Dict[str, Any], extra: Dict[str, Any]) -> None:
    base = claims(aud="my-api") if "audience" in kwargs or "aud" in extra else claims(aud=None)
    base.update(extra)
    # Signed through the JWS layer: PyJWT's jwt.encode refuses some of these payloads.
    token = pyjwt.api_jws.encode(json.dumps(base).encode(), SECRET, algorithm="HS256")
    assert_same(token, SECRET, algorithms=["HS256"], **kwargs)


@pytest.mark.parametrize("empty", [list, tuple, set, lambda: iter(())], ids=["list", "tuple", "set", "iterator"])
@pytest.mark.parametrize("alg", ["HS256", "RS256"])
def test_empty_audience_list_refuses_every_token(alg: str, empty: Callable[[], Any],
                                                 all_keys: Dict[str, KeyPair]) -> None:
    # PyJWT: an empty, non-None audience accepts no token (the engine's own
    # configuration refuses "audiences": [], so tokenverify.jwt checks it itself).
    k = all_keys[alg]
    expected = {"my-api": "InvalidAudienceError", ("my-api", "x"): "InvalidAudienceError",
                None: "MissingRequiredClaimError"}
    for aud, name in expected.items():
        token = sign(k, claims(aud=list(aud) if isinstance(aud, tuple) else aud))
        for extra in ({}, {"leeway": 0.5}, {"options": {"verify_exp": False}}):
            assert assert_same(token, verify_key(k), algorithms=[alg], audience=empty(), **extra) == name, \
                (aud, extra)
    # With the audience check switched off the audience plays no part.
    token = sign(k, claims())
    assert assert_same(token, verify_key(k), algorithms=[alg], audience=empty(),
                       options={"verify_aud": False}) == "ok"


def test_decode_keeps_pyjwt_zero_leeway(hs_key: KeyPair) -> None:
    # The engine's own default clock skew is not PyJWT's: decode() always hands the
    # engine the leeway it was given (0 by default), so a token expired 5 s ago is refused.
    now = int(time.time())
    expired = sign(hs_key, claims(aud=None, iat=now - 60, exp=now - 5))
    with pytest.raises(tvjwt.ExpiredSignatureError):
        tvjwt.decode(expired, SECRET, algorithms=["HS256"])
    assert assert_same(expired, SECRET, algorithms=["HS256"]) == "ExpiredSignatureError"
    assert tvjwt.decode(expired, SECRET, algorithms=["HS256"], leeway=30)["sub"] == "alice"
    ahead = sign(hs_key, claims(aud=None, nbf=now + 5))
    assert assert_same(ahead, SECRET, algorithms=["HS256"]) == "ImmatureSignatureError"
    plan = tvjwt._plan_for(SECRET, ["HS256"], None, None, None, 0, None)
    assert plan.verifier is not None and plan.verifier.config["leeway"] == 0


def test_algorithms_are_required(hs_key: KeyPair) -> None:
    token = sign(hs_key, claims(aud=None))
    assert assert_same(token, SECRET) == "DecodeError"
    assert assert_same(token, SECRET, algorithms=[]) == "DecodeError"


def test_decode_complete(rsa_key: KeyPair) -> None:
    token = sign(rsa_key, claims(aud=None), headers={"kid": "k1"})
    ours = tvjwt.decode_complete(token, rsa_key.public_pem, algorithms=["RS256"])
    theirs = pyjwt.decode_complete(token, rsa_key.public_pem, algorithms=["RS256"])
    assert ours == theirs


def test_token_as_bytes_and_wrong_type(hs_key: KeyPair) -> None:
    token = sign(hs_key, claims(aud=None))
    assert tvjwt.decode(token.encode(), SECRET, algorithms=["HS256"])["sub"] == "alice"
    assert assert_same(12345, SECRET, algorithms=["HS256"]) == "DecodeError"


def test_verifiers_are_cached_and_bounded(hs_key: KeyPair) -> None:
    tvjwt.clear_cache()
    token = sign(hs_key, claims(aud=None))
    for _ in range(3):
        tvjwt.decode(token, SECRET, algorithms=["HS256"])
    assert len(tvjwt._cache) == 1
    tvjwt.decode(token, SECRET, algorithms=["HS256"], leeway=1)
    tvjwt.decode(token, {"kty": "oct", "k": hs_key.jwk["k"]}, algorithms=["HS256"])
    tvjwt.decode(token, {"kty": "oct", "k": hs_key.jwk["k"]}, algorithms=["HS256"])
    assert len(tvjwt._cache) == 3
    for i in range(tvjwt._CACHE_SIZE + 10):
        tvjwt.decode(token, SECRET, algorithms=["HS256"], leeway=i + 2)
    assert len(tvjwt._cache) == tvjwt._CACHE_SIZE
    tvjwt.clear_cache()
    assert len(tvjwt._cache) == 0


# ---------------------------------------------------------------- documented differences from PyJWT


def test_difference_short_hmac_secret_is_refused() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyJWT warns about the short key, and goes on
        token = pyjwt.encode(claims(aud=None), "short", algorithm="HS256")
        assert pyjwt.decode(token, "short", algorithms=["HS256"])["sub"] == "alice"
    with pytest.raises(tokenverify.InvalidJWKError) as info:
        tvjwt.decode(token, "short", algorithms=["HS256"])
    assert info.value.name == "TV_ERR_JWK_WEAK"


def test_alg_none_is_refused_whatever_the_key() -> None:
    token = pyjwt.encode(claims(aud=None), None, algorithm="none")
    for key in (None, SECRET):
        assert outcome(pyjwt.decode, token, key, algorithms=["none"])[0] != "ok"
        assert outcome(tvjwt.decode, token, key, algorithms=["none"])[0] != "ok"
    assert outcome(tvjwt.decode, token, SECRET, algorithms=["none", "HS256"])[0] == "InvalidAlgorithmError"


def test_single_key_verifies_whatever_kid_the_token_names(rsa_key: KeyPair) -> None:
    for kid in ("k1", "k2", "k1"):
        token = sign(rsa_key, claims(aud=None), headers={"kid": kid})
        assert assert_same(token, rsa_key.public_pem, algorithms=["RS256"]) == "ok"
        other = dict(rsa_key.jwk, kid="other")
        assert assert_same(token, pyjwt.PyJWK.from_dict(other, algorithm="RS256"), algorithms=["RS256"]) == "ok"
        assert tvjwt.decode(token, other, algorithms=["RS256"])["sub"] == "alice"
    # A key set is matched by kid, as in PyJWKClient.
    token = sign(rsa_key, claims(aud=None), headers={"kid": "k9"})
    with pytest.raises(tokenverify.KeyNotFoundError):
        tvjwt.decode(token, {"keys": [dict(rsa_key.jwk, kid="k1")]}, algorithms=["RS256"])


def test_the_signature_is_checked_before_the_claims(hs_key: KeyPair) -> None:
    # As PyJWT: a claim's error only for a token whose signature verified, so
    # a sender without the key learns nothing about the claims accepted.
    for bad in ({"exp": NOW - 100}, {"aud": "guess"}, {"iss": "https://guess.test"}):
        token = sign(hs_key, claims(**bad))
        header, payload, signature = token.split(".")
        sig = bytearray(unb64(signature))
        sig[3] ^= 1
        tampered = ".".join([header, payload, b64(bytes(sig))])
        kw: Dict[str, Any] = {"audience": "my-api", "issuer": "https://issuer.test"}
        assert outcome(pyjwt.decode, tampered, SECRET, algorithms=["HS256"], **kw)[0] == "InvalidSignatureError"
        assert outcome(tvjwt.decode, tampered, SECRET, algorithms=["HS256"], **kw)[0] == "InvalidSignatureError", bad


@pytest.mark.parametrize("extra,options", [
    ({"aud": 7}, {"verify_aud": False}),  # a check switched off: PyJWT reads the claim as it is
    ({"aud": 7}, {}),  # PyJWT's own error for it
    ({"aud": None}, {}),  # null: no audience
    ({"aud": None}, {"audience": "my-api"}),
    ({"iat": "1638202770"}, {}),  # a number in a string: PyJWT reads the number
    ({"exp": "1638202770"}, {}),
    ({"exp": "soon"}, {}),
    ({"sub": 5}, {}),
    ({"nbf": "later"}, {}),
])
def test_registered_claims_of_other_json_types_as_pyjwt(hs_key: KeyPair, extra: Dict[str, Any],
                                                        options: Dict[str, Any]) -> None:
    # The engine refuses these before the signature (TV_ERR_MALFORMED_CLAIM); tokenverify.jwt
    # then has the engine check the signature alone and applies PyJWT's claim checks.
    payload = dict(claims(aud=None), **extra)
    token = sign(hs_key, payload)
    kwargs = dict(algorithms=["HS256"], **{k: v for k, v in options.items() if k in ("audience", "issuer")})
    opts = {k: v for k, v in options.items() if k.startswith("verify_")}
    same(lambda m: m.decode(token, SECRET, options=opts, **kwargs))
    # Never without the signature: the same payload under a forged signature.
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert same(lambda m: m.decode(forged, SECRET, options=opts, **kwargs))[0] == "InvalidSignatureError"


def test_exceptions_keep_the_engine_status(hs_key: KeyPair) -> None:
    with pytest.raises(tokenverify.MissingRequiredClaimError) as info:
        tvjwt.decode(sign(hs_key, claims(aud=None, iss=None)), SECRET, algorithms=["HS256"], issuer="x")
    assert info.value.claim == "iss" and info.value.name == "TV_ERR_ISSUER_MISMATCH"


def test_aws_alb_padded_token_as_pyjwt() -> None:
    # examples/alb: ALB's x-amzn-oidc-data token, base64 padding on its segments. The ALB
    # recipe reads the kid first (to fetch that key's PEM), then verifies with the PEM.
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "examples", "alb", "token.jwt")) as f:
        token = f.read().strip()
    with open(os.path.join(root, "examples", "alb", "config.json")) as f:
        pem = json.load(f)["providers"][0]["jwks"]["local"]["pem"]
    assert "=" in token
    assert tvjwt.get_unverified_header(token) == pyjwt.get_unverified_header(token)
    same(lambda m: m.decode(token, options={"verify_signature": False}))
    assert same(lambda m: m.decode(token, pem, algorithms=["ES256"]))[0] == "ok"
    # The padding is signed: the same token without it no longer verifies.
    assert same(lambda m: m.decode(token.replace("=", ""), pem, algorithms=["ES256"]))[0] == "InvalidSignatureError"
