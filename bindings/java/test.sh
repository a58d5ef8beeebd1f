#!/usr/bin/env bash
# bindings/java/test.sh BUILD: builds the Java package against BUILD (a directory holding
# libtokenverify.so and generated/include), runs its JUnit suite with `mvn test` (through
# `mvn package`), runs examples/java/Verify.java and checks its output, and checks that the
# README's example is that file. Fails, never skips, when the JDK (22+) or Maven is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(cd "${1:?usage: bindings/java/test.sh BUILD}" && pwd)"
[[ -f "$build/libtokenverify.so" ]] || { echo "java/test.sh: no libtokenverify.so in $build" >&2; exit 1; }

source "$here/jdk.sh"
tv_use_jdk22
command -v mvn >/dev/null || { echo "java/test.sh: mvn (Maven) not found" >&2; exit 1; }
# Maven 3.8's own libraries use sun.misc.Unsafe, which JDK 24+ warns about on every run.
if (($(tv_jdk_feature "$JAVA_HOME/bin/java") >= 24)); then
  export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"
fi
echo "java/test.sh: JDK $JAVA_HOME, library $build/libtokenverify.so"

# Build, test (JUnit 5 through surefire, run from the repository root) and package.
mvn -B -ntp -f "$here/pom.xml" -Dtokenverify.library.dir="$build" package

jar="$here/target/tokenverify-$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$here/pom.xml" | head -1).jar"
[[ -f "$jar" ]] || { echo "java/test.sh: $jar was not built" >&2; exit 1; }

# The example program, run as the README says (from the repository root, source-file mode).
out="$(cd "$root" && java --enable-native-access=ALL-UNNAMED -Dtokenverify.library.dir="$build" \
  -cp "$jar" examples/java/Verify.java)"
echo "$out"
expected="verified: sub=alice team=dev exp=2074274884 provider=kgateway"
if [[ "$out" != "$expected" ]]; then
  echo "java/test.sh: examples/java/Verify.java printed '$out', expected '$expected'" >&2
  exit 1
fi

# The README's example is the example file, line for line.
readme_example="$(awk '/^```java$/ {inside = 1; next} inside && /^```$/ {exit} inside' "$here/README.md")"
if [[ "$readme_example" != "$(cat "$root/examples/java/Verify.java")" ]]; then
  echo "java/test.sh: the first java block of bindings/java/README.md differs from examples/java/Verify.java" >&2
  diff <(echo "$readme_example") "$root/examples/java/Verify.java" >&2 || true
  exit 1
fi
echo "java/test.sh: ok"
