#!/usr/bin/env bash
# bench/peers/run.sh: the peer harness. tokenverify against the JWT libraries people
# would pick instead, all verifying the same freshly generated token set, on one CPU,
# in one run. `./scripts/bench.sh --peers` calls this; it also runs on its own:
#
#   bench/peers/run.sh [--seconds S] [--repeats N] [--only GROUPS] [--cpu N|none] [--quick]
#
#   --seconds S   timed budget of one repeat of one peer x algorithm (default 1)
#   --repeats N   repeats per peer x algorithm; the median counts (default 3)
#   --only LIST   comma-separated groups to run: tokenverify (always run: it is the
#                 reference), python, node, go, rust, java, libjwt
#   --cpu N       pin every runner to CPU N with taskset (default: the last CPU);
#                 "none" does not pin
#   --quick       --seconds 0.2 --repeats 1: a smoke test, not a measurement
#
# Environment: PEERS_WORK (work dir, default bench/peers/work), PEERS_BUILD_DIR
# (tokenverify build, default build-peers), PEERS_RESULTS_DIR (default bench/results).
#
# Everything installed (venv, node_modules, Go and Rust binaries, Maven packages, libjwt
# from Debian) is cached in the work dir and reinstalled only when a pin file changes.
# A peer that cannot be installed or built is reported as unavailable with the
# reason; only tokenverify itself and the harness's own Python are required.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="${PEERS_WORK:-$HERE/work}"
BUILD="${PEERS_BUILD_DIR:-$ROOT/build-peers}"
RESULTS_DIR="${PEERS_RESULTS_DIR:-$ROOT/bench/results}"
BUDGET=1
REPEATS=3
ONLY=""
CPU="$(($(nproc) - 1))"

usage() { sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }

while (($#)); do
  case "$1" in
    --peers) ;;  # as passed on by scripts/bench.sh
    --seconds) BUDGET="${2:?--seconds needs a value}"; shift ;;
    --seconds=*) BUDGET="${1#*=}" ;;
    --repeats) REPEATS="${2:?--repeats needs a value}"; shift ;;
    --repeats=*) REPEATS="${1#*=}" ;;
    --only) ONLY="${2:?--only needs a value}"; shift ;;
    --only=*) ONLY="${1#*=}" ;;
    --cpu) CPU="${2:?--cpu needs a value}"; shift ;;
    --cpu=*) CPU="${1#*=}" ;;
    --quick) BUDGET=0.2; REPEATS=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

LOGS="$WORK/logs"
TOKENS="$WORK/tokens"
BIN="$WORK/bin"
RESULTS="$WORK/results.jsonl"
VENV="$WORK/venv"
PY="$VENV/bin/python"
mkdir -p "$LOGS" "$BIN" "$RESULTS_DIR"
: >"$RESULTS"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }
wanted() { [[ -z "$ONLY" || ",$ONLY," == *",$1,"* ]]; }

# stamp NAME FILES...: true when the content hash of FILES matches the last
# successful install recorded under NAME (then the step can be skipped).
stamp_hash() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }
stamp_ok() { local name="$1"; shift; [[ -f "$WORK/.stamp-$name" && "$(cat "$WORK/.stamp-$name")" == "$(stamp_hash "$@")" ]]; }
stamp_set() { local name="$1"; shift; stamp_hash "$@" >"$WORK/.stamp-$name"; }

# unavailable "REASON" "PEER|LANGUAGE"...: one line per peer for every algorithm.
unavailable() {
  local reason="$1"; shift
  local spec
  for spec in "$@"; do
    REASON="$reason" PEER="${spec%%|*}" LANG_="${spec#*|}" python3 -c '
import json, os
print(json.dumps({"peer": os.environ["PEER"], "language": os.environ["LANG_"], "alg": "*",
                  "unavailable": os.environ["REASON"]}))' >>"$RESULTS"
  done
  say "unavailable: ${*%%|*}: $reason"
}

PIN=()
if [[ "$CPU" != none ]] && command -v taskset >/dev/null && taskset -c "$CPU" true 2>/dev/null; then
  PIN=(taskset -c "$CPU")
else
  CPU=none
fi
# Generous wall-clock cap for one runner: 5 algorithms x up to 4 peers, 3x slack.
RUNNER_TIMEOUT="$(python3 -c "print(int(5 * 4 * $BUDGET * ($REPEATS + 0.1) * 3 + 180))")"

# reference_beside LANG: the C ABI's "tokenverify" row for HS256 and RS256 (the
# runtime packages' overhead targets), measured now and kept as
# "tokenverify (C, beside LANG)": report.py compares each package with the C ABI
# timed right before and right after it, not minutes earlier, which on a shared
# machine drifts by more than the 2% being measured.
reference_beside() {
  TV_PEERS_REFERENCE_ALGS=HS256,RS256 timeout "$RUNNER_TIMEOUT" "${PIN[@]}" "$BIN/tokenverify_driver" \
    "$TOKENS" "$BUDGET" "$REPEATS" 2>>"$LOGS/reference-beside.log" |
    LANG_="$1" python3 -c '
import json, os, sys
for line in sys.stdin:
    if line.startswith("{"):
        r = json.loads(line)
        r["peer"] = "tokenverify (C, beside %s)" % os.environ["LANG_"]
        print(json.dumps(r))' >>"$RESULTS"
}

# run_peer NAME "PEER|LANG"... -- CMD...: runs one runner pinned to the CPU, keeps
# its JSON lines; if it fails, its peers that printed nothing become unavailable.
# A runtime package's runner (NAME *-tokenverify) is bracketed by reference_beside.
run_peer() {
  local name="$1"; shift
  local specs=()
  while [[ "$1" != -- ]]; do specs+=("$1"); shift; done
  shift
  local package_lang=""
  [[ "$name" == *-tokenverify ]] && package_lang="${specs[0]#*|}"
  [[ -n "$package_lang" ]] && reference_beside "$package_lang"
  say "running $name"
  local out="$LOGS/$name.out" rc=0
  timeout "$RUNNER_TIMEOUT" "${PIN[@]}" "$@" >"$out" 2>"$LOGS/$name.log" || rc=$?
  grep '^{' "$out" >>"$RESULTS"
  grep '^{' "$out" | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r.get("kind") == "paired_overhead":
        v = "%.3fx the C ABI (paired)" % r["ratio"]
    elif "ns_per_op" in r:
        v = "%.2f us/op" % (r["ns_per_op"] / 1000)
    else:
        v = "unavailable: " + r["unavailable"]
    print("    %-22s %-6s %s" % (r["peer"], r["alg"], v), file=sys.stderr)'
  [[ -n "$package_lang" ]] && reference_beside "$package_lang"
  if ((rc != 0)); then
    local why="runner failed (exit $rc$( ((rc == 124)) && echo ", timed out")); see ${LOGS#"$ROOT"/}/$name.log"
    unavailable "$why" "${specs[@]}"
  fi
}

# ---------------------------------------------------------------- machine state
META="$WORK/meta.env"
{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "nproc=$(nproc)"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "pinned_cpu=$CPU"
  echo "seconds=$BUDGET"
  echo "repeats=$REPEATS"
  echo "openssl=$(openssl version 2>/dev/null | cut -d' ' -f2)"
} >"$META"

# ---------------------------------------------------------------- tokenverify (the reference)
say "building tokenverify in ${BUILD#"$ROOT"/}"
if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$LOGS/cmake.log" 2>&1 ||
    die "cmake failed; see $LOGS/cmake.log"
fi
ninja -C "$BUILD" tokenverify >"$LOGS/ninja.log" 2>&1 || die "building tokenverify failed; see $LOGS/ninja.log"
cc -std=c11 -O2 -Wall -Wextra -o "$BIN/tokenverify_driver" "$HERE/tokenverify_driver.c" \
  -I"$ROOT/bindings/c/include" -I"$BUILD/generated/include" -L"$BUILD" -ltokenverify -lcrypto \
  -Wl,-rpath,"$BUILD" >"$LOGS/tokenverify_driver.build.log" 2>&1 ||
  die "building the C driver failed; see $LOGS/tokenverify_driver.build.log"

# ---------------------------------------------------------------- harness Python + token set
say "harness venv (cryptography, matplotlib)"
if [[ ! -x "$PY" ]]; then
  python3 -m venv "$VENV" >"$LOGS/venv.log" 2>&1 || die "python3 -m venv failed; see $LOGS/venv.log"
fi
if ! stamp_ok harness "$HERE/requirements-harness.txt"; then
  "$PY" -m pip install --disable-pip-version-check -q -r "$HERE/requirements-harness.txt" \
    >"$LOGS/pip-harness.log" 2>&1 || die "pip install of the harness requirements failed; see $LOGS/pip-harness.log"
  stamp_set harness "$HERE/requirements-harness.txt"
fi
say "generating keys and tokens"
rm -rf "$TOKENS"
"$PY" "$HERE/make_tokens.py" "$TOKENS" >&2 || die "make_tokens.py failed"
echo "payload_bytes=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["payload_bytes"])' "$TOKENS/manifest.json")" >>"$META"

run_peer tokenverify "tokenverify|C" "tokenverify + claims|C" "raw OpenSSL|C" -- \
  "$BIN/tokenverify_driver" "$TOKENS" "$BUDGET" "$REPEATS"
echo "tokenverify=$("$BUILD/tokenverify" version 2>/dev/null | head -1)" >>"$META"

# ---------------------------------------------------------------- Rust: jsonwebtoken
if wanted rust; then
  if ! command -v cargo >/dev/null; then
    unavailable "cargo not found" "jsonwebtoken|Rust"
  else
    say "building the Rust peer (first build compiles aws-lc: a minute or two)"
    if CARGO_TARGET_DIR="$WORK/rust-target" cargo build --release --locked \
      --manifest-path "$HERE/rust/Cargo.toml" >"$LOGS/cargo.log" 2>&1; then
      echo "rustc=$(rustc --version | cut -d' ' -f2)" >>"$META"
      run_peer rust "jsonwebtoken|Rust" -- "$WORK/rust-target/release/jsonwebtoken-peer" "$TOKENS" "$BUDGET" "$REPEATS"
    else
      unavailable "cargo build failed; see ${LOGS#"$ROOT"/}/cargo.log" "jsonwebtoken|Rust"
    fi
  fi
fi

# ---------------------------------------------------------------- Rust: the tokenverify crate (bindings/rust)
if wanted rust; then
  if ! command -v cargo >/dev/null; then
    unavailable "cargo not found" "tokenverify (Rust)|Rust"
  else
    say "building the tokenverify crate's runner (bindings/rust, against ${BUILD#"$ROOT"/})"
    if TOKENVERIFY_LIB_DIR="$BUILD" CARGO_TARGET_DIR="$WORK/rust-tokenverify-target" cargo build --release --locked \
      --manifest-path "$HERE/rust-tokenverify/Cargo.toml" >"$LOGS/cargo-tokenverify.log" 2>&1; then
      run_peer rust-tokenverify "tokenverify (Rust)|Rust" -- \
        "$WORK/rust-tokenverify-target/release/tokenverify-rust-peer" "$TOKENS" "$BUDGET" "$REPEATS"
    else
      unavailable "cargo build failed; see ${LOGS#"$ROOT"/}/cargo-tokenverify.log" "tokenverify (Rust)|Rust"
    fi
  fi
fi

# ---------------------------------------------------------------- Go: golang-jwt
if wanted go; then
  if ! command -v go >/dev/null; then
    unavailable "go not found" "golang-jwt|Go"
  else
    say "building the Go peer"
    if stamp_ok go "$HERE/go/go.mod" "$HERE/go/go.sum" "$HERE/go/main.go" && [[ -x "$BIN/golangjwt" ]] ||
      { (cd "$HERE/go" && GOFLAGS=-mod=readonly go build -o "$BIN/golangjwt" .) >"$LOGS/go.log" 2>&1 &&
        stamp_set go "$HERE/go/go.mod" "$HERE/go/go.sum" "$HERE/go/main.go"; }; then
      echo "go=$(go env GOVERSION)" >>"$META"
      run_peer go "golang-jwt|Go" -- env GOMAXPROCS=1 "$BIN/golangjwt" "$TOKENS" "$BUDGET" "$REPEATS"
    else
      unavailable "go build failed; see ${LOGS#"$ROOT"/}/go.log" "golang-jwt|Go"
    fi
  fi
fi

# ---------------------------------------------------------------- Go: tokenverify's Go package (bindings/go)
if wanted go; then
  if ! command -v go >/dev/null; then
    unavailable "go not found" "tokenverify (Go)|Go"
  else
    say "building the tokenverify Go package's runner (cgo, against ${BUILD#"$ROOT"/})"
    # Built every run (Go's build cache makes it quick): it links the library just built.
    if (cd "$HERE/go-tokenverify" && CGO_ENABLED=1 GOFLAGS=-mod=readonly \
      CGO_CFLAGS="-I$ROOT/bindings/c/include -I$BUILD/generated/include" \
      CGO_LDFLAGS="-L$BUILD -Wl,-rpath,$BUILD" go build -o "$BIN/go-tokenverify" .) >"$LOGS/go-tokenverify.log" 2>&1; then
      run_peer go-tokenverify "tokenverify (Go)|Go" -- env GOMAXPROCS=1 "$BIN/go-tokenverify" "$TOKENS" "$BUDGET" "$REPEATS"
      # The package against the C ABI in one process (paired.go): on two CPUs, not
      # pinned, where the Go runtime's own threads run beside the verification.
      if (($(nproc) >= 2)); then
        say "running go-tokenverify --paired (GOMAXPROCS=2, not pinned)"
        timeout "$RUNNER_TIMEOUT" env GOMAXPROCS=2 "$BIN/go-tokenverify" --paired "$TOKENS" "$BUDGET" \
          2>"$LOGS/go-tokenverify-paired.log" | grep '^{' >>"$RESULTS"
      else
        say "go-tokenverify --paired needs two CPUs; this machine has one"
      fi
    else
      unavailable "go build failed; see ${LOGS#"$ROOT"/}/go-tokenverify.log" "tokenverify (Go)|Go"
    fi
  fi
fi

# ---------------------------------------------------------------- C: libjwt (Debian)
if wanted libjwt; then
  say "libjwt from Debian"
  if [[ ! -f /usr/include/jwt.h ]]; then
    if command -v apt-get >/dev/null && [[ "$(id -u)" == 0 ]]; then
      { apt-get install -y libjwt-dev || { apt-get update && apt-get install -y libjwt-dev; }; } \
        >"$LOGS/apt-libjwt.log" 2>&1
    fi
  fi
  if [[ ! -f /usr/include/jwt.h ]]; then
    unavailable "libjwt-dev is not installed and could not be installed (needs root and Debian's apt; see ${LOGS#"$ROOT"/}/apt-libjwt.log)" "libjwt|C"
  else
    LIBJWT_VERSION="$(dpkg-query -W -f='${Version}' libjwt-dev 2>/dev/null || echo unknown)"
    if cc -std=c11 -O2 -Wall -Wextra -DLIBJWT_VERSION="\"$LIBJWT_VERSION\"" -o "$BIN/libjwt_driver" \
      "$HERE/libjwt_driver.c" -ljwt >"$LOGS/libjwt_driver.build.log" 2>&1; then
      run_peer libjwt "libjwt|C" -- "$BIN/libjwt_driver" "$TOKENS" "$BUDGET" "$REPEATS"
    else
      unavailable "building the libjwt driver failed; see ${LOGS#"$ROOT"/}/libjwt_driver.build.log" "libjwt|C"
    fi
  fi
fi

# ---------------------------------------------------------------- Node: jose, fast-jwt, jsonwebtoken
if wanted node; then
  NODE_PEERS=("jose|Node" "fast-jwt|Node" "fast-jwt (cache)|Node" "jsonwebtoken|Node")
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    unavailable "node or npm not found" "${NODE_PEERS[@]}"
  else
    say "npm packages (jose, fast-jwt, jsonwebtoken)"
    mkdir -p "$WORK/node"
    if stamp_ok node "$HERE/node/package.json" "$HERE/node/package-lock.json" && [[ -d "$WORK/node/node_modules" ]] ||
      { cp "$HERE/node/package.json" "$HERE/node/package-lock.json" "$WORK/node/" &&
        (cd "$WORK/node" && npm ci --no-audit --no-fund) >"$LOGS/npm.log" 2>&1 &&
        stamp_set node "$HERE/node/package.json" "$HERE/node/package-lock.json"; }; then
      echo "node=$(node --version)" >>"$META"
      (cd "$WORK/node" && run_peer node "${NODE_PEERS[@]}" -- node "$HERE/node/bench.mjs" "$TOKENS" "$BUDGET" "$REPEATS")
    else
      unavailable "npm ci failed; see ${LOGS#"$ROOT"/}/npm.log" "${NODE_PEERS[@]}"
    fi
  fi
fi

# ---------------------------------------------------------------- Node: tokenverify's own package
# bindings/node (an N-API addon over the C ABI), built under $WORK against this run's
# library; the runner times verifier.verifyOnly(token) (no claims object, like the C row).
if wanted node; then
  NODE_TV_PEERS=("tokenverify (Node)|Node")
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    unavailable "node or npm not found" "${NODE_TV_PEERS[@]}"
  else
    say "building the Node package (bindings/node) against ${BUILD#"$ROOT"/}"
    NODE_PKG="$WORK/node-tokenverify"
    mkdir -p "$NODE_PKG"
    if (cd "$ROOT/bindings/node" && cp -R package.json package-lock.json binding.gyp index.js index.d.ts setup.sh src scripts "$NODE_PKG/") &&
      mkdir -p "$NODE_PKG/core-status" && cp "$ROOT/core/include/tokenverify/status.def" "$NODE_PKG/core-status/" &&
      mkdir -p "$WORK/bindings-c" && rm -rf "$WORK/bindings-c/include" && cp -R "$ROOT/bindings/c/include" "$WORK/bindings-c/include" &&
      bash "$NODE_PKG/setup.sh" >"$LOGS/node-tokenverify.build.log" 2>&1 &&
      (cd "$NODE_PKG" && TOKENVERIFY_LIB_DIR="$BUILD" TOKENVERIFY_STATUS_DEF="$NODE_PKG/core-status/status.def" \
        TOKENVERIFY_C_INCLUDE="$WORK/bindings-c/include" node scripts/build.js) >>"$LOGS/node-tokenverify.build.log" 2>&1; then
      TOKENVERIFY_NODE_PACKAGE="$NODE_PKG" run_peer node-tokenverify "${NODE_TV_PEERS[@]}" -- \
        node "$HERE/node-tokenverify/bench.mjs" "$TOKENS" "$BUDGET" "$REPEATS"
    else
      unavailable "building bindings/node failed; see ${LOGS#"$ROOT"/}/node-tokenverify.build.log" "${NODE_TV_PEERS[@]}"
    fi
  fi
fi

# ---------------------------------------------------------------- Java: tokenverify (Java), jjwt, nimbus-jose-jwt
if wanted java; then
  JAVA_PEERS=("jjwt|Java" "nimbus-jose-jwt|Java")
  # A JDK with the FFM API (22+) for the package; bindings/java/jdk.sh finds one.
  # shellcheck source=../../bindings/java/jdk.sh
  if ! (source "$ROOT/bindings/java/jdk.sh" && tv_use_jdk22) 2>"$LOGS/java-jdk.log"; then
    unavailable "no JDK 22 or later found; see ${LOGS#"$ROOT"/}/java-jdk.log" "tokenverify (Java)|Java" "${JAVA_PEERS[@]}"
  elif ! command -v mvn >/dev/null; then
    unavailable "mvn (Maven) not found" "tokenverify (Java)|Java" "${JAVA_PEERS[@]}"
  else
    source "$ROOT/bindings/java/jdk.sh" && tv_use_jdk22
    JAVA_OPTS_=(-XX:+UseSerialGC -Xms256m -Xmx256m)
    MVN=(mvn -B -ntp -q)
    (($(tv_jdk_feature "$JAVA_HOME/bin/java") >= 24)) && export MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow"
    echo "java=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p' | head -1)" >>"$META"
    say "building the Java package (bindings/java) and its peer runner"
    JBIN="$WORK/java-tokenverify"
    JJAR="$WORK/java-binding/tokenverify-$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$ROOT/bindings/java/pom.xml" | head -1).jar"
    if "${MVN[@]}" -f "$ROOT/bindings/java/pom.xml" -DskipTests -Dtokenverify.build.dir="$WORK/java-binding" package \
      >"$LOGS/java-binding.log" 2>&1 &&
      mkdir -p "$JBIN" && javac -d "$JBIN" -cp "$JJAR" \
        "$HERE/java-tokenverify/TokenverifyPeer.java" >>"$LOGS/java-binding.log" 2>&1; then
      # cloop.c: the runner's paired-overhead baseline; if it does not build, the runner
      # still prints its other lines and says on stderr why the paired ones are missing.
      rm -f "$BIN/libtv_peer_cloop.so"
      cc -std=c11 -O2 -Wall -Wextra -shared -fPIC -o "$BIN/libtv_peer_cloop.so" "$HERE/java-tokenverify/cloop.c" \
        -I"$ROOT/bindings/c/include" -I"$BUILD/generated/include" -L"$BUILD" -ltokenverify \
        -Wl,-rpath,"$BUILD" >"$LOGS/java-tokenverify-cloop.build.log" 2>&1
      run_peer java-tokenverify "tokenverify (Java)|Java" -- java "${JAVA_OPTS_[@]}" --enable-native-access=ALL-UNNAMED \
        -Dtokenverify.library.dir="$BUILD" -Dtokenverify.peer.cloop="$BIN/libtv_peer_cloop.so" -cp "$JJAR:$JBIN" \
        TokenverifyPeer "$TOKENS" "$BUDGET" "$REPEATS"
    else
      unavailable "building the Java package failed; see ${LOGS#"$ROOT"/}/java-binding.log" "tokenverify (Java)|Java"
    fi
    say "Maven packages (jjwt, nimbus-jose-jwt) and the Java peer runner"
    if "${MVN[@]}" -f "$HERE/java/pom.xml" -Dpeers.build.dir="$WORK/java-peers" package dependency:build-classpath \
      -Dmdep.outputFile="$WORK/java-peers.classpath" >"$LOGS/java-peers.log" 2>&1; then
      run_peer java "${JAVA_PEERS[@]}" -- java "${JAVA_OPTS_[@]}" \
        -cp "$WORK/java-peers/classes:$(cat "$WORK/java-peers.classpath")" peers.JavaPeers "$TOKENS" "$BUDGET" "$REPEATS"
    else
      unavailable "mvn package failed; see ${LOGS#"$ROOT"/}/java-peers.log" "${JAVA_PEERS[@]}"
    fi
  fi
fi

# ---------------------------------------------------------------- Python: PyJWT, joserfc, jwcrypto, authlib
if wanted python; then
  say "Python peers (PyJWT, joserfc, jwcrypto, authlib)"
  REQ="$HERE/python/requirements.txt"
  if ! stamp_ok python "$REQ" "$HERE/requirements-harness.txt"; then
    if "$PY" -m pip install --disable-pip-version-check -q -r "$REQ" >"$LOGS/pip-peers.log" 2>&1; then
      stamp_set python "$REQ" "$HERE/requirements-harness.txt"
    else
      # One at a time, so that one broken pin only costs its own peer (the
      # runner reports whatever cannot be imported as unavailable).
      grep -E '^[A-Za-z]' "$REQ" | while read -r pin; do
        "$PY" -m pip install --disable-pip-version-check -q "$pin" >>"$LOGS/pip-peers.log" 2>&1 ||
          say "pip could not install $pin; see $LOGS/pip-peers.log"
      done
    fi
  fi
  # tokenverify's own Python package, from this tree (incremental: scikit-build-core
  # keeps its build directory). If it does not install, its row says why (import failed).
  say "installing the tokenverify Python package (pip install .)"
  "$PY" -m pip install --disable-pip-version-check -q "$ROOT" >"$LOGS/pip-tokenverify.log" 2>&1 ||
    say "pip install . failed; see $LOGS/pip-tokenverify.log"
  echo "python=$("$PY" -c 'import sys; print(sys.version.split()[0])')" >>"$META"
  run_peer python "tokenverify|Python" "PyJWT|Python" "joserfc|Python" "jwcrypto|Python" "authlib|Python" -- \
    "$PY" "$HERE/python/bench_py.py" "$TOKENS" "$BUDGET" "$REPEATS"
fi

# ---------------------------------------------------------------- report
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$META"
cp "$RESULTS" "$RESULTS_DIR/peers.jsonl"
say "report: ${RESULTS_DIR#"$ROOT"/}/peers.md, peers.png"
"$PY" "$HERE/report.py" --results "$RESULTS" --meta "$META" \
  --markdown "$RESULTS_DIR/peers.md" --chart "$RESULTS_DIR/peers.png" || die "report.py failed"
