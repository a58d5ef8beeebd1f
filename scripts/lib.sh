# Shared by the entry-point scripts: where the tree is and how to build it.
# shellcheck shell=bash
TV_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TV_JOBS="${TV_JOBS:-$(nproc)}"

# tv_build DIR [cmake options...]: configure (once) and build everything in DIR.
tv_build() {
  local dir="$1"
  shift
  if [[ ! -f "$dir/build.ninja" ]]; then
    cmake -S "$TV_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  fi
  ninja -C "$dir" -j "$TV_JOBS" >/dev/null || ninja -C "$dir" -j 1  # re-run to show the error plainly
}

# tv_toolchain_path: puts the runtimes' toolchains on PATH where the machine
# installs them outside it (Go in /usr/local/go, rustup's cargo in ~/.cargo), and
# points JAVA_HOME at a JDK with the finalized FFM API (22 or later) when the
# default one is older. Each binding's test.sh fails plainly if its tool is absent.
tv_toolchain_path() {
  local dir
  for dir in /usr/local/go/bin "$HOME/go/bin" "$HOME/.cargo/bin"; do
    [[ -d "$dir" && ":$PATH:" != *":$dir:"* ]] && PATH="$dir:$PATH"
  done
  export PATH
  if [[ -z "${JAVA_HOME:-}" || "$(tv_java_feature "$JAVA_HOME/bin/java")" -lt 22 ]]; then
    local jdk best="" best_version=0 version
    for jdk in /usr/lib/jvm/*/; do
      version="$(tv_java_feature "${jdk}bin/java")"
      if ((version > best_version)); then best="${jdk%/}" best_version="$version"; fi
    done
    ((best_version >= 22)) && export JAVA_HOME="$best"
  fi
  return 0
}

# tv_java_feature JAVA: the feature release of that java (17, 25...), 0 if none.
tv_java_feature() {
  [[ -x "$1" ]] || { echo 0; return; }
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -1 | grep . || echo 0
}
