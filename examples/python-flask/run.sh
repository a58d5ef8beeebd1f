#!/usr/bin/env bash
# examples/python-flask/run.sh: install Flask and tokenverify into a venv
# (build-examples/python-flask/venv, git-ignored), serve app.py on 127.0.0.1 (ephemeral
# port, stops by itself) and send it three requests: the example token (200), a tampered
# token (401 with WWW-Authenticate) and the exempt health path (200). Exit code 0 when all
# three answer as expected.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="$ROOT/build-examples/python-flask"
PY="$WORK/venv/bin/python"
mkdir -p "$WORK"
[[ -x "$PY" ]] || python3 -m venv "$WORK/venv"
echo "==> installing tokenverify (pip install .) and Flask (log: ${WORK#"$ROOT"/}/pip.log)" >&2
"$PY" -m pip install --disable-pip-version-check -q "$ROOT" -r "$HERE/requirements.txt" >"$WORK/pip.log" 2>&1 ||
  { tail -20 "$WORK/pip.log" >&2; exit 1; }

cd "$HERE"
TOKEN="$(cat "$ROOT/examples/hs256/token.jwt")" timeout 60 "$PY" - <<'PY'
import logging, os, sys, threading, urllib.error, urllib.request

from werkzeug.serving import make_server

logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log in the output

from app import app

server = make_server("127.0.0.1", 0, app)  # 127.0.0.1, ephemeral port
port = server.server_port
thread = threading.Thread(target=server.serve_forever, daemon=True)
thread.start()


def get(path, token=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.headers, r.read().decode().strip()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode().strip()


token = os.environ["TOKEN"]
tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
failures = 0
for what, path, tok, want in [("valid token", "/hello", token, 200), ("tampered token", "/hello", tampered, 401),
                              ("health, no token", "/.well-known/health", None, 200)]:
    status, headers, body = get(path, tok)
    extra = f"  WWW-Authenticate: {headers['WWW-Authenticate']}" if status == 401 else ""
    print(f"{what:17} GET {path} -> {status} {body}{extra}")
    failures += status != want
server.shutdown()
thread.join(timeout=10)
print("OK" if not failures else f"FAILED: {failures} unexpected answer(s)")
sys.exit(1 if failures else 0)
PY
