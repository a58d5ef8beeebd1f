#!/usr/bin/env bash
# Runs the README's C example on the kgateway key set and token and checks its output.
set -euo pipefail
out=$("$1" "$(cat "$2/jwks.json")" "$(cat "$2/token.jwt")")
echo "$out"
[[ "$out" == "verified: team=dev exp=2074274884" ]]
