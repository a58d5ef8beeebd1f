# Sourced by bindings/java/test.sh and setup.sh (and bench/peers/run.sh's Java sections):
# points JAVA_HOME at a JDK with the finalized Foreign Function & Memory API (22 or later).
# shellcheck shell=bash

# tv_jdk_feature JAVA: the feature release of that java (17, 25...), 0 if none.
tv_jdk_feature() {
  [[ -x "$1" ]] || { echo 0; return; }
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -1 | grep . || echo 0
}

# tv_use_jdk22: keeps JAVA_HOME if it is 22 or later, else takes the java on PATH, else the
# newest JDK under /usr/lib/jvm; exports JAVA_HOME and puts its bin first on PATH. Fails
# (returns 1, with a message) when there is none.
tv_use_jdk22() {
  local cand java_on_path="" best="" best_version=0 version
  if command -v java >/dev/null 2>&1; then
    java_on_path="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  fi
  for cand in "${JAVA_HOME:-}" "$java_on_path" /usr/lib/jvm/*; do
    cand="${cand%/}"
    [[ -n "$cand" && -x "$cand/bin/java" && -x "$cand/bin/javac" ]] || continue
    version="$(tv_jdk_feature "$cand/bin/java")"
    if [[ "$cand" == "${JAVA_HOME:-}" || "$cand" == "$java_on_path" ]] && ((version >= 22)); then
      best="$cand" best_version="$version"
      break
    fi
    if ((version > best_version)); then best="$cand" best_version="$version"; fi
  done
  if ((best_version < 22)); then
    echo "tokenverify (Java): no JDK 22 or later found (JAVA_HOME, java on PATH, /usr/lib/jvm/*); the FFM API needs one" >&2
    return 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
}
