"""Revocation from Python: Verifier.revoke / revoke_subject, RevokedTokenError (also
from the token cache), and publish_revocation onto a real redis-server's stream that
another verifier reads."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from typing import Any, Callable, Dict, Iterator

import pytest

import tokenverify
from conftest import NOW, SECRET


def _config(**top: Any) -> Dict[str, Any]:
    config: Dict[str, Any] = {"providers": [{"name": "internal", "issuer": "https://issuer.test",
                                             "audiences": ["my-api"], "secret": SECRET}]}
    config.update(top)
    return config


@pytest.mark.parametrize("cache", [False, True])
def test_revoke_by_jti_and_by_subject(cache: bool, make_token: Callable[..., str]) -> None:
    verifier = tokenverify.Verifier(_config(**({"tokenCache": {"maxEntries": 64}} if cache else {})))
    a = make_token(jti="a-1", iat=NOW - 100)
    a_later = make_token(jti="a-2", iat=NOW)
    bob = make_token(sub="bob", jti="b-1")
    for token in (a, a_later, bob, a, bob):  # the second round hits the cache
        verifier.verify(token)

    verifier.revoke("b-1", NOW + 3600)
    with pytest.raises(tokenverify.RevokedTokenError) as e:
        verifier.verify(bob)
    assert e.value.name == "TV_ERR_REVOKED" and e.value.code == 409
    assert isinstance(e.value, tokenverify.InvalidTokenError)

    verifier.revoke_subject(sub="alice", issued_before=NOW - 50)
    with pytest.raises(tokenverify.RevokedTokenError):
        verifier.verify(a)
    assert verifier.verify(a_later)["jti"] == "a-2"  # issued after the revocation

    results = verifier.verify_many([a, a_later, bob])
    assert [type(r).__name__ for r in results] == ["RevokedTokenError", "Claims", "RevokedTokenError"]
    assert verifier.stats()["revocation"]["tokens"] == 1
    assert verifier.stats()["revocation"]["subjects"] == 1
    if cache:
        assert verifier.stats()["providers"][0]["tokenCache"]["hits"] >= 2


def test_revoke_arguments(hs_verifier: tokenverify.Verifier) -> None:
    with pytest.raises(tokenverify.InvalidArgumentError):
        hs_verifier.revoke("", NOW + 10)
    with pytest.raises(TypeError):
        hs_verifier.revoke("x")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        hs_verifier.revoke(5, NOW)  # type: ignore[arg-type]
    hs_verifier.revoke("already-expired", NOW - 3600)  # nothing to keep, no error
    assert hs_verifier.stats()["revocation"]["tokens"] == 0


def test_a_full_list_says_so() -> None:
    verifier = tokenverify.Verifier(_config(revocation={"maxEntries": 2}))
    verifier.revoke("one", NOW + 3600)
    verifier.revoke("two", NOW + 3600)
    with pytest.raises(tokenverify.RevocationsFullError):
        verifier.revoke("three", NOW + 3600)
    assert verifier.stats()["revocation"]["rejectedFull"] == 1


@pytest.fixture()
def redis_port() -> Iterator[int]:
    server = shutil.which("redis-server")
    assert server, "redis-server is missing (scripts/setup.sh installs it)"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--loglevel", "warning"], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 5
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield port
    finally:
        proc.kill()
        proc.wait()


def test_publish_revocation_reaches_a_verifier_reading_the_stream(redis_port: int,
                                                                   make_token: Callable[..., str]) -> None:
    config = _config(revocation={"redis": {"url": f"redis://127.0.0.1:{redis_port}/0"}})
    verifier = tokenverify.Verifier(config)
    token = make_token(jti="published-1")
    verifier.verify(token)
    entry = tokenverify.publish_revocation(config, jti="published-1", exp=NOW + 3600)
    assert "-" in entry
    deadline = time.monotonic() + 5
    while True:
        try:
            verifier.verify(token)
        except tokenverify.RevokedTokenError:
            break
        assert time.monotonic() < deadline, verifier.stats()["revocation"]
        time.sleep(0.01)
    redis = verifier.stats()["revocation"]["redis"]
    assert redis["connected"] is True and redis["lastEntryId"] == entry and redis["entries"] == 1

    with pytest.raises(TypeError):
        tokenverify.publish_revocation(config, jti="x")
    with pytest.raises(TypeError):
        tokenverify.publish_revocation(config, jti="x", exp=1, sub="y", before=1)
    with pytest.raises(tokenverify.ConfigurationError):
        tokenverify.publish_revocation(_config(), sub="alice", before=NOW)


def test_publish_revocation_without_redis_is_an_io_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(tokenverify.ConfigurationIOError) as e:
        tokenverify.publish_revocation(_config(revocation={"redis": {"url": f"redis://127.0.0.1:{port}"}}),
                                       sub="alice", before=NOW)
    assert "cannot connect" in str(e.value)
