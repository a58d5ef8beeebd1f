"""The ASGI and WSGI middleware with a "rules" configuration: the engine decides per
host and path (apiKey, bearer list, Basic, jwt, enabled: false), and the middleware
answers with the decision's status, challenge and body, or hands the application the
request with the decision's headers removed and set.

Both protocols are driven directly (an ASGI scope on one asyncio loop; a WSGI environ
through wsgiref.validate), so the test sees exactly what the application is given.
Basic uses plain-text users only.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import io
import json
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from wsgiref.validate import validator

import pytest

import tokenverify
from tokenverify.middleware import TokenVerifyASGIMiddleware, TokenVerifyWSGIMiddleware

NOW = 1_800_000_000
SECRET = b"middleware-test-secret-0123456789abcdef"
ISSUER = "https://issuer.test"
API_KEY = "gofr-key-0123456789"
SERVICE_TOKEN = "service-token-abcdef"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(payload: dict[str, Any]) -> str:
    head = b64u(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64u(json.dumps(payload).encode())
    sig = hmac.new(SECRET, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64u(sig)}"


GOOD = hs256({"iss": ISSUER, "sub": "alice", "aud": "api", "exp": NOW + 600, "team": "dev"})
EXPIRED = hs256({"iss": ISSUER, "sub": "alice", "aud": "api", "exp": NOW - 600, "team": "dev"})


def config() -> dict[str, Any]:
    return {
        "now": NOW,
        "providers": [{
            "name": "main", "issuer": ISSUER, "audiences": ["api"], "algorithms": ["HS256"],
            "secret": SECRET.decode(), "claimsToHeaders": [{"name": "team", "header": "x-team"}],
        }],
        "rules": [{
            "name": "api",
            "host": "api.test",
            "auth": {"type": "jwt"},
            "paths": [
                {"path": "/.well-known/", "auth": {"enabled": False}},
                {"path": "/gofr/", "auth": {"type": "apiKey", "apiKey": {"keys": [{"name": "gofr", "key": API_KEY}]}}},
                {"path": "/svc/", "auth": {"type": "bearer",
                                           "bearer": {"tokens": [{"name": "ci", "token": SERVICE_TOKEN}]}}},
                {"path": "/admin/", "auth": {"type": "basic", "basic": {"realm": "admin",
                                                                        "users": [{"username": "u", "password": "p"}]}}},
            ],
        }],
    }


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass
class Result:
    status: int
    headers: dict[str, str]  # response headers, lower-case names
    body: bytes
    seen: dict[str, list[str]] | None  # the request headers the app saw (lower-case names), None: not called
    claims: Any = None

    def json(self) -> Any:
        return json.loads(self.body)


# ---------------------------------------------------------------- the two drivers


def asgi(cfg: Any, path: str, headers: list[tuple[str, str]], host: str = "api.test", **options: Any) -> Result:
    seen: list[MutableMapping[str, Any]] = []
    sent: list[MutableMapping[str, Any]] = []

    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    raw = [(b"host", host.encode())] + [(k.encode(), v.encode()) for k, v in headers]
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": raw, "server": ("127.0.0.1", 8000)}
    asyncio.run(TokenVerifyASGIMiddleware(app, cfg, **options)(scope, receive, send))
    response_headers = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
    body = b"".join(m.get("body", b"") for m in sent[1:])
    if not seen:
        return Result(sent[0]["status"], response_headers, body, None)
    got: dict[str, list[str]] = {}
    for k, v in seen[0]["headers"]:
        got.setdefault(k.decode().lower(), []).append(v.decode("utf-8"))
    return Result(sent[0]["status"], response_headers, body, got, (seen[0].get("state") or {}).get("tokenverify.claims"))


def wsgi(cfg: Any, path: str, headers: list[tuple[str, str]], host: str = "api.test", **options: Any) -> Result:
    seen: list[dict[str, Any]] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        seen.append(dict(environ))
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": host,
        "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
    }
    for k, v in headers:
        environ["HTTP_" + k.upper().replace("-", "_")] = v.encode("utf-8").decode("latin-1")
    started: list[Any] = []

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started.append((status, response_headers))
        return lambda data: None

    result = validator(TokenVerifyWSGIMiddleware(app, cfg, **options))(environ, start_response)
    body = b"".join(result)
    result.close()  # type: ignore[attr-defined]
    status, response_headers = started[0]
    answer = {k.lower(): v for k, v in response_headers}
    if not seen:
        return Result(int(status.split()[0]), answer, body, None)
    got = {k[5:].replace("_", "-").lower(): [v.encode("latin-1").decode("utf-8")]
           for k, v in seen[0].items() if k.startswith("HTTP_")}
    return Result(int(status.split()[0]), answer, body, got, seen[0].get("tokenverify.claims"))


Driver = Callable[..., Result]
both = pytest.mark.parametrize("call", [asgi, wsgi], ids=["asgi", "wsgi"])


# ---------------------------------------------------------------- apiKey (GoFr's X-Api-Key)


@both
def test_api_key_path(call: Driver) -> None:
    ok = call(config(), "/gofr/orders", [("X-Api-Key", API_KEY), ("X-Team", "spoofed")])
    assert ok.status == 200 and ok.seen is not None
    assert ok.seen["x-api-key"] == [API_KEY]  # only a JWT provider's token is removed
    assert "x-team" not in ok.seen  # a claim header name is always removed
    assert ok.claims is None  # no JWT, no claims

    missing = call(config(), "/gofr/orders", [])
    assert missing.status == 401 and missing.seen is None
    assert missing.headers["www-authenticate"] == 'ApiKey realm="tokenverify", header="X-Api-Key"'
    assert missing.json() == {"error": "missing_credentials"}

    wrong = call(config(), "/gofr/orders", [("X-Api-Key", "not-the-key")])
    assert wrong.status == 401
    assert wrong.headers["www-authenticate"] == 'ApiKey realm="tokenverify", header="X-Api-Key"'
    assert wrong.json() == {"error": "invalid_credentials"}
    assert call(config(), "/gofr/orders", [("Authorization", f"Bearer {GOOD}")]).status == 401  # a JWT is no key


# ---------------------------------------------------------------- enabled: false


@both
def test_disabled_path_passes_without_credentials(call: Driver) -> None:
    r = call(config(), "/.well-known/health", [("X-Team", "spoofed")])
    assert r.status == 200 and r.seen is not None
    assert "x-team" not in r.seen
    assert r.claims is None
    # A token there is not looked at, and not even a bad one is refused.
    assert call(config(), "/.well-known/health", [("Authorization", f"Bearer {EXPIRED}")]).status == 200


# ---------------------------------------------------------------- bearer list


@both
def test_bearer_list_path(call: Driver) -> None:
    ok = call(config(), "/svc/run", [("Authorization", f"Bearer {SERVICE_TOKEN}")])
    assert ok.status == 200 and ok.seen is not None and ok.claims is None
    missing = call(config(), "/svc/run", [])
    assert missing.status == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="tokenverify"'
    assert missing.json() == {"error": "missing_token"}
    wrong = call(config(), "/svc/run", [("Authorization", "Bearer nope")])
    assert wrong.status == 401
    assert wrong.headers["www-authenticate"] == (
        'Bearer realm="tokenverify", error="invalid_token", error_description="the token is not valid"')
    assert wrong.json() == {"error": "invalid_token", "error_description": "the token is not valid"}


# ---------------------------------------------------------------- Basic, plain-text user


@both
def test_basic_path(call: Driver) -> None:
    ok = call(config(), "/admin/users", [("Authorization", basic("u", "p"))])
    assert ok.status == 200 and ok.seen is not None
    for headers in ([], [("Authorization", basic("u", "wrong"))], [("Authorization", basic("x", "p"))]):
        r = call(config(), "/admin/users", headers)
        assert r.status == 401, headers
        assert r.headers["www-authenticate"] == 'Basic realm="admin", charset="UTF-8"'
        assert r.json() == ({"error": "missing_credentials"} if not headers else {"error": "invalid_credentials"})
        assert r.seen is None


# ---------------------------------------------------------------- jwt under the rule, hosts


@both
def test_jwt_rule_sets_and_removes_headers(call: Driver) -> None:
    r = call(config(), "/orders", [("Authorization", f"Bearer {GOOD}"), ("X-Team", "spoofed")])
    assert r.status == 200 and r.seen is not None
    assert r.seen["x-team"] == ["dev"]  # set from the claim, the spoofed copy gone
    assert "authorization" not in r.seen  # forwardToken is false by default
    assert r.claims["sub"] == "alice"
    bad = call(config(), "/orders", [("Authorization", f"Bearer {EXPIRED}")])
    assert bad.status == 401 and bad.json()["error"] == "invalid_token"


@both
def test_forward_token_keeps_the_authorization_header(call: Driver) -> None:
    cfg = config()
    cfg["providers"][0]["forwardToken"] = True
    r = call(cfg, "/orders", [("Authorization", f"Bearer {GOOD}")])
    assert r.status == 200 and r.seen is not None
    assert r.seen["authorization"] == [f"Bearer {GOOD}"]


@both
def test_no_rule_for_the_host_is_403(call: Driver) -> None:
    r = call(config(), "/orders", [("Authorization", f"Bearer {GOOD}")], host="other.test")
    assert r.status == 403 and r.seen is None
    assert "www-authenticate" not in r.headers
    assert r.json() == {"error": "forbidden"}


@both
def test_realm_argument_replaces_only_the_default_realm(call: Driver) -> None:
    missing = call(config(), "/orders", [], realm="shop")
    assert missing.headers["www-authenticate"] == 'Bearer realm="shop"'
    admin = call(config(), "/admin/x", [], realm="shop")  # the rule's own realm stays
    assert admin.headers["www-authenticate"] == 'Basic realm="admin", charset="UTF-8"'


@both
def test_exempt_paths_argument_beside_rules(call: Driver) -> None:
    r = call(config(), "/orders/status", [("X-Team", "spoofed")], exempt_paths=["/orders/status"])
    assert r.status == 200 and r.seen is not None and "x-team" not in r.seen


def test_a_verify_only_object_is_refused() -> None:
    class VerifyOnly:
        def verify(self, token: str) -> Any:
            return {}

    for middleware in (TokenVerifyASGIMiddleware, TokenVerifyWSGIMiddleware):
        with pytest.raises(TypeError, match="tokenverify.Verifier"):
            middleware(lambda *a: None, VerifyOnly())  # type: ignore[arg-type]


def test_overrides_keep_the_verifiers_validator() -> None:
    calls: list[tuple[str, str, str, str]] = []

    def check(method: str, user: str, password: str, rule: str) -> bool:
        calls.append((method, user, password, rule))
        return user == "k"

    cfg = config()
    cfg["rules"][0]["paths"][1]["auth"] = {"type": "apiKey", "apiKey": {"validator": True}}
    verifier = tokenverify.Verifier(cfg, validator=check)
    r = asgi(verifier, "/gofr/x", [("X-Api-Key", "k")], mode="AllowMissing")
    assert r.status == 200
    assert len(calls) == 1
    assert asgi(verifier, "/orders", [], mode="AllowMissing").status == 200  # the override took effect
