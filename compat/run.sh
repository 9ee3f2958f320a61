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

label=compat
# shellcheck source=compat/clusters.sh
source compat/clusters.sh

# run_mode <acl true|false>: two clusters, the suite, stop; the suite's exit status.
run_mode() {
  local acl=$1 status=0
  start_clusters "$acl" || status=$?
  if [ "$status" = 0 ]; then
    (cd "$root/compat" && COMPAT_CLUSTER1_ADDR="http://127.0.0.1:$port1" COMPAT_CLUSTER2_ADDR="http://127.0.0.1:$port2" \
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
