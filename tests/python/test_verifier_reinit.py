"""Verifier.__init__ called a second time, while other threads verify with the same
object: it is refused, and the verifying threads never notice. Run in a subprocess, so
a crash (the engine object freed under the verifying threads) fails this test instead
of killing pytest."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import Callable

import pytest

import tokenverify
from conftest import SECRET

CONFIG = {"providers": [{"name": "a", "issuer": "https://issuer.test", "secret": SECRET}]}


def test_second_init_is_refused_and_changes_nothing(make_token: Callable[..., str]) -> None:
    verifier = tokenverify.Verifier(CONFIG)
    other = {"providers": [{"name": "b", "issuer": "https://other.test", "secret": SECRET + "-other"}]}
    with pytest.raises(RuntimeError, match="already called"):
        verifier.__init__(other)  # type: ignore[misc]
    assert verifier.config == CONFIG
    assert verifier.verify(make_token(aud=None)).provider == "a"


SCRIPT = textwrap.dedent("""
    import sys, threading, time
    sys.path.insert(0, sys.argv[1])
    import jwt as pyjwt
    import tokenverify

    secret = sys.argv[2]
    config = {"providers": [{"name": "a", "issuer": "https://issuer.test", "secret": secret}]}
    token = pyjwt.encode({"iss": "https://issuer.test", "sub": "alice"}, secret, algorithm="HS256")
    verifier = tokenverify.Verifier(config)
    stop = threading.Event()
    verified = [0] * 4
    failures = []

    def verify(i):
        while not stop.is_set():
            try:
                assert verifier.verify(token)["sub"] == "alice"
                verified[i] += 1
            except Exception as e:  # reported below; the test expects none
                failures.append(repr(e))
                return

    threads = [threading.Thread(target=verify, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    refused = 0
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        try:
            verifier.__init__(config)
        except RuntimeError:
            refused += 1
    stop.set()
    for t in threads:
        t.join(timeout=10)
    print("refused", refused > 0, "verified", all(verified), "failures", failures)
""")


def test_reinit_while_threads_verify_does_not_crash() -> None:
    package_dir = os.path.dirname(os.path.dirname(tokenverify.__file__))
    run = subprocess.run([sys.executable, "-c", SCRIPT, package_dir, SECRET], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, (run.returncode, run.stderr[-2000:])
    assert run.stdout.strip() == "refused True verified True failures []"
