"""tokenverify.Verifier and Claims: configuration inputs, verify, the mapping, verify_many."""

from __future__ import annotations

import collections.abc
import json
import pathlib
import re
from typing import Any, Callable, Dict, List

import pytest

import tokenverify
from conftest import NOW, SECRET, KeyPair, claims, sign

CONFIG: Dict[str, Any] = {"providers": [{"name": "internal", "issuer": "https://issuer.test",
                                         "audiences": ["my-api"], "secret": SECRET}]}


def test_version_and_runtime_info() -> None:
    # The library's version, the extension's and the package's (pyproject.toml) agree.
    # Read from the source tree: the sanitizer run imports the package from its build tree.
    pyproject = (pathlib.Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    match = re.search(r'^version = "([^"]+)"', pyproject, re.M)
    assert match is not None
    assert tokenverify.__version__ == match.group(1)
    major, minor, patch = (int(p) for p in tokenverify.__version__.split("."))
    expected = major * 10000 + minor * 100 + patch
    assert tokenverify._tokenverify.version_number() == tokenverify._tokenverify.VERSION_NUMBER == expected
    assert tokenverify.base64url_implementation() in {"fallback", "westmere", "haswell", "icelake", "arm64"}


@pytest.mark.parametrize("form", ["dict", "json", "json_with_space", "path_str", "pathlike"])
def test_config_forms(form: str, tmp_path: pathlib.Path, make_token: Callable[..., str]) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(CONFIG))
    config: Any = {
        "dict": CONFIG,
        "json": json.dumps(CONFIG),
        "json_with_space": "\n  " + json.dumps(CONFIG),
        "path_str": str(path),
        "pathlike": path,
    }[form]
    verifier = tokenverify.Verifier(config)
    assert verifier.config == CONFIG
    assert verifier.verify(make_token())["sub"] == "alice"


def test_config_property_is_a_copy(hs_verifier: tokenverify.Verifier) -> None:
    hs_verifier.config["providers"].clear()
    assert hs_verifier.config["providers"][0]["name"] == "internal"


def test_config_of_wrong_type() -> None:
    with pytest.raises(TypeError):
        tokenverify.Verifier(42)  # type: ignore[arg-type]


def test_config_path_that_does_not_exist(tmp_path: pathlib.Path) -> None:
    with pytest.raises(FileNotFoundError):
        tokenverify.Verifier(str(tmp_path / "missing.json"))


def test_invalid_json_text_is_a_configuration_error() -> None:
    with pytest.raises(tokenverify.ConfigurationError):
        tokenverify.Verifier("{not json")


def test_verify_returns_claims(hs_verifier: tokenverify.Verifier, make_token: Callable[..., str]) -> None:
    token = make_token(roles=["a", "b"], nested={"x": 1})
    c = hs_verifier.verify(token)
    assert isinstance(c, tokenverify.Claims)
    assert isinstance(c, collections.abc.Mapping)
    expected = claims(roles=["a", "b"], nested={"x": 1})
    assert dict(c) == expected
    assert c.to_dict() == expected and c.to_dict() is not c.to_dict()
    assert c == expected and c == c and c != {"sub": "bob"}
    assert c == hs_verifier.verify(token)
    assert c != 42
    assert len(c) == len(expected)
    assert sorted(c) == sorted(expected)
    assert sorted(c.keys()) == sorted(expected)
    assert dict(c.items()) == expected
    assert list(c.values()) == list(expected.values())
    assert c["roles"] == ["a", "b"]
    assert c.get("nested") == {"x": 1}
    assert c.get("absent") is None and c.get("absent", 7) == 7
    with pytest.raises(KeyError):
        c["absent"]
    assert c.header == {"alg": "HS256", "typ": "JWT"}
    assert c.provider == "internal"
    assert json.loads(c.raw_json) == expected
    assert json.loads(c.header_json) == c.header
    assert c.raw_claim("sub") == '"alice"'
    assert c.raw_claim("roles") is not None and json.loads(c.raw_claim("roles") or "") == ["a", "b"]
    assert c.raw_claim("absent") is None
    assert repr(c).startswith("Claims({")
    with pytest.raises(TypeError):
        hash(c)


def test_single_claims_before_the_payload_is_converted(hs_verifier: tokenverify.Verifier,
                                                      hs_key: KeyPair) -> None:
    payload = claims(big=2**70, ratio=0.5, flag=True, esc="a\"b\u00e9", roles=["x"], neg=-3)
    payload["none"] = None
    token = sign(hs_key, payload)
    for name, value in [("sub", "alice"), ("big", 2**70), ("ratio", 0.5), ("flag", True), ("none", None),
                        ("esc", "a\"b\u00e9"), ("roles", ["x"]), ("neg", -3), ("exp", NOW + 3600)]:
        c = hs_verifier.verify(token)
        got = c[name]
        assert got == value and type(got) is type(value), name
        assert hs_verifier.verify(token).get(name, "fallback") == value
    c = hs_verifier.verify(token)
    with pytest.raises(KeyError):
        c["absent"]
    assert c.get("absent") is None and c.get("absent", 1) == 1
    with pytest.raises(TypeError):
        c.get()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        c.raw_claim(5)  # type: ignore[arg-type]


def test_claims_are_read_only(hs_verifier: tokenverify.Verifier, make_token: Callable[..., str]) -> None:
    c = hs_verifier.verify(make_token())
    with pytest.raises(TypeError):
        c["sub"] = "mallory"  # type: ignore[index]
    with pytest.raises(AttributeError):
        c.provider = "other"  # type: ignore[misc]
    # The header and to_dict() are copies: changing them changes nothing.
    c.header["alg"] = "none"
    c.to_dict()["sub"] = "mallory"
    assert c.header["alg"] == "HS256" and c["sub"] == "alice"


def test_contains_before_and_after_conversion(hs_verifier: tokenverify.Verifier,
                                              make_token: Callable[..., str]) -> None:
    c = hs_verifier.verify(make_token(**{"esc\u00e9": 1}))
    # Before the payload is converted, membership is answered by the engine.
    assert "sub" in c and "esc\u00e9" in c and "nope" not in c and 5 not in c and "\ud800" not in c
    assert c["sub"] == "alice"
    assert "sub" in c and "esc\u00e9" in c and "nope" not in c and 5 not in c


@pytest.mark.parametrize("kind", ["str", "bytes", "bytearray", "memoryview"])
def test_token_types(kind: str, hs_verifier: tokenverify.Verifier, make_token: Callable[..., str]) -> None:
    token = make_token()
    arg: Any = {"str": token, "bytes": token.encode(), "bytearray": bytearray(token.encode()),
                "memoryview": memoryview(token.encode())}[kind]
    assert hs_verifier.verify(arg)["sub"] == "alice"


def test_token_of_wrong_type(hs_verifier: tokenverify.Verifier) -> None:
    with pytest.raises(TypeError):
        hs_verifier.verify(12)  # type: ignore[arg-type]


def test_unencodable_str_is_malformed(hs_verifier: tokenverify.Verifier) -> None:
    with pytest.raises(tokenverify.DecodeError):
        hs_verifier.verify("a\ud800.b.c")


@pytest.mark.parametrize("extra,status", [
    ({"exp": NOW - 100}, "TV_ERR_EXPIRED"),
    ({"nbf": NOW + 1000}, "TV_ERR_NOT_YET_VALID"),
    ({"iat": NOW + 1000}, "TV_ERR_ISSUED_IN_FUTURE"),
    ({"aud": "other"}, "TV_ERR_AUDIENCE_MISMATCH"),
    ({"aud": None}, "TV_ERR_AUDIENCE_MISMATCH"),
    ({"iss": "https://other.test"}, "TV_ERR_ISSUER_MISMATCH"),
    ({"sub": 5}, "TV_ERR_MALFORMED_CLAIM"),
])
def test_claim_failures_raise_their_class(hs_verifier: tokenverify.Verifier, make_token: Callable[..., str],
                                          extra: Dict[str, Any], status: str) -> None:
    with pytest.raises(tokenverify.InvalidTokenError) as info:
        hs_verifier.verify(make_token(**extra))
    assert info.value.name == status
    assert type(info.value) is tokenverify.errors.error_class(info.value.code)


@pytest.mark.parametrize("token,status", [
    ("", "TV_ERR_MALFORMED_TOKEN"),
    ("a.b", "TV_ERR_MALFORMED_TOKEN"),
    ("a.b.c", "TV_ERR_BAD_BASE64URL"),
    ("x" * 20000, "TV_ERR_TOKEN_TOO_LARGE"),
])
def test_malformed_tokens(hs_verifier: tokenverify.Verifier, token: str, status: str) -> None:
    with pytest.raises(tokenverify.DecodeError) as info:
        hs_verifier.verify(token)
    assert info.value.name == status


def test_tampered_signature(hs_verifier: tokenverify.Verifier, make_token: Callable[..., str]) -> None:
    token = make_token()
    bad = token[:-2] + ("AA" if token[-2:] != "AA" else "BA")
    with pytest.raises(tokenverify.InvalidSignatureError) as info:
        hs_verifier.verify(bad)
    assert info.value.name == "TV_ERR_SIGNATURE_INVALID"


def test_provider_name_by_issuer_and_default(rsa_key: KeyPair, hs_key: KeyPair) -> None:
    verifier = tokenverify.Verifier({"providers": [
        {"name": "rsa", "issuer": "rsa-issuer", "jwks": {"local": {"inline": {"keys": [rsa_key.jwk]}}}},
        {"issuer": "hs-issuer", "secret": SECRET},
    ]})
    assert verifier.verify(sign(rsa_key, claims(iss="rsa-issuer", aud=None))).provider == "rsa"
    assert verifier.verify(sign(hs_key, claims(iss="hs-issuer", aud=None))).provider == "provider1"


def test_provider_among_several_without_issuer(ec_key: KeyPair, hs_key: KeyPair) -> None:
    verifier = tokenverify.Verifier({"providers": [
        {"name": "ec", "jwks": {"local": {"inline": {"keys": [ec_key.jwk]}}}},
        {"name": "hs", "secret": SECRET},
    ]})
    assert verifier.verify(sign(hs_key, claims(aud=None))).provider == "hs"
    assert verifier.verify(sign(ec_key, claims(aud=None))).provider == "ec"
    assert [c.provider for c in verifier.verify_many([sign(ec_key, claims()), sign(hs_key, claims())])] == ["ec", "hs"]


def test_stats(ec_key: KeyPair, hs_key: KeyPair, make_token: Callable[..., str]) -> None:
    verifier = tokenverify.Verifier({"providers": [
        {"name": "ec", "issuer": "https://issuer.test", "jwks": {"local": {"inline": {"keys": [ec_key.jwk]}}}},
    ]})
    verifier.verify(sign(ec_key, claims()))
    with pytest.raises(tokenverify.ExpiredSignatureError):
        verifier.verify(sign(ec_key, claims(exp=NOW - 100)))
    with pytest.raises(tokenverify.DecodeError):
        verifier.verify("junk")
    stats = verifier.stats()
    provider = stats["providers"][0]
    assert provider["name"] == "ec" and provider["healthy"] is True and provider["keyCount"] == 1
    assert provider["verifications"] == {"TV_OK": 1, "TV_ERR_EXPIRED": 1}
    assert "keys" not in provider
    keys = verifier.stats(keys=True)["providers"][0]["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "EC" and keys[0]["crv"] == "P-256"
    with pytest.raises(TypeError):
        verifier.stats(True)  # type: ignore[misc]


def test_inspect_unverified(hs_key: KeyPair) -> None:
    token = sign(hs_key, claims(exp=NOW - 10))  # expired, and never verified here
    c = tokenverify.inspect_unverified(token)
    assert c["exp"] == NOW - 10 and c.header["alg"] == "HS256" and c.provider is None
    with pytest.raises(tokenverify.DecodeError):
        tokenverify.inspect_unverified("not-a-token")


def test_verify_many_matches_verify(hs_verifier: tokenverify.Verifier, make_token: Callable[..., str]) -> None:
    tokens = [make_token(n=i) if i % 3 else make_token(exp=NOW - 3600) for i in range(50)] + ["junk", b"a.b.c"]
    for threads in (None, 1, 2, 7, 1000):
        results = hs_verifier.verify_many(tokens, threads=threads)
        assert len(results) == len(tokens)
        for token, result in zip(tokens, results):
            try:
                expected: Any = hs_verifier.verify(token)
            except tokenverify.TokenVerifyError as e:
                expected = e
            if isinstance(expected, tokenverify.TokenVerifyError):
                assert type(result) is type(expected) and result.code == expected.code  # type: ignore[union-attr]
            else:
                assert isinstance(result, tokenverify.Claims) and result == expected
                assert result.provider == "internal"


def test_verify_many_keeps_input_order(hs_verifier: tokenverify.Verifier, make_token: Callable[..., str]) -> None:
    # Every token is told apart by its claim n, and the failures come in an
    # irregular pattern of three different errors: a result at another index,
    # from any thread, changes what is compared here.
    tokens: List[Any] = []
    expected: List[Any] = []
    for i in range(600):
        kind = (i * 7) % 10
        if kind == 3:
            tokens.append(make_token(n=i, exp=NOW - 3600))
            expected.append(tokenverify.ExpiredSignatureError)
        elif kind == 6:
            tokens.append(make_token(n=i, aud="someone-else"))
            expected.append(tokenverify.InvalidAudienceError)
        elif kind == 9:
            tokens.append(f"junk-{i}".encode())
            expected.append(tokenverify.DecodeError)
        else:
            tokens.append(make_token(n=i))
            expected.append(i)
    for threads in (1, 2, 3, 8):
        results = hs_verifier.verify_many(tokens, threads=threads)
        got = [r["n"] if isinstance(r, tokenverify.Claims) else type(r) for r in results]
        assert got == expected, f"threads={threads}"


def test_verify_many_inputs(hs_verifier: tokenverify.Verifier, make_token: Callable[..., str]) -> None:
    assert hs_verifier.verify_many([]) == []
    assert hs_verifier.verify_many(iter([make_token()]))[0]["sub"] == "alice"
    assert hs_verifier.verify_many((make_token(),), threads=2)[0]["sub"] == "alice"
    with pytest.raises(ValueError):
        hs_verifier.verify_many([make_token()], threads=0)
    with pytest.raises(TypeError):
        hs_verifier.verify_many([make_token(), 5])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        hs_verifier.verify_many(5)  # type: ignore[arg-type]


def test_verifier_is_usable_after_failures(hs_verifier: tokenverify.Verifier, make_token: Callable[..., str]) -> None:
    for _ in range(3):
        with pytest.raises(tokenverify.InvalidTokenError):
            hs_verifier.verify("a.b.c")
        assert hs_verifier.verify(make_token())["sub"] == "alice"
