#!/usr/bin/env bash
# Every suite: unit, standard vectors, allocation, C ABI (dlopen from C11),
# exported symbols and the CLI; first in Release, then again under
# AddressSanitizer + UndefinedBehaviorSanitizer. Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TV_ROOT"

"$TV_ROOT/scripts/setup.sh"

export TOKENVERIFY_VECTORS="${TOKENVERIFY_VECTORS:-$TV_ROOT/../shared/vectors}"
if [[ ! -d "$TOKENVERIFY_VECTORS" ]]; then
  echo "test: the standard vectors are missing: $TOKENVERIFY_VECTORS (set TOKENVERIFY_VECTORS)" >&2
  exit 1
fi

echo "== Release build"
tv_build build
ctest --test-dir build --output-on-failure -j "$TV_JOBS"

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
tv_build build-asan -DTV_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$TV_JOBS"

echo "== all suites passed"
