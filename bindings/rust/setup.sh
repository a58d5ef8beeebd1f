#!/usr/bin/env bash
# bindings/rust/setup.sh: fetches the crates the Rust workspace needs (Cargo.lock
# is committed) from crates.io into cargo's cache, so that test.sh can build
# offline. Idempotent; quick when the cache already has them.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for dir in "$HOME/.cargo/bin"; do
  [[ -d "$dir" && ":$PATH:" != *":$dir:"* ]] && PATH="$dir:$PATH"
done
if ! command -v cargo >/dev/null; then
  echo "bindings/rust/setup.sh: cargo not found (install Rust with rustup)" >&2
  exit 1
fi
cargo fetch --locked --manifest-path "$here/Cargo.toml" --quiet
