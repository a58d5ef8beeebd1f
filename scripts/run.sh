#!/usr/bin/env bash
# The main job: build, verify every example token, print its claims and a
# throughput line.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TV_ROOT"

"$TV_ROOT/scripts/setup.sh"
echo "== building (Release) into build/"
tv_build build
cli="$TV_ROOT/build/tokenverify"
"$cli" version

for dir in examples/*/; do
  [[ -f "$dir/config.json" && -f "$dir/token.jwt" ]] || continue
  echo
  echo "== $dir: tokenverify verify --config ${dir}config.json < ${dir}token.jwt"
  "$cli" verify --config "${dir}config.json" < "${dir}token.jwt"
done

echo
echo "== throughput (one thread, one shared verifier)"
for dir in examples/*/; do
  [[ -f "$dir/config.json" && -f "$dir/token.jwt" ]] || continue
  "$cli" bench --config "${dir}config.json" --seconds 1 "$(< "${dir}token.jwt")"
done
