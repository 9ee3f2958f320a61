# Sourced by compat/run.sh and compat/terraform/run.sh (not run on its own): two local clusters for a client that
# starts nothing itself. The caller cds to the repository root first and sets `label` (the prefix of every message).
# Gives: JDK 25 on PATH (the default java when new enough, else an installed Temurin 25, as .ci/run picks it), the
# functions compiled when a main source is newer than the last compile, and
#   start_clusters <acl true|false>  dc1 and dc2 (`mvn -pl functions exec:java`, as the README's "Start here") on
#                                    free ports, nothing kept on disk (PEERING_DATA_DIR=:memory:), each in its own
#                                    process group; waits until both answer /v1/status/leader (240 s at most) and
#                                    sets port1/port2; returns 1, with the end of the late cluster's log, if not
#   stop_clusters                    TERM, then KILL after 10 s, to both groups (also run on exit)
# Cluster logs go to $logs (a temporary directory); the caller removes it when all went well.
# shellcheck shell=bash
: "${label:?set label before sourcing compat/clusters.sh}"

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
  command -v "$tool" >/dev/null 2>&1 || { echo "$label: $tool is needed and not installed" >&2; exit 1; }
done

# Compile only when needed: no classes yet, or a main source or resource newer than the last compile.
stamp=functions/target/.compat-compiled
if [ ! -f "$stamp" ] || [ -n "$(find functions/src/main functions/pom.xml pom.xml -newer "$stamp" -print -quit)" ]; then
  echo "$label: mvn -q -pl functions compile"
  mvn -B -ntp -q -pl functions compile
  touch "$stamp"
fi

logs=$(mktemp -d "${TMPDIR:-/tmp}/$label.XXXXXX")
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
      echo "$label: the cluster on port $1 did not answer within 240 s; its log ends:" >&2
      tail -40 "$2" >&2
      return 1
    fi
    sleep 1
  done
}

# start_clusters <acl true|false>: dc1 on $port1 and dc2 on $port2, both answering.
start_clusters() {
  local acl=$1
  port1=$(free_port)
  port2=$(free_port)
  while [ "$port2" = "$port1" ]; do port2=$(free_port); done
  echo "$label: starting dc1 on $port1 and dc2 on $port2 (ACLs $([ "$acl" = true ] && echo on || echo off))"
  start_cluster dc1 "$port1" "$acl"
  start_cluster dc2 "$port2" "$acl"
  wait_up "$port1" "$logs/dc1-acl-$acl.log" && wait_up "$port2" "$logs/dc2-acl-$acl.log"
}
