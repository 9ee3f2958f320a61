#!/usr/bin/env bash
# Measures the local cold start of one function handler from the Lambda jar: JVM start to first answered
# API Gateway event, N fresh JVMs (default 10), against a DynamoDB Local started here. Prints each run and
# the median. Run from the repository root after `mvn -B -ntp verify -DskipTests`.
set -euo pipefail
runs="${1:-10}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
jar=functions/target/functions-lambda.jar
[ -f "$jar" ] || { echo "build the jar first: mvn -B -ntp verify -DskipTests" >&2; exit 1; }
mvn -B -ntp -q -pl functions test-compile

port=18765
mvn -B -ntp -q -pl functions exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=com.amazonaws.services.dynamodbv2.local.main.ServerRunner \
  -Dexec.args="-inMemory -port $port -sharedDb -disableTelemetry" >/dev/null 2>&1 &
ddb=$!
trap 'kill $ddb 2>/dev/null || true; pkill -f "ServerRunner.*-port $port" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -s -o /dev/null "http://127.0.0.1:$port" && break
  sleep 1
done

export PEERING_DYNAMODB_ENDPOINT="http://127.0.0.1:$port" AWS_REGION=us-east-1 PEERING_DATACENTER=dc1
probe() {
  java -XX:+TieredCompilation -XX:TieredStopAtLevel=1 -Dlogback.configurationFile=logback-lambda.xml \
    -cp "$jar:functions/target/test-classes" io.clusterpeering.bench.ColdStartProbe 2>/dev/null | grep 'cold start:'
}
PEERING_DYNAMODB_CREATE_TABLE=true probe >/dev/null   # creates the table; not counted
results=()
for i in $(seq 1 "$runs"); do
  line="$(probe)"
  echo "run $i: $line"
  results+=("$(echo "$line" | sed -E 's/.*first answer ([0-9]+) ms.*/\1/')")
done
median="$(printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
echo "median of $runs: $median ms from JVM start to the first answered event"
