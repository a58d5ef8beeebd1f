"""Verifier.authenticate: a whole request through the engine's tv_authenticate, its
decision in Python, and the credential validator callable."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest

import tokenverify

NOW = 1_800_000_000
SECRET = b"authenticate-test-secret-0123456789abcdef"


def hs256(payload: dict[str, Any]) -> str:
    def b64u(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64u(json.dumps({"alg": "HS256"}).encode())
    body = b64u(json.dumps(payload).encode())
    sig = hmac.new(SECRET, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64u(sig)}"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


CONFIG = {
    "now": NOW,
    "providers": [{"name": "main", "issuer": "iss", "secret": SECRET.decode(),
                   "claimsToHeaders": [{"name": "team", "header": "X-Team"}]}],
    "rules": [{"name": "site", "paths": [
        {"path": "/jwt", "auth": {"type": "jwt"}},
        {"path": "/keys", "auth": {"type": "apiKey", "apiKey": {"keys": [{"name": "acme", "key": "k-1"}]}}},
        {"path": "/basic", "auth": {"type": "basic", "basic": {"realm": "ops", "users": [
            {"username": "ann", "password": "$2y$05$abcdefghijklmnopqrstuuedAVMeivF.WMN1NuIlRdqtxdbU1i4VG"}]}}},
        {"path": "/open", "auth": {"enabled": False}},
    ]}],
}


@pytest.fixture(scope="module")
def verifier() -> tokenverify.Verifier:
    return tokenverify.Verifier(CONFIG)


def test_an_allowed_jwt_request(verifier: tokenverify.Verifier) -> None:
    token = hs256({"iss": "iss", "sub": "alice", "exp": NOW + 60, "team": "dev"})
    d = verifier.authenticate("GET", "/jwt/x", [("Authorization", f"Bearer {token}"), ("x-team", "spoofed")])
    assert d.allowed and d.http_status == 200 and d.status == "TV_OK" and d.code == 0
    assert d.method == "jwt" and d.principal == "alice"
    assert d.claims is not None and d.claims["team"] == "dev" and d.claims.provider == "main"
    assert d.set_headers == [("x-team", "dev")]
    assert d.remove_headers == ["x-team", "authorization"]
    assert d.www_authenticate is None
    assert d.document["rule"] == "site" and d.document["provider"] == "main"
    assert json.loads(d.json) == d.document


def test_refusals_carry_status_http_status_and_challenge(verifier: tokenverify.Verifier) -> None:
    d = verifier.authenticate("GET", "/keys", {"X-Api-Key": "nope"})
    assert (d.allowed, d.http_status, d.status, d.method) == (False, 401, "TV_ERR_UNKNOWN_KEY", "apiKey")
    assert d.principal is None and d.claims is None
    assert tokenverify.error_class(d.code) is tokenverify.InvalidCredentialError
    d = verifier.authenticate("GET", "/basic", [("Authorization", basic("ann", "wrong"))])
    assert (d.http_status, d.status) == (401, "TV_ERR_BAD_CREDENTIALS")
    assert d.www_authenticate == 'Basic realm="ops", charset="UTF-8"'
    d = verifier.authenticate("GET", "http://evil/keys", [])
    assert (d.http_status, d.status) == (400, "TV_ERR_MALFORMED_REQUEST")


def test_headers_as_pairs_a_mapping_or_bytes(verifier: tokenverify.Verifier) -> None:
    for headers in ([("X-Api-Key", "k-1")], {"x-api-key": "k-1"}, [(b"x-api-key", b"k-1")], ((b"X-API-KEY", "k-1"),)):
        d = verifier.authenticate(b"GET", b"/keys", headers)
        assert d.allowed and d.principal == "acme", headers
    assert verifier.authenticate("GET", "/basic", [("Authorization", basic("ann", "admin-pass"))]).principal == "ann"
    assert verifier.authenticate("GET", "/open").method == "none"


def test_wrong_argument_types_raise_type_error(verifier: tokenverify.Verifier) -> None:
    with pytest.raises(TypeError):
        verifier.authenticate("GET", "/keys", [("X-Api-Key", 1)])
    with pytest.raises(TypeError):
        verifier.authenticate("GET", "/keys", [("X-Api-Key",)])
    with pytest.raises(TypeError):
        verifier.authenticate(1, "/keys", [])


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_validator_decides_for_validator_auths() -> None:
    config = {"rules": [{"name": "v", "paths": [
        {"path": "/b", "auth": {"type": "basic", "basic": {"validator": True}}},
        {"path": "/k", "auth": {"type": "apiKey", "apiKey": {"validator": True}}}]}]}
    with pytest.raises(tokenverify.ConfigurationError):
        tokenverify.Verifier(config)
    seen: list[tuple[str, str, str, str]] = []

    def validator(method: str, user: str, password: str, rule: str) -> bool:
        seen.append((method, user, password, rule))
        if user == "boom":
            raise RuntimeError("an exception refuses the credential")
        return user == "good" or password == "good"

    v = tokenverify.Verifier(config, validator=validator)
    assert v.authenticate("GET", "/b", [("Authorization", basic("ann", "good"))]).principal == "ann"
    assert v.authenticate("GET", "/b", [("Authorization", basic("ann", "bad"))]).status == "TV_ERR_BAD_CREDENTIALS"
    assert v.authenticate("GET", "/k", [("X-Api-Key", "good")]).allowed
    assert v.authenticate("GET", "/k", [("X-Api-Key", "boom")]).status == "TV_ERR_UNKNOWN_KEY"
    assert seen == [("basic", "ann", "good", "v"), ("basic", "ann", "bad", "v"), ("apiKey", "good", "", "v"),
                    ("apiKey", "boom", "", "v")]
    with pytest.raises(TypeError):
        tokenverify.Verifier(config, validator=42)  # type: ignore[arg-type]
