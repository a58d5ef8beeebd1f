#!/usr/bin/env bash
# check.sh CLI: runs the README's request-authentication commands on the
# configurations in this folder and checks each exit code and decision (ctest
# runs it as request_examples). Run from the repository root.
set -euo pipefail
cli=$1
token=$(<examples/kgateway/token.jwt)
failures=0

# expect WANT_EXIT WANT_TEXT ARGS...: runs `tokenverify authenticate ARGS...`.
expect() {
  local want_rc=$1 want=$2 rc=0 out
  shift 2
  out=$("$cli" authenticate "$@" 2>&1) || rc=$?
  if [[ $rc != "$want_rc" || $out != *"$want"* ]]; then
    echo "FAIL authenticate $*: exit $rc (want $want_rc), output: $out"
    failures=$((failures + 1))
  fi
}

basic() { printf 'Authorization: Basic %s' "$(printf '%s' "$1" | base64 -w0)"; }

# go-zoox ingress: path-level rules
c=examples/requests/ingress.json
expect 0 '"principal":"default"' --config $c --host example.com -H "$(basic default:default123)" /
expect 0 '"principal":"admin"' --config $c --host example.com -H "$(basic admin:admin-pass)" /admin/users
expect 0 '"principal":"superadmin"' --config $c --host example.com -H "$(basic superadmin:super-pass)" /admin
expect 16 'Basic realm=\"admin\", charset=\"UTF-8\"' --config $c --host example.com -H "$(basic default:default123)" /admin
expect 0 '"principal":"ci"' --config $c --host example.com -H 'Authorization: Bearer ci-token' /api/builds
expect 0 '"setHeaders":[["x-team","dev"]]' --config $c --host example.com --now 1800000000 -H "x-jwt: Bearer $token" /jwt
expect 0 '"principal":"acme"' --config $c --host example.com -H 'X-Api-Key: acme-key-1' /keys
expect 0 '"method":"none"' --config $c --host example.com /.well-known/openid-configuration
expect 16 '"httpStatus":403' --config $c --host other.example /

# GoFr: X-Api-Key, /.well-known/ open
c=examples/requests/gofr.json
expect 0 '"principal":"orders-service"' --config $c -H 'X-Api-Key: 9221e451-451f-4cd6-a23d-2b2d3adea9cf' /orders
expect 0 '"principal":"billing"' --config $c -H 'X-Api-Key: billing-key-2' /orders
expect 16 '"status":"TV_ERR_UNKNOWN_KEY"' --config $c -H 'X-Api-Key: guess' /orders
expect 0 '"method":"none"' --config $c /.well-known/health

# kgateway: x-jwt, claimsToHeaders, forwardToken false, Strict
c=examples/requests/kgateway.json
expect 0 '"removeHeaders":["x-team","x-org","x-jwt"]' --config $c --now 1800000000 -H "x-jwt: Bearer $token" /api
expect 16 '"status":"TV_ERR_CREDENTIAL_MISSING"' --config $c -H "Authorization: Bearer $token" /api

# AuthGate: its own client's signature
c=examples/requests/authgate.json
signed=(--config $c --now 1700000100 --method POST --data '{"client":"svc"}'
        -H 'X-Signature: 408208fe7de43b470cc550ed87f190bf9cd838ba16650e2292285f4f75d8fc82'
        -H 'X-Timestamp: 1700000000' -H 'X-Nonce: 5f1c0e0a-2f7e-4d6b-9b1a-0c9f6b2b7d11')
expect 0 '"principal":"billing"' "${signed[@]}" '/api/v1/tokens?scope=read'
expect 16 '"status":"TV_ERR_REQUEST_SIGNATURE_INVALID"' "${signed[@]}" '/api/v1/tokens?scope=write'

if ((failures)); then
  echo "request examples: $failures FAILED"
  exit 1
fi
echo "request examples: all passed"
