"""Fixtures of the forward-auth tests: `tokenverify serve` started from the build
tree, a tiny upstream that echoes what reached it, a JWK set server, and real
gateways from Debian's packages (nginx with auth_request, Caddy with
forward_auth, HAProxy with examples/gateways/tokenverify_auth.lua) in front, all on 127.0.0.1 and free ports, stopped by the test."""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("TV_BUILD_DIR", ROOT / "build"))
TOKENVERIFY = BUILD / "tokenverify"
ISSUER = "https://idp.test"
START_TIMEOUT = 10.0


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


# ---------------------------------------------------------------- keys and tokens

class Signer:
    """An RSA key with a kid, and tokens from the test issuer."""

    def __init__(self, kid: str) -> None:
        self.kid = kid
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self) -> Dict[str, Any]:
        jwk = json.loads(pyjwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return jwk

    def token(self, **claims: Any) -> str:
        payload = {"iss": ISSUER, "sub": "alice", "team": "dev", "exp": int(time.time()) + 3600}
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        return pyjwt.encode(payload, self.key, algorithm="RS256", headers={"kid": self.kid})


@pytest.fixture(scope="session")
def key_a() -> Signer:
    return Signer("key-a")


@pytest.fixture(scope="session")
def key_b() -> Signer:
    return Signer("key-b")


# ---------------------------------------------------------------- small HTTP servers in this process

class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Upstream:
    """The protected service: answers every request with what reached it."""

    def __init__(self) -> None:
        seen: List[Dict[str, Any]] = []
        self.seen = seen

        class Handler(_Quiet):
            def handle_any(self) -> None:
                record = {"method": self.command, "path": self.path,
                          "headers": [[k.lower(), v] for k, v in self.headers.items()]}
                seen.append(record)
                self.reply(200, json.dumps(record).encode())

            do_GET = do_POST = do_PUT = do_DELETE = handle_any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class JwksServer:
    """A JWK set at /jwks.json that a test can replace (key rotation)."""

    def __init__(self, keys: List[Dict[str, Any]]) -> None:
        self.document = {"keys": keys}
        self.fetches = 0
        outer = self

        class Handler(_Quiet):
            def do_GET(self) -> None:
                outer.fetches += 1
                self.reply(200, json.dumps(outer.document).encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def publish(self, keys: List[Dict[str, Any]]) -> None:
        self.document = {"keys": keys}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    u = Upstream()
    yield u
    u.close()


# ---------------------------------------------------------------- processes

class Process:
    """A child process whose stderr is collected; stopped (TERM, then KILL) at the end."""

    def __init__(self, argv: List[str], cwd: Optional[Path] = None, env: Optional[Dict[str, str]] = None) -> None:
        self.argv = argv
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines: List[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for_line(self, pattern: str, timeout: float = START_TIMEOUT) -> "re.Match[str]":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                m = re.search(pattern, line)
                if m:
                    return m
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError(f"{self.argv[0]}: no line matching {pattern!r}; output:\n{self.output()}")

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def stop(self, timeout: float = 15.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.reader.join(5)
        return self.proc.returncode


class Serve(Process):
    """tokenverify serve on a kernel-chosen port."""

    def __init__(self, config_path: Path, *extra: str) -> None:
        assert TOKENVERIFY.exists(), f"{TOKENVERIFY} is missing: build the project first (TV_BUILD_DIR)"
        super().__init__([str(TOKENVERIFY), "serve", "--config", str(config_path), "--listen", "127.0.0.1:0",
                          "--metrics-listen", "127.0.0.1:0", *extra])
        self.port = int(self.wait_for_line(r"listening on 127\.0\.0\.1:(\d+) \(forward auth")[1])
        self.metrics_port = int(self.wait_for_line(r"listening on 127\.0\.0\.1:(\d+) \(healthz")[1])


def write_config(path: Path, config: Dict[str, Any]) -> Path:
    path.write_text(json.dumps(config, indent=2))
    return path


def gateway_config(jwks_url: str, **remote: Any) -> Dict[str, Any]:
    """The configuration the gateway tests share: JWTs everywhere (team → x-team,
    the token not forwarded), Basic under /admin, an API key under /keys, and
    /.well-known/ open."""
    settings = {"url": jwks_url, "initialFetchWait": "5s", "requireInitialKeys": True}
    settings.update(remote)
    return {
        "providers": [{"name": "idp", "issuer": ISSUER, "algorithms": ["RS256"],
                       "jwks": {"remote": settings},
                       "claimsToHeaders": [{"name": "team", "header": "x-team"}],
                       "forwardToken": False}],
        "rules": [{"name": "site", "auth": {"type": "jwt"}, "paths": [
            {"path": "/.well-known/", "auth": {"enabled": False}},
            {"path": "/admin", "auth": {"basic": {"realm": "admin",
                                                  "users": [{"username": "admin", "password": "admin-pass"}]}}},
            {"path": "/keys", "auth": {"apiKey": {"keys": [{"name": "acme", "key": "acme-key-0123456789"}]}}},
        ]}],
    }


@pytest.fixture
def jwks(key_a: Signer) -> Iterator[JwksServer]:
    server = JwksServer([key_a.jwk()])
    yield server
    server.close()


@pytest.fixture
def serve_factory(tmp_path: Path) -> Iterator[Callable[..., Serve]]:
    started: List[Serve] = []

    def start(config: Dict[str, Any], *extra: str) -> Serve:
        s = Serve(write_config(tmp_path / f"config-{len(started)}.json", config), *extra)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


# ---------------------------------------------------------------- gateways

def need(tool: str) -> str:
    path = shutil.which(tool) or (f"/usr/sbin/{tool}" if os.path.exists(f"/usr/sbin/{tool}") else None)
    assert path, f"{tool} is not installed: ./scripts/setup.sh installs it"
    return path


class Gateway(Process):
    """A gateway from Debian's packages running its example configuration
    (examples/gateways/), with the example's ports for tokenverify serve
    (9000) and the app (3000) swapped for the test's own, listening on a
    free port of its own."""

    def __init__(self, workdir: Path, serve_port: int, upstream_port: int) -> None:
        self.port = free_port()
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.serve_port, self.upstream_port = serve_port, upstream_port

    def example(self, name: str) -> str:
        return ((ROOT / "examples/gateways" / name).read_text()
                .replace("127.0.0.1:9000", f"127.0.0.1:{self.serve_port}")
                .replace("127.0.0.1:3000", f"127.0.0.1:{self.upstream_port}"))

    def start(self, tool: str, config_name: str, config: str, args: List[str], **popen: Any) -> None:
        (self.workdir / config_name).write_text(config)
        super().__init__([need(tool), *args], **popen)
        wait_until(lambda: port_open(self.port) or self.proc.poll() is not None, START_TIMEOUT, tool)
        assert self.proc.poll() is None, f"{tool} did not start:\n{self.output()}"


class Nginx(Gateway):
    def __init__(self, workdir: Path, serve_port: int, upstream_port: int) -> None:
        super().__init__(workdir, serve_port, upstream_port)
        conf = self.example("nginx.conf").replace("127.0.0.1:8080", f"127.0.0.1:{self.port}")
        head = (f"daemon off;\nworker_processes 1;\npid {workdir}/nginx.pid;\nerror_log {workdir}/error.log;\n"
                "events { worker_connections 1024; }\n")
        temp = "".join(f"  {kind}_temp_path {workdir}/{kind};\n" for kind in
                       ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf = conf.replace("http {", "http {\n  access_log off;\n" + temp, 1)
        self.start("nginx", "nginx.conf", head + conf, ["-p", str(workdir), "-c", str(workdir / "nginx.conf")])


class Caddy(Gateway):
    def __init__(self, workdir: Path, serve_port: int, upstream_port: int) -> None:
        super().__init__(workdir, serve_port, upstream_port)
        # A site address with a host would be HTTPS even with auto_https off: bind instead.
        conf = self.example("Caddyfile").replace(":8080 {", f"http://:{self.port} {{\n\tbind 127.0.0.1")
        env = dict(os.environ, HOME=str(workdir), XDG_DATA_HOME=str(workdir / "data"),
                   XDG_CONFIG_HOME=str(workdir / "config"))
        self.start("caddy", "Caddyfile", "{\n\tadmin off\n\tauto_https off\n}\n\n" + conf,
                   ["run", "--adapter", "caddyfile", "--config", str(workdir / "Caddyfile")], cwd=workdir, env=env)


class HAProxy(Gateway):
    def __init__(self, workdir: Path, serve_port: int, upstream_port: int) -> None:
        super().__init__(workdir, serve_port, upstream_port)
        conf = (self.example("haproxy.cfg")
                .replace("/etc/haproxy/tokenverify_auth.lua", str(ROOT / "examples/gateways/tokenverify_auth.lua"))
                .replace("127.0.0.1:8080", f"127.0.0.1:{self.port}"))
        self.start("haproxy", "haproxy.cfg", conf, ["-db", "-f", str(workdir / "haproxy.cfg")], cwd=workdir)


GATEWAYS = {"nginx": Nginx, "caddy": Caddy, "haproxy": HAProxy}


def caddy_version() -> Tuple[int, ...]:
    out = subprocess.run([need("caddy"), "version"], capture_output=True, text=True, check=True).stdout
    m = re.match(r"v?(\d+)\.(\d+)", out.strip())
    assert m, f"caddy version says {out!r}"
    return (int(m[1]), int(m[2]))


@pytest.fixture(params=sorted(GATEWAYS))
def gateway_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[int, int], Process]]:
    started: List[Process] = []

    def start(serve_port: int, upstream_port: int) -> Process:
        g = GATEWAYS[request.param](tmp_path / request.param, serve_port, upstream_port)
        started.append(g)
        return g

    yield start
    for g in started:
        g.stop()


# ---------------------------------------------------------------- a client

def get(port: int, path: str, headers: Optional[Dict[str, str]] = None, method: str = "GET",
        host: str = "app.test") -> Tuple[int, Dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers={"Host": host, **(headers or {})})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def bearer(token: str) -> Dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(user: str, password: str) -> Dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}
