"""TokenVerifyASGIMiddleware with a remote key set and unknownKidWait: a token whose kid
the key set does not hold yet waits for an early refresh, and the event loop must keep
running other work meanwhile (the middleware verifies in the loop's executor then).

The app is driven through the ASGI protocol directly, on one asyncio loop, so a
ticker task on the same loop shows whether the loop was blocked."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Dict, List

from conftest import KeyPair, claims, sign
from jwks_server import JwksServer, server  # noqa: F401 - server is a fixture
from tokenverify.middleware import TokenVerifyASGIMiddleware, _waits_for_unknown_kid

REFRESH_DELAY = 0.6  # seconds the key server takes to answer the early refresh


async def ok_app(scope: Dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def call(app: Any, token: str) -> int:
    """Sends one GET with the token and returns the response status."""
    scope = {"type": "http", "method": "GET", "path": "/", "query_string": b"",
             "headers": [(b"authorization", ("Bearer " + token).encode())]}
    sent: List[Dict[str, Any]] = []

    async def receive() -> Dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return int(sent[0]["status"])


def middleware(url: str, wait: str) -> TokenVerifyASGIMiddleware:
    return TokenVerifyASGIMiddleware(ok_app, {"providers": [{
        "name": "idp", "issuer": "https://issuer.test", "audiences": ["my-api"], "algorithms": ["RS256"],
        "jwks": {"remote": {"url": url, "initialFetchWait": "5s", "requireInitialKeys": True,
                            "unknownKidWait": wait}}}]})


async def request_while_ticking(app: TokenVerifyASGIMiddleware, token: str) -> tuple[int, int, float]:
    """(status, ticks of a 10 ms ticker during the request, seconds the request took)."""
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)  # the ticker is running
    ticks = 0
    start = time.monotonic()
    status = await call(app, token)
    elapsed = time.monotonic() - start
    seen = ticks
    stop.set()
    await task
    return status, seen, elapsed


def test_unknown_kid_wait_does_not_block_the_loop(server: JwksServer, rsa_key: KeyPair) -> None:
    server.keys = [dict(rsa_key.jwk, kid="old")]
    app = middleware(server.url, "3s")
    assert app._gate.may_wait
    # The identity provider rotates a key in, and answers slowly.
    server.keys = [dict(rsa_key.jwk, kid="old"), dict(rsa_key.jwk, kid="new")]
    server.delay = REFRESH_DELAY
    token = sign(rsa_key, claims(), headers={"kid": "new"})
    status, ticks, elapsed = asyncio.run(request_while_ticking(app, token))
    assert status == 200  # the request waited for the refresh and the new key verified it
    assert elapsed >= REFRESH_DELAY * 0.9
    # The loop kept running while the request waited: about one tick per 10 ms (a
    # blocked loop sees at most one). Half of them allows for a busy machine.
    assert ticks >= int(elapsed / 0.01) // 2


def test_without_wait_verification_stays_inline(server: JwksServer, rsa_key: KeyPair) -> None:
    server.keys = [dict(rsa_key.jwk, kid="old")]
    app = middleware(server.url, "0s")
    assert not app._gate.may_wait
    token = sign(rsa_key, claims(), headers={"kid": "new"})  # unknown: refused at once
    status, _, elapsed = asyncio.run(request_while_ticking(app, token))
    assert status == 401
    assert elapsed < REFRESH_DELAY


def test_which_durations_wait() -> None:
    def provider(wait: Any) -> Dict[str, Any]:
        return {"jwks": {"remote": {"url": "https://idp.test/jwks", "unknownKidWait": wait}}}

    for wait in ("200ms", "0.5s", "1m", 1, 0.25, "1h0m"):
        assert _waits_for_unknown_kid(provider(wait)), wait
    for wait in ("0s", "0ms", 0, 0.0, "0h0m", "0"):
        assert not _waits_for_unknown_kid(provider(wait)), wait
    assert not _waits_for_unknown_kid({"jwks": {"local": {"inline": "{}"}}})
    assert not _waits_for_unknown_kid({"jwks": {"remote": {"url": "https://idp.test/jwks"}}})
