"""A JWK set served from 127.0.0.1 for the Python tests (key-set clients, middleware).
It answers at most MAX_REQUESTS requests and stops by itself after LIFETIME seconds."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List

import pytest

MAX_REQUESTS = 200  # the server refuses more, and stops after LIFETIME seconds
LIFETIME = 120


class JwksServer:
    def __init__(self) -> None:
        self.keys: List[Dict[str, Any]] = []
        self.requests = 0
        self.headers: List[Dict[str, str]] = []  # each request's headers, lower-case names
        self.delay = 0.0  # seconds each response waits before it is sent (at most 5)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                server.requests += 1
                server.headers.append({k.lower(): v for k, v in self.headers.items()})
                if server.requests > MAX_REQUESTS or self.path != "/jwks.json":
                    self.send_error(503 if server.requests > MAX_REQUESTS else 404)
                    return
                body = json.dumps({"keys": server.keys}).encode()
                time.sleep(min(server.delay, 5.0))
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
