"""tokenverify.jwt's `options` as PyJWT 2 reads them (issue 17, item 2).

Every case runs the same call through PyJWT and through tokenverify.jwt and
compares the outcome: the payload, or the exception's class name and message.
"""

from __future__ import annotations

import copy
from typing import Any, Dict

import jwt as pyjwt
import pytest
from conftest import NOW, SECRET, KeyPair, claims, outcome, same, sign

from tokenverify import jwt

@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    jwt.clear_cache()


# The claims of each token fail exactly one check when that check is on.
FAILING = {
    "exp": ({"exp": NOW - 100}, "verify_exp", "ExpiredSignatureError"),
    "nbf": ({"nbf": NOW + 1000}, "verify_nbf", "ImmatureSignatureError"),
    "iat": ({"iat": NOW + 1000}, "verify_iat", "ImmatureSignatureError"),
    "aud": ({"aud": "someone-else"}, "verify_aud", "InvalidAudienceError"),
    "sub": ({"sub": 5}, "verify_sub", "InvalidSubjectError"),
    "jti": ({"jti": 5}, "verify_jti", "InvalidJTIError"),
}


@pytest.mark.parametrize("claim", sorted(FAILING))
@pytest.mark.parametrize("with_key", [False, True])
def test_signature_off_turns_every_claim_check_off(hs_key: KeyPair, claim: str, with_key: bool) -> None:
    extra, _, _ = FAILING[claim]
    token = sign(hs_key, dict(claims(aud=None, iat=None, exp=None), **extra))
    key = {"key": SECRET, "algorithms": ["HS256"]} if with_key else {}
    result = same(lambda m: m.decode(token, options={"verify_signature": False}, **key))
    assert result[0] == "ok" and result[1][claim] == extra[claim]


@pytest.mark.parametrize("claim", sorted(FAILING))
def test_signature_off_keeps_a_check_the_options_enable(hs_key: KeyPair, claim: str) -> None:
    extra, option, error = FAILING[claim]
    token = sign(hs_key, dict(claims(aud=None, iat=None, exp=None), **extra))
    result = same(lambda m: m.decode(token, options={"verify_signature": False, option: True},
                                     audience="my-api" if claim == "aud" else None))
    assert result[0] == error


def test_reading_an_expired_tokens_claims_with_the_signature_off(hs_key: KeyPair) -> None:
    token = sign(hs_key, claims(exp=NOW - 3600))
    # What people do to read an expired token: with or without the key and the other arguments.
    for kwargs in ({}, {"key": SECRET, "algorithms": ["HS256"], "audience": "my-api", "issuer": "nobody"}):
        assert jwt.decode(token, options={"verify_signature": False}, **kwargs)["exp"] == NOW - 3600
    with pytest.raises(jwt.ExpiredSignatureError, match="^Signature has expired$"):
        jwt.decode(token, options={"verify_signature": False, "verify_exp": True})


def test_signature_off_with_issuer_and_require(hs_key: KeyPair) -> None:
    token = sign(hs_key, claims(iss=None, exp=None))
    assert same(lambda m: m.decode(token, issuer="x", options={"verify_signature": False}))[0] == "ok"
    assert same(lambda m: m.decode(token, issuer="x", options={"verify_signature": False, "verify_iss": True})) == (
        "MissingRequiredClaimError", 'Token is missing the "iss" claim')
    # "require" is not a verify_* switch: it applies with the signature off too.
    assert same(lambda m: m.decode(token, options={"verify_signature": False, "require": ["exp"]})) == (
        "MissingRequiredClaimError", 'Token is missing the "exp" claim')


def test_options_are_not_mutated(hs_key: KeyPair) -> None:
    token = sign(hs_key, claims(aud=None))
    for options in ({"verify_signature": False}, {"verify_signature": True, "require": ["exp"]},
                    {"verify_exp": False, "require": ["sub"]}):
        before = copy.deepcopy(options)
        jwt.decode(token, SECRET, algorithms=["HS256"], options=options)
        assert options == before


def test_reused_options_do_not_disable_claim_verification(hs_key: KeyPair) -> None:
    # As PyJWT's test of the same name: a decode with the signature off must not
    # switch off the claim checks of a later decode, with or without the same dict.
    token = sign(hs_key, claims(aud=None, exp=NOW - 100))
    options: Dict[str, Any] = {"verify_signature": False}
    assert jwt.decode(token, options=options)["exp"] == NOW - 100
    with pytest.raises(jwt.ExpiredSignatureError, match="^Signature has expired$"):
        jwt.decode(token, SECRET, algorithms=["HS256"])
    options["verify_signature"] = True
    assert same(lambda m: m.decode(token, SECRET, algorithms=["HS256"], options=options)) == (
        "ExpiredSignatureError", "Signature has expired")
    assert options == {"verify_signature": True}


def test_a_require_list_edited_after_the_call_does_not_leak(hs_key: KeyPair) -> None:
    token = sign(hs_key, claims(aud=None))

    def call(m: Any) -> Any:
        options = {"require": ["exp"]}
        m.decode(token, SECRET, algorithms=["HS256"], options=options)
        options["require"].append("nbf")  # the caller reuses its list for another purpose
        return m.decode(token, SECRET, algorithms=["HS256"], options={"require": ["exp"]})

    assert same(call)[0] == "ok"


def test_an_audience_list_edited_after_the_call_does_not_leak(hs_key: KeyPair) -> None:
    token = sign(hs_key, claims(aud="b"))

    def call(m: Any) -> Any:
        audience = ["a"]
        first = outcome(lambda m: m.decode(token, SECRET, algorithms=["HS256"], audience=audience), m)
        audience.append("b")
        m.decode(token, SECRET, algorithms=["HS256"], audience=audience)
        return first, outcome(lambda m: m.decode(token, SECRET, algorithms=["HS256"], audience=["a"]), m)

    assert same(call) == ("ok", (("InvalidAudienceError", "Audience doesn't match"),
                                 ("InvalidAudienceError", "Audience doesn't match")))


def test_an_issuer_list_edited_after_the_call_does_not_leak(hs_key: KeyPair) -> None:
    token = sign(hs_key, claims(aud=None, iss="b"))

    def call(m: Any) -> Any:
        issuer = ["a"]
        first = outcome(lambda m: m.decode(token, SECRET, algorithms=["HS256"], issuer=issuer), m)
        issuer.append("b")
        m.decode(token, SECRET, algorithms=["HS256"], issuer=issuer)
        return first, outcome(lambda m: m.decode(token, SECRET, algorithms=["HS256"], issuer=["a"]), m)

    assert same(call) == ("ok", (("InvalidIssuerError", "Invalid issuer"), ("InvalidIssuerError", "Invalid issuer")))


@pytest.mark.parametrize("require", [None, 5])
def test_a_require_that_is_not_a_list_raises_type_error(hs_key: KeyPair, require: Any) -> None:
    token = sign(hs_key, claims(aud=None))
    for options in ({"require": require}, {"require": require, "verify_exp": False},
                    {"require": require, "verify_signature": False}):
        result = same(lambda m: m.decode(token, SECRET, algorithms=["HS256"], options=options))
        assert result[0] == "TypeError"
