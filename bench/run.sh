#!/usr/bin/env bash
# Every benchmark figure in one run, each beside its denominator: builds the Lambda jar and the driver, starts
# DynamoDB Local (its own JVM, free port), runs every section, prints the table of figures and ratios, and writes
# BENCHMARKS.md, bench/results/figures.tsv and the PNGs under bench/results/. Run from anywhere; takes about
# an hour on a quiet 2-core machine (`--quick`: a few minutes, fewer samples, for trying it out). Options: see
# bench/src/main/java/io/clusterpeering/bench/Options.java (--quick, --cold-runs N, --only a,b, --no-wait, ...).
# By default it first waits (up to 15 min) for the machine's 1-minute load average to fall below 1.5.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl bench -am -Dmaven.test.skip=true package
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xms1g -Xmx3g -Dlogback.configurationFile=bench/src/main/resources/bench-logback.xml \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.clusterpeering.bench.Bench "$@"
