"""tokenverify serve on its own: each gateway dialect, the answers, /healthz and
/metrics, limits, reload on SIGHUP and the drain on SIGTERM."""

from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Dict

from conftest import TOKENVERIFY, Serve, Signer, basic, bearer, gateway_config, get, write_config


def metrics_of(serve: Serve) -> Dict[str, float]:
    status, _, body = get(serve.metrics_port, "/metrics")
    assert status == 200
    out = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def test_each_dialect_reads_the_original_request(serve_factory, jwks, key_a: Signer) -> None:
    serve = serve_factory(gateway_config(jwks.url))
    token = bearer(key_a.token())
    # Envoy / kgateway HTTP mode: the request's own method and path.
    assert get(serve.port, "/.well-known/jwks.json")[0] == 200
    assert get(serve.port, "/api")[0] == 401
    # nginx: X-Original-URI wins over the path the subrequest went to.
    assert get(serve.port, "/auth", {"X-Original-URI": "/.well-known/x"})[0] == 200
    assert get(serve.port, "/.well-known/x", {"X-Original-URI": "/api"})[0] == 401
    # Traefik, Caddy, APISIX: X-Forwarded-Uri (and -Method, -Host).
    assert get(serve.port, "/", {"X-Forwarded-Uri": "/.well-known/x", "X-Forwarded-Method": "GET"})[0] == 200
    assert get(serve.port, "/.well-known/x", {"X-Forwarded-Uri": "/admin"})[0] == 401
    assert get(serve.port, "/", {**token, "X-Forwarded-Uri": "/api?x=1"})[0] == 200


def test_envoy_path_prefix_is_removed(serve_factory, jwks) -> None:
    serve = serve_factory(gateway_config(jwks.url), "--dialect", "envoy", "--path-prefix", "/ext-authz")
    assert get(serve.port, "/ext-authz/.well-known/x")[0] == 200
    assert get(serve.port, "/ext-authz/api")[0] == 401
    # --dialect envoy ignores the other dialects' headers: a client cannot pick its path.
    assert get(serve.port, "/ext-authz/api", {"X-Forwarded-Uri": "/.well-known/x",
                                               "X-Original-URI": "/.well-known/x"})[0] == 401


def test_allowed_answer_carries_headers_for_the_gateway(serve_factory, jwks, key_a: Signer) -> None:
    serve = serve_factory(gateway_config(jwks.url))
    status, headers, body = get(serve.port, "/api", bearer(key_a.token()))
    assert (status, body) == (200, b"allowed\n")
    assert headers["x-team"] == "dev"
    assert headers["x-envoy-auth-headers-to-remove"] == "x-team, authorization"
    status, headers, _ = get(serve.port, "/admin", basic("admin", "admin-pass"))
    assert status == 200
    assert "x-team" not in headers


def test_denials_are_4xx_with_nothing_about_which_check_failed(serve_factory, jwks, key_a: Signer) -> None:
    serve = serve_factory(gateway_config(jwks.url))
    expired = get(serve.port, "/api", bearer(key_a.token(exp=1)))
    wrong_issuer = get(serve.port, "/api", bearer(key_a.token(iss="https://other.test")))
    for status, headers, body in (expired, wrong_issuer):
        assert (status, body) == (401, b"unauthorized\n")
        assert headers["www-authenticate"] == ('Bearer realm="tokenverify", error="invalid_token", '
                                               'error_description="the token is not valid"')
    # A credential given twice is a malformed request.
    status, _, _ = get(serve.port, "/api?access_token=x", {"Authorization": "Bearer a.b.c, Bearer d.e.f"})
    assert status in (400, 401)


def test_no_matching_host_is_403(serve_factory, jwks) -> None:
    config = gateway_config(jwks.url)
    config["rules"][0]["host"] = "app.test"
    serve = serve_factory(config)
    assert get(serve.port, "/.well-known/x", host="app.test")[0] == 200
    assert get(serve.port, "/.well-known/x", host="other.test")[0] == 403


def test_keys_unavailable_is_503_with_retry_after(serve_factory) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/jwks.json"  # nothing listens once closed
    config = gateway_config(dead, initialFetchWait="0s", requireInitialKeys=False)
    serve = serve_factory(config)
    signer = Signer("key-z")
    status, headers, _ = get(serve.port, "/api", bearer(signer.token()))
    assert status == 503
    assert headers["retry-after"] == "5"
    status, body = get(serve.metrics_port, "/healthz")[0::2]
    assert status == 503
    assert body == b"unhealthy: idp\n"


def test_metrics_count_answers_and_health(serve_factory, jwks, key_a: Signer) -> None:
    serve = serve_factory(gateway_config(jwks.url))
    get(serve.port, "/api", bearer(key_a.token()))
    get(serve.port, "/api", bearer(key_a.token()))
    get(serve.port, "/api")
    get(serve.port, "/admin", basic("admin", "admin-pass"))
    get(serve.port, "/api", bearer(key_a.token(exp=1)))
    get(serve.port, "/admin", basic("admin", "wrong"))
    m = metrics_of(serve)
    assert m['tokenverify_serve_denials_total{status="TV_ERR_CREDENTIAL_MISSING"}'] == 1
    assert m['tokenverify_serve_denials_total{status="TV_ERR_EXPIRED"}'] == 1
    assert m['tokenverify_serve_denials_total{status="TV_ERR_BAD_CREDENTIALS"}'] == 1
    assert m['tokenverify_serve_requests_total{code="200",decision="allow",method="jwt"}'] == 2
    assert m['tokenverify_serve_requests_total{code="401",decision="deny",method="jwt"}'] == 2
    assert m['tokenverify_serve_requests_total{code="200",decision="allow",method="basic"}'] == 1
    assert m['tokenverify_serve_decision_seconds_count'] == 6
    assert m['tokenverify_serve_decision_seconds_bucket{le="+Inf"}'] == 6
    assert m['tokenverify_provider_healthy{provider="idp"}'] == 1
    assert m['tokenverify_provider_keys{provider="idp"}'] == 1
    assert get(serve.metrics_port, "/healthz")[0::2] == (200, b"ok\n")
    assert get(serve.metrics_port, "/other")[0] == 404


def test_oversized_headers_and_bodies_are_refused(serve_factory, jwks) -> None:
    serve = serve_factory(gateway_config(jwks.url), "--max-header-bytes", "4096", "--max-body-bytes", "100")
    assert get(serve.port, "/api", {"X-Big": "a" * 8000})[0] == 431
    status, _, _ = get(serve.port, "/.well-known/x", {"Content-Type": "text/plain"}, method="POST")
    assert status == 200
    conn = http.client.HTTPConnection("127.0.0.1", serve.port, timeout=10)
    conn.request("POST", "/.well-known/x", body=b"x" * 1000, headers={"Host": "app.test"})
    assert conn.getresponse().status == 413
    conn.close()


def test_slow_clients_are_cut_off(serve_factory, jwks) -> None:
    serve = serve_factory(gateway_config(jwks.url), "--timeout", "1")
    with socket.create_connection(("127.0.0.1", serve.port), timeout=10) as s:
        s.sendall(b"GET /api HTTP/1.1\r\nHost: app.test\r\n")  # and nothing more
        start = time.monotonic()
        assert s.recv(100) == b""  # closed by the server
        assert time.monotonic() - start < 5


def test_sighup_reloads_and_a_bad_configuration_keeps_the_old_one(tmp_path: Path, jwks, key_a: Signer) -> None:
    config = gateway_config(jwks.url)
    path = write_config(tmp_path / "config.json", config)
    serve = Serve(path)
    try:
        assert get(serve.port, "/api")[0] == 401
        config["rules"][0]["paths"].append({"path": "/api", "auth": {"enabled": False}})
        write_config(path, config)
        serve.signal(signal.SIGHUP)
        serve.wait_for_line(r"reloaded")
        assert get(serve.port, "/api")[0] == 200
        path.write_text('{"providers": [{"name": 1}]}')
        serve.signal(signal.SIGHUP)
        serve.wait_for_line(r"reload failed, the previous configuration stays: .*TV_ERR_CONFIG")
        assert get(serve.port, "/api")[0] == 200
        m = metrics_of(serve)
        assert m['tokenverify_serve_reloads_total{result="ok"}'] == 1
        assert m['tokenverify_serve_reloads_total{result="failed"}'] == 1
    finally:
        assert serve.stop() == 0
    assert "stopped" in serve.output()


def test_bad_configuration_and_busy_port_exit_3(tmp_path: Path, serve_factory, jwks) -> None:
    bad = write_config(tmp_path / "bad.json", {"rules": []})
    r = subprocess.run([str(TOKENVERIFY), "serve", "--config", str(bad), "--listen", "127.0.0.1:0"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 3
    assert "TV_ERR_CONFIG rules" in r.stderr
    serve = serve_factory(gateway_config(jwks.url))
    good = write_config(tmp_path / "good.json", gateway_config(jwks.url))
    r = subprocess.run([str(TOKENVERIFY), "serve", "--config", str(good), "--listen", f"127.0.0.1:{serve.port}"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 3
    assert f"cannot listen on 127.0.0.1:{serve.port}: Address already in use" in r.stderr
    r = subprocess.run([str(TOKENVERIFY), "serve", "--config", str(good), "--listen", "nowhere"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 3
    assert '"nowhere" is not host:port' in r.stderr
    r = subprocess.run([str(TOKENVERIFY), "serve", "--config", str(good), "--dialect", "apache"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 2
    assert "--dialect wants auto, forwarded, nginx or envoy" in r.stderr


def test_new_connections_beyond_the_rate_are_closed(serve_factory, jwks) -> None:
    serve = serve_factory(gateway_config(jwks.url), "--new-connections-per-second", "3")
    answered = refused = 0
    for _ in range(12):  # far faster than 3 per second: the burst allows 3
        try:
            status = get(serve.port, "/.well-known/x")[0]
            assert status == 200
            answered += 1
        except (OSError, http.client.HTTPException):
            refused += 1
    assert 3 <= answered <= 6, (answered, refused)
    assert refused == 12 - answered
    time.sleep(1.2)  # the bucket refills
    assert get(serve.port, "/.well-known/x")[0] == 200
