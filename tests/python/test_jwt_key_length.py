"""Short HMAC secrets and PyJWT's option enforce_minimum_key_length (issue 17, item 1).

tokenverify refuses an HMAC secret shorter than the hash (RFC 7518 §3.2) unless the
caller says `enforce_minimum_key_length: False`, PyJWT's own switch: then it accepts
it with PyJWT's InsecureKeyLengthWarning (the engine's allowShortHmacSecrets). With
`True` it raises PyJWT's class and message, InvalidKeyError.
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
    assert ours == theirs
    assert ours[0] == "InvalidKeyError" and ("%d bytes" % length) in ours[1]
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


@pytest.mark.parametrize("options", [None, {}, {"verify_exp": True}])
def test_without_the_option_the_refusal_names_it(options: Optional[Dict[str, Any]]) -> None:
    # PyJWT accepts here with an InsecureKeyLengthWarning; tokenverify refuses (docs/python.md,
    # the differences), and says which option accepts it.
    secret = "short"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert pyjwt.decode(token(secret, "HS256"), secret, algorithms=["HS256"], options=options) == {"sub": "alice"}
    assert any(issubclass(w.category, pyjwt.InsecureKeyLengthWarning) for w in caught)
    with pytest.raises(jwt.PyJWKError) as info:
        jwt.decode(token(secret, "HS256"), secret, algorithms=["HS256"], options=options)
    assert isinstance(info.value, tokenverify.InvalidJWKError) and info.value.name == "TV_ERR_JWK_WEAK"
    assert "enforce_minimum_key_length" in str(info.value) and "5 bytes" in str(info.value)


@pytest.mark.parametrize("alg,length", [("HS256", 5), ("HS256", 31), ("HS384", 33), ("HS512", 1), ("HS512", 63)])
def test_enforce_false_accepts_with_pyjwts_warning(alg: str, length: int) -> None:
    secret = "k" * length
    options = {"enforce_minimum_key_length": False}
    good = token(secret, alg)

    def decode(module: Any, tok: str) -> Any:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = outcome(lambda m: m.decode(tok, secret, algorithms=["HS256", "HS384", "HS512"],
                                                options=options), module)
        return result, [(w.category.__name__, str(w.message)) for w in caught]

    assert decode(jwt, good) == decode(pyjwt, good)
    result, warned = decode(jwt, good)
    assert result[0] == "ok" and result[1] == {"sub": "alice"}
    assert warned == [("InsecureKeyLengthWarning", "The HMAC key is %d bytes long, which is below the minimum "
                       "recommended length of %d bytes for SHA%s. See RFC 7518 Section 3.2."
                       % (length, {"HS256": 32, "HS384": 48, "HS512": 64}[alg], alg[2:]))]
    # The engine verifies: a forged signature is refused (after the same warning, as PyJWT).
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    assert decode(jwt, forged) == decode(pyjwt, forged)
    assert decode(jwt, forged)[0][0] == "InvalidSignatureError"


def test_enforce_false_still_refuses_an_empty_secret() -> None:
    # An empty HMAC key is no key: refused whatever the option says.
    good = token("x" * 32, "HS256")
    with pytest.raises(tokenverify.TokenVerifyError) as info:
        jwt.decode(good, "", algorithms=["HS256"], options={"enforce_minimum_key_length": False})
    assert info.value.name == "TV_ERR_JWK_WEAK"


def test_the_warning_class_is_pyjwts_kind() -> None:
    assert issubclass(jwt.InsecureKeyLengthWarning, UserWarning)
    assert jwt.InsecureKeyLengthWarning.__name__ == pyjwt.InsecureKeyLengthWarning.__name__
