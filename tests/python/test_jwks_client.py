"""tokenverify.jwt.PyJWKClient over a JWK set served from 127.0.0.1, next to
PyJWT's PyJWKClient on the same server."""

from __future__ import annotations

import http.server
import json
import os
import threading
import time
from typing import Any, Dict

import jwt as pyjwt
import pytest

import tokenverify
from tokenverify import jwt as tvjwt
from conftest import KeyPair, claims, sign
from jwks_server import JwksServer, server  # noqa: F401 - server is a fixture


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


def native_threads() -> int:
    return len(os.listdir("/proc/self/task"))


def test_signing_key_objects_share_one_verifier(server: JwksServer, rsa_key: KeyPair) -> None:
    # decode() given the signing-key object itself (not .key), a new one per call:
    # one verifier and one fetch for all of them, not one each.
    tvjwt.clear_cache()
    server.keys = [dict(rsa_key.jwk, kid="k1")]
    token = sign(rsa_key, claims(), headers={"kid": "k1"})
    client = tvjwt.PyJWKClient(server.url)
    threads = native_threads()
    for _ in range(200):
        signing_key = client.get_signing_key_from_jwt(token)
        assert tvjwt.decode(token, signing_key, algorithms=["RS256"], audience="my-api")["sub"] == "alice"
    # A client made per call, with the same settings, shares that verifier too.
    for _ in range(20):
        signing_key = tvjwt.PyJWKClient(server.url).get_signing_key_from_jwt(token)
        assert tvjwt.decode(token, signing_key, algorithms=["RS256"], audience="my-api")["sub"] == "alice"
    assert server.requests <= 2
    # One refresher thread at most, plus a finishing server thread.
    assert native_threads() <= threads + 2
    assert len(tvjwt._cache) == 1
    tvjwt.clear_cache()


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
        tvjwt.PyJWKClient("http://127.0.0.1:9/jwks.json", headers=[("X", "y")])
    with pytest.raises(ValueError):
        tvjwt.PyJWKClient("http://127.0.0.1:9/jwks.json", ssl_context=object())
    with pytest.raises(ValueError):
        tvjwt.PyJWKClient("http://127.0.0.1:9/jwks.json", lifespan=0)


def test_headers_go_with_every_fetch(server: JwksServer, rsa_key: KeyPair) -> None:
    server.keys = [dict(rsa_key.jwk, kid="k1", use="sig")]
    client = tvjwt.PyJWKClient(server.url, headers={"X-Api-Key": "k-123", "User-Agent": "my-agent/1"})
    token = sign(rsa_key, claims(), headers={"kid": "k1"})
    assert client.get_signing_key_from_jwt(token).key_id == "k1"  # the engine's fetch
    assert client.fetch_data()["keys"][0]["kid"] == "k1"  # fetch_data's, in Python
    assert len(server.headers) == 2
    for seen in server.headers:
        assert seen["x-api-key"] == "k-123" and seen["user-agent"] == "my-agent/1"


def test_headers_the_engine_refuses_raise_at_the_first_call(server: JwksServer) -> None:
    client = tvjwt.PyJWKClient(server.url, headers={"X-Key": "a\r\nX-Injected: 1"})
    with pytest.raises(tvjwt.PyJWKClientError) as info:
        client.get_signing_keys()
    assert "headers" in str(info.value) and server.requests == 0


def test_verifier_with_remote_keys_reports_stats(server: JwksServer, rsa_key: KeyPair) -> None:
    server.keys = [dict(rsa_key.jwk, kid="k1")]
    verifier = tokenverify.Verifier({"providers": [{"name": "remote", "jwks": {"remote": {
        "url": server.url, "initialFetchWait": "5s"}}}]})
    assert verifier.verify(sign(rsa_key, claims(aud=None), headers={"kid": "k1"})).provider == "remote"
    provider = verifier.stats(keys=True)["providers"][0]
    assert provider["source"] == "remote" and provider["keyCount"] == 1 and provider["fetches"] >= 1
    assert [k["kid"] for k in provider["keys"]] == ["k1"]


# ---------------------------------------------------------------- PyJWT 2.15's PyJWKClient API (issue 17, item 7)


def test_signing_keys_describe_the_engines_set(server: JwksServer, rsa_key: KeyPair, ec_key: KeyPair) -> None:
    server.keys = [dict(rsa_key.jwk, kid="rsa-1", use="sig"), dict(ec_key.jwk, kid="ec-1"),
                   dict(ec_key.jwk, kid="enc-1", use="enc"), dict(rsa_key.jwk)]
    client = tvjwt.PyJWKClient(server.url)
    keys = client.get_signing_keys()
    # As PyJWT's: keys that may sign, with a kid (the encryption key and the key without kid are left out).
    assert sorted(k.key_id for k in keys) == ["ec-1", "rsa-1"]
    rsa_signing = client.match_kid(keys, "rsa-1")
    assert rsa_signing is not None and rsa_signing.key_type == "RSA" and rsa_signing.public_key_use == "sig"
    assert rsa_signing.algorithm_name == "RS256" and client.match_kid(keys, "nope") is None
    assert client.get_signing_key("ec-1").algorithm_name == "ES256"
    assert sorted(k.key_id for k in client.get_jwk_set().keys) == ["ec-1", "rsa-1"]
    # The keys decode, through the engine's remote set.
    token = sign(ec_key, claims(aud=None), headers={"kid": "ec-1"})
    assert tvjwt.decode(token, client.get_signing_key_from_jwt(token).key, algorithms=["ES256"])["sub"] == "alice"
    assert tvjwt.decode(token, client.get_jwk_set(), algorithms=["ES256"])["sub"] == "alice"
    # fetch_data: the document itself, fetched once more.
    assert {k.get("kid") for k in client.fetch_data()["keys"]} == {"rsa-1", "ec-1", "enc-1", None}


def test_an_unknown_kid_raises_at_get_signing_key(server: JwksServer, rsa_key: KeyPair, ec_key: KeyPair) -> None:
    server.keys = [dict(rsa_key.jwk, kid="old")]
    client = tvjwt.PyJWKClient(server.url, unknown_kid_wait=5, cooldown_duration=0)
    with pytest.raises(tvjwt.PyJWKClientError, match='"never"') as info:
        client.get_signing_key("never")
    assert not isinstance(info.value, tvjwt.PyJWKClientConnectionError)
    # A key rotated in upstream is found by the early refresh that the unknown kid asks for.
    server.keys = [dict(rsa_key.jwk, kid="old"), dict(ec_key.jwk, kid="new")]
    time.sleep(0.01)
    assert client.get_signing_key("new").key_type == "EC"
    token = sign(ec_key, claims(aud=None), headers={"kid": "gone"})
    with pytest.raises(tvjwt.PyJWKClientError):
        client.get_signing_key_from_jwt(token)


def test_an_unreachable_url_raises_at_get_signing_key(rsa_key: KeyPair, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with JwksServer() as s:
        url = s.url  # nobody listens there once the server is gone
    client = tvjwt.PyJWKClient(url, initial_fetch_wait=0.2, timeout=1)
    start = time.monotonic()
    for call in (lambda: client.get_signing_key("k"), client.get_signing_keys, client.get_jwk_set, client.fetch_data):
        with pytest.raises(tvjwt.PyJWKClientConnectionError, match="Fail to fetch data from the url"):
            call()
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("uri", ["file:///etc/passwd", "ftp://example.org/jwks.json", "/etc/passwd",
                                 'data:application/json,{"keys":[]}', "ldap://internal.test/jwks"])
def test_only_http_and_https_uris(uri: str) -> None:
    # Refused when the client is made, as PyJWT does, with PyJWT's class (and ValueError, as before).
    with pytest.raises(tvjwt.PyJWKClientError, match="Invalid JWKS URI scheme"):
        tvjwt.PyJWKClient(uri)
    with pytest.raises(ValueError):
        tvjwt.PyJWKClient(uri)
    for accepted in ("http://localhost/jwks.json", "HTTPS://Example.Test/jwks.json"):
        tvjwt.PyJWKClient(accepted)


@pytest.mark.parametrize("kwargs", [{"lifespan": 0}, {"lifespan": -1}, {"cooldown_duration": -1},
                                    {"cooldown_duration": float("nan")}, {"cooldown_duration": float("inf")}])
def test_lifespan_and_cooldown_are_checked(kwargs: Dict[str, Any]) -> None:
    with pytest.raises(tvjwt.PyJWKClientError):
        tvjwt.PyJWKClient("https://idp.test/jwks.json", **kwargs)
    with pytest.raises(pyjwt.PyJWKClientError):
        pyjwt.PyJWKClient("https://idp.test/jwks.json", **kwargs)


def test_fetch_data_follows_no_redirect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with JwksServer() as target:
        target.keys = []
        redirected = []

        class Redirect(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                redirected.append(self.path)
                self.send_response(302)
                self.send_header("Location", target.url)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            client = tvjwt.PyJWKClient("http://127.0.0.1:%d/jwks.json" % httpd.server_address[1],
                                       initial_fetch_wait=2)
            with pytest.raises(tvjwt.PyJWKClientConnectionError):
                client.fetch_data()
            assert redirected == ["/jwks.json"] and target.requests == 0
            # The engine's fetch refuses it too, as PyJWT 2.15 does, and says so.
            with pytest.raises(tvjwt.PyJWKClientConnectionError) as info:
                client.get_signing_keys()
            assert "not followed" in str(info.value)
            assert redirected == ["/jwks.json"] * 2 and target.requests == 0
            # Unless asked to follow it.
            target.keys = [{"kty": "oct", "k": "A" * 43, "kid": "h"}]
            following = tvjwt.PyJWKClient("http://127.0.0.1:%d/jwks.json" % httpd.server_address[1],
                                          initial_fetch_wait=2, remote={"followRedirects": True})
            assert [k.key_id for k in following.get_signing_keys()] == ["h"] and target.requests == 1
        finally:
            httpd.shutdown()
            httpd.server_close()


# ---------------------------------------------------------------- PyJWK and PyJWKSet (issue 17, item 6)


def test_pyjwk_and_pyjwkset_decode_like_pyjwts(rsa_key: KeyPair, ec_key: KeyPair, hs_key: KeyPair) -> None:
    jwks = {"keys": [dict(rsa_key.jwk, kid="r"), dict(ec_key.jwk, kid="e"), dict(hs_key.jwk, kid="h"),
                     {"kty": "XYZ", "kid": "unknown"}]}
    ours, theirs = tvjwt.PyJWKSet.from_dict(jwks), pyjwt.PyJWKSet.from_dict(jwks)
    assert [k.key_id for k in ours.keys] == [k.key_id for k in theirs.keys] == ["r", "e", "h"]
    for kid, key, alg in (("r", rsa_key, "RS256"), ("e", ec_key, "ES256"), ("h", hs_key, "HS256")):
        a, b = ours[kid], theirs[kid]
        assert (a.key_type, a.key_id, a.algorithm_name, a.public_key_use) == (
            b.key_type, b.key_id, b.algorithm_name, b.public_key_use)
        token = sign(key, claims(aud=None), headers={"kid": kid})
        expected = pyjwt.decode(token, b, algorithms=[alg])
        assert tvjwt.decode(token, a, algorithms=[alg]) == expected
        assert tvjwt.decode(token, a.key, algorithms=[alg]) == expected
        assert tvjwt.decode(token, ours, algorithms=[alg]) == expected
    with pytest.raises(KeyError):
        ours["missing"]
    assert tvjwt.PyJWK.from_json(json.dumps(rsa_key.jwk)).key_type == "RSA"
    assert "d" not in tvjwt.PyJWK(dict(rsa_key.jwk, d="private")).key


@pytest.mark.parametrize("jwk,error", [({}, "InvalidKeyError"), ({"kty": "XYZ"}, "InvalidKeyError"),
                                       ({"kty": "EC", "crv": "P-999", "x": "AA", "y": "AA"}, "InvalidKeyError"),
                                       ({"kty": "oct", "k": "AAAA", "alg": "XS999"}, "PyJWKError")])
def test_pyjwk_refuses_what_pyjwt_refuses(jwk: Dict[str, Any], error: str) -> None:
    for module in (pyjwt, tvjwt):
        with pytest.raises(getattr(module, error)):
            module.PyJWK(jwk)


@pytest.mark.parametrize("jwks", [{"keys": []}, {"keys": [{"kty": "XYZ"}]}, {"keys": "x"}, {}])
def test_pyjwkset_refuses_what_pyjwt_refuses(jwks: Dict[str, Any]) -> None:
    for module in (pyjwt, tvjwt):
        with pytest.raises(module.PyJWKSetError):
            module.PyJWKSet.from_dict(jwks)
