#!/usr/bin/env bash
# Core benchmark: start-up, idle memory, registrations and logins per second, each beside a baseline
# measured in the same run. Writes the results into docs/benchmarks.md.
#   bench/run.sh            (builds first if the runnable jar is missing)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f distribution/target/switchboard.jar ] || mvn -B -q install -DskipTests
mvn -B -q -f bench/pom.xml package
java -cp bench/target/classes io.switchboard.bench.CoreBench distribution/target/switchboard.jar docs/benchmarks.md "$@"
