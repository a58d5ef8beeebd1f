#!/usr/bin/env bash
# The Python package: install it into a virtual environment (build-py/venv,
# reused when present) with the pinned test requirements, then run the pytest
# suite in tests/python/. Called by scripts/test.sh; runs on its own too.
#
#   scripts/test_python.sh          pip install . and pytest, then PyJWT's own
#                                   suite against tokenverify.jwt (tests/pyjwt_suite)
#   scripts/test_python.sh --asan   the extension and library built with
#                                   -DTV_SANITIZE=ON in build-py/asan, imported
#                                   from the build tree under ASan + UBSan
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

if [[ "${1:-}" == "--asan" ]]; then
  dir="$TV_ROOT/build-py/asan"
  if [[ ! -f "$dir/build.ninja" ]]; then
    cmake -S "$TV_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTV_SANITIZE=ON \
      -DTV_BUILD_TESTS=OFF -DTV_BUILD_PYTHON=ON -DPython_EXECUTABLE="$venv/bin/python" \
      -Dpybind11_DIR="$("$venv/bin/python" -c 'import pybind11; print(pybind11.get_cmake_dir())')" >/dev/null
  fi
  ninja -C "$dir" -j "$TV_JOBS" _tokenverify >/dev/null || ninja -C "$dir" -j 1 _tokenverify
  # Python itself is not instrumented: the runtimes are preloaded, and leak
  # detection is off because the interpreter keeps objects until exit.
  # mypy is left to the plain run: it reads sources, it runs none of ours.
  LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)" \
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  PYTHONPATH="$dir/python" \
    "$venv/bin/python" -m pytest -x -q -p no:cacheprovider tests/python \
      --deselect tests/python/test_examples.py::test_mypy_strict_on_examples_and_package
  exit 0
fi

CMAKE_BUILD_PARALLEL_LEVEL="$TV_JOBS" "$venv/bin/pip" install -q --no-build-isolation . \
  || CMAKE_BUILD_PARALLEL_LEVEL=1 "$venv/bin/pip" install --no-build-isolation .  # again, showing the error
"$venv/bin/python" -m pytest -x -q -p no:cacheprovider tests/python
# PyJWT's own test suite (the pinned version's sdist, fetched once into
# build-py/pyjwt-suite/) with decoding routed to tokenverify.jwt: fails on any
# failure that tests/pyjwt_suite/expected_failures.txt does not list with its cause.
"$venv/bin/python" tests/pyjwt_suite/run.py --expected tests/pyjwt_suite/expected_failures.txt
