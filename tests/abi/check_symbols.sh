#!/usr/bin/env bash
# check_symbols.sh LIB LIST: fail when the functions exported by LIB differ
# from the reviewed list in LIST (one name per line, sorted with LC_ALL=C).
#
# The exported set is the ABI: a symbol that appears by accident becomes
# something callers can depend on, and one that disappears breaks them. The
# version script (bindings/c/tokenverify.map) exports tv_*; this test makes any
# change to that set a deliberate, reviewed edit of LIST.
set -euo pipefail
export LC_ALL=C

if [[ $# -ne 2 ]]; then
  echo "usage: $0 LIBTOKENVERIFY.so EXPORTED_SYMBOLS.txt" >&2
  exit 2
fi
lib=$1
list=$2

# nm -D --defined-only prints "ADDRESS TYPE NAME[@@VERSION]". T is a function in
# the text section, i an IFUNC-dispatched one; both are callable API. The
# version suffix is dropped: the list names functions, the map file names nodes.
actual=$(nm -D --defined-only "$lib" | awk '$2 == "T" || $2 == "i" { sub(/@.*/, "", $3); print $3 }' | sort -u)

if diff -u --label "expected ($list)" --label "exported by $lib" "$list" <(printf '%s\n' "$actual"); then
  echo "PASS: $(printf '%s\n' "$actual" | wc -l) exported functions match $list"
  exit 0
fi

cat >&2 <<MSG

FAIL: the library's exported functions differ from $list.
  '-' lines are listed but not exported (removed or renamed: an ABI break,
      which needs a SOVERSION bump, or a missing definition);
  '+' lines are exported but not listed (new API, or a symbol leaking
      through the version script).
If the change is intended, make it deliberately:
  1. declare the function in bindings/c/include/tokenverify.h with TV_API;
  2. regenerate the list and review the diff:
       nm -D --defined-only $lib | awk '\$2=="T"||\$2=="i"{sub(/@.*/,"",\$3);print \$3}' \\
         | LC_ALL=C sort -u > $list
  3. commit the header and the list together, saying why in the message.
Removing or changing an existing function is an ABI break: add a _v2 instead.
MSG
exit 1
