#!/usr/bin/env bash
# tokenverify serve end to end: the server alone, then behind real nginx
# (auth_request) and Caddy (forward_auth) from Debian's packages, on 127.0.0.1
# (tests/serve/). Uses the tokenverify binary of BUILD (default build/) and the
# Python environment of scripts/test_python.sh (build-py/venv: pytest, PyJWT,
# cryptography), creating it if needed.
#
#   scripts/test_serve.sh [BUILD]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TV_ROOT"

build="$(cd "${1:-$TV_ROOT/build}" && pwd)"
[[ -x "$build/tokenverify" ]] || { echo "test_serve: $build/tokenverify is missing (build the project first)" >&2; exit 1; }
venv="$TV_ROOT/build-py/venv"
if [[ ! -x "$venv/bin/python" ]]; then
  "${PYTHON:-python3}" -m venv "$venv"
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/pip" install -q -r tests/python/requirements.txt
fi
export no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}" NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
TV_BUILD_DIR="$build" "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/serve
