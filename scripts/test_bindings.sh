#!/usr/bin/env bash
# The runtime packages over the C ABI (bindings/<lang>/), each in its own test
# runner, against the library of BUILD (default build/, which scripts/test.sh has
# just built):
#
#   scripts/test_bindings.sh [BUILD] [LANG...]     LANG: the names in TV_BINDINGS
#
# Each bindings/<lang>/test.sh BUILD builds its package, runs its tests and its
# example. A toolchain that is missing fails the run: a binding is never skipped.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Every binding this tree has, in the order they run.
TV_BINDINGS=(go rust node java)

build="$(cd "${1:-$TV_ROOT/build}" && pwd)"
shift || true
wanted=("$@")
((${#wanted[@]})) || wanted=("${TV_BINDINGS[@]}")

if [[ ! -f "$build/libtokenverify.so" ]]; then
  echo "test_bindings: $build/libtokenverify.so is missing (build the engine first)" >&2
  exit 1
fi
tv_toolchain_path  # Go, cargo and a JDK with the FFM API may live outside the default PATH

for lang in "${wanted[@]}"; do
  script="$TV_ROOT/bindings/$lang/test.sh"
  if [[ ! -f "$script" ]]; then
    echo "test_bindings: no binding named '$lang' (bindings/$lang/test.sh)" >&2
    exit 1
  fi
  echo "== Binding: $lang (bindings/$lang/test.sh)"
  bash "$script" "$build"
done
