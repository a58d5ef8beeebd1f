#!/usr/bin/env bash
# bindings/rust/test.sh BUILD: builds the Rust workspace against BUILD's
# libtokenverify (BUILD holds libtokenverify.so and generated/include), runs
# `cargo test` (tokenverify-sys and tokenverify), clippy and rustdoc with -D
# warnings, rustfmt --check, the example program examples/rust (from the repository root,
# output checked), checks that the README's example is that program, and builds
# the peer harness's runner (bench/peers/rust-tokenverify) with clippy -D warnings.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(cd "${1:?usage: bindings/rust/test.sh BUILD}" && pwd)"
[[ -f "$build/libtokenverify.so" ]] || { echo "rust/test.sh: no libtokenverify.so in $build" >&2; exit 1; }

for dir in "$HOME/.cargo/bin"; do
  [[ -d "$dir" && ":$PATH:" != *":$dir:"* ]] && PATH="$dir:$PATH"
done
command -v cargo >/dev/null || { echo "rust/test.sh: cargo not found (install Rust with rustup)" >&2; exit 1; }

export TOKENVERIFY_LIB_DIR="$build"
# Nothing here may load another copy: the binaries carry BUILD as their rpath.
unset LD_LIBRARY_PATH
# Our own target directory per BUILD would be cleaner, but one is enough: the
# build script reruns when TOKENVERIFY_LIB_DIR or the library changes.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
cargo=(nice -n 19 cargo)
manifest=(--manifest-path "$here/Cargo.toml")

echo "-- cargo fetch (crates.io, Cargo.lock)"
"${cargo[@]}" fetch --locked "${manifest[@]}" --quiet

echo "-- cargo test"
"${cargo[@]}" test --offline --locked "${manifest[@]}" --workspace -j 2

if cargo clippy --version >/dev/null 2>&1; then
  echo "-- cargo clippy -D warnings"
  "${cargo[@]}" clippy --offline --locked "${manifest[@]}" --workspace --all-targets -j 2 --quiet -- -D warnings
else
  echo "-- cargo clippy is not installed (rustup component add clippy): skipped"
fi
echo "-- cargo doc -D warnings"
RUSTDOCFLAGS="-D warnings" "${cargo[@]}" doc --offline --locked "${manifest[@]}" --workspace --no-deps -j 2 --quiet

if cargo fmt --version >/dev/null 2>&1; then
  echo "-- cargo fmt --check"
  cargo fmt "${manifest[@]}" --all --check
fi

echo "-- examples/rust"
"${cargo[@]}" build --offline --locked "${manifest[@]}" -p tokenverify-example --quiet
out="$(cd "$root" && "$CARGO_TARGET_DIR/debug/verify")"
echo "$out"
expected='sub=alice team=dev exp=2074274884
provider=kgateway llms={"openai":["gpt-3.5-turbo"]}
forged: TV_ERR_SIGNATURE_INVALID (300) signature does not verify'
if [[ "$out" != "$expected" ]]; then
  echo "rust/test.sh: the example printed something else; expected:" >&2
  echo "$expected" >&2
  exit 1
fi

echo "-- README example is examples/rust/src/main.rs"
readme_example="$(awk '/^```rust title="examples\/rust\/src\/main.rs"/{on=1; next} /^```/{on=0} on' "$here/README.md")"
if [[ -z "$readme_example" || "$readme_example" != "$(cat "$root/examples/rust/src/main.rs")" ]]; then
  echo "rust/test.sh: README.md's example differs from examples/rust/src/main.rs" >&2
  diff <(echo "$readme_example") "$root/examples/rust/src/main.rs" >&2 || true
  exit 1
fi
echo "-- bench/peers/rust-tokenverify (the peer harness's runner) builds, clippy -D warnings"
peer_manifest=(--manifest-path "$root/bench/peers/rust-tokenverify/Cargo.toml")
if cargo clippy --version >/dev/null 2>&1; then
  "${cargo[@]}" clippy --offline --locked "${peer_manifest[@]}" --release -j 2 --quiet -- -D warnings
else
  "${cargo[@]}" build --offline --locked "${peer_manifest[@]}" --release -j 2 --quiet
fi
if cargo fmt --version >/dev/null 2>&1; then
  cargo fmt "${peer_manifest[@]}" --check
fi

echo "rust/test.sh: ok"
