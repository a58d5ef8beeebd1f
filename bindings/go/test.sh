#!/usr/bin/env bash
# bindings/go/test.sh BUILD: builds the Go package against the engine in BUILD
# (a directory holding libtokenverify.so and generated/include), checks that
# status_gen.go is what status.def generates, runs go vet and `go test -race`,
# builds the peer-harness runner, runs examples/go and checks its output, and
# checks that the README's example is examples/go/main.go. Exits non-zero on any
# failure; a missing Go toolchain is a failure, never a skip.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="$(cd "${1:?usage: bindings/go/test.sh BUILD}" && pwd)"

if [[ ! -f "$BUILD/libtokenverify.so" || ! -d "$BUILD/generated/include" ]]; then
  echo "go binding: $BUILD has no libtokenverify.so or generated/include" >&2
  exit 1
fi
for dir in /usr/local/go/bin "$HOME/go/bin"; do
  [[ -d "$dir" && ":$PATH:" != *":$dir:"* ]] && PATH="$dir:$PATH"
done
if ! command -v go >/dev/null; then
  echo "go binding: the go toolchain is not installed (or not on PATH)" >&2
  exit 1
fi

# cgo: the header and the library of BUILD, found at run time through the rpath.
export CGO_ENABLED=1
export CGO_CFLAGS="-I$ROOT/bindings/c/include -I$BUILD/generated/include ${CGO_CFLAGS:-}"
export CGO_LDFLAGS="-L$BUILD -Wl,-rpath,$BUILD ${CGO_LDFLAGS:-}"
export GOFLAGS="-mod=readonly"
export no_proxy="127.0.0.1,localhost" NO_PROXY="127.0.0.1,localhost"  # the rotation test's JWKS server

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "go binding: $(go version); library $BUILD"
cd "$HERE"

# The status table must be the one status.def generates (go generate writes it).
go run ./internal/statusgen -in "$ROOT/core/include/tokenverify/status.def" -out "$TMP/status_gen.go"
if ! cmp -s "$TMP/status_gen.go" status_gen.go; then
  diff -u status_gen.go "$TMP/status_gen.go" >&2 || true
  echo "go binding: status_gen.go is stale: run 'go generate' in bindings/go and commit it" >&2
  exit 1
fi
unformatted="$(gofmt -l . "$ROOT/examples/go" "$ROOT/bench/peers/go-tokenverify")"
if [[ -n "$unformatted" ]]; then
  echo "go binding: not gofmt'ed: $unformatted" >&2
  exit 1
fi

go vet ./...
go test -race -count=1 ./...

# The peer-harness runner and the example build against the package.
(cd "$ROOT/bench/peers/go-tokenverify" && go vet ./... && go build -o "$TMP/go-tokenverify" .)
(cd "$ROOT/examples/go" && go vet ./... && go build -o "$TMP/example" .)

# The programs load the library of BUILD (rpath), never another copy.
# (ldd's output is kept first: grep -q stops reading at its match, and under
# pipefail ldd's SIGPIPE would fail the pipeline.)
linked="$(ldd "$TMP/example")"
if ! grep -q "libtokenverify.so.0 => $BUILD/libtokenverify.so.0" <<<"$linked"; then
  echo "$linked" >&2
  echo "go binding: examples/go does not load $BUILD/libtokenverify.so.0" >&2
  exit 1
fi

# The example, run from the repository root (its configuration names its key
# file relative to it), with its exact output.
expected='verified: sub=alice team=dev exp=2074274884 provider=kgateway
tampered: TV_ERR_SIGNATURE_INVALID (300)'
actual="$(cd "$ROOT" && "$TMP/example" examples/kgateway/config.json examples/kgateway/token.jwt)"
if [[ "$actual" != "$expected" ]]; then
  printf 'go binding: examples/go printed:\n%s\nexpected:\n%s\n' "$actual" "$expected" >&2
  exit 1
fi
echo "go binding: examples/go: ok"

# The README shows examples/go/main.go whole, between its two markers.
sed -n '/^<!-- example: examples\/go\/main.go -->$/,/^<!-- end of example -->$/p' "$HERE/README.md" |
  sed -e '1,2d' -e '$d' | sed -e '$d' >"$TMP/readme_example.go"
if ! cmp -s "$TMP/readme_example.go" "$ROOT/examples/go/main.go"; then
  diff -u "$ROOT/examples/go/main.go" "$TMP/readme_example.go" >&2 || true
  echo "go binding: the README's example is not examples/go/main.go" >&2
  exit 1
fi
echo "go binding: README example: ok"
