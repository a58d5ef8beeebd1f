"""The middleware with a "rules" configuration: GoFr's X-Api-Key with /.well-known/ left
open, a bearer-token list, Basic users and a 403 for an unknown host, through ASGI
(Starlette's TestClient) and WSGI (the PEP 3333 call itself). The engine decides; the
middleware applies the status, the challenge and the headers."""

from __future__ import annotations

import base64
import io
from typing import Any, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from tokenverify.middleware import TokenVerifyASGIMiddleware, TokenVerifyWSGIMiddleware

CONFIG = {"rules": [
    {"name": "api", "host": "api.example.com",
     "auth": {"type": "apiKey", "apiKey": {"keys": [{"name": "orders-service", "key": "k-1"}]}},
     "paths": [{"path": "/.well-known/", "auth": {"enabled": False}},
               {"path": "/ci", "auth": {"type": "bearer", "bearer": {"tokens": [{"name": "ci", "token": "t-1"}]}}},
               {"path": "/admin", "auth": {"type": "basic", "basic": {"realm": "admin", "users": [
                   {"username": "ops", "password": "ops-pw"}]}}}]}]}


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def echo(request: Request) -> JSONResponse:
    return JSONResponse({"path": request.url.path, "api_key": request.headers.get("x-api-key")})


def asgi() -> TestClient:
    app = Starlette(routes=[Route("/{path:path}", echo)])
    return TestClient(TokenVerifyASGIMiddleware(app, CONFIG), base_url="http://api.example.com")


def test_asgi_api_keys_open_paths_bearer_and_basic() -> None:
    c = asgi()
    r = c.get("/orders", headers={"X-Api-Key": "k-1"})
    assert r.status_code == 200 and r.json() == {"path": "/orders", "api_key": "k-1"}
    r = c.get("/orders")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'ApiKey realm="tokenverify", header="X-Api-Key"'
    assert r.json() == {"error": "missing_credentials"}
    r = c.get("/orders", headers={"X-Api-Key": "guess"})
    assert r.status_code == 401 and r.json() == {"error": "invalid_credentials"}
    assert c.get("/.well-known/health").status_code == 200
    assert c.get("/ci/build", headers={"Authorization": "Bearer t-1"}).status_code == 200
    r = c.get("/ci/build", headers={"Authorization": "Bearer t-2"})
    assert r.status_code == 401 and r.json() == {"error": "invalid_token", "error_description": "the token is not valid"}
    assert c.get("/admin", headers={"Authorization": basic("ops", "ops-pw")}).status_code == 200
    r = c.get("/admin", headers={"Authorization": basic("ops", "nope")})
    assert r.status_code == 401 and r.headers["www-authenticate"] == 'Basic realm="admin", charset="UTF-8"'
    r = c.get("/orders", headers={"X-Api-Key": "k-1", "Host": "other.example.com"})
    assert r.status_code == 403 and r.json() == {"error": "forbidden"}


def call_wsgi(path: str, headers: dict[str, str], host: str = "api.example.com") -> tuple[str, dict[str, Any]]:
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        seen.update(environ)
        start_response("204 No Content", [])
        return []

    environ: dict[str, Any] = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
                               "HTTP_HOST": host, "wsgi.input": io.BytesIO(b"")}
    environ.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})
    status: list[str] = []
    TokenVerifyWSGIMiddleware(app, CONFIG)(environ, lambda s, h: status.append(s))
    return status[0], seen


def test_wsgi_api_keys_open_paths_bearer_and_basic() -> None:
    assert call_wsgi("/orders", {"X-Api-Key": "k-1"})[0] == "204 No Content"
    assert call_wsgi("/orders", {})[0] == "401 Unauthorized"
    assert call_wsgi("/.well-known/alive", {})[0] == "204 No Content"
    assert call_wsgi("/ci", {"Authorization": "Bearer t-1"})[0] == "204 No Content"
    assert call_wsgi("/admin/x", {"Authorization": basic("ops", "ops-pw")})[0] == "204 No Content"
    assert call_wsgi("/admin/x", {"Authorization": basic("ops", "x")})[0] == "401 Unauthorized"
    assert call_wsgi("/orders", {"X-Api-Key": "k-1"}, host="evil.example.com")[0] == "403 Forbidden"
