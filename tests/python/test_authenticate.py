"""Verifier.authenticate: the engine's decision about a whole request, its fields, the
shapes headers may come in, the validator callback, and misuse."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest

import tokenverify
from tokenverify.errors import InvalidCredentialError, MissingCredentialError, RequestRejectedError

NOW = 1_800_000_000
SECRET = b"authenticate-test-secret-0123456789abcd"
ISSUER = "https://issuer.test"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(payload: dict[str, Any], secret: bytes = SECRET) -> str:
    head = b64u(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64u(json.dumps(payload).encode())
    sig = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64u(sig)}"


GOOD = hs256({"iss": ISSUER, "sub": "alice", "exp": NOW + 600, "team": "dev"})
EXPIRED = hs256({"iss": ISSUER, "sub": "alice", "exp": NOW - 600})


def providers(**extra: Any) -> dict[str, Any]:
    return {"now": NOW, "providers": [{
        "name": "main", "issuer": ISSUER, "algorithms": ["HS256"], "secret": SECRET.decode(),
        "claimsToHeaders": [{"name": "team", "header": "X-Team"}], **extra}]}


def test_allowed_decision_fields() -> None:
    d = tokenverify.Verifier(providers()).authenticate("GET", "/orders?x=1", [("Authorization", f"Bearer {GOOD}")])
    assert d.allowed and d.http_status == 200 and d.status == "TV_OK" and d.code == 0
    assert d.method == "jwt" and d.principal == "alice"
    assert isinstance(d.claims, tokenverify.Claims) and d.claims["sub"] == "alice"
    assert d.set_headers == [("x-team", "dev")]
    assert sorted(d.remove_headers) == ["authorization", "x-team"]
    assert d.www_authenticate is None
    assert d.document["provider"] == "main" and d.document["rule"] is None
    assert d.document["removeQueryParameters"] == [] and d.document["removeCookies"] == []
    assert json.loads(d.json) == d.document


def test_denied_decision_fields() -> None:
    v = tokenverify.Verifier(providers())
    missing = v.authenticate("GET", "/", [])
    assert not missing.allowed and missing.http_status == 401
    assert missing.status == "TV_ERR_CREDENTIAL_MISSING"
    assert missing.www_authenticate == 'Bearer realm="tokenverify"'
    assert missing.claims is None and missing.set_headers == []
    assert missing.remove_headers == ["x-team"]  # the claim header names, always

    expired = v.authenticate("GET", "/", {"Authorization": f"Bearer {EXPIRED}"})
    assert expired.http_status == 401 and expired.status == "TV_ERR_EXPIRED"
    assert expired.www_authenticate == (
        'Bearer realm="tokenverify", error="invalid_token", error_description="the token is not valid"')

    twice = v.authenticate("GET", "/", [("Authorization", f"Bearer {GOOD}")] * 2)
    assert twice.http_status == 400 and twice.status == "TV_ERR_DUPLICATE_CREDENTIAL"
    assert twice.www_authenticate == (
        'Bearer realm="tokenverify", error="invalid_request", error_description="token given more than once"')


def test_allow_missing_passes_without_claims() -> None:
    d = tokenverify.Verifier({**providers(), "validationMode": "AllowMissing"}).authenticate("GET", "/", [])
    assert d.allowed and d.method == "none" and d.claims is None


def test_query_token_is_named_for_removal() -> None:
    d = tokenverify.Verifier(providers(tokenSource={"queryParameter": "t"})).authenticate("GET", f"/a?t={GOOD}&b=1")
    assert d.allowed and d.document["removeQueryParameters"] == ["t"]


def test_headers_as_pairs_dict_or_bytes() -> None:
    v = tokenverify.Verifier(providers())
    for headers in ([("Authorization", f"Bearer {GOOD}")], {"Authorization": f"Bearer {GOOD}"},
                    [(b"authorization", f"Bearer {GOOD}".encode())], ((b"AUTHORIZATION", f"bearer {GOOD}"),)):
        d = v.authenticate(b"GET", b"/", headers, b"", b"api.test")
        assert d.allowed, headers


def test_misuse_raises_type_error() -> None:
    v = tokenverify.Verifier(providers())
    with pytest.raises(TypeError):
        v.authenticate("GET", "/", [("Authorization",)])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        v.authenticate("GET", "/", [("Authorization", 1)])
    with pytest.raises(TypeError):
        v.authenticate(1, "/")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        v.authenticate("GET", None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        v.authenticate("GET", "/", [], body=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tokenverify.Verifier(providers(), validator=42)  # type: ignore[arg-type]


def test_malformed_request_is_400() -> None:
    v = tokenverify.Verifier(providers())
    for method, headers in (("GET", [("X Bad", "a")]), ("GE T", []), ("", [])):
        d = v.authenticate(method, "/", headers)
        assert d.http_status == 400 and d.status == "TV_ERR_MALFORMED_REQUEST", (method, headers)


def rules() -> dict[str, Any]:
    return {**providers(), "rules": [{"name": "r", "paths": [
        {"path": "/keys/", "auth": {"type": "apiKey", "apiKey": {"validator": True}}},
        {"path": "/admin/", "auth": {"type": "basic", "basic": {"validator": True}}},
    ], "auth": {"type": "jwt"}}]}


def test_validator_callable() -> None:
    calls: list[tuple[str, str, str, str]] = []

    def check(method: str, user: str, password: str, rule: str) -> bool:
        calls.append((method, user, password, rule))
        return (user, password) in (("k1", ""), ("u", "p"))

    v = tokenverify.Verifier(rules(), validator=check)
    key = v.authenticate("GET", "/keys/a", [("X-Api-Key", "k1")])
    assert key.allowed and key.method == "apiKey"
    assert not v.authenticate("GET", "/keys/a", [("X-Api-Key", "k2")]).allowed
    basic = "Basic " + base64.b64encode(b"u:p").decode()
    assert v.authenticate("GET", "/admin/", [("Authorization", basic)]).allowed
    wrong = v.authenticate("GET", "/admin/", [("Authorization", "Basic " + base64.b64encode(b"u:x").decode())])
    assert wrong.http_status == 401 and wrong.status == "TV_ERR_BAD_CREDENTIALS"
    assert [c[:3] for c in calls] == [("apiKey", "k1", ""), ("apiKey", "k2", ""), ("basic", "u", "p"),
                                      ("basic", "u", "x")]
    assert {c[3] for c in calls} == {"r"}


# The binding reports the exception as unraisable (sys.unraisablehook) and refuses.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_validator_exception_refuses() -> None:
    def boom(method: str, user: str, password: str, rule: str) -> bool:
        raise RuntimeError("down")

    d = tokenverify.Verifier(rules(), validator=boom).authenticate("GET", "/keys/a", [("X-Api-Key", "k1")])
    assert not d.allowed and d.http_status == 401


def test_validator_true_needs_a_callable() -> None:
    with pytest.raises(tokenverify.ConfigurationError):
        tokenverify.Verifier(rules())


def test_status_to_error_class() -> None:
    v = tokenverify.Verifier(rules(), validator=lambda *a: False)
    assert tokenverify.error_class(v.authenticate("GET", "/keys/a", [("X-Api-Key", "k")]).code) \
        is InvalidCredentialError  # TV_ERR_UNKNOWN_KEY
    assert tokenverify.error_class(v.authenticate("GET", "/keys/a", []).code) is MissingCredentialError
    expired = v.authenticate("GET", "/x", [("Authorization", f"Bearer {EXPIRED}")])
    assert tokenverify.error_class(expired.code) is tokenverify.ExpiredSignatureError
    assert issubclass(tokenverify.error_class(
        tokenverify.Verifier({**providers(), "rules": [{"host": "a.test", "auth": {"type": "jwt"}}]})
        .authenticate("GET", "/", [], host="b.test").code), RequestRejectedError)
