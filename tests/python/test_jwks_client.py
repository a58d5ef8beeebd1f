"""tokenverify.jwt.PyJWKClient over a JWK set served from 127.0.0.1, next to
PyJWT's PyJWKClient on the same server."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List

import jwt as pyjwt
import pytest

import tokenverify
from tokenverify import jwt as tvjwt
from conftest import KeyPair, claims, sign

MAX_REQUESTS = 200  # the server refuses more, and stops after LIFETIME seconds
LIFETIME = 120


class JwksServer:
    def __init__(self) -> None:
        self.keys: List[Dict[str, Any]] = []
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                server.requests += 1
                if server.requests > MAX_REQUESTS or self.path != "/jwks.json":
                    self.send_error(503 if server.requests > MAX_REQUESTS else 404)
                    return
                body = json.dumps({"keys": server.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/jwks.json" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.stopper = threading.Timer(LIFETIME, self.httpd.shutdown)

    def __enter__(self) -> "JwksServer":
        self.thread.start()
        self.stopper.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stopper.cancel()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture()
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[JwksServer]:
    # Loopback is never reached through a proxy (libcurl and urllib both read these).
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with JwksServer() as s:
        yield s


def test_decode_with_remote_keys_matches_pyjwt(server: JwksServer, rsa_key: KeyPair, ec_key: KeyPair) -> None:
    server.keys = [dict(rsa_key.jwk, kid="rsa-1", use="sig"), dict(ec_key.jwk, kid="ec-1", use="sig")]
    ours = tvjwt.PyJWKClient(server.url)
    theirs = pyjwt.PyJWKClient(server.url)
    for key, kid in ((rsa_key, "rsa-1"), (ec_key, "ec-1")):
        token = sign(key, claims(), headers={"kid": kid})
        signing_key = ours.get_signing_key_from_jwt(token)
        assert signing_key.key_id == kid
        kwargs: Dict[str, Any] = dict(algorithms=["RS256", "ES256"], audience="my-api")
        expected = pyjwt.decode(token, theirs.get_signing_key_from_jwt(token).key, **kwargs)
        assert tvjwt.decode(token, signing_key.key, **kwargs) == expected
        assert tvjwt.decode(token, signing_key, **kwargs) == expected
        with pytest.raises(tvjwt.InvalidAudienceError):
            tvjwt.decode(token, signing_key.key, algorithms=["RS256", "ES256"], audience="other")
    # One verifier per argument set: repeated calls do not fetch again.
    before = server.requests
    token = sign(rsa_key, claims(), headers={"kid": "rsa-1"})
    for _ in range(20):
        tvjwt.decode(token, ours.get_signing_key_from_jwt(token).key, algorithms=["RS256", "ES256"],
                     audience="my-api")
    assert server.requests == before


def test_unknown_kid_refreshes_the_set(server: JwksServer, rsa_key: KeyPair, ec_key: KeyPair) -> None:
    server.keys = [dict(rsa_key.jwk, kid="old")]
    client = tvjwt.PyJWKClient(server.url, unknown_kid_wait=5)
    old = sign(rsa_key, claims(aud=None), headers={"kid": "old"})
    assert tvjwt.decode(old, client.get_signing_key_from_jwt(old).key, algorithms=["RS256", "ES256"])["sub"] == "alice"
    # The issuer rotates in a new key: a token with its kid triggers one early refresh.
    server.keys = [dict(rsa_key.jwk, kid="old"), dict(ec_key.jwk, kid="new")]
    new = sign(ec_key, claims(aud=None), headers={"kid": "new"})
    assert tvjwt.decode(new, client.get_signing_key_from_jwt(new).key, algorithms=["RS256", "ES256"])["sub"] == "alice"
    with pytest.raises(tokenverify.KeyNotFoundError):
        # Within the refresh cooldown a second unknown kid is answered at once.
        tvjwt.decode(sign(ec_key, claims(aud=None), headers={"kid": "never"}), client.key_set,
                     algorithms=["RS256", "ES256"])


def test_unreachable_key_set(rsa_key: KeyPair, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with JwksServer() as s:
        url = s.url  # a port that nobody listens on once the server is gone
    client = tvjwt.PyJWKClient(url, initial_fetch_wait=0.2, timeout=1)
    token = sign(rsa_key, claims(aud=None), headers={"kid": "k"})
    start = time.monotonic()
    with pytest.raises(tvjwt.PyJWKClientConnectionError) as info:
        tvjwt.decode(token, client.get_signing_key_from_jwt(token).key, algorithms=["RS256"])
    assert info.value.name in ("TV_ERR_KEYS_UNAVAILABLE", "TV_ERR_KEYS_STALE")
    assert time.monotonic() - start < 10


def test_unsupported_client_options() -> None:
    with pytest.raises(ValueError):
        tvjwt.PyJWKClient("http://127.0.0.1:9/jwks.json", headers={"X": "y"})
    with pytest.raises(ValueError):
        tvjwt.PyJWKClient("http://127.0.0.1:9/jwks.json", ssl_context=object())
    with pytest.raises(ValueError):
        tvjwt.PyJWKClient("http://127.0.0.1:9/jwks.json", lifespan=0)


def test_verifier_with_remote_keys_reports_stats(server: JwksServer, rsa_key: KeyPair) -> None:
    server.keys = [dict(rsa_key.jwk, kid="k1")]
    verifier = tokenverify.Verifier({"providers": [{"name": "remote", "jwks": {"remote": {
        "url": server.url, "initialFetchWait": "5s"}}}]})
    assert verifier.verify(sign(rsa_key, claims(aud=None), headers={"kid": "k1"})).provider == "remote"
    provider = verifier.stats(keys=True)["providers"][0]
    assert provider["source"] == "remote" and provider["keyCount"] == 1 and provider["fetches"] >= 1
    assert [k["kid"] for k in provider["keys"]] == ["k1"]
