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
