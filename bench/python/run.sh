#!/usr/bin/env bash
# bench/python/run.sh: the Python package against PyJWT, the C ABI and the raw OpenSSL
# check, per call, in one run. `./scripts/bench.sh --python` calls this; it also runs on its own:
#
#   bench/python/run.sh [--seconds S] [--repeats N] [--batch B] [--quick] [--no-install]
#
#   --seconds S    timed budget of one repeat of one candidate (default 0.5)
#   --repeats N    repeats per candidate; the median counts (default 5)
#   --batch B      tokens per verify_many batch (default 256)
#   --quick        --seconds 0.1 --repeats 1: a smoke test, not a measurement
#   --no-install   reuse the tokenverify already installed in the venv
#
# Environment: PYBENCH_WORK (venv, token set, logs; default build-py-bench, git-ignored),
# PYBENCH_RESULTS_DIR (default bench/results). Writes python.md (also printed) and
# python.jsonl there. The venv is created once; PyJWT and cryptography are reinstalled
# only when bench/python/requirements.txt changes; tokenverify is reinstalled from the
# working tree on every run (incremental: scikit-build-core keeps its build directory).
# The C figures come from bench/peers/tokenverify_driver.c, compiled against the library
# of that same build (build/py-*) and run on the same token set.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="${PYBENCH_WORK:-$ROOT/build-py-bench}"
RESULTS_DIR="${PYBENCH_RESULTS_DIR:-$ROOT/bench/results}"
ARGS=()
INSTALL=1
COMMAND="./scripts/bench.sh --python${*:+ $*}"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }

while (($#)); do
  case "$1" in
    --python) ;;  # as passed on by scripts/bench.sh
    --seconds | --repeats | --batch) ARGS+=("$1" "${2:?$1 needs a value}"); shift ;;
    --seconds=* | --repeats=* | --batch=*) ARGS+=("$1") ;;
    --quick) ARGS+=(--seconds 0.1 --repeats 1) ;;
    --no-install) INSTALL=0 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

LOGS="$WORK/logs"
VENV="$WORK/venv"
PY="$VENV/bin/python"
mkdir -p "$LOGS" "$RESULTS_DIR"

if [[ ! -x "$PY" ]]; then
  say "creating the venv in ${VENV#"$ROOT"/}"
  python3 -m venv "$VENV" >"$LOGS/venv.log" 2>&1 || die "python3 -m venv failed; see $LOGS/venv.log"
fi
REQ="$HERE/requirements.txt"
STAMP="$WORK/.stamp-requirements"
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$(sha256sum <"$REQ")" ]]; then
  say "installing PyJWT and cryptography"
  "$PY" -m pip install --disable-pip-version-check -q -r "$REQ" >"$LOGS/pip-requirements.log" 2>&1 ||
    die "pip install -r bench/python/requirements.txt failed; see $LOGS/pip-requirements.log"
  sha256sum <"$REQ" >"$STAMP"
fi
if ((INSTALL)) || ! "$PY" -c 'import tokenverify' 2>/dev/null; then
  say "installing tokenverify from the working tree (pip install .)"
  "$PY" -m pip install --disable-pip-version-check -q "$ROOT" >"$LOGS/pip-tokenverify.log" 2>&1 ||
    die "pip install . failed; see $LOGS/pip-tokenverify.log"
fi

say "generating keys and tokens"
rm -rf "$WORK/tokens"
"$PY" "$ROOT/bench/peers/make_tokens.py" "$WORK/tokens" >&2 || die "make_tokens.py failed"

# The C ABI and raw OpenSSL from C, for the same tokens, with the same budget.
C_RESULTS="$WORK/c-driver.jsonl"
rm -f "$C_RESULTS"
SECONDS_ARG=0.5 REPEATS_ARG=5
for ((i = 0; i < ${#ARGS[@]}; i++)); do
  case "${ARGS[i]}" in
    --seconds) SECONDS_ARG="${ARGS[i + 1]}" ;;
    --seconds=*) SECONDS_ARG="${ARGS[i]#*=}" ;;
    --repeats) REPEATS_ARG="${ARGS[i + 1]}" ;;
    --repeats=*) REPEATS_ARG="${ARGS[i]#*=}" ;;
  esac
done
PKG_BUILD="$(ls -d "$ROOT"/build/py-*/ 2>/dev/null | head -1)"
if [[ -n "$PKG_BUILD" && -f "$PKG_BUILD/libtokenverify.so" ]]; then
  say "building and running the C driver against ${PKG_BUILD#"$ROOT"/}"
  if cc -std=c11 -O2 -Wall -Wextra -o "$WORK/tokenverify_driver" "$ROOT/bench/peers/tokenverify_driver.c" \
    -I"$ROOT/bindings/c/include" -I"$PKG_BUILD/generated/include" -L"$PKG_BUILD" -ltokenverify -lcrypto \
    -Wl,-rpath,"$PKG_BUILD" >"$LOGS/c-driver.build.log" 2>&1; then
    "$WORK/tokenverify_driver" "$WORK/tokens" "$SECONDS_ARG" "$REPEATS_ARG" >"$C_RESULTS" 2>"$LOGS/c-driver.log" ||
      say "the C driver failed; see $LOGS/c-driver.log (the C columns will say n/a)"
  else
    say "building the C driver failed; see $LOGS/c-driver.build.log (the C columns will say n/a)"
  fi
else
  say "no package build directory (build/py-*) with libtokenverify.so: the C columns will say n/a"
fi

say "timing the Python candidates (figures go to stderr as they come; the table follows)"
"$PY" "$HERE/bench.py" "$WORK/tokens" "${ARGS[@]}" --c-results "$C_RESULTS" --command "$COMMAND" \
  --out-md "$RESULTS_DIR/python.md" --out-jsonl "$RESULTS_DIR/python.jsonl"
say "table written to ${RESULTS_DIR#"$ROOT"/}/python.md, raw figures in python.jsonl"
