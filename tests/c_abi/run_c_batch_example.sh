#!/usr/bin/env bash
# Runs the README's batch example on the hs256 example and checks its output:
# one line per token, in input order.
set -euo pipefail
token=$(<"$2/token.jwt")
out=$(printf '%s\nnot-a-token\n%s\n' "$token" "$token" | "$1" "$(cat "$2/config.json")")
echo "$out"
[[ "$out" == $'0 TV_OK sub=alice\n1 TV_ERR_MALFORMED_TOKEN\n2 TV_OK sub=alice' ]]
