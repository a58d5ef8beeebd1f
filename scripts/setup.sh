#!/usr/bin/env bash
# Installs what tokenverify needs: Debian's packages, then what each runtime
# binding needs from its own registry (bindings/<lang>/setup.sh: Go modules,
# crates, npm packages, Maven artifacts). Idempotent: when everything is present
# it checks and exits quietly in a second or two.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config python3
  python3-venv python3-dev  # the Python package: its virtual environment and the extension's headers
  libssl-dev         # OpenSSL 3: every signature algorithm (Ed25519 verification aside)
  libsodium-dev      # Ed25519 verification (core/src/keys/key_ed25519.cc): libsodium's crypto_sign_verify_detached
  libsimdjson-dev    # JSON parsing (On-Demand)
  libabsl-dev        # hash maps
  libcurl4-openssl-dev  # remote key sets: HTTPS fetches of JWKS (libcurl on OpenSSL)
  libcrypt-dev       # Basic passwords: bcrypt, sha-crypt, yescrypt (libxcrypt's crypt_rn)
  libargon2-dev      # Basic passwords: argon2
  libmicrohttpd-dev  # tokenverify serve: the HTTP server (serve/http_server.cc)
  nginx-light caddy haproxy  # the serve tests put tokenverify serve behind real gateways on 127.0.0.1
  wrk                # ./scripts/bench.sh --serve: the load generator
  libcpp-httplib-dev # ./scripts/bench.sh --serve: the HTTP library serve was measured against
  libhiredis-dev     # shared revocations: the Redis stream reader (core/src/revocation/redis_feed.cc)
  redis-server redis-tools  # the revocation tests start a real redis-server on 127.0.0.1; redis-cli in the README
  libgtest-dev       # unit tests
  libbenchmark-dev   # benchmarks
  clang              # fuzzers (scripts/fuzz.sh): libFuzzer needs clang
  libclang-rt-14-dev # libclang_rt.fuzzer and the clang sanitizer runtimes (only recommended by clang)
  llvm               # llvm-symbolizer, for readable sanitizer stack traces
  clang-format       # scripts/format.sh: the C and C++ style (.clang-format), checked by scripts/test.sh
  valgrind           # scripts/callgrind_verify.sh: instructions per verification
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Each binding's dependencies, from its runtime's registry.
source "$(dirname "$0")/lib.sh"
tv_toolchain_path
for binding_setup in "$TV_ROOT"/bindings/*/setup.sh; do
  [[ -f "$binding_setup" ]] && bash "$binding_setup"
done
exit 0
