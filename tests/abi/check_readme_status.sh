#!/usr/bin/env bash
# Every status in the table (status.def) must appear in README.md's status
# table as "| NUMBER | `TV_NAME` |", so the documentation cannot fall behind.
set -euo pipefail
def="$1"
readme="$2"
missing=0
while IFS= read -r line; do
  sym=$(sed -E 's/^TV_STATUS\(([A-Z0-9_]+), *([0-9]+),.*/\1/' <<<"$line")
  num=$(sed -E 's/^TV_STATUS\(([A-Z0-9_]+), *([0-9]+),.*/\2/' <<<"$line")
  if ! grep -qF "| $num | \`TV_$sym\` |" "$readme"; then
    echo "README.md lacks the status row: | $num | \`TV_$sym\` | ..." >&2
    missing=1
  fi
done < <(grep -E '^TV_STATUS\(' "$def")
exit $missing
