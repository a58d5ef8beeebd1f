"""Short HMAC secrets and PyJWT's option enforce_minimum_key_length (issue 17, item 1).

tokenverify refuses an HMAC secret shorter than the hash (RFC 7518 §3.2) whatever
the option says (the engine has no setting to accept one yet); with
`enforce_minimum_key_length: True` it raises PyJWT's class for it, InvalidKeyError.
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, Optional

import jwt as pyjwt
import pytest
from conftest import outcome

import tokenverify
from tokenverify import jwt

ENFORCE = {"enforce_minimum_key_length": True}


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    jwt.clear_cache()


def token(secret: str, alg: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyJWT warns when it signs with a short secret
        return pyjwt.encode({"sub": "alice"}, secret, algorithm=alg)


@pytest.mark.parametrize("alg,length", [("HS256", 5), ("HS256", 31), ("HS384", 33), ("HS512", 40), ("HS512", 63)])
@pytest.mark.parametrize("algorithms", ["own", "all"])
def test_enforce_minimum_key_length_raises_invalid_key_error(alg: str, length: int, algorithms: str) -> None:
    secret = "k" * length
    allowed = [alg] if algorithms == "own" else ["HS256", "HS384", "HS512"]
    call = lambda m: m.decode(token(secret, alg), secret, algorithms=allowed, options=ENFORCE)  # noqa: E731
    theirs, ours = outcome(call, pyjwt), outcome(call, jwt)
    assert theirs[0] == ours[0] == "InvalidKeyError"
    assert "below" in ours[1] and ("%d bytes" % length) in ours[1] and alg in ours[1]
    with pytest.raises(jwt.InvalidKeyError) as info:
        call(jwt)
    assert info.value.name == "TV_ERR_JWK_WEAK"


def test_enforce_minimum_key_length_accepts_a_long_enough_secret() -> None:
    secret = "k" * 48
    assert jwt.decode(token(secret, "HS384"), secret, algorithms=["HS256", "HS384", "HS512"],
                      options=ENFORCE) == {"sub": "alice"}
    # The same secret is too short for HS512 only.
    assert outcome(lambda m: m.decode(token(secret, "HS512"), secret, algorithms=["HS384", "HS512"],
                                      options=ENFORCE), jwt)[0] == "InvalidKeyError"


def test_an_algorithm_not_allowed_is_refused_before_the_key_length() -> None:
    secret = "short"
    call = lambda m: m.decode(token(secret, "HS256"), secret, algorithms=["HS384"], options=ENFORCE)  # noqa: E731
    assert outcome(call, jwt) == outcome(call, pyjwt) == ("InvalidAlgorithmError",
                                                           "The specified alg value is not allowed")


@pytest.mark.parametrize("options", [None, {}, {"enforce_minimum_key_length": False}])
def test_without_enforcement_the_refusal_names_the_option(options: Optional[Dict[str, Any]]) -> None:
    # PyJWT accepts here with an InsecureKeyLengthWarning; tokenverify refuses (docs/python.md,
    # the differences), and says which option PyJWT would have read.
    secret = "short"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert pyjwt.decode(token(secret, "HS256"), secret, algorithms=["HS256"], options=options) == {"sub": "alice"}
    assert any(issubclass(w.category, pyjwt.InsecureKeyLengthWarning) for w in caught)
    with pytest.raises(jwt.PyJWKError) as info:
        jwt.decode(token(secret, "HS256"), secret, algorithms=["HS256"], options=options)
    assert isinstance(info.value, tokenverify.InvalidJWKError) and info.value.name == "TV_ERR_JWK_WEAK"
    assert "enforce_minimum_key_length" in str(info.value) and "5 bytes" in str(info.value)


def test_the_warning_class_is_pyjwts_kind() -> None:
    assert issubclass(jwt.InsecureKeyLengthWarning, UserWarning)
    assert jwt.InsecureKeyLengthWarning.__name__ == pyjwt.InsecureKeyLengthWarning.__name__
