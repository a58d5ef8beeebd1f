#!/usr/bin/env bash
# cli_test.sh CLI EXAMPLES_DIR: the `tokenverify` command end to end.
#
# Exit codes and the first word of stderr are the tool's interface to scripts,
# so every check asserts the exact code and status name. The clock is pinned
# with --now so that the answers do not depend on the date. Only bash,
# coreutils, grep, and redis-server/redis-cli for revoke are used.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 PATH/TO/tokenverify EXAMPLES_DIR" >&2
  exit 2
fi
cli=$(realpath "$1")
examples=$(realpath "$2")
# The example configurations name their key files relative to the repository
# root ("examples/kgateway/jwks.json"), as the documented commands do.
cd "$(dirname "$examples")"
[[ $(basename "$examples") == examples ]] || { echo "EXAMPLES_DIR must be named examples" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now=(--now 1800000000)
failures=0

kg_config=examples/kgateway/config.json
kg_token=$(<examples/kgateway/token.jwt)
# One signature character changed, mid-signature so that all its bits count.
kg_sig=${kg_token##*.}
if [[ ${kg_sig:10:1} == A ]]; then swap=B; else swap=A; fi
kg_tampered="${kg_token%.*}.${kg_sig:0:10}${swap}${kg_sig:11}"

# run ARGS...: runs the CLI with stdin from $stdin (default: empty), leaving
# $out, $err and $rc for check.
stdin=/dev/null
run() {
  rc=0
  "$cli" "$@" <"$stdin" >"$tmp/out" 2>"$tmp/err" || rc=$?
  out=$(<"$tmp/out")
  err=$(<"$tmp/err")
  stdin=/dev/null
}

# check NAME WANT_RC [--out-has S] [--out-starts S] [--err-starts S] [--err-has S]
check() {
  local name=$1 want=$2 why=""
  shift 2
  [[ $rc == "$want" ]] || why+=" exit $rc, want $want;"
  while (($#)); do
    case $1 in
      --out-has) [[ $out == *"$2"* ]] || why+=" stdout lacks '$2';" ;;
      --out-starts) [[ $out == "$2"* ]] || why+=" stdout does not start with '$2';" ;;
      --err-starts) [[ $err == "$2"* ]] || why+=" stderr does not start with '$2';" ;;
      --err-has) [[ $err == *"$2"* ]] || why+=" stderr lacks '$2';" ;;
      --out-lacks) [[ $out != *"$2"* ]] || why+=" stdout has '$2';" ;;
      --err-lacks) [[ $err != *"$2"* ]] || why+=" stderr has '$2';" ;;
      *) echo "check: bad option $1" >&2; exit 2 ;;
    esac
    shift 2
  done
  report "$name" "$why"
}

# report NAME WHY: PASS when WHY is empty.
report() {
  if [[ -z $2 ]]; then
    echo "PASS $1"
  else
    echo "FAIL $1:$2"
    echo "     stdout: ${out:0:300}"
    echo "     stderr: ${err:0:300}"
    failures=$((failures + 1))
  fi
}

# ---------------------------------------------------------------- verify, kgateway (RS256)
run verify --config "$kg_config" "${now[@]}" "$kg_token"
check "verify kgateway token" 0 --out-has '"team":"dev"'

stdin=examples/kgateway/token.jwt
run verify --config "$kg_config" "${now[@]}"
check "verify token read from stdin (trailing newline stripped)" 0 --out-has '"sub":"alice"'

run verify --config "$kg_config" "${now[@]}" "$kg_tampered"
check "tampered signature" 13 --err-starts TV_ERR_SIGNATURE_INVALID

run verify --jwks examples/kgateway/jwks.json --issuer solo.io --audience my-api "${now[@]}" "$kg_token"
check "audience required, token has none" 14 --err-starts TV_ERR_AUDIENCE_MISMATCH

run verify --config "$kg_config" --now 2100000000 "$kg_token"
check "expired (--now 2100000000)" 14 --err-starts TV_ERR_EXPIRED

# exp is 2074274884: 16 s later is inside a 60 s leeway and outside a 0 s one.
run verify --config "$kg_config" --now 2074274900 --leeway 60s "$kg_token"
check "--leeway 60s accepts 16 s past exp" 0 --out-has '"team":"dev"'
run verify --config "$kg_config" --now 2074274900 --leeway 0 "$kg_token"
check "--leeway 0 rejects 16 s past exp" 14 --err-starts TV_ERR_EXPIRED

# A "now" in the file is overridden by --now, not duplicated.
printf '{"now": 2100000000, "providers": [{"name": "kgateway", "issuer": "solo.io", "jwks": {"local": {"file": "examples/kgateway/jwks.json"}}}]}\n' >"$tmp/now.json"
run verify --config "$tmp/now.json" "${now[@]}" "$kg_token"
check "--now overrides the file's now" 0 --out-has '"team":"dev"'

run verify --jwks "$(<examples/kgateway/jwks.json)" --issuer solo.io --alg RS256 "${now[@]}" "$kg_token"
check "--jwks with inline JSON" 0 --out-has '"org":"solo.io"'

run verify --jwks examples/kgateway/jwks.json --issuer other.example "${now[@]}" "$kg_token"
check "issuer mismatch" 14 --err-starts TV_ERR_

run verify --config "$kg_config" "${now[@]}" not-a-token
check "garbage token" 11 --err-starts TV_ERR_MALFORMED_TOKEN

run verify --config "$kg_config" "${now[@]}" 'eyJ!.e30.e30'
check "bad base64url" 11 --err-starts TV_ERR_BAD_BASE64URL

# ---------------------------------------------------------------- configuration and usage errors
printf '{"providers": [{"name": "p", "issuer": "solo.io", "jwks": {"local": {"file": "examples/kgateway/jwks.json"}}}], "bogusField": 1}\n' >"$tmp/bad.json"
run verify --config "$tmp/bad.json" "${now[@]}" "$kg_token"
check "bad config (unknown field)" 3 --err-starts TV_ERR_CONFIG

run verify --config "$tmp/does-not-exist.json" "$kg_token"
check "missing config file" 3 --err-has does-not-exist.json

run verify --jwks "$tmp/nope.json" --issuer solo.io "$kg_token"
check "--jwks neither a file nor JSON" 3 --err-starts TV_ERR_

run verify --frobnicate "$kg_token"
check "unknown option" 2 --err-has usage:

run frobnicate
check "unknown command" 2 --err-has usage:

run
check "no command" 2 --err-has usage:

run verify "$kg_token"
check "verify without keys" 2 --err-has --config

run verify --config "$kg_config" --now yesterday "$kg_token"
check "--now not a number" 2 --err-has --now

run help
check "help" 0 --out-starts usage:

run version
check "version" 0 --out-starts "tokenverify " --out-has "base64url kernel"

# ---------------------------------------------------------------- keys
run keys --config "$kg_config"
check "keys lists the kgateway key" 0 --out-has "provider kgateway" --out-has "health: healthy" \
  --out-has "solo-public-key-001" --out-has "kws0Ex1OOTrpVWF8k9zk48B-L4ID21pcDY2ezIK9mr8"

run keys --jwks examples/es256/jwks.json --json
check "keys --json prints the stats document" 0 --out-starts '{"providers":[{"name":"cli"' \
  --out-has '"crv":"P-256"'

run keys --config "$kg_config" "$kg_token"
check "keys takes no token" 2 --err-has "too many arguments"

# ---------------------------------------------------------------- key sets with unusable keys
# The kgateway signing key, then keys the engine cannot use, which are skipped
# (and listed by `keys`) instead of refusing the set. A 1024-bit modulus of all
# ones is "weak" before anything else is looked at.
kg_key=$(tr -d '\n' <examples/kgateway/jwks.json | sed -e 's/^{"keys":\[//' -e 's/\]}$//')
n1024=$(head -c 128 /dev/zero | tr '\0' '\377' | base64 -w0 | tr '+/' '-_' | tr -d '=')
mkdir -p "$tmp/www"
cp examples/kgateway/jwks.json "$tmp/www/jwks.json"
printf '{"keys":[%s,{"kty":"RSA","kid":"enc1","use":"enc","alg":"RSA-OAEP","n":"%s","e":"AQAB"}]}' \
  "$kg_key" "$n1024" >"$tmp/www/mixed.json"

# Kids that would drive a terminal if printed raw: OSC (window title), BEL,
# clear screen, a C1 CSI and a right-to-left override.
evil_kid='evil\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202e'  # JSON escapes
printf '{"keys":[%s,{"kty":"RSA","kid":"%s","n":"%s","e":"AQAB"}]}' "$kg_key" "$evil_kid" "$n1024" >"$tmp/evil.json"
run keys --jwks "$tmp/evil.json"
check "keys escapes control characters in skipped kids" 0 \
  --out-has 'evil\x1b]0;pwned\x07\x1b[2J\u009b31m\u202e  RSA  TV_ERR_JWK_WEAK  keys[1] (kid "evil\x1b]0;pwned' \
  --out-lacks $'\e' --out-lacks $'\a' --out-lacks $'\u009b' --out-lacks $'\u202e'
run keys --jwks "$tmp/evil.json" --json
check "keys --json keeps C1 and bidi controls escaped" 0 --out-starts '{"providers":[{"name":"cli"' \
  --out-has '"kid":"evil\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202e"' \
  --out-lacks $'\e' --out-lacks $'\a' --out-lacks $'\u009b' --out-lacks $'\u202e'
sed -e "s/es256-example-6c471885/${evil_kid//\\/\\\\}/" examples/es256/jwks.json >"$tmp/evil-usable.json"
run keys --jwks "$tmp/evil-usable.json"
check "keys escapes control characters in kids of usable keys" 0 --out-has 'evil\x1b]0;pwned\x07' \
  --out-lacks $'\e' --out-lacks $'\a'
printf '{"keys":[{"kty":"RSA","kid":"%s","n":"%s","e":"AQAB"}]}' "$evil_kid" "$n1024" >"$tmp/evil-only.json"
run verify --jwks "$tmp/evil-only.json" "${now[@]}" "$kg_token"
check "a refused key set's message is escaped too" 3 --err-starts TV_ERR_JWK_WEAK \
  --err-has 'keys[0] (kid "evil\x1b]0;pwned\x07' --err-lacks $'\e' --err-lacks $'\a'

# --jwks-url against a real HTTP server on 127.0.0.1 (python's, bounded by timeout).
timeout 60 python3 -u -m http.server --bind 127.0.0.1 --directory "$tmp/www" 0 >"$tmp/http.log" 2>&1 &
http_pid=$!
port=""
for _ in $(seq 100); do
  port=$(grep -o 'port [0-9]*' "$tmp/http.log" | head -1 | grep -o '[0-9]*' || true)
  [[ -n $port ]] && break
  sleep 0.1
done
if [[ -z $port ]]; then
  out="" err=$(<"$tmp/http.log")
  report "local HTTP server for --jwks-url" " did not start"
else
  run verify --jwks-url "http://127.0.0.1:$port/jwks.json" --issuer solo.io "${now[@]}" "$kg_token"
  check "verify --jwks-url" 0 --out-has '"team":"dev"'
  run keys --jwks-url "http://127.0.0.1:$port/jwks.json"
  check "keys --jwks-url" 0 --out-has "remote http://127.0.0.1:$port/jwks.json" --out-has "solo-public-key-001"
  run verify --jwks-url "http://127.0.0.1:$port/missing.json" "${now[@]}" "$kg_token"
  check "verify --jwks-url with a 404" 3 --err-starts TV_ERR_KEYS_UNAVAILABLE --err-has "HTTP 404"
  # The issue's reproduction: a signing key beside a 1024-bit encryption key.
  run verify --jwks-url "http://127.0.0.1:$port/mixed.json" --issuer solo.io "${now[@]}" "$kg_token"
  check "verify --jwks-url: an unusable key beside the signing key is skipped" 0 --out-has '"team":"dev"'
  run keys --jwks-url "http://127.0.0.1:$port/mixed.json"
  check "keys --jwks-url lists the skipped key and why" 0 --out-has "solo-public-key-001" \
    --out-has "skipped keys (unusable; tokens naming them are refused with the status shown): 1" \
    --out-has 'enc1  RSA  TV_ERR_JWK_WEAK  keys[1] (kid "enc1"): "n" is a 1024-bit modulus'
fi
kill "$http_pid" 2>/dev/null || true
wait "$http_pid" 2>/dev/null || true

run verify --jwks-url "ftp://127.0.0.1/jwks.json" "$kg_token"
check "--jwks-url must be http(s)" 3 --err-starts TV_ERR_CONFIG --err-has "http:// or https://"

# ---------------------------------------------------------------- stdin, one token per line
printf '%s\r\n\n   %s  \n\nnot-a-token\n' "$kg_token" "$kg_tampered" >"$tmp/lines"
stdin=$tmp/lines
run verify --config "$kg_config" "${now[@]}" -
mapfile -t lines <<<"$out"
why=""
[[ $rc == 11 ]] || why+=" exit $rc, want 11 (the last failure);"
[[ ${#lines[@]} == 3 ]] || why+=" ${#lines[@]} lines, want 3;"
[[ ${lines[0]:-} == "{"*'"team":"dev"'* ]] || why+=" line 1 is not the claims;"
[[ ${lines[1]:-} == TV_ERR_SIGNATURE_INVALID:* ]] || why+=" line 2 is not TV_ERR_SIGNATURE_INVALID;"
[[ ${lines[2]:-} == TV_ERR_MALFORMED_TOKEN:* ]] || why+=" line 3 is not TV_ERR_MALFORMED_TOKEN;"
report "stdin mode: 3 tokens, 3 result lines in order" "$why"

printf '%s\n%s\n' "$kg_token" "$kg_token" >"$tmp/good_lines"
stdin=$tmp/good_lines
run verify --config "$kg_config" "${now[@]}" -
check "stdin mode: all valid exits 0" 0 --out-has '"team":"dev"'

# A 128 MiB line is streamed past, not buffered: a status line in its place,
# the tokens around it still verified, and the peak memory far below the
# line's size (python3, from setup.sh, reads the child's peak RSS).
{
  printf '%s\n' "$kg_token"
  head -c $((128 << 20)) /dev/zero | tr '\0' 'A'
  printf '\n%s\n' "$kg_token"
} >"$tmp/long_line"
rss_kib=$(python3 - "$cli" "$kg_config" "$tmp/long_line" "$tmp/out" <<'PY'
import resource, subprocess, sys
cli, config, src, dst = sys.argv[1:]
with open(src, "rb") as i, open(dst, "wb") as o:
    rc = subprocess.run([cli, "verify", "--config", config, "--now", "1800000000", "-"], stdin=i, stdout=o).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)
PY
)
rm -f "$tmp/long_line"
mapfile -t lines <"$tmp/out"
why=""
read -r rss rc_long <<<"$rss_kib"
[[ $rc_long == 11 ]] || why+=" exit $rc_long, want 11;"
[[ ${#lines[@]} == 3 ]] || why+=" ${#lines[@]} lines, want 3;"
[[ ${lines[0]:-} == "{"*'"team":"dev"'* ]] || why+=" line 1 is not the claims;"
[[ ${lines[1]:-} == TV_ERR_TOKEN_TOO_LARGE:* ]] || why+=" line 2 is not TV_ERR_TOKEN_TOO_LARGE;"
[[ ${lines[2]:-} == "{"*'"team":"dev"'* ]] || why+=" line 3 is not the claims;"
((rss < 64 * 1024)) || why+=" peak RSS ${rss} KiB for a 128 MiB line;"
report "stdin mode: an over-long line is skipped with a status line, never buffered" "$why"

# Line mode verifies in batches (tv_verify_batch) once it has read 64 tokens,
# 256 at a time: 700 tokens (two full chunks and a remainder) in a pattern of
# good, tampered and malformed ones, with blank lines and an over-long line
# among them, must give exactly the lines that one-token runs give, in order.
# The one-token answers come from runs of a single line (never batched).
one_line() {  # one_line: the line mode answer for the single line in $tmp/one
  "$cli" verify --config "$kg_config" "${now[@]}" - <"$tmp/one" || true
}
printf '%s\n' "$kg_token" >"$tmp/one" && good_line=$(one_line)
printf '%s\n' "$kg_tampered" >"$tmp/one" && tampered_line=$(one_line)
printf 'not-a-token\n' >"$tmp/one" && junk_line=$(one_line)
long_token() { head -c $(((1 << 20) + 5000)) /dev/zero | tr '\0' 'A'; echo; }  # over kMaxInputLine (1 MiB + 4 KiB)
long_token >"$tmp/one" && too_large_line=$(one_line)
: >"$tmp/many"
: >"$tmp/many_want"
for ((i = 0; i < 700; i++)); do
  case $((i * 7 % 11)) in
    0 | 1 | 2 | 3 | 4) printf '%s\n' "$kg_token" >>"$tmp/many"; printf '%s\n' "$good_line" >>"$tmp/many_want" ;;
    5 | 6) printf ' %s\r\n' "$kg_tampered" >>"$tmp/many"; printf '%s\n' "$tampered_line" >>"$tmp/many_want" ;;
    7) printf '\n' >>"$tmp/many" ;;  # blank: no output line
    *) printf 'not-a-token\n' >>"$tmp/many"; printf '%s\n' "$junk_line" >>"$tmp/many_want" ;;
  esac
  if ((i == 300)); then  # a status line in its place, in step
    long_token >>"$tmp/many"
    printf '%s\n' "$too_large_line" >>"$tmp/many_want"
  fi
done
printf '%s\n' "$kg_tampered" >>"$tmp/many"  # the last failure sets the exit code
printf '%s\n' "$tampered_line" >>"$tmp/many_want"
stdin=$tmp/many
run verify --config "$kg_config" "${now[@]}" -
why=""
[[ $rc == 13 ]] || why+=" exit $rc, want 13 (the last token's signature);"
[[ $good_line == "{"*'"team":"dev"'* ]] || why+=" the one-token answer is not the claims;"
[[ $tampered_line == "TV_ERR_SIGNATURE_INVALID: "* ]] || why+=" tampered answer: $tampered_line;"
[[ $junk_line == "TV_ERR_MALFORMED_TOKEN: "* ]] || why+=" junk answer: $junk_line;"
[[ $too_large_line == "TV_ERR_TOKEN_TOO_LARGE: "* ]] || why+=" over-long answer: $too_large_line;"
[[ $(wc -l <"$tmp/many_want") == 638 ]] || why+=" $(wc -l <"$tmp/many_want") expected lines, want 638;"
cmp -s "$tmp/out" "$tmp/many_want" || why+=" output differs: $(diff "$tmp/many_want" "$tmp/out" | head -c 300);"
report "stdin mode: 700 tokens verified in batches, every line as one-token runs give it, in order" "$why"

# ---------------------------------------------------------------- inspect
run inspect "$kg_tampered"
check "inspect prints UNVERIFIED" 0 --out-starts UNVERIFIED --out-has 'header: {"alg":"RS256"' \
  --out-has '"sub":"alice"'

stdin=examples/kgateway/token.jwt
run inspect
check "inspect from stdin" 0 --out-starts UNVERIFIED --out-has "payload: "

run inspect not-a-token
check "inspect garbage" 11 --err-starts TV_ERR_MALFORMED_TOKEN

# ---------------------------------------------------------------- the generated examples
for ex in hs256 es256 eddsa; do
  stdin=examples/$ex/token.jwt
  run verify --config "examples/$ex/config.json" "${now[@]}"
  check "verify examples/$ex" 0 --out-has '"team":"dev"' --out-has '"aud":"my-api"'
done

for ex in es256:ES256 eddsa:EdDSA; do
  dir=${ex%%:*} alg=${ex#*:}
  run verify --jwks "examples/$dir/jwks.json" --issuer example.tokenverify.dev --audience my-api \
    --alg "$alg" "${now[@]}" "$(<"examples/$dir/token.jwt")"
  check "verify examples/$dir with --jwks --alg $alg" 0 --out-has '"sub":"alice"'
done

run verify --jwks examples/es256/jwks.json --alg RS256 "${now[@]}" "$(<examples/es256/token.jwt)"
check "ES256 token, only RS256 allowed" 12 --err-starts TV_ERR_ALG_NOT_ALLOWED

# ---------------------------------------------------------------- RFC 9864 names, ES256K, x509 maps
for ex in ed25519 es256k firebase; do
  stdin=examples/$ex/token.jwt
  run verify --config "examples/$ex/config.json" "${now[@]}"
  check "verify examples/$ex" 0 --out-has '"iat":1767225600'
done

ed_token=$(<examples/ed25519/token.jwt)
run verify --jwks examples/ed25519/jwks.json --alg Ed25519 "${now[@]}" "$ed_token"
check "alg Ed25519 token with --alg Ed25519" 0 --out-has '"sub":"alice"'
run verify --jwks examples/ed25519/jwks.json --alg EdDSA "${now[@]}" "$ed_token"
check "alg Ed25519 token, only EdDSA allowed" 12 --err-starts TV_ERR_ALG_NOT_ALLOWED
# The eddsa example's key has no RFC 9864 alg of its own: its EdDSA token verifies with --alg EdDSA only.
run verify --jwks examples/eddsa/jwks.json --alg Ed25519 "${now[@]}" "$(<examples/eddsa/token.jwt)"
check "alg EdDSA token, only Ed25519 allowed" 12 --err-starts TV_ERR_ALG_NOT_ALLOWED
run verify --jwks examples/ed25519/jwks.json --alg Ed448 "${now[@]}" "$ed_token"
check "alg Ed25519 token, only Ed448 allowed" 12 --err-starts TV_ERR_ALG_NOT_ALLOWED

k1_token=$(<examples/es256k/token.jwt)
run verify --jwks examples/es256k/jwks.json --alg ES256K "${now[@]}" "$k1_token"
check "ES256K token with --alg ES256K" 0 --out-has '"sub":"alice"'
run verify --jwks examples/es256k/jwks.json "${now[@]}" "$k1_token"
check "ES256K is not in the default allow-list" 12 --err-starts TV_ERR_ALG_NOT_ALLOWED
run verify --jwks examples/es256k/jwks.json --alg ES256 "${now[@]}" "$k1_token"
check "ES256K token, only ES256 allowed" 12 --err-starts TV_ERR_ALG_NOT_ALLOWED
run verify --jwks examples/es256k/jwks.json --alg ES256K --alg ES256 "${now[@]}" "$(<examples/es256/token.jwt)"
check "ES256 token against a secp256k1 key set" 15 --err-starts TV_ERR_KID_NOT_FOUND

# AWS ALB: padded segments, accepted only with the provider's allowPaddedSegments
stdin=examples/alb/token.jwt
run verify --config examples/alb/config.json "${now[@]}"
check "verify examples/alb (padded segments allowed)" 0 --out-has '"email":"alice@example.com"'
grep -v allowPaddedSegments examples/alb/config.json >"$tmp/alb_strict.json"
stdin=examples/alb/token.jwt
run verify --config "$tmp/alb_strict.json" "${now[@]}"
check "examples/alb without allowPaddedSegments" 11 --err-starts TV_ERR_BAD_BASE64URL

fb_token=$(<examples/firebase/token.jwt)
fb_project=tokenverify-example
run verify --jwks examples/firebase/certs.json --issuer "https://securetoken.google.com/$fb_project" \
  --audience "$fb_project" --alg RS256 "${now[@]}" "$fb_token"
check "firebase certificate map, detected in --jwks" 0 --out-has '"user_id":"alice-uid"'
run keys --jwks examples/firebase/certs.json
check "keys lists the kids of a certificate map" 0 --out-has "$(grep -o '"[0-9a-f]\{40\}"' examples/firebase/certs.json | head -1 | tr -d '"')"
printf '{"%s":"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\\n"}' kid1 >"$tmp/bad_certs.json"
run verify --jwks "$tmp/bad_certs.json" "${now[@]}" "$fb_token"
check "a certificate map with a broken certificate" 3 --err-starts TV_ERR_JWK_INVALID --err-has 'x509["kid1"]'
printf '{"kid1":"-----BEGIN CERTIFICATE-----","kid2":7}' >"$tmp/bad_map.json"
run verify --jwks "$tmp/bad_map.json" "${now[@]}" "$fb_token"
check "a malformed certificate map" 3 --err-starts TV_ERR_JWKS_MALFORMED

# The Firebase recipe against a real HTTP server on 127.0.0.1 serving Google's format.
timeout 60 python3 -u -m http.server --bind 127.0.0.1 --directory examples/firebase 0 >"$tmp/fb_http.log" 2>&1 &
fb_http_pid=$!
fb_port=""
for _ in $(seq 100); do
  fb_port=$(grep -o 'port [0-9]*' "$tmp/fb_http.log" | head -1 | grep -o '[0-9]*' || true)
  [[ -n $fb_port ]] && break
  sleep 0.1
done
if [[ -z $fb_port ]]; then
  out="" err=$(<"$tmp/fb_http.log")
  report "local HTTP server for the firebase certificates" " did not start"
else
  run verify --jwks-url "http://127.0.0.1:$fb_port/certs.json" --issuer "https://securetoken.google.com/$fb_project" \
    --audience "$fb_project" --alg RS256 "${now[@]}" "$fb_token"
  check "firebase certificate map over --jwks-url" 0 --out-has '"user_id":"alice-uid"'
fi
kill "$fb_http_pid" 2>/dev/null || true
wait "$fb_http_pid" 2>/dev/null || true

secret=$(grep -o '"base64url": *"[^"]*"' examples/hs256/config.json | grep -o '"[^"]*"$' | tr -d '"')
run verify --secret-base64url "$secret" --issuer example.tokenverify.dev --audience my-api \
  "${now[@]}" "$(<examples/hs256/token.jwt)"
check "verify examples/hs256 with --secret-base64url" 0 --out-has '"team":"dev"'

# A different first character: appending bytes would not do, because HMAC
# zero-pads short keys, so K and K||00 are the same key.
if [[ ${secret:0:1} == A ]]; then other=B; else other=A; fi
run verify --secret-base64url "${other}${secret:1}" "${now[@]}" "$(<examples/hs256/token.jwt)"
check "hs256 with the wrong secret" 13 --err-starts TV_ERR_SIGNATURE_INVALID

# ---------------------------------------------------------------- bench
run bench --config "$kg_config" "${now[@]}" --seconds 0.2 "$kg_token"
check "bench" 0 --out-starts "throughput: RS256 " --out-has " verifications/s (" \
  --out-has "on 1 thread, base64url kernel "

run bench --config "$kg_config" "${now[@]}" --seconds 0.2 "$kg_tampered"
check "bench refuses a token that does not verify" 13 --err-starts TV_ERR_SIGNATURE_INVALID

# ---------------------------------------------------------------- authenticate
rules="$tmp/rules.json"
cat >"$rules" <<JSON
{"providers":[{"name":"kgateway","issuer":"solo.io","jwks":{"local":{"file":"examples/kgateway/jwks.json"}}}],
 "rules":[{"name":"api","paths":[
   {"path":"/keys","auth":{"type":"apiKey","apiKey":{"keys":[{"name":"acme","key":"k1"}]}}},
   {"path":"/hooks","auth":{"type":"hmac","hmac":{"scheme":"github","secrets":["gh-secret"]}}},
   {"path":"/.well-known/","auth":{"enabled":false}},
   {"path":"/jwt","auth":{"type":"jwt"}}]}]}
JSON
run authenticate --config "$rules" -H 'X-Api-Key: k1' /keys/x
check "authenticate: an API key" 0 --out-starts '{"allow":true,"httpStatus":200,"status":"TV_OK","method":"apiKey","rule":"api","principal":"acme"'
run authenticate --config "$rules" --header 'x-api-key:k2' /keys
check "authenticate: an unknown API key" 16 --out-has '"status":"TV_ERR_UNKNOWN_KEY"' --out-has '"httpStatus":401'
run authenticate --config "$rules" /.well-known/openid-configuration
check "authenticate: an open path" 0 --out-has '"method":"none"'
run authenticate --config "$rules" "${now[@]}" -H "Authorization: Bearer $kg_token" /jwt
check "authenticate: a token" 0 --out-has '"principal":"alice"' --out-has '"removeHeaders":["authorization"]'
run authenticate --config "$rules" "${now[@]}" -H "Authorization: Bearer $kg_tampered" /jwt
check "authenticate: a forged token" 13 --out-has '"status":"TV_ERR_SIGNATURE_INVALID"'
# GitHub signs the body: printf '{"a":1}' | openssl dgst -sha256 -hmac gh-secret
printf '{"a":1}' >"$tmp/body"
run authenticate --config "$rules" --method POST --data @"$tmp/body" \
  -H 'X-Hub-Signature-256: sha256=8896aa4867dcea79cd0317037519038346f341fda6aa7fbef5446a7abd8f20b6' /hooks
check "authenticate: a GitHub signature over --data @file" 0 --out-has '"method":"hmac"'
run authenticate --config "$rules" --method POST --data '{"a":2}' \
  -H 'X-Hub-Signature-256: sha256=8896aa4867dcea79cd0317037519038346f341fda6aa7fbef5446a7abd8f20b6' /hooks
check "authenticate: the signature of another body" 16 --out-has '"status":"TV_ERR_REQUEST_SIGNATURE_INVALID"'
run authenticate --config "$rules" 'http://evil/keys'
check "authenticate: a target that is not origin-form" 16 --out-has '"httpStatus":400'
run authenticate --config "$rules" -H 'no colon' /keys
check "authenticate: -H without a colon" 2 --err-starts 'tokenverify: -H wants'
run authenticate -H 'X-Api-Key: k1' /keys
check "authenticate without --config" 2 --err-starts 'tokenverify: authenticate needs --config'

# revoke: one entry onto a real redis-server's stream (started here on a free
# port, stopped on exit), read back with redis-cli.
redis_port="" redis_pid=""
for attempt in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 30000))
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --loglevel warning >/dev/null 2>&1 &
  redis_pid=$!
  for _ in $(seq 50); do
    if redis-cli -p "$port" ping >/dev/null 2>&1; then redis_port=$port; break 2; fi
    kill -0 "$redis_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
done
[[ -n $redis_port ]] || { echo "cli_test: cannot start redis-server (scripts/setup.sh installs it)"; exit 1; }
trap 'kill "$redis_pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
revoke_config="$tmp/revoke.json"
cat >"$revoke_config" <<JSON
{"providers":[{"jwks":{"local":{"file":"examples/kgateway/jwks.json"}}}],
 "revocation":{"redis":{"url":"redis://127.0.0.1:$redis_port/0","stream":"cli:revocations"}}}
JSON
run revoke --config "$revoke_config" --jti token-1 --exp 1900000000
check "revoke --jti: prints the stream entry ID" 0
[[ $out =~ ^[0-9]+-[0-9]+$ ]] || { echo "FAIL revoke --jti: '$out' is not a stream ID"; failures=$((failures + 1)); }
run revoke --config "$revoke_config" --sub alice --before 1800000000 --issuer https://issuer.example
check "revoke --sub --before --issuer" 0
entries=$(redis-cli -p "$redis_port" XRANGE cli:revocations - +)
for want in token-1 1900000000 alice 1800000000 https://issuer.example; do
  [[ $entries == *"$want"* ]] || { echo "FAIL revoke: the stream lacks $want"; failures=$((failures + 1)); }
done
run revoke --config "$revoke_config" --jti token-1
check "revoke: --jti without --exp" 2 --err-starts 'tokenverify: --jti and --exp go together'
run revoke --config "$revoke_config" --jti t --exp 1 --sub s --before 1
check "revoke: both kinds at once" 2 --err-starts 'tokenverify: revoke wants either'
run revoke --jti t --exp 1
check "revoke without --config" 2 --err-starts 'tokenverify: revoke needs --config'
run revoke --config "$kg_config" --jti t --exp 1900000000
check "revoke: a configuration without revocation.redis" 3 --err-starts TV_ERR_CONFIG --err-has revocation.redis
kill "$redis_pid" 2>/dev/null || true
wait "$redis_pid" 2>/dev/null || true
run revoke --config "$revoke_config" --jti t --exp 1900000000
check "revoke: Redis unreachable" 3 --err-starts TV_ERR_IO --err-has 'cannot connect'

echo
if ((failures)); then
  echo "cli_test: $failures check(s) FAILED"
  exit 1
fi
echo "cli_test: all checks passed"
