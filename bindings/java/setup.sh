#!/usr/bin/env bash
# bindings/java/setup.sh: fetches the Java package's Maven plugins and test dependencies
# (exact versions in pom.xml) from Maven Central into ~/.m2. Idempotent; fast once done.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/jdk.sh"
tv_use_jdk22
command -v mvn >/dev/null || { echo "java/setup.sh: mvn (Maven) not found (Debian: apt-get install maven)" >&2; exit 1; }
if (($(tv_jdk_feature "$JAVA_HOME/bin/java") >= 24)); then
  export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"
fi
# Maven takes ~15 s even with everything present: a stamp of the pom's hash in
# ~/.m2 skips it when this pom's artifacts were resolved there before.
stamp="${HOME}/.m2/.tokenverify-java-$(sha256sum "$here/pom.xml" | cut -c1-16)"
[[ -f "$stamp" ]] && exit 0
mvn -B -ntp -q -f "$here/pom.xml" dependency:resolve-plugins dependency:resolve
touch "$stamp"
