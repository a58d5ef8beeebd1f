#!/usr/bin/env bash
# Formats every tracked C and C++ file with clang-format and the repository's
# .clang-format. With --check it changes nothing and exits non-zero, naming
# the files, when any file is not formatted (scripts/test.sh runs this).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TV_ROOT"

command -v clang-format >/dev/null || { echo "format: clang-format is not installed (scripts/setup.sh)" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.c' '*.cc' '*.h')
if [[ "${1:-}" == "--check" ]]; then
  unformatted=()
  for f in "${files[@]}"; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || unformatted+=("$f")
  done
  if [[ ${#unformatted[@]} -gt 0 ]]; then
    echo "format: not formatted (run scripts/format.sh): ${unformatted[*]}" >&2
    exit 1
  fi
  echo "format: ${#files[@]} files formatted"
else
  clang-format -i "${files[@]}"
fi
