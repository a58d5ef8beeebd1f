#!/usr/bin/env bash
# bindings/node/setup.sh: the Node package's development dependencies (node-gyp,
# typescript, express, fastify, types) from npm, exactly as package-lock.json pins
# them. Idempotent: does nothing when node_modules already matches the lock file.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "bindings/node/setup.sh: node and npm are required (Node.js 20 or later)" >&2
  exit 1
fi
stamp="$HERE/node_modules/.tokenverify-lock.sha256"
want="$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
# --ignore-scripts: nothing here needs an install script, and the package's own
# addon is built by scripts/build.js against a chosen library, not on install.
(cd "$HERE" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
echo "$want" >"$stamp"
