#!/usr/bin/env bash
# The Python package: install it into a virtual environment (build-py/venv,
# reused when present) with the pinned test requirements, then run the pytest
# suite in tests/python/. Called by scripts/test.sh; runs on its own too.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TV_ROOT"

export TOKENVERIFY_VECTORS="${TOKENVERIFY_VECTORS:-$TV_ROOT/../shared/vectors}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
venv="$TV_ROOT/build-py/venv"
if [[ ! -x "$venv/bin/python" ]]; then
  "${PYTHON:-python3}" -m venv "$venv"
fi
# The build backend is pinned with the test requirements and used without build
# isolation, so a rerun neither downloads it again nor rebuilds from scratch
# (the CMake build folder build/py-<tag>/ persists).
"$venv/bin/pip" install -q -r tests/python/requirements.txt
CMAKE_BUILD_PARALLEL_LEVEL="$TV_JOBS" "$venv/bin/pip" install -q --no-build-isolation . \
  || CMAKE_BUILD_PARALLEL_LEVEL=1 "$venv/bin/pip" install --no-build-isolation .  # again, showing the error
"$venv/bin/python" -m pytest -x -q -p no:cacheprovider tests/python
