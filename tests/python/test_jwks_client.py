"""tokenverify.jwt.PyJWKClient over a JWK set served from 127.0.0.1, next to
PyJWT's PyJWKClient on the same server."""

from __future__ import annotations

import os
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
