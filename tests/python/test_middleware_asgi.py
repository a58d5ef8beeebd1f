"""TokenVerifyASGIMiddleware under a real ASGI stack: Starlette apps driven by Starlette's
TestClient (HTTP, WebSocket and lifespan through the ASGI protocol, no mocks).

Tokens are HS256, signed here with the standard library; the configuration pins the
clock with "now" so the expected statuses do not depend on the date.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
from collections.abc import MutableMapping
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient, WebSocketDenialResponse
from starlette.websockets import WebSocket

import tokenverify
from tokenverify.middleware import TokenSource, TokenVerifyASGIMiddleware, claims_of

NOW = 1_800_000_000
SECRET = b"middleware-test-secret-0123456789abcdef"
OTHER_SECRET = b"other-provider-secret-0123456789abcdef"
ISSUER = "https://issuer.test"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(payload: dict[str, Any], secret: bytes = SECRET) -> str:
    head = b64u(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64u(json.dumps(payload).encode())
    sig = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64u(sig)}"


def claims(**extra: Any) -> dict[str, Any]:
    return {"iss": ISSUER, "sub": "alice", "aud": "api", "exp": NOW + 600, "team": "dev", **extra}


GOOD = hs256(claims(roles=["viewer", "editor"]))
EXPIRED = hs256(claims(exp=NOW - 600))
WRONG_KEY = hs256(claims(), secret=OTHER_SECRET)


def config(**top: Any) -> dict[str, Any]:
    provider = {
        "name": "main",
        "issuer": ISSUER,
        "audiences": ["api"],
        "algorithms": ["HS256"],
        "secret": SECRET.decode(),
        "claimsToHeaders": [{"name": "team", "header": "x-team"}, {"name": "roles", "header": "X-Roles"}],
    }
    provider.update(top.pop("provider", {}))
    return {"providers": [provider], "now": NOW, **top}


async def whoami(request: Request) -> JSONResponse:
    found = claims_of(request)
    return JSONResponse({
        "claims": None if found is None else dict(found),
        "provider": getattr(found, "provider", None),
        "x_team": request.headers.getlist("x-team"),
        "x_roles": request.headers.get("x-roles"),
        "x_partner": request.headers.get("x-partner"),
    })


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True, "x_team": request.headers.getlist("x-team")})


async def socket(websocket: WebSocket) -> None:
    await websocket.accept()
    found = claims_of(websocket)
    await websocket.send_json({"sub": None if found is None else found["sub"]})
    await websocket.close()


def client(cfg: Any = None, **options: Any) -> TestClient:
    inner = Starlette(routes=[
        Route("/me", whoami),
        Route("/.well-known/health", health),
        Route("/.well-known/health/", health),
        WebSocketRoute("/ws", socket),
    ])
    app = TokenVerifyASGIMiddleware(inner, config() if cfg is None else cfg, **options)
    return TestClient(app)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_invalid(response: Any) -> None:
    # One answer for every refused token: the reason is only in the logs and stats.
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == (
        'Bearer realm="tokenverify", error="invalid_token", error_description="the token is not valid"')
    assert response.json() == {"error": "invalid_token", "error_description": "the token is not valid"}


def assert_missing(response: Any, realm: str = "tokenverify") -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == f'Bearer realm="{realm}"'


# ---------------------------------------------------------------- Authorization: Bearer (default)


def test_valid_token_reaches_the_app_with_its_claims() -> None:
    r = client().get("/me", headers=bearer(GOOD))
    assert r.status_code == 200
    body = r.json()
    assert body["claims"]["sub"] == "alice"
    assert body["claims"]["roles"] == ["viewer", "editor"]
    assert body["provider"] == "main"


def test_missing_token_in_strict_mode_is_401_without_error_code() -> None:
    assert_missing(client().get("/me"))


def test_invalid_tokens_get_one_generic_401() -> None:
    c = client()
    assert_invalid(c.get("/me", headers=bearer(EXPIRED)))
    assert_invalid(c.get("/me", headers=bearer(WRONG_KEY)))
    assert_invalid(c.get("/me", headers=bearer("not-a-token")))
    assert_invalid(c.get("/me", headers=bearer(hs256(claims(aud="elsewhere")))))


def test_bearer_scheme_is_case_insensitive_and_other_schemes_carry_no_token() -> None:
    c = client()
    assert c.get("/me", headers={"Authorization": f"bearer {GOOD}"}).status_code == 200
    assert c.get("/me", headers={"Authorization": f"BEARER   {GOOD}"}).status_code == 200
    assert_missing(c.get("/me", headers={"Authorization": "Basic YWxpY2U6c2VjcmV0"}))
    assert_missing(c.get("/me", headers={"Authorization": "Bearer "}))


def test_repeated_authorization_header_is_400_invalid_request() -> None:
    r = client().get("/me", headers=[("Authorization", f"Bearer {GOOD}"), ("Authorization", f"Bearer {GOOD}")])
    assert r.status_code == 400
    assert r.headers["www-authenticate"] == (
        'Bearer realm="tokenverify", error="invalid_request", error_description="token given more than once"')


def test_realm_is_configurable() -> None:
    c = client(realm='orders "v2"')
    assert_missing(c.get("/me"), realm='orders \\"v2\\"')
    assert c.get("/me", headers=bearer(EXPIRED)).headers["www-authenticate"].startswith(
        'Bearer realm="orders \\"v2\\"", error="invalid_token"')


# ---------------------------------------------------------------- modes


def test_allow_missing_from_the_configuration() -> None:
    c = client(config(validationMode="AllowMissing"))
    r = c.get("/me")
    assert r.status_code == 200
    assert r.json()["claims"] is None
    assert c.get("/me", headers=bearer(GOOD)).json()["claims"]["sub"] == "alice"
    # A token that is present but bad is still refused.
    assert_invalid(c.get("/me", headers=bearer(EXPIRED)))


def test_mode_argument_overrides_the_configuration() -> None:
    assert client(config(validationMode="AllowMissing"), mode="Strict").get("/me").status_code == 401
    assert client(config(validationMode="Strict"), mode="AllowMissing").get("/me").status_code == 200
    with pytest.raises(ValueError):
        client(mode="Lenient")


# ---------------------------------------------------------------- token sources


def test_header_with_prefix_from_the_configuration() -> None:
    cfg = config(provider={"tokenSource": {"header": {"header": "X-Api-Token", "prefix": "Token "}}})
    c = client(cfg)
    assert c.get("/me", headers={"X-Api-Token": f"Token {GOOD}"}).status_code == 200
    assert_missing(c.get("/me", headers=bearer(GOOD)))  # Authorization is not looked at
    assert_missing(c.get("/me", headers={"X-Api-Token": GOOD}))  # prefix required
    assert_invalid(c.get("/me", headers={"X-Api-Token": f"Token {EXPIRED}"}))


def test_header_without_prefix() -> None:
    c = client(config(provider={"tokenSource": {"header": {"header": "X-Jwt"}}}))
    assert c.get("/me", headers={"X-Jwt": GOOD}).status_code == 200


def test_query_parameter_from_the_configuration() -> None:
    c = client(config(provider={"tokenSource": {"queryParameter": "access_token"}}))
    r = c.get("/me", params={"x": "1", "access_token": GOOD})
    assert r.status_code == 200 and r.json()["claims"]["sub"] == "alice"
    assert_missing(c.get("/me", params={"x": "1"}))
    assert_missing(c.get("/me", headers=bearer(GOOD)))
    assert_invalid(c.get("/me", params={"access_token": EXPIRED}))
    assert c.get(f"/me?access_token={GOOD}&access_token={GOOD}").status_code == 400


def test_cookie_from_the_configuration() -> None:
    c = client(config(provider={"tokenSource": {"cookie": "session"}}))
    assert c.get("/me", headers={"Cookie": f"theme=dark; session={GOOD}"}).status_code == 200
    assert c.get("/me", headers={"Cookie": f'session="{GOOD}"'}).status_code == 200
    assert_missing(c.get("/me", headers={"Cookie": "theme=dark"}))
    assert_missing(c.get("/me", headers=bearer(GOOD)))
    assert_invalid(c.get("/me", headers={"Cookie": f"session={EXPIRED}"}))


def test_token_source_argument_overrides_the_configuration() -> None:
    cfg = config(provider={"tokenSource": {"cookie": "session"}})
    by_object = client(cfg, token_source=TokenSource.query("t"))
    assert by_object.get("/me", params={"t": GOOD}).status_code == 200
    assert_missing(by_object.get("/me", headers={"Cookie": f"session={GOOD}"}))
    by_dict = client(cfg, token_source={"header": {"header": "X-Jwt", "prefix": "JWT "}})
    assert by_dict.get("/me", headers={"X-Jwt": f"JWT {GOOD}"}).status_code == 200
    by_default = client(cfg, token_source=TokenSource.header())
    assert by_default.get("/me", headers=bearer(GOOD)).status_code == 200


def test_first_provider_names_the_token_source() -> None:
    cfg = config(provider={"tokenSource": {"queryParameter": "t"}})
    cfg["providers"].append({"name": "second", "issuer": "other", "secret": OTHER_SECRET.decode(),
                             "tokenSource": {"cookie": "c"}})
    assert client(cfg).get("/me", params={"t": GOOD}).status_code == 200


# ---------------------------------------------------------------- exempt paths


def test_exempt_paths_match_exactly() -> None:
    c = client(exempt_paths=["/.well-known/health"])
    assert c.get("/.well-known/health").json()["ok"] is True
    assert_missing(c.get("/.well-known/health/"))
    assert_missing(c.get("/me"))


def test_exempt_paths_is_not_a_string() -> None:
    with pytest.raises(TypeError):
        client(exempt_paths="/.well-known/health")


# ---------------------------------------------------------------- claimsToHeaders


def test_claims_to_headers_from_the_accepting_provider() -> None:
    body = client().get("/me", headers=bearer(GOOD)).json()
    assert body["x_team"] == ["dev"]
    assert body["x_roles"] == "viewer,editor"


def test_client_sent_claim_headers_are_removed() -> None:
    c = client(config(validationMode="AllowMissing"), exempt_paths=["/.well-known/health"])
    spoof = {"X-Team": "ops", "X-Roles": "admin"}
    assert c.get("/me", headers=spoof).json()["x_team"] == []
    assert c.get("/me", headers={**spoof, **bearer(GOOD)}).json()["x_team"] == ["dev"]
    assert c.get("/.well-known/health", headers=spoof).json()["x_team"] == []
    no_team = c.get("/me", headers={**spoof, **bearer(hs256(claims(team=None)))}).json()
    assert no_team["x_team"] == [] and no_team["x_roles"] is None


def test_claim_header_values_that_could_split_a_header_are_dropped() -> None:
    r = client().get("/me", headers=bearer(hs256(claims(team="dev\r\nx-admin: 1"))))
    assert r.status_code == 200 and r.json()["x_team"] == []


def test_claims_to_headers_argument() -> None:
    c = client(claims_to_headers=[{"name": "sub", "header": "x-team"}])
    assert c.get("/me", headers=bearer(GOOD)).json()["x_team"] == ["alice"]
    off = client(claims_to_headers=False).get("/me", headers=bearer(GOOD)).json()
    assert off["x_team"] == [] and off["x_roles"] is None


def test_claims_to_headers_only_from_the_provider_that_accepted() -> None:
    cfg = config()
    cfg["providers"].append({"name": "partner", "issuer": "https://partner.test", "secret": OTHER_SECRET.decode(),
                             "claimsToHeaders": [{"name": "sub", "header": "x-partner"}]})
    partner = hs256(claims(iss="https://partner.test"), secret=OTHER_SECRET)
    c = client(cfg)
    r = c.get("/me", headers={**bearer(partner), "X-Team": "spoofed"})
    assert r.status_code == 200
    assert r.json()["provider"] == "partner"
    assert r.json()["x_partner"] == "alice"
    assert r.json()["x_team"] == []  # main's mapping does not apply, and the spoof is gone


# ---------------------------------------------------------------- construction, other scopes


def test_accepts_a_verifier_a_dict_or_a_json_string() -> None:
    verifier = tokenverify.Verifier(config())
    for source in (verifier, config(), json.dumps(config())):
        assert client(source).get("/me", headers=bearer(GOOD)).status_code == 200
    assert TokenVerifyASGIMiddleware(Starlette(), verifier).verifier is verifier


def test_lifespan_passes_through() -> None:
    events: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "lifespan"
        while True:
            message = await receive()
            events.append(message["type"])
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return

    with TestClient(TokenVerifyASGIMiddleware(app, config())):
        pass
    assert events == ["lifespan.startup", "lifespan.shutdown"]


def answer(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    return response.status_code, sorted(response.headers.items()), response.content


def test_claim_failures_answer_exactly_like_a_bad_signature(caplog: pytest.LogCaptureFixture) -> None:
    # A client without the key must not learn whether its guessed aud, iss or matcher
    # value is accepted: the answer is byte for byte that of a bad signature.
    c = client(config(provider={"claims": [{"name": "team", "values": ["dev", "ops"]}]}))
    reference = answer(c.get("/me", headers=bearer(WRONG_KEY)))
    assert reference[0] == 401
    wrong_claims = {
        "TV_ERR_AUDIENCE_MISMATCH": claims(aud="elsewhere"),
        "TV_ERR_ISSUER_MISMATCH": claims(iss="https://evil.test"),
        "TV_ERR_CLAIM_MISMATCH": claims(team="sales"),
    }
    caplog.set_level(logging.INFO, logger="tokenverify.middleware")
    for status_name, payload in wrong_claims.items():
        caplog.clear()
        assert answer(c.get("/me", headers=bearer(hs256(payload)))) == reference, status_name
        # The precise reason stays on the server side.
        assert [r.getMessage().split(" (")[0] for r in caplog.records] == [f"token refused: {status_name}"]
        assert answer(c.get("/me", headers=bearer(hs256(payload, secret=OTHER_SECRET)))) == reference, status_name
    assert c.get("/me", headers=bearer(GOOD)).status_code == 200


def test_websocket_with_a_valid_token() -> None:
    with client().websocket_connect("/ws", headers=bearer(GOOD)) as ws:
        assert ws.receive_json() == {"sub": "alice"}


def test_websocket_without_or_with_a_bad_token_is_denied_with_401() -> None:
    c = client()
    with pytest.raises(WebSocketDenialResponse) as missing:
        with c.websocket_connect("/ws"):
            pass
    assert_missing(missing.value)
    with pytest.raises(WebSocketDenialResponse) as bad:
        with c.websocket_connect("/ws", headers=bearer(EXPIRED)):
            pass
    assert_invalid(bad.value)


def test_websocket_without_the_denial_extension_is_closed_with_1008() -> None:
    messages: list[dict[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        messages.append(dict(message))

    async def unreachable(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app must not see a refused handshake")

    scope = {"type": "websocket", "path": "/ws", "headers": [], "query_string": b""}
    asyncio.run(TokenVerifyASGIMiddleware(unreachable, config())(scope, receive, send))
    assert messages == [{"type": "websocket.close", "code": 1008}]


def test_websocket_allow_missing() -> None:
    with client(mode="AllowMissing").websocket_connect("/ws") as ws:
        assert ws.receive_json() == {"sub": None}
    with pytest.raises(WebSocketDenialResponse) as bad:
        with client(mode="AllowMissing").websocket_connect("/ws", headers=bearer(EXPIRED)):
            pass
    assert_invalid(bad.value)


def test_claims_of_reads_a_raw_scope_and_reports_unseen_requests() -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(claims_of(scope))
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    TestClient(TokenVerifyASGIMiddleware(app, config())).get("/", headers=bearer(GOOD))
    assert seen[0]["sub"] == "alice"
    with pytest.raises(KeyError):
        claims_of({"type": "http", "state": {}})
    with pytest.raises(TypeError):
        claims_of(42)


def keys_not_fetched_yet() -> dict[str, Any]:
    """A provider whose remote key set has not been fetched (nothing listens on the
    discard port): the engine's answer for its tokens is TV_ERR_KEYS_UNAVAILABLE."""
    cfg = config()
    del cfg["providers"][0]["secret"]
    cfg["providers"][0]["jwks"] = {"remote": {"url": "http://127.0.0.1:9/jwks"}}
    return cfg


def test_keys_unavailable_is_503_not_401() -> None:
    r = client(keys_not_fetched_yet()).get("/me", headers=bearer(GOOD))
    assert r.status_code == 503
    assert r.headers["retry-after"] == "5"
    assert "www-authenticate" not in r.headers
    assert r.json() == {"error": "temporarily_unavailable", "error_description": "TV_ERR_KEYS_UNAVAILABLE"}


def test_token_source_shapes() -> None:
    assert TokenSource.from_config(None) == TokenSource("header", "Authorization", "Bearer ")
    assert TokenSource.from_config({"header": {}}) == TokenSource("header", "Authorization", "")
    assert TokenSource.from_config({"queryParameter": "t"}) == TokenSource.query("t")
    assert TokenSource.from_config({"cookie": "c"}) == TokenSource.cookie("c")
    for bad in ({}, {"header": "Authorization"}, {"cookie": "c", "queryParameter": "t"}, {"form": "t"}):
        with pytest.raises(ValueError):
            TokenSource.from_config(bad)


def call_raw(cfg: dict[str, Any], headers: list[tuple[bytes, bytes]], state: dict[str, Any] | None = None,
             ) -> tuple[list[MutableMapping[str, Any]], list[MutableMapping[str, Any]]]:
    """One HTTP request straight through the ASGI protocol, no client library in between:
    (the scopes the app saw, the messages the middleware sent)."""
    seen: list[MutableMapping[str, Any]] = []
    sent: list[MutableMapping[str, Any]] = []

    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/me", "headers": headers, "query_string": b"",
             "state": {"from_lifespan": 1} if state is None else state}
    asyncio.run(TokenVerifyASGIMiddleware(app, cfg)(scope, receive, send))
    return seen, sent


def test_cookies_split_over_several_headers_as_http2_sends_them() -> None:
    cfg = config(provider={"tokenSource": {"cookie": "session"}})
    seen, sent = call_raw(cfg, [(b"cookie", b"a=b"), (b"cookie", f"session={GOOD}".encode())])
    assert sent[0]["status"] == 204
    assert seen[0]["state"]["tokenverify.claims"]["sub"] == "alice"


def test_scope_state_is_copied_not_shared() -> None:
    # Servers hand each request a shallow copy of the lifespan state; the middleware
    # copies again rather than writing into whatever dict it was given.
    server_state = {"from_lifespan": 1}
    seen, _ = call_raw(config(), [(b"authorization", f"Bearer {GOOD}".encode())], server_state)
    assert seen[0]["state"]["from_lifespan"] == 1
    assert seen[0]["state"]["tokenverify.claims"]["sub"] == "alice"
    assert server_state == {"from_lifespan": 1}


def test_claim_headers_are_utf8_bytes_and_replace_client_ones_whatever_their_case() -> None:
    seen, _ = call_raw(config(), [(b"authorization", f"Bearer {hs256(claims(team='équipe'))}".encode()),
                            (b"X-TEAM", b"spoofed")])
    team = [v for k, v in seen[0]["headers"] if k.lower() == b"x-team"]
    assert team == ["équipe".encode()]


def test_rejection_is_a_complete_http_response() -> None:
    seen, sent = call_raw(config(), [(b"authorization", f"Bearer {EXPIRED}".encode())])
    assert seen == []
    start, body = sent
    assert start["type"] == "http.response.start" and start["status"] == 401
    headers = dict(start["headers"])
    assert headers[b"content-type"] == b"application/json"
    assert int(headers[b"content-length"]) == len(body["body"])
    assert body["type"] == "http.response.body" and json.loads(body["body"])["error"] == "invalid_token"
