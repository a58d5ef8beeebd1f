#!/usr/bin/env bash
# bindings/node/test.sh BUILD: builds the Node package against BUILD (a directory
# with libtokenverify.so and generated/include), then runs its tests (node --test),
# the TypeScript check (tsc --noEmit on test/types/usage.ts), the example program
# examples/node/verify.js, and checks that the README's example is that file.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="$(cd "${1:?usage: bindings/node/test.sh BUILD}" && pwd)"
fail() { echo "bindings/node/test.sh: $*" >&2; exit 1; }

command -v node >/dev/null || fail "node is not installed (Node.js 20 or later is required)"
command -v npm >/dev/null || fail "npm is not installed"
major="$(node -p 'process.versions.node.split(".")[0]')"
((major >= 20)) || fail "Node.js $(node --version) is too old (20 or later)"
[[ -f "$BUILD/libtokenverify.so" ]] || fail "$BUILD/libtokenverify.so is missing"

echo "-- npm dependencies (package-lock.json)"
bash "$HERE/setup.sh"

echo "-- building the addon against $BUILD"
export TOKENVERIFY_LIB_DIR="$BUILD"
(cd "$HERE" && nice -n 19 node scripts/build.js >"$HERE/build.log" 2>&1) || { cat "$HERE/build.log" >&2; fail "build failed"; }
tail -1 "$HERE/build.log"

# The library the addon loads must be BUILD's (the rpath), never another copy.
loaded="$(cd /tmp && node -e '
  require(process.argv[1]);
  const line = require("fs").readFileSync("/proc/self/maps", "utf8").split("\n").find((l) => l.includes("libtokenverify.so"));
  console.log(require("fs").realpathSync(line.slice(line.indexOf("/"))));' "$HERE")"
[[ "$loaded" == "$(realpath "$BUILD/libtokenverify.so")" ]] || fail "the addon loaded $loaded, not $BUILD/libtokenverify.so"
echo "loads $loaded"

echo "-- node --test"
(cd "$HERE" && nice -n 19 node --test --test-concurrency=1 --test-reporter=spec test/*.test.js)

echo "-- tsc --noEmit (test/types/usage.ts against index.d.ts)"
(cd "$HERE" && nice -n 19 node node_modules/typescript/bin/tsc -p test/types/tsconfig.json)

echo "-- example: examples/node/verify.js"
out="$(cd "$ROOT" && node examples/node/verify.js)"
echo "$out"
expected="verified: sub=alice team=dev exp=2074274884
refused: TV_ERR_SIGNATURE_INVALID (300) signature does not verify"
[[ "$out" == "$expected" ]] || fail "the example printed something else; expected:
$expected"

echo "-- README example is examples/node/verify.js"
node -e '
  const fs = require("fs");
  const [readme, example] = process.argv.slice(1).map((f) => fs.readFileSync(f, "utf8"));
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  if (!blocks.includes(example)) { console.error("bindings/node/README.md has no ```js block equal to examples/node/verify.js"); process.exit(1); }
' "$HERE/README.md" "$ROOT/examples/node/verify.js"
echo "bindings/node: all checks passed"
