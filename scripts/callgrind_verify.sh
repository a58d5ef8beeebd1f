#!/usr/bin/env bash
# Instructions per verification of one token, counted by callgrind: stable on
# a shared machine where times drift, so it compares two versions of the
# verify path exactly. Builds the Release library (build/) if needed.
#
#   scripts/callgrind_verify.sh [CONFIG TOKEN]   default: examples/hs256
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TV_ROOT"

config="${1:-examples/hs256/config.json}"
token="${2:-examples/hs256/token.jwt}"
command -v valgrind >/dev/null || { echo "callgrind_verify: valgrind is not installed" >&2; exit 1; }
tv_build build
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cc -O2 -std=c11 -I bindings/c/include -I build/generated/include bench/callgrind/verify_loop.c \
  -o "$work/verify_loop" -L build -ltokenverify -Wl,-rpath,"$TV_ROOT/build"

# Total instructions of a whole run with N verifications.
instructions() {
  valgrind --tool=callgrind --callgrind-out-file="$work/out.$1" "$work/verify_loop" "$config" "$token" "$1" \
    2>"$work/log.$1" || { cat "$work/log.$1" >&2; exit 1; }
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/log.$1"
}
n=1000
one="$(instructions "$n")"
two="$(instructions "$((2 * n))")"
echo "instructions per verification: $(((two - one) / n))  ($config, $token)"
