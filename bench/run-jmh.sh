#!/usr/bin/env bash
# Runs the JMH benchmarks of the data plane's hot paths with short settings (about 2 minutes for
# all of them). Arguments go to JMH: a regex selects benchmarks, e.g. ./run-jmh.sh HubFanOut.
# JMH_OPTS replaces the short settings, e.g. JMH_OPTS="-f 2 -wi 5 -i 10" ./run-jmh.sh. Builds the
# module first.
# Assumes net.api, net.hub, net.backend.socket and net.backend.dump are installed in ~/.m2
# (mvn -B -q install at the root does that).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
java_home="${JAVA_HOME:-}"
if [[ -z "$java_home" || ! -x "$java_home/bin/java" ]]; then
    java_home="$(ls -d /usr/lib/jvm/*25* 2>/dev/null | head -1)"
fi
cd "$here"
mvn -B -q install
cp_file="$here/target/classpath.txt"
mvn -B -q dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime >/dev/null
exec "$java_home/bin/java" --enable-native-access=ALL-UNNAMED -cp "$here/target/classes:$(cat "$cp_file")" \
    org.openjdk.jmh.Main ${JMH_OPTS:--f 1 -wi 2 -w 1s -i 3 -r 1s} \
    -jvmArgsAppend "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow" \
    -rf text -rff "$here/target/jmh-result.txt" "$@"
