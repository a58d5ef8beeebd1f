"""TokenVerifyWSGIMiddleware behind a real WSGI server: wsgiref on 127.0.0.1 (ephemeral
port, in a thread, bounded in requests and time), spoken to over HTTP with http.client,
and wrapped in wsgiref.validate so any PEP 3333 violation fails the test. One test puts
a Flask app behind it.

Tokens are HS256, signed here with the standard library; the configuration pins the
clock with "now" so the expected statuses do not depend on the date.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.validate import validator

import flask
import pytest

import tokenverify
from tokenverify.middleware import CLAIMS_KEY, TokenSource, TokenVerifyWSGIMiddleware, claims_of

NOW = 1_800_000_000
SECRET = b"middleware-test-secret-0123456789abcdef"
OTHER_SECRET = b"other-provider-secret-0123456789abcdef"
ISSUER = "https://issuer.test"
MAX_REQUESTS = 200  # per server: the whole module needs far fewer
MAX_SECONDS = 60.0


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(payload: dict[str, Any], secret: bytes = SECRET) -> str:
    head = b64u(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64u(json.dumps(payload).encode())
    sig = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64u(sig)}"


def claims(**extra: Any) -> dict[str, Any]:
    return {"iss": ISSUER, "sub": "alice", "aud": "api", "exp": NOW + 600, "team": "dev", **extra}


GOOD = hs256(claims(roles=["viewer", "editor"], name="Zoë"))
EXPIRED = hs256(claims(exp=NOW - 600))
WRONG_KEY = hs256(claims(), secret=OTHER_SECRET)


def config(**top: Any) -> dict[str, Any]:
    provider = {
        "name": "main",
        "issuer": ISSUER,
        "audiences": ["api"],
        "algorithms": ["HS256"],
        "secret": SECRET.decode(),
        "claimsToHeaders": [{"name": "team", "header": "x-team"}, {"name": "roles", "header": "X-Roles"},
                            {"name": "name", "header": "x-name"}],
    }
    provider.update(top.pop("provider", {}))
    return {"providers": [provider], "now": NOW, **top}


def whoami(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    found = environ.get(CLAIMS_KEY, "absent")
    body = json.dumps({
        "claims": found if found in (None, "absent") else dict(found),
        "provider": getattr(found, "provider", None),
        "x_team": environ.get("HTTP_X_TEAM"),
        "x_roles": environ.get("HTTP_X_ROLES"),
        # PEP 3333 strings are latin-1 carriers of the header bytes.
        "x_name": environ["HTTP_X_NAME"].encode("latin-1").decode("utf-8") if "HTTP_X_NAME" in environ else None,
    }).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Server:
    """wsgiref on 127.0.0.1:0 serving in a thread until stopped, MAX_REQUESTS or MAX_SECONDS."""

    def __init__(self, app: Any) -> None:
        self.httpd: WSGIServer = make_server("127.0.0.1", 0, validator(app), handler_class=QuietHandler)
        self.httpd.timeout = 0.1
        self.port = self.httpd.server_address[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        deadline = time.monotonic() + MAX_SECONDS
        handled = 0
        while not self.stop.is_set() and handled < MAX_REQUESTS and time.monotonic() < deadline:
            self.httpd.handle_request()
            handled += 1  # a timeout counts too, which only makes the bound tighter in time
        self.httpd.server_close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)

    def get(self, path: str, headers: list[tuple[str, str]] | dict[str, str] | None = None) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.putrequest("GET", path)
            for name, value in (headers.items() if isinstance(headers, dict) else headers or []):
                conn.putheader(name, value)
            conn.endheaders()
            r = conn.getresponse()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        finally:
            conn.close()


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body)


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(cfg: Any = None, app: Any = whoami, **options: Any) -> Server:
        servers.append(Server(TokenVerifyWSGIMiddleware(app, config() if cfg is None else cfg, **options)))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_invalid(r: Response) -> None:
    # One answer for every refused token: the reason is only in the logs and stats.
    assert r.status == 401
    assert r.headers["www-authenticate"] == (
        'Bearer realm="tokenverify", error="invalid_token", error_description="the token is not valid"')
    assert r.json() == {"error": "invalid_token", "error_description": "the token is not valid"}


def assert_missing(r: Response) -> None:
    assert r.status == 401
    assert r.headers["www-authenticate"] == 'Bearer realm="tokenverify"'


# ---------------------------------------------------------------- Authorization: Bearer (default)


def test_valid_token_reaches_the_app_with_its_claims(serve: Callable[..., Server]) -> None:
    r = serve().get("/me", bearer(GOOD))
    assert r.status == 200
    body = r.json()
    assert body["claims"]["sub"] == "alice"
    assert body["provider"] == "main"


def test_missing_and_invalid_tokens(serve: Callable[..., Server]) -> None:
    s = serve()
    assert_missing(s.get("/me"))
    assert_missing(s.get("/me", {"Authorization": "Basic YWxpY2U6c2VjcmV0"}))
    assert_invalid(s.get("/me", bearer(EXPIRED)))
    assert_invalid(s.get("/me", bearer(WRONG_KEY)))
    assert_invalid(s.get("/me", bearer("a.b")))
    assert s.get("/me", {"Authorization": f"bEaReR {GOOD}"}).status == 200


def test_repeated_authorization_header_reaches_the_engine_as_one_bad_token(serve: Callable[..., Server]) -> None:
    # wsgiref joins repeated headers with a comma, as WSGI servers do.
    r = serve().get("/me", [("Authorization", f"Bearer {GOOD}"), ("Authorization", f"Bearer {GOOD}")])
    assert_invalid(r)


def answer(r: Response) -> tuple[int, list[tuple[str, str]], bytes]:
    # Everything but the Date header wsgiref adds.
    return r.status, sorted((k, v) for k, v in r.headers.items() if k != "date"), r.body


def test_claim_failures_answer_exactly_like_a_bad_signature(serve: Callable[..., Server],
                                                           caplog: pytest.LogCaptureFixture) -> None:
    # A client without the key must not learn whether its guessed aud, iss or matcher
    # value is accepted: the answer is byte for byte that of a bad signature.
    s = serve(config(provider={"claims": [{"name": "team", "values": ["dev", "ops"]}]}))
    reference = answer(s.get("/me", bearer(WRONG_KEY)))
    assert reference[0] == 401
    wrong_claims = {
        "TV_ERR_AUDIENCE_MISMATCH": claims(aud="elsewhere"),
        "TV_ERR_ISSUER_MISMATCH": claims(iss="https://evil.test"),
        "TV_ERR_CLAIM_MISMATCH": claims(team="sales"),
    }
    caplog.set_level(logging.INFO, logger="tokenverify.middleware")
    for status_name, payload in wrong_claims.items():
        caplog.clear()
        assert answer(s.get("/me", bearer(hs256(payload)))) == reference, status_name
        # The precise reason stays on the server side.
        assert [r.getMessage().split(" (")[0] for r in caplog.records] == [f"token refused: {status_name}"]
        assert answer(s.get("/me", bearer(hs256(payload, secret=OTHER_SECRET)))) == reference, status_name
    assert s.get("/me", bearer(GOOD)).status == 200


# ---------------------------------------------------------------- modes


def test_allow_missing(serve: Callable[..., Server]) -> None:
    s = serve(config(validationMode="AllowMissing"))
    r = s.get("/me")
    assert r.status == 200 and r.json()["claims"] is None
    assert_invalid(s.get("/me", bearer(EXPIRED)))
    assert serve(config(validationMode="AllowMissing"), mode="Strict").get("/me").status == 401
    assert serve(mode="AllowMissing").get("/me").status == 200


# ---------------------------------------------------------------- token sources


def test_header_with_prefix(serve: Callable[..., Server]) -> None:
    s = serve(config(provider={"tokenSource": {"header": {"header": "X-Api-Token", "prefix": "Token "}}}))
    assert s.get("/me", {"X-Api-Token": f"Token {GOOD}"}).status == 200
    assert_missing(s.get("/me", bearer(GOOD)))
    assert_invalid(s.get("/me", {"X-Api-Token": f"Token {EXPIRED}"}))


def test_query_parameter(serve: Callable[..., Server]) -> None:
    s = serve(config(provider={"tokenSource": {"queryParameter": "access_token"}}))
    assert s.get(f"/me?x=1&access_token={GOOD}").json()["claims"]["sub"] == "alice"
    assert_missing(s.get("/me?x=1", bearer(GOOD)))
    assert_invalid(s.get(f"/me?access_token={EXPIRED}"))
    repeated = s.get(f"/me?access_token={GOOD}&access_token={GOOD}")
    assert repeated.status == 400
    assert repeated.headers["www-authenticate"] == (
        'Bearer realm="tokenverify", error="invalid_request", error_description="token given more than once"')


def test_cookie(serve: Callable[..., Server]) -> None:
    s = serve(config(provider={"tokenSource": {"cookie": "session"}}))
    assert s.get("/me", {"Cookie": f"a=b; session={GOOD}; c=d"}).status == 200
    assert_missing(s.get("/me", {"Cookie": "a=b"}))
    assert_missing(s.get("/me", bearer(GOOD)))
    assert_invalid(s.get("/me", {"Cookie": f"session={EXPIRED}"}))


def test_token_source_argument(serve: Callable[..., Server]) -> None:
    cfg = config(provider={"tokenSource": {"cookie": "session"}})
    assert serve(cfg, token_source=TokenSource.cookie("other")).get("/me", {"Cookie": f"other={GOOD}"}).status == 200
    assert serve(cfg, token_source={"queryParameter": "t"}).get(f"/me?t={GOOD}").status == 200
    assert serve(cfg, token_source=TokenSource.header("X-Jwt", "")).get("/me", {"X-Jwt": GOOD}).status == 200


# ---------------------------------------------------------------- exempt paths, claimsToHeaders


def test_exempt_paths(serve: Callable[..., Server]) -> None:
    s = serve(exempt_paths=("/.well-known/alive", "/.well-known/health"))
    for path in ("/.well-known/alive", "/.well-known/health"):
        r = s.get(path, {"X-Team": "spoofed"})
        assert r.status == 200
        assert r.json()["claims"] == "absent"  # the middleware leaves exempt requests alone...
        assert r.json()["x_team"] is None  # ...except for removing spoofed claim headers
    assert_missing(s.get("/.well-known/alive/"))
    assert_missing(s.get("/.well-known/healthz"))


def test_claims_to_headers(serve: Callable[..., Server]) -> None:
    s = serve(config(validationMode="AllowMissing"))
    body = s.get("/me", {**bearer(GOOD), "X-Team": "ops"}).json()
    assert body["x_team"] == "dev"
    assert body["x_roles"] == "viewer,editor"
    assert body["x_name"] == "Zoë"
    spoofed = s.get("/me", {"X-Team": "ops", "X-Roles": "admin"}).json()
    assert spoofed["x_team"] is None and spoofed["x_roles"] is None
    assert serve(claims_to_headers=False).get("/me", bearer(GOOD)).json()["x_team"] is None
    mapped = serve(claims_to_headers=[{"name": "sub", "header": "X-Team"}]).get("/me", bearer(GOOD)).json()
    assert mapped["x_team"] == "alice" and mapped["x_roles"] is None


# ---------------------------------------------------------------- construction, Flask


def test_accepts_a_verifier_and_a_json_string(serve: Callable[..., Server]) -> None:
    verifier = tokenverify.Verifier(config())
    assert serve(verifier).get("/me", bearer(GOOD)).status == 200
    assert serve(json.dumps(config())).get("/me", bearer(GOOD)).status == 200
    assert TokenVerifyWSGIMiddleware(whoami, verifier).verifier is verifier


def test_custom_claims_key(serve: Callable[..., Server]) -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = claims_of(environ, "user")["sub"].encode()  # type: ignore[index]
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    assert serve(app=app, claims_key="user").get("/", bearer(GOOD)).body == b"alice"


def test_flask_app(serve: Callable[..., Server]) -> None:
    app = flask.Flask("wsgi-test")

    @app.get("/me")
    def me() -> Any:
        found = claims_of(flask.request)
        return {"sub": None if found is None else found["sub"], "team": flask.request.headers.get("X-Team")}

    s = serve(config(validationMode="AllowMissing"), app=app.wsgi_app)
    assert s.get("/me", bearer(GOOD)).json() == {"sub": "alice", "team": "dev"}
    assert s.get("/me").json() == {"sub": None, "team": None}
    assert_invalid(s.get("/me", bearer(EXPIRED)))


def keys_not_fetched_yet() -> dict[str, Any]:
    """A provider whose remote key set has not been fetched (nothing listens on the
    discard port): the engine's answer for its tokens is TV_ERR_KEYS_UNAVAILABLE."""
    cfg = config()
    del cfg["providers"][0]["secret"]
    cfg["providers"][0]["jwks"] = {"remote": {"url": "http://127.0.0.1:9/jwks"}}
    return cfg


def test_keys_unavailable_is_503_not_401(serve: Callable[..., Server]) -> None:
    r = serve(keys_not_fetched_yet()).get("/me", bearer(GOOD))
    assert r.status == 503
    assert r.headers["retry-after"] == "5"
    assert "www-authenticate" not in r.headers
    assert r.json() == {"error": "temporarily_unavailable", "error_description": "TV_ERR_KEYS_UNAVAILABLE"}
