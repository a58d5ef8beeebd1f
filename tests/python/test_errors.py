"""Every status of the table maps to its exception class, with .code and .name."""

from __future__ import annotations

import pathlib
import re

import pytest

import tokenverify
from tokenverify import _tokenverify, errors

STATUS_DEF = pathlib.Path(__file__).resolve().parents[2] / "core/include/tokenverify/status.def"


def status_def_entries() -> list[tuple[str, int]]:
    text = STATUS_DEF.read_text()
    return [("TV_" + m.group(1), int(m.group(2))) for m in re.finditer(r"^TV_STATUS\((\w+),\s*(\d+),", text, re.M)]


def test_library_table_matches_status_def() -> None:
    library = {(name, code) for code, name, _ in _tokenverify.status_table()}
    assert library == set(status_def_entries())
    for code, name, message in _tokenverify.status_table():
        assert _tokenverify.status_name(code) == name
        assert _tokenverify.status_message(code) == message
    assert _tokenverify.status_name(-1) == _tokenverify.status_name(1000) == "TV_UNKNOWN_STATUS"


@pytest.mark.parametrize("name,code", [e for e in status_def_entries() if e[1] != 0])
def test_every_status_has_a_listed_class(name: str, code: int) -> None:
    assert name in errors._CLASS_BY_NAME, "add %s to errors._CLASS_BY_NAME" % name
    cls = errors.error_class(code)
    assert cls is errors._CLASS_BY_NAME[name]
    assert issubclass(cls, tokenverify.TokenVerifyError)
    error = _tokenverify._new_error(code)
    assert type(error) is cls
    assert error.code == code
    assert error.name == name
    assert str(error) == _tokenverify.status_message(code)


def test_no_class_listed_for_a_status_that_does_not_exist() -> None:
    names = {name for name, _ in status_def_entries()}
    assert set(errors._CLASS_BY_NAME) <= names


@pytest.mark.parametrize("code,cls", [
    (199, tokenverify.DecodeError),
    (299, tokenverify.DecodeError),
    (399, tokenverify.InvalidSignatureError),
    (499, tokenverify.InvalidTokenError),
    (599, tokenverify.KeySetError),
    (699, tokenverify.CredentialError),
    (950, tokenverify.TokenVerifyError),
])
def test_unknown_status_falls_back_by_range(code: int, cls: type) -> None:
    assert errors.error_class(code) is cls
    error = _tokenverify._new_error(code)
    assert type(error) is cls
    assert error.code == code
    assert error.name == "TV_UNKNOWN_STATUS"


@pytest.mark.parametrize("name,cls", [
    ("TV_ERR_EXPIRED", "ExpiredSignatureError"),
    ("TV_ERR_NOT_YET_VALID", "ImmatureSignatureError"),
    ("TV_ERR_ISSUED_IN_FUTURE", "ImmatureSignatureError"),
    ("TV_ERR_AUDIENCE_MISMATCH", "InvalidAudienceError"),
    ("TV_ERR_ISSUER_MISMATCH", "InvalidIssuerError"),
    ("TV_ERR_SIGNATURE_INVALID", "InvalidSignatureError"),
    ("TV_ERR_ALG_NOT_ALLOWED", "InvalidAlgorithmError"),
    ("TV_ERR_ALG_NONE", "InvalidAlgorithmError"),
    ("TV_ERR_MISSING_CLAIM", "MissingRequiredClaimError"),
    ("TV_ERR_MALFORMED_TOKEN", "DecodeError"),
    ("TV_ERR_SUBJECT_MISMATCH", "InvalidSubjectError"),
    ("TV_ERR_CONFIG", "ConfigurationError"),
    ("TV_ERR_JWKS_MALFORMED", "KeySetError"),
])
def test_pyjwt_names_where_the_meaning_matches(name: str, cls: str) -> None:
    assert errors._CLASS_BY_NAME[name].__name__ == cls


def test_hierarchy_mirrors_pyjwt() -> None:
    import jwt as pyjwt

    for cls in (tokenverify.DecodeError, tokenverify.ExpiredSignatureError, tokenverify.ImmatureSignatureError,
                tokenverify.InvalidAudienceError, tokenverify.InvalidIssuerError, tokenverify.InvalidAlgorithmError,
                tokenverify.MissingRequiredClaimError, tokenverify.InvalidIssuedAtError,
                tokenverify.InvalidSubjectError, tokenverify.InvalidJTIError, tokenverify.InvalidSignatureError):
        assert issubclass(cls, tokenverify.InvalidTokenError)
        ours = [c.__name__ for c in cls.__mro__ if c.__name__ in vars(pyjwt.exceptions)]
        theirs = [c.__name__ for c in getattr(pyjwt.exceptions, cls.__name__).__mro__
                  if c.__name__ in vars(pyjwt.exceptions) and c.__name__ != "PyJWTError"]
        assert ours == theirs, cls
    # Not token problems: a caller should not answer 401 for these.
    for cls in (tokenverify.ConfigurationError, tokenverify.KeySetError, tokenverify.KeysUnavailableError,
                tokenverify.InternalError, tokenverify.InvalidArgumentError):
        assert not issubclass(cls, tokenverify.InvalidTokenError)
    assert tokenverify.jwt.PyJWTError is tokenverify.TokenVerifyError


def test_exceptions_are_reachable_from_both_modules() -> None:
    for name in errors.__all__:
        assert getattr(tokenverify, name) is getattr(errors, name)


def test_raised_by_python_code_with_defaults() -> None:
    e = tokenverify.ExpiredSignatureError("Signature has expired")
    assert (e.code, e.name, str(e)) == (400, "TV_ERR_EXPIRED", "Signature has expired")
    e2 = tokenverify.MissingRequiredClaimError(claim="exp")
    assert e2.claim == "exp" and e2.code == 407 and "exp" in str(e2)
    e3 = tokenverify.TokenVerifyError()
    assert e3.name == "TV_ERR_INTERNAL"


def test_configuration_error_carries_field_and_detail() -> None:
    with pytest.raises(tokenverify.ConfigurationError) as info:
        tokenverify.Verifier({"providers": [{"issuer": "x", "isser": "y", "secret": "s" * 32}]})
    e = info.value
    assert (e.code, e.name) == (901, "TV_ERR_CONFIG")
    assert e.field == "providers[0].isser"
    assert "isser" in (e.detail or "")
    assert "providers[0].isser" in str(e)


def test_weak_key_is_a_key_set_error() -> None:
    with pytest.raises(tokenverify.InvalidJWKError) as info:
        tokenverify.Verifier({"providers": [{"issuer": "x", "secret": "short"}]})
    assert info.value.name == "TV_ERR_JWK_WEAK"
    assert isinstance(info.value, tokenverify.KeySetError)


def test_missing_key_file_is_an_io_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(tokenverify.ConfigurationIOError) as info:
        tokenverify.Verifier({"providers": [{"issuer": "x", "jwks": {"local": {"file": str(tmp_path / "no.json")}}}]})
    assert info.value.code == 902
