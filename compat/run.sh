#!/usr/bin/env bash
# Consul's Go API client against two real local clusters, twice: first with ACLs off, then with ACLs on.
# For each mode: start dc1 and dc2 (`mvn -pl functions exec:java`, as the README's "Start here") on free ports
# with nothing kept on disk (PEERING_DATA_DIR=:memory:), wait until both answer /v1/status/leader, run
# `go test -count=1 ./...` in compat/ with their addresses in COMPAT_CLUSTER1_ADDR / COMPAT_CLUSTER2_ADDR
# (and COMPAT_ACL=1 in the second mode), stop them. Prints how long each mode took; exits non-zero if a mode fails.
# Needs JDK 25, Maven, Go (compat/go.mod's version; GOTOOLCHAIN fetches it if older) and curl.
# Builds nothing Java-wise beyond `mvn -q -pl functions compile`, and only when the classes are older than a source.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# JDK 25, as .ci/run picks it: the default java when new enough, else an installed one.
java_feature() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
if ! command -v java >/dev/null 2>&1 || [ "$(java_feature java)" -lt 25 ] 2>/dev/null; then
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/java-25-*; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ "$(java_feature "$candidate/bin/java")" -ge 25 ]; then
      export JAVA_HOME="$candidate" PATH="$candidate/bin:$PATH"
      break
    fi
  done
fi
for tool in java mvn go curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "compat: $tool is needed and not installed" >&2; exit 1; }
done

# Compile only when needed: no classes yet, or a main source or resource newer than the last compile.
stamp=functions/target/.compat-compiled
if [ ! -f "$stamp" ] || [ -n "$(find functions/src/main functions/pom.xml pom.xml -newer "$stamp" -print -quit)" ]; then
  echo "compat: mvn -q -pl functions compile"
  mvn -B -ntp -q -pl functions compile
  touch "$stamp"
fi

logs=$(mktemp -d "${TMPDIR:-/tmp}/compat.XXXXXX")
pids=()

stop_clusters() {
  local pid
  for pid in "${pids[@]}"; do
    # Each cluster runs in its own process group (setsid): Maven and the JVM it forks stop together.
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  pids=()
}
trap stop_clusters EXIT

# A port nothing listens on (the cluster binds it; DynamoDB Local takes its own free port).
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

# start_cluster <datacenter> <port> <acl true|false>: in the background, its own process group, log in $logs.
start_cluster() {
  local log="$logs/$1-acl-$3.log"
  MICRONAUT_SERVER_PORT=$2 PEERING_DATACENTER=$1 PEERING_DATA_DIR=:memory: PEERING_ACL_ENABLED=$3 \
    PEERING_ADVERTISE_URL="http://127.0.0.1:$2" \
    setsid mvn -B -ntp -q -pl functions exec:java >"$log" 2>&1 &
  pids+=($!)
}

# wait_up <port> <log>: until /v1/status/leader answers 200 (it needs no token, also with ACLs on).
wait_up() {
  local deadline=$((SECONDS + 240))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/v1/status/leader")" = 200 ]; do
    if [ $SECONDS -ge $deadline ]; then
      echo "compat: the cluster on port $1 did not answer within 240 s; its log ends:" >&2
      tail -40 "$2" >&2
      return 1
    fi
    sleep 1
  done
}

# run_mode <acl true|false>: two clusters, the suite, stop; the suite's exit status.
run_mode() {
  local acl=$1 p1 p2 status=0
  p1=$(free_port)
  p2=$(free_port)
  while [ "$p2" = "$p1" ]; do p2=$(free_port); done
  echo "compat: starting dc1 on $p1 and dc2 on $p2 (ACLs $([ "$acl" = true ] && echo on || echo off))"
  start_cluster dc1 "$p1" "$acl"
  start_cluster dc2 "$p2" "$acl"
  wait_up "$p1" "$logs/dc1-acl-$acl.log" && wait_up "$p2" "$logs/dc2-acl-$acl.log" || status=$?
  if [ "$status" = 0 ]; then
    (cd "$root/compat" && COMPAT_CLUSTER1_ADDR="http://127.0.0.1:$p1" COMPAT_CLUSTER2_ADDR="http://127.0.0.1:$p2" \
      COMPAT_ACL=$([ "$acl" = true ] && echo 1 || echo 0) GOFLAGS=-mod=mod go test -count=1 -v ./...) || status=$?
  fi
  stop_clusters
  if [ "$status" != 0 ]; then
    echo "compat: cluster logs are in $logs" >&2
  fi
  return "$status"
}

overall=0
results=()
for acl in false true; do
  started=$SECONDS
  if run_mode "$acl"; then outcome=passed; else outcome=FAILED; overall=1; fi
  results+=("$(printf 'ACLs %-3s %-6s %4d s (clusters started and stopped included)' \
    "$([ "$acl" = true ] && echo on || echo off)" "$outcome" $((SECONDS - started)))")
done
echo
echo "compat: Consul's Go API client ($(sed -n 's/.*github.com\/hashicorp\/consul\/api \(v[^ ]*\).*/\1/p' compat/go.mod | head -1)):"
printf '  %s\n' "${results[@]}"
[ "$overall" = 0 ] && rm -rf "$logs"
exit "$overall"
