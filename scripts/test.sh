#!/usr/bin/env bash
# Every suite: the formatting check, then unit, standard vectors, allocation, C ABI (dlopen from C11),
# exported symbols and the CLI; first in Release, then the Python package
# (scripts/test_python.sh), each runtime's binding (scripts/test_bindings.sh) and
# the forward-auth server behind real gateways (scripts/test_serve.sh),
# then the C++ suites again under
# AddressSanitizer + UndefinedBehaviorSanitizer; then the concurrency tests
# under ThreadSanitizer and every fuzzer for a short budget (TV_FUZZ_SECONDS
# each, default 20; scripts/fuzz.sh). Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TV_ROOT"

"$TV_ROOT/scripts/setup.sh"

# The key-set tests talk to servers on 127.0.0.1: never through a proxy.
export no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}" NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
export TOKENVERIFY_VECTORS="${TOKENVERIFY_VECTORS:-$TV_ROOT/../shared/vectors}"
if [[ ! -d "$TOKENVERIFY_VECTORS" ]]; then
  echo "test: the standard vectors are missing: $TOKENVERIFY_VECTORS (set TOKENVERIFY_VECTORS)" >&2
  exit 1
fi

echo "== Formatting (scripts/format.sh --check)"
"$TV_ROOT/scripts/format.sh" --check

echo "== Release build"
tv_build build
ctest --test-dir build --output-on-failure -j "$TV_JOBS"

echo "== Python package (pip install . into build-py/venv, pytest tests/python)"
"$TV_ROOT/scripts/test_python.sh"

echo "== Bindings: Go, Rust, Node.js, Java over the library just built (scripts/test_bindings.sh)"
"$TV_ROOT/scripts/test_bindings.sh" build

echo "== tokenverify serve behind nginx, Caddy and HAProxy (scripts/test_serve.sh)"
"$TV_ROOT/scripts/test_serve.sh" build

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
tv_build build-asan -DTV_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
# The fork suite runs alone, after the others, so that no other suite's load
# stretches its children's deadlines. Its tests fork only while the parent's
# threads are at rest: GCC 12's ASan runtime has no fork() handler (see
# QuietForFork in tests/integration/fork_test.cc).
asan_env=(ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1)
env "${asan_env[@]}" ctest --test-dir build-asan --output-on-failure -j "$TV_JOBS" -E '^fork$'
env "${asan_env[@]}" ctest --test-dir build-asan --output-on-failure -R '^fork$'
echo "== AddressSanitizer + UndefinedBehaviorSanitizer: tokenverify serve (a leak fails its exit status)"
env "${asan_env[@]}" "$TV_ROOT/scripts/test_serve.sh" build-asan
echo "== AddressSanitizer + UndefinedBehaviorSanitizer: the Python extension"
"$TV_ROOT/scripts/test_python.sh" --asan

echo "== ThreadSanitizer build: concurrency tests"
# Only the unit and integration test binaries are built here; ctest runs the
# tests labelled `concurrency` (tests/unit/concurrency_test.cc, the snapshot
# cell, key rotation under load). A report fails the run.
if [[ ! -f build-tsan/build.ninja ]]; then
  cmake -S "$TV_ROOT" -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTV_TSAN=ON >/dev/null
fi
tsan_targets=(tv_unit_tests tv_integration_tests)
ninja -C build-tsan -j "$TV_JOBS" "${tsan_targets[@]}" >/dev/null || ninja -C build-tsan -j 1 "${tsan_targets[@]}"
tsan_options="halt_on_error=1:second_deadlock_stack=1"
[[ -f "$TV_ROOT/tests/tsan.supp" ]] && tsan_options+=":suppressions=$TV_ROOT/tests/tsan.supp"
TSAN_OPTIONS="$tsan_options" ctest --test-dir build-tsan -L concurrency --output-on-failure

echo "== Fuzzers: each target for ${TV_FUZZ_SECONDS:-20} s (clang, ASan+UBSan)"
"$TV_ROOT/scripts/fuzz.sh" "${TV_FUZZ_SECONDS:-20}"

echo "== all suites passed"
