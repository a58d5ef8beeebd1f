"""No request lost under load, through nginx: while the identity provider
rotates its signing key behind a remote JWK set, and while the configuration is
reloaded with SIGHUP again and again. Loops are bounded in time and count."""

from __future__ import annotations

import http.client
import signal
import threading
import time
from pathlib import Path
from typing import Callable, Dict, List

from conftest import Nginx, Serve, Signer, bearer, gateway_config, get, write_config

CLIENTS = 4
MAX_REQUESTS_PER_CLIENT = 20000


class Load:
    """CLIENTS keep-alive clients sending GET /api with whatever token
    current() returns, counting every answer that is not 200."""

    def __init__(self, port: int, current: Callable[[], str]) -> None:
        self.port, self.current = port, current
        self.ok = 0
        self.failures: List[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(CLIENTS)]
        for t in self.threads:
            t.start()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if self.stop.is_set():
                break
            try:
                conn.request("GET", "/api", headers={"Host": "app.test", **bearer(self.current())})
                r = conn.getresponse()
                r.read()
                with self.lock:
                    if r.status == 200:
                        self.ok += 1
                    else:
                        self.failures.append(f"HTTP {r.status}")
            except (OSError, http.client.HTTPException) as e:
                with self.lock:
                    self.failures.append(repr(e))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.close()

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(30)


def test_key_rotation_under_load_loses_no_request(tmp_path: Path, upstream, jwks, key_a: Signer,
                                                  key_b: Signer) -> None:
    config = gateway_config(jwks.url, cacheDuration="1s", unknownKidWait="5s", unknownKidCooldown="1s")
    serve = Serve(write_config(tmp_path / "config.json", config))
    nginx = Nginx(tmp_path / "nginx", serve.port, upstream.port)
    tokens: Dict[str, str] = {"current": key_a.token()}
    try:
        load = Load(nginx.port, lambda: tokens["current"])
        time.sleep(1.0)
        # The provider publishes the new key and signs with it at once: the
        # first token with the new kid triggers a refresh and waits for it.
        jwks.publish([key_a.jwk(), key_b.jwk()])
        tokens["current"] = key_b.token()
        time.sleep(1.5)
        # Then it retires the old key.
        jwks.publish([key_b.jwk()])
        time.sleep(1.5)
        load.finish()
        assert load.failures == []
        assert load.ok > 100
        # Once a refresh has seen the old key gone, its tokens are refused.
        deadline = time.monotonic() + 10
        while get(nginx.port, "/api", bearer(key_a.token()))[0] != 401:
            assert time.monotonic() < deadline, "a token of the retired key still passes"
            time.sleep(0.2)
        assert get(nginx.port, "/api", bearer(key_b.token()))[0] == 200
    finally:
        nginx.stop()
        assert serve.stop() == 0


def test_sighup_reloads_under_load_lose_no_request(tmp_path: Path, upstream, jwks, key_a: Signer) -> None:
    path = write_config(tmp_path / "config.json", gateway_config(jwks.url))
    serve = Serve(path)
    nginx = Nginx(tmp_path / "nginx", serve.port, upstream.port)
    token = key_a.token()
    try:
        load = Load(nginx.port, lambda: token)
        for i in range(8):
            time.sleep(0.3)
            serve.signal(signal.SIGHUP)
        time.sleep(0.5)
        load.finish()
        assert load.failures == []
        assert load.ok > 100
        assert serve.output().count("reloaded") == 8
    finally:
        nginx.stop()
        assert serve.stop() == 0


def test_sigterm_drains_requests_under_way(tmp_path: Path, upstream, jwks, key_a: Signer) -> None:
    serve = Serve(write_config(tmp_path / "config.json", gateway_config(jwks.url)))
    token = key_a.token()
    load = Load(serve.port, lambda: token)  # straight at the server: every answer counts
    time.sleep(0.5)
    serve.signal(signal.SIGTERM)
    assert serve.proc.wait(20) == 0
    load.finish()
    # Requests sent after the listener closed fail to connect; none that was
    # accepted is cut off without an answer.
    answered_then_refused = [f for f in load.failures if "Connection refused" not in f]
    assert answered_then_refused == [], answered_then_refused
    assert load.ok > 20
    assert "draining" in serve.output() and "stopped" in serve.output()
