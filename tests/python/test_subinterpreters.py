"""Sub-interpreters (mod_wsgi's default): `import tokenverify` there raises ImportError
at once, naming the way out, instead of deadlocking the process in module init. Run in
a subprocess with a timeout, so a hang fails the test instead of hanging pytest."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import tokenverify

EXPECTED = ("ImportError: tokenverify cannot be imported in a sub-interpreter; import it in the main "
            "interpreter (mod_wsgi: WSGIApplicationGroup %{GLOBAL})")

# Runs in the sub-interpreter: prints the outcome of the import.
IN_SUBINTERPRETER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {package_dir!r})
    try:
        import tokenverify
        print("imported", flush=True)
    except ImportError as e:
        print("ImportError:", e, flush=True)
""")

SCRIPT = textwrap.dedent("""
    import sys
    try:
        import _interpreters as interpreters  # Python 3.13+
    except ImportError:
        import _xxsubinterpreters as interpreters
    code = sys.argv[1]
    sys.path.insert(0, sys.argv[3])
    if sys.argv[2] == "main-first":
        import tokenverify
        print("main:", tokenverify.Verifier is not None, flush=True)
    interpreters.run_string(interpreters.create(), code)
    print("main still works:", __import__("tokenverify").base64url_implementation() != "", flush=True)
""")


def has_subinterpreters() -> bool:
    for name in ("_interpreters", "_xxsubinterpreters"):
        try:
            __import__(name)
            return True
        except ImportError:
            continue
    return False


@pytest.mark.parametrize("order", ["sub-first", "main-first"])
def test_import_in_a_subinterpreter_fails_at_once(order: str) -> None:
    # CPython has had these private modules since 3.8; every supported version has one.
    assert has_subinterpreters()
    package_dir = os.path.dirname(os.path.dirname(tokenverify.__file__))
    code = IN_SUBINTERPRETER.format(package_dir=package_dir)
    run = subprocess.run([sys.executable, "-c", SCRIPT, code, order, package_dir], capture_output=True, text=True,
                         timeout=30)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.splitlines()
    expected = [EXPECTED, "main still works: True"]
    if order == "main-first":
        expected.insert(0, "main: True")
    assert lines == expected
