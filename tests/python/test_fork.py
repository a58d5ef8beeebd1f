"""A verifier built before fork() keeps working in the child (pre-forking servers).

First the issue's own reproduction with os.fork(); then a real pre-forking server from
PyPI, gunicorn --preload, serving the WSGI middleware through a key rotation and a
shutdown. The JWK set is served from this process (tests/python/jwks_server.py); every
child is bounded in time and killed if it overruns, so a hang fails the test.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

import tokenverify
from jwks_server import JwksServer, server  # noqa: F401 - the fixture

ISSUER = "https://issuer.test"


def new_key(kid: str) -> Tuple[Any, Dict[str, Any]]:
    private = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(pyjwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
    jwk.update(kid=kid, alg="ES256", use="sig")
    return private, jwk


def token(private: Any, kid: str) -> str:
    payload = {"iss": ISSUER, "sub": "alice", "exp": int(time.time()) + 3600}
    return pyjwt.encode(payload, private, algorithm="ES256", headers={"kid": kid})


def remote_config(url: str) -> Dict[str, Any]:
    # cacheDuration 1 s: the child must see the rotation through its own schedule.
    return {"providers": [{"name": "idp", "issuer": ISSUER, "algorithms": ["ES256"],
                           "jwks": {"remote": {"url": url, "cacheDuration": "1s",
                                               "initialFetchWait": "5s", "requireInitialKeys": True}}}]}


def wait_child(pid: int, deadline_s: float) -> Optional[int]:
    """The child's exit code, or None when it had to be killed at the deadline."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None


def in_child(body: Callable[[], int], deadline_s: float,
             after_fork: Callable[[], None] = lambda: None) -> Optional[int]:
    """Runs body() in a forked child (its return value is the exit code) while the parent
    runs after_fork(); returns the child's exit code, None if it hung."""
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            signal.alarm(int(deadline_s) + 5)  # in case the parent is gone
            code = body()
        finally:
            os._exit(code)
    after_fork()
    return wait_child(pid, deadline_s)


def test_a_forked_child_sees_a_key_set_rotated_after_the_fork(server: JwksServer) -> None:  # noqa: F811
    old_private, old_jwk = new_key("old")
    new_private, new_jwk = new_key("new")
    server.keys = [old_jwk]
    verifier = tokenverify.Verifier(remote_config(server.url))
    assert verifier.verify(token(old_private, "old"))["sub"] == "alice"
    fresh = token(new_private, "new")

    def child() -> int:
        nonlocal verifier
        time.sleep(4)  # the issue's reproduction: verify after 4 s (4 refresh periods)
        try:
            verifier.verify(fresh)
        except tokenverify.TokenVerifyError as e:
            print("child: the new key's token was refused:", e.name, file=sys.stderr)
            return 1
        if verifier.stats()["providers"][0]["forkRestarts"] != 1:
            return 2
        started = time.monotonic()
        del verifier
        return 0 if time.monotonic() - started < 2 else 3

    def rotate() -> None:
        server.keys = [new_jwk]

    assert in_child(child, deadline_s=15, after_fork=rotate) == 0
    # The parent, untouched, rotates on its own refresher.
    deadline = time.monotonic() + 5
    while True:
        try:
            verifier.verify(fresh)
            break
        except tokenverify.TokenVerifyError:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert verifier.stats()["providers"][0]["forkRestarts"] == 0


def test_freeing_a_verifier_in_a_forked_child_returns(server: JwksServer) -> None:  # noqa: F811
    _, jwk = new_key("k")
    server.keys = [jwk]
    verifier = tokenverify.Verifier(remote_config(server.url))

    def child() -> int:
        nonlocal verifier
        del verifier  # never used in the child: its refresher was not restarted here
        return 0

    assert in_child(child, deadline_s=5) == 0


# ---------------------------------------------------------------- gunicorn --preload

APP = textwrap.dedent('''
    """The app gunicorn --preload imports once in its master, before forking workers."""
    import json
    import os

    import tokenverify
    from tokenverify.middleware import TokenVerifyWSGIMiddleware

    verifier = tokenverify.Verifier(json.loads(os.environ["TV_FORK_TEST_CONFIG"]))


    def inner(environ, start_response):
        if environ["PATH_INFO"] == "/stats":
            body = json.dumps({"pid": os.getpid(), "stats": verifier.stats()}).encode()
        else:
            body = json.dumps({"pid": os.getpid(), "sub": environ["tokenverify.claims"]["sub"]}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


    app = TokenVerifyWSGIMiddleware(inner, verifier, exempt_paths=["/stats"])
''')


def get(port: int, path: str, bearer: str = "") -> Tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path, headers={"Authorization": "Bearer " + bearer} if bearer else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def read_log(log: Path) -> str:
    return log.read_text(errors="replace") if log.exists() else ""


def listening_port(log: Path, proc: "subprocess.Popen[bytes]", deadline_s: float) -> int:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", read_log(log))
        if found:
            return int(found.group(1))
        assert proc.poll() is None, "gunicorn exited: " + read_log(log)
        time.sleep(0.05)
    raise AssertionError("gunicorn did not start listening: " + read_log(log))


def test_gunicorn_preload_workers_follow_a_rotation_and_exit(server: JwksServer, tmp_path: Path) -> None:  # noqa: F811
    old_private, old_jwk = new_key("old")
    new_private, new_jwk = new_key("new")
    server.keys = [old_jwk]
    (tmp_path / "fork_app.py").write_text(APP)
    log = tmp_path / "gunicorn.log"
    env = dict(os.environ, TV_FORK_TEST_CONFIG=json.dumps(remote_config(server.url)))
    # --preload: the app (and its verifier, with its refresher thread) is built in the
    # master; the workers are forked from it. Graceful timeout 30 s: a worker that hangs
    # on exit is killed only then, well after the bound asserted below.
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--preload", "--workers", "2", "--bind", "127.0.0.1:0",
         "--graceful-timeout", "30", "--no-control-socket", "--chdir", str(tmp_path),
         "--error-logfile", str(log), "fork_app:app"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker_pids: set[int] = set()
    try:
        port = listening_port(log, proc, 20)
        old, fresh = token(old_private, "old"), token(new_private, "new")
        status, body = get(port, "/", old)
        assert status == 200, body
        # Before the rotation the new key is unknown to every worker (each spends its one
        # early refresh here; the unknown-kid cooldown then leaves only the schedule).
        for _ in range(4):
            status, body = get(port, "/", fresh)
            assert status == 401, body

        server.keys = [new_jwk]
        deadline = time.monotonic() + 10
        accepted = 0
        while accepted < 6:  # several answers in a row, from whichever workers take them
            status, body = get(port, "/", fresh)
            if status == 200:
                accepted += 1
                worker_pids.add(json.loads(body)["pid"])
            else:
                accepted = 0
                assert time.monotonic() < deadline, "no worker accepted the new key: %d %r" % (status, body)
                time.sleep(0.1)
        for _ in range(4):
            status, body = get(port, "/stats")
            assert status == 200, body
            report = json.loads(body)
            worker_pids.add(report["pid"])
            assert report["pid"] != proc.pid
            assert report["stats"]["providers"][0]["forkRestarts"] == 1
    finally:
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    took = time.monotonic() - started
    # Workers free the verifier as the interpreter exits: that must not hang (it joined a
    # thread of the master's before), so the master is not left waiting for them.
    assert took < 10, "gunicorn took %.1f s to stop: %s" % (took, read_log(log))
    assert proc.returncode == 0, read_log(log)
    assert "was sent SIGKILL" not in read_log(log)
    for pid in worker_pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
