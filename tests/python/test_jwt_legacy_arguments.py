"""tokenverify.jwt.decode takes PyJWT 2's legacy arguments as PyJWT does: `verify=` and
unknown keywords are ignored with a warning, never a TypeError (issue 17, item 3)."""

from __future__ import annotations

import time
import warnings

import jwt as pyjwt
import pytest

from tokenverify import jwt

SECRET = "k" * 32


def token(**claims: object) -> str:
    return pyjwt.encode({"sub": "a", "exp": int(time.time()) + 60, **claims}, SECRET, algorithm="HS256")


@pytest.mark.parametrize("decode", [jwt.decode, jwt.decode_complete])
def test_unknown_keywords_warn_and_are_ignored(decode: object) -> None:
    with pytest.warns(jwt.RemovedInPyjwt3Warning, match="foo"):
        decode(token(), SECRET, algorithms=["HS256"], foo=1)  # type: ignore[operator]
    assert issubclass(jwt.RemovedInPyjwt3Warning, DeprecationWarning)


def test_verify_argument_warns_when_it_disagrees_with_the_options() -> None:
    with pytest.warns(DeprecationWarning, match="verify_signature"):
        assert jwt.decode(token(), SECRET, algorithms=["HS256"], verify=False)["sub"] == "a"
    # It does nothing: the signature is still checked.
    with pytest.warns(DeprecationWarning), pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token(), "x" * 32, algorithms=["HS256"], verify=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jwt.decode(token(), SECRET, algorithms=["HS256"], verify=True)  # agrees: silent
        jwt.decode(token(exp=1), options={"verify_signature": False}, verify=False)  # agrees: silent


def test_an_expired_token_reads_with_the_signature_off() -> None:
    assert jwt.decode(token(exp=1), options={"verify_signature": False})["exp"] == 1


# ---------------------------------------------------------------- the rest of the module a migrating file uses (item 6)


def test_get_unverified_header_like_pyjwt() -> None:
    t = pyjwt.encode({"sub": "a"}, SECRET, algorithm="HS256", headers={"kid": "k1"})
    assert jwt.get_unverified_header(t) == pyjwt.get_unverified_header(t)
    assert jwt.get_unverified_header(t)["kid"] == "k1"
    with pytest.raises(jwt.DecodeError):
        jwt.get_unverified_header("not-a-token")
    numeric_kid = "eyJhbGciOiJIUzI1NiIsImtpZCI6N30.e30.c2ln"  # {"alg":"HS256","kid":7} . {} . "sig"
    with pytest.raises(jwt.InvalidTokenError):
        jwt.get_unverified_header(numeric_kid)


def test_encode_is_pyjwts() -> None:
    t = jwt.encode({"sub": "a"}, SECRET, algorithm="HS256")
    assert t == pyjwt.encode({"sub": "a"}, SECRET, algorithm="HS256")
    assert jwt.decode(t, SECRET, algorithms=["HS256"]) == {"sub": "a"}


def test_pyjwt_warning_and_error_classes_exist() -> None:
    assert issubclass(jwt.InsecureKeyLengthWarning, UserWarning)
    assert issubclass(jwt.MissingCryptographyError, jwt.PyJWKError)
