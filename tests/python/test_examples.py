"""The Python examples run and say what docs/python.md says, and mypy --strict
accepts them together with the package's own sources and stubs."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples/python"


@pytest.mark.parametrize("script,expected", [
    ("verify.py", ["sub: alice team: dev provider: es256", "tampered: TV_ERR_SIGNATURE_INVALID 300"]),
    ("migrate_from_pyjwt.py", ["sub: alice", "wrong audience: InvalidAudienceError TV_ERR_AUDIENCE_MISMATCH"]),
    ("verify_many.py", ["accepted: alice alg ES256", "accepted: alice alg EdDSA", "rejected: TV_ERR_ALG_NOT_ALLOWED",
                        "rejected: TV_ERR_MALFORMED_TOKEN"]),
])
def test_example_runs(script: str, expected: list[str], tmp_path: pathlib.Path) -> None:
    # From another directory: the examples must not depend on the working directory.
    run = subprocess.run([sys.executable, str(EXAMPLES / script)], cwd=tmp_path, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    for line in expected:
        assert line in run.stdout.splitlines()


def test_docs_snippets_run(tmp_path: pathlib.Path) -> None:
    """Every ```python block of docs/python.md runs (from the repository root)."""
    text = (ROOT / "docs/python.md").read_text()
    blocks = [b.split("```", 1)[0] for b in text.split("```python\n")[1:]]
    assert blocks, "docs/python.md has no python snippets"
    for i, block in enumerate(blocks):
        script = tmp_path / ("snippet%d.py" % i)
        script.write_text(block)
        run = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, "snippet %d failed:\n%s\n%s" % (i, block, run.stderr)


def test_mypy_strict_on_examples_and_package() -> None:
    from mypy import api as mypy

    # The examples, then the installed package itself (py.typed, with the
    # extension's hand-kept stubs), which -p finds where pip put it.
    for target in ([str(EXAMPLES)], ["-p", "tokenverify"]):
        stdout, stderr, status = mypy.run(["--strict", "--no-incremental", *target])
        assert status == 0, stdout + stderr
