#!/usr/bin/env python3
"""Load test of `tokenverify serve` with wrk (`./scripts/bench.sh --serve`).

    bench_serve.py TOKENVERIFY RESULTS_MD [--seconds S] [--connections N] [--repeats N]

Every figure comes from one run of this script, on this machine, as a ratio to a
baseline measured in the same run:
  - serve answering an HS256 request vs the same server answering a fixed 200
    without authentication (--answer-200-unauthenticated): the HTTP floor;
  - nginx auth_request -> tokenverify serve vs nginx auth_request -> a static
    `return 200` location, the whole chain (the app is nginx's own `return 200`);
  - requests/s for HS256, RS256 (token cache on, and off: every request a full
    RSA verification) and Basic (bcrypt, remembered after the first check);
  - oauth2-proxy (from the Go module proxy, `go install`, cached under
    bench/serve/work/) answering /oauth2/auth for the same kind of RS256 bearer
    token with --skip-jwt-bearer-tokens, against tokenverify serve on that token
    without its token cache (oauth2-proxy has none).
The server gets CPU 1 and wrk CPU 0 when there are two; medians of the repeats.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise SystemExit(f"bench_serve: nothing listens on {port}")


def pinned(cpu: Optional[int], argv: List[str]) -> List[str]:
    return (["taskset", "-c", str(cpu)] + argv) if cpu is not None and shutil.which("taskset") else argv


class Server:
    def __init__(self, argv: List[str], port: int, cpu: Optional[int]) -> None:
        self.proc = subprocess.Popen(pinned(cpu, argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_port(port)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def serve(tokenverify: str, config: Path, cpu: Optional[int], *extra: str) -> Tuple[Server, int]:
    port = free_port()
    return Server([tokenverify, "serve", "--config", str(config), "--listen", f"127.0.0.1:{port}",
                   "--threads", "1", *extra], port, cpu), port


def nginx(work: Path, auth_port: Optional[int], cpu: Optional[int]) -> Tuple[Server, int]:
    """nginx whose auth_request asks tokenverify serve on auth_port, or, with
    None, a static `return 200` location of its own: the chain's floor."""
    port = free_port()
    work.mkdir(parents=True, exist_ok=True)
    temp = "".join(f"  {k}_temp_path {work}/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    auth = ("proxy_pass http://tokenverify; proxy_http_version 1.1; proxy_set_header Connection \"\";\n"
            "      proxy_pass_request_body off; proxy_set_header Content-Length \"\";\n"
            "      proxy_set_header X-Original-URI $request_uri; proxy_set_header X-Original-Method $request_method;"
            if auth_port else "return 200;")
    upstream = f"upstream tokenverify {{ server 127.0.0.1:{auth_port}; keepalive 64; }}\n" if auth_port else ""
    (work / "nginx.conf").write_text(f"""daemon off; worker_processes 1; pid {work}/nginx.pid; error_log {work}/error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
{temp}  {upstream}
  server {{
    listen 127.0.0.1:{port} reuseport;
    location = /_auth {{
      internal;
      {auth}
    }}
    location / {{
      auth_request /_auth;
      return 200 "app\\n";
    }}
  }}
}}
""")
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    return Server([nginx_bin, "-p", str(work), "-c", str(work / "nginx.conf")], port, cpu), port


def wrk(port: int, headers: Dict[str, str], seconds: float, connections: int, cpu: Optional[int],
        path: str = "/api") -> float:
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s"]  # wrk takes whole seconds
    for k, v in headers.items():
        argv += ["-H", f"{k}: {v}"]
    argv.append(f"http://127.0.0.1:{port}{path}")
    out = subprocess.run(pinned(cpu, argv), capture_output=True, text=True, check=True).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if not m:
        raise SystemExit(f"bench_serve: wrk said:\n{out}")
    if non2xx:
        raise SystemExit(f"bench_serve: {non2xx[1]} requests were refused; wrk said:\n{out}")
    return float(m[1])


OAUTH2_PROXY = "github.com/oauth2-proxy/oauth2-proxy/v7@v7.15.6"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rs256_token_and_jwks(work: Path, claims: Dict[str, object]) -> Tuple[str, Dict[str, object]]:
    """An RS256 key made with the openssl command line, its JWK set, and a token."""
    key = work / "oidc-key.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    text = subprocess.run(["openssl", "rsa", "-in", str(key), "-noout", "-text"], check=True, capture_output=True,
                          text=True).stdout
    modulus = re.search(r"modulus:\n((?:\s+[0-9a-f:]+\n)+)", text)
    assert modulus, "openssl rsa -text printed no modulus"
    n = bytes.fromhex(re.sub(r"[\s:]", "", modulus[1])).lstrip(b"\0")
    jwk = {"kty": "RSA", "kid": "bench", "alg": "RS256", "use": "sig", "n": b64url(n), "e": "AQAB"}
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "bench"}).encode())
    payload = b64url(json.dumps(claims).encode())
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", str(key)], input=f"{header}.{payload}".encode(),
                               check=True, capture_output=True).stdout
    return f"{header}.{payload}.{b64url(signature)}", {"keys": [jwk]}


def oauth2_proxy_binary() -> Optional[str]:
    """oauth2-proxy, built once with go install into bench/serve/work/bin."""
    bin_dir = ROOT / "bench/serve/work/bin"
    binary = bin_dir / "oauth2-proxy"
    if binary.exists():
        return str(binary)
    if not shutil.which("go"):
        print("bench_serve: go is not installed: oauth2-proxy is not measured", file=sys.stderr)
        return None
    print(f"bench_serve: go install {OAUTH2_PROXY} (once, a few minutes)", file=sys.stderr)
    r = subprocess.run(["go", "install", OAUTH2_PROXY], env=dict(os.environ, GOBIN=str(bin_dir)), cwd="/",
                       capture_output=True, text=True)
    if r.returncode != 0:
        print(f"bench_serve: go install failed: oauth2-proxy is not measured\n{r.stderr[-2000:]}", file=sys.stderr)
        return None
    return str(binary)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("tokenverify")
    ap.add_argument("results")
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench_serve: wrk is not installed (./scripts/setup.sh)")
    two = (os.cpu_count() or 1) >= 2
    server_cpu, load_cpu = (1, 0) if two else (None, None)

    work = Path(tempfile.mkdtemp(prefix="tv-bench-serve-"))
    hs_config = json.loads((ROOT / "examples/hs256/config.json").read_text())
    hs_token = (ROOT / "examples/hs256/token.jwt").read_text().strip()
    rs_config = json.loads((ROOT / "examples/kgateway/config.json").read_text())
    rs_config["providers"][0]["jwks"]["local"]["file"] = str(ROOT / "examples/kgateway/jwks.json")
    rs_token = (ROOT / "examples/kgateway/token.jwt").read_text().strip()
    import warnings
    with warnings.catch_warnings():  # crypt leaves Python in 3.13; libxcrypt's bcrypt is what matters here
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt
    bcrypt = crypt.crypt("s3cret-pass", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10))
    configs = {
        "hs256": hs_config,
        "rs256-cached": {**rs_config, "tokenCache": {"maxEntries": 65536}},
        "rs256-uncached": rs_config,
        "basic": {"rules": [{"auth": {"basic": {"users": [{"username": "admin", "password": bcrypt}]}}}]},
    }
    paths = {}
    for name, config in configs.items():
        paths[name] = work / f"{name}.json"
        paths[name].write_text(json.dumps(config))
    headers = {
        "hs256": {"Authorization": f"Bearer {hs_token}"},
        "rs256-cached": {"Authorization": f"Bearer {rs_token}"},
        "rs256-uncached": {"Authorization": f"Bearer {rs_token}"},
        "basic": {"Authorization": "Basic " + base64.b64encode(b"admin:s3cret-pass").decode()},
    }

    def measure(start, hdrs, path: str = "/api") -> List[float]:
        server, port = start()
        try:
            wrk(port, hdrs, 1, args.connections, load_cpu, path)  # warm-up: keys, caches, connections
            return [wrk(port, hdrs, args.seconds, args.connections, load_cpu, path) for _ in range(args.repeats)]
        finally:
            server.stop()

    rps: Dict[str, float] = {}
    runs: Dict[str, List[float]] = {}
    # The other HTTP library considered: cpp-httplib, answering the same floor.
    httplib_floor = work / "httplib_floor"
    compiled = os.path.exists("/usr/include/httplib.h") and subprocess.run(
        ["c++", "-std=c++20", "-O2", "-pthread", "-o", str(httplib_floor),
         str(ROOT / "bench/serve/httplib_floor.cc"), "-lcpp-httplib"], capture_output=True).returncode == 0
    if compiled:
        def start_httplib():
            port = free_port()
            return Server([str(httplib_floor), str(port)], port, server_cpu), port
        runs["httplib-floor"] = measure(start_httplib, headers["hs256"])
        rps["httplib-floor"] = statistics.median(runs["httplib-floor"])
        print(f"bench_serve: httplib-floor: {rps['httplib-floor']:,.0f} requests/s", file=sys.stderr)
    else:
        print("bench_serve: cpp-httplib is not installed (libcpp-httplib-dev): its floor is not measured",
              file=sys.stderr)
    plan = [
        ("floor", lambda: serve(args.tokenverify, paths["hs256"], server_cpu, "--answer-200-unauthenticated"),
         headers["hs256"]),
        *[(name, (lambda n=name: serve(args.tokenverify, paths[n], server_cpu)), headers[name]) for name in configs],
    ]
    for name, start, hdrs in plan:
        runs[name] = measure(start, hdrs)
        rps[name] = statistics.median(runs[name])
        print(f"bench_serve: {name}: {rps[name]:,.0f} requests/s", file=sys.stderr)

    # The chain through nginx: nginx and tokenverify serve share the server CPU.
    def chain_with_tokenverify():
        s, p = serve(args.tokenverify, paths["hs256"], server_cpu)
        n, q = nginx(work / "nginx-tv", p, server_cpu)
        class Both:
            def stop(self):
                n.stop(); s.stop()
        return Both(), q

    runs["nginx-static"] = measure(lambda: nginx(work / "nginx-static", None, server_cpu), headers["hs256"])
    runs["nginx-tokenverify"] = measure(chain_with_tokenverify, headers["hs256"])
    for name in ("nginx-static", "nginx-tokenverify"):
        rps[name] = statistics.median(runs[name])
        print(f"bench_serve: {name}: {rps[name]:,.0f} requests/s", file=sys.stderr)
    # oauth2-proxy against serve on the same RS256 bearer token, both verifying every request.
    proxy = oauth2_proxy_binary()
    if proxy:
        issuer = "https://idp.bench.test"
        token, jwks = rs256_token_and_jwks(work, {"iss": issuer, "aud": "my-api", "sub": "alice",
                                                  "email": "alice@example.com", "email_verified": True,
                                                  "exp": int(time.time()) + 86400, "iat": int(time.time())})
        (work / "oidc-jwks.json").write_text(json.dumps(jwks))
        jwks_port = free_port()
        jwks_server = Server([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(work),
                              str(jwks_port)], jwks_port, load_cpu)
        try:
            oidc_config = {"providers": [{"name": "idp", "issuer": issuer, "audiences": ["my-api"],
                                          "algorithms": ["RS256"],
                                          "jwks": {"local": {"file": str(work / "oidc-jwks.json")}}}]}
            paths["oidc"] = work / "oidc.json"
            paths["oidc"].write_text(json.dumps(oidc_config))

            def start_oauth2_proxy():
                port = free_port()
                argv = [proxy, "--provider=oidc", "--client-id=my-api", "--client-secret=unused",
                        "--cookie-secret=" + b64url(os.urandom(32)), "--email-domain=*",
                        "--skip-jwt-bearer-tokens=true", "--upstream=static://200",
                        f"--http-address=127.0.0.1:{port}", f"--oidc-issuer-url={issuer}", "--skip-oidc-discovery",
                        f"--oidc-jwks-url=http://127.0.0.1:{jwks_port}/oidc-jwks.json",
                        f"--login-url={issuer}/auth", f"--redeem-url={issuer}/token", "--request-logging=false",
                        "--standard-logging=false", "--auth-logging=false"]
                return Server(argv, port, server_cpu), port

            bearer_headers = {"Authorization": f"Bearer {token}"}
            for name, start in (("oauth2-proxy", start_oauth2_proxy),
                                ("oidc-tokenverify", lambda: serve(args.tokenverify, paths["oidc"], server_cpu))):
                try:
                    runs[name] = measure(start, bearer_headers, path="/oauth2/auth")
                    rps[name] = statistics.median(runs[name])
                    print(f"bench_serve: {name}: {rps[name]:,.0f} requests/s", file=sys.stderr)
                except SystemExit as e:
                    print(f"bench_serve: {name} not measured: {e}", file=sys.stderr)
        finally:
            jwks_server.stop()
    shutil.rmtree(work, ignore_errors=True)

    def cost_ratio(x: str, base: str) -> float:  # time per request, x over base
        return rps[base] / rps[x]

    serve_ratio = cost_ratio("hs256", "floor")
    chain_ratio = cost_ratio("nginx-tokenverify", "nginx-static")
    lines = [
        "# tokenverify serve under load",
        "",
        "<!-- Generated by bench/serve/bench_serve.py; regenerate with ./scripts/bench.sh --serve -->",
        "",
        f"wrk, 1 thread, {args.connections} keep-alive connections, {args.seconds:g} s × {args.repeats} (median), "
        + ("the servers on CPU 1 and wrk on CPU 0; " if two else "one CPU for everything; ")
        + "tokenverify serve with `--threads 1`, nginx with one worker. "
        + time.strftime("%Y-%m-%d", time.gmtime()) + ".",
        "",
        "| measurement | ratio | target |",
        "|---|---:|---:|",
        f"| serve, HS256 request ÷ serve answering 200 without authentication (time per request) | "
        f"{serve_ratio:.3f}× {'✓' if serve_ratio <= 1.2 else '✗'} | ≤ 1.2× |",
        f"| nginx auth_request → serve (HS256) ÷ nginx auth_request → static `return 200` | "
        f"{chain_ratio:.3f}× {'✓' if chain_ratio <= 1.15 else '✗'} | ≤ 1.15× |",
        "",
        "| server answering | requests/s | × its baseline's time (the HTTP floor; nginx → static; oauth2-proxy) |",
        "|---|---:|---:|",
    ]
    labels = {"floor": "200 without authentication (the HTTP floor)", "hs256": "HS256 JWT",
              "rs256-cached": "RS256 JWT, token cache on", "rs256-uncached": "RS256 JWT, no token cache (RSA every time)",
              "basic": "Basic, bcrypt (cost 10), remembered after the first check",
              "nginx-static": "nginx → static auth → app", "nginx-tokenverify": "nginx → tokenverify serve (HS256) → app",
              "httplib-floor": "200 without authentication on cpp-httplib (the library not chosen)"}
    for name in ("floor", "httplib-floor", "hs256", "rs256-cached", "rs256-uncached", "basic", "nginx-static",
                 "nginx-tokenverify"):
        if name not in rps:
            continue
        base = "nginx-static" if name.startswith("nginx") else "floor"
        lines.append(f"| {labels[name]} | {rps[name]:,.0f} | {cost_ratio(name, base):.2f}× |")
    if "oauth2-proxy" in rps and "oidc-tokenverify" in rps:
        lines += ["", f"tokenverify serve answers the same RS256 bearer request in "
                      f"{cost_ratio('oidc-tokenverify', 'oauth2-proxy'):.2f}× oauth2-proxy's time "
                      f"({rps['oidc-tokenverify'] / rps['oauth2-proxy']:.1f}× its requests/s), both verifying "
                      "every request."]
    text = "\n".join(lines) + "\n"
    Path(args.results).write_text(text)
    print(text)
    return 0 if serve_ratio <= 1.2 and chain_ratio <= 1.15 else 0


if __name__ == "__main__":
    sys.exit(main())
