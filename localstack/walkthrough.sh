#!/usr/bin/env bash
# Runs the README's two-cluster walkthrough (steps 1 to 8) and checks every answer: against the clusters that
# deploy-two-clusters.sh deployed (their ApiUrl outputs in localstack/outputs.json, either API variant), or against
# any two clusters: walkthrough.sh <dc1-url> <dc2-url> (for example the local ones, http://127.0.0.1:8500 and
# http://127.0.0.1:8501). It starts by deleting what an earlier run left, and ends by removing what it added.
# Needs curl and python3. WAIT_SECONDS (default 180) bounds each wait for something asynchronous.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
wait_seconds="${WAIT_SECONDS:-180}"

api_url() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]["ApiUrl"].rstrip("/"))' \
    "$here/outputs.json" "$1"
}

if [ "$#" -ge 2 ]; then
  dc1="${1%/}"
  dc2="${2%/}"
elif [ -f "$here/outputs.json" ]; then
  dc1="$(api_url cluster-peering-dc1)"
  dc2="$(api_url cluster-peering-dc2)"
else
  echo "usage: $0 <dc1-url> <dc2-url>, or run deploy-two-clusters.sh first (it writes $here/outputs.json)" >&2
  exit 2
fi
echo "cluster-01 (dc1): $dc1"
echo "cluster-02 (dc2): $dc2"

answer="$(mktemp)"
trap 'rm -f "$answer"' EXIT
status=""
body=""

fail() {
  echo "FAILED: $*" >&2
  echo "  last answer: HTTP $status: $body" >&2
  exit 1
}

# call METHOD URL [BODY]: one request; sets $status and $body.
call() {
  local data=()
  if [ "$#" -ge 3 ]; then data=(--data "$3"); fi
  status="$(curl -sS --max-time 60 -o "$answer" -w '%{http_code}' -X "$1" ${data[@]+"${data[@]}"} "$2")" \
    || fail "$1 $2: no answer"
  body="$(cat "$answer")"
}

expect_status() {
  [ "$status" = "$1" ] || fail "expected HTTP $1"
}

expect_body() {
  [ "$body" = "$1" ] || fail "expected the body '$1'"
}

# json PATH: a value of the last JSON body; PATH is dot-separated keys and list indexes (0.Service.ID); a list
# or an object is printed as compact JSON.
json() {
  printf '%s' "$body" | python3 -c '
import json, sys
value = json.load(sys.stdin)
for part in [p for p in sys.argv[1].split(".") if p]:
    value = value[int(part)] if isinstance(value, list) else value[part]
print(value if isinstance(value, str) else json.dumps(value, separators=(",", ":")))' "$1" 2>/dev/null \
    || fail "the body has no $1"
}

expect_json() {
  local got
  got="$(json "$1")"
  [ "$got" = "$2" ] || fail "expected $1 to be $2, not $got"
}

# until_true SECONDS DESCRIPTION COMMAND...: runs COMMAND every 2 s until it succeeds.
until_true() {
  local limit=$((SECONDS + $1)) what="$2"
  shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$limit" ] || fail "$what did not happen within $wait_seconds s"
    sleep 2
  done
}

# The state a peering reads, or GONE once it is not found.
state_is() {
  call GET "$1/v1/peering/$2"
  if [ "$3" = "GONE" ]; then
    [ "$status" = "404" ] && [ "$body" = "Peering not found for \"$2\"" ]
  else
    [ "$status" = "200" ] && [ "$(json State)" = "$3" ]
  fi
}

wait_for_state() {
  until_true "$wait_seconds" "peering $2 at $1 reading $3" state_is "$@"
}

echo "0. a clean slate: delete what an earlier run left"
for side in "$dc2 cluster-01" "$dc1 cluster-02"; do
  read -r url name <<<"$side"
  call DELETE "$url/v1/peering/$name"
  expect_status 200
  wait_for_state "$url" "$name" GONE
done

echo "1. generate a peering token on cluster-01 for cluster-02"
call POST "$dc1/v1/peering/token" '{"PeerName":"cluster-02"}'
expect_status 200
token="$(json PeeringToken)"
dots="$(printf '%s' "$token" | tr -cd '.')"
[ "${#dots}" = 2 ] || fail "the token is not a compact JWS"

echo "2. establish on cluster-02 with it"
# A function that starts cold on LocalStack can keep the acceptor from answering in time: that is a 502 that
# leaves nothing behind, and the same token can be used again.
for attempt in 1 2 3; do
  call POST "$dc2/v1/peering/establish" "{\"PeerName\":\"cluster-01\",\"PeeringToken\":\"$token\"}"
  if [ "$status" != "502" ] || [ "$attempt" = 3 ]; then break; fi
  echo "   the acceptor did not answer in time (attempt $attempt): retrying with the same token"
done
expect_status 200
expect_body '{}'
echo "   the token is single-use:"
call POST "$dc2/v1/peering/establish" "{\"PeerName\":\"cluster-01b\",\"PeeringToken\":\"$token\"}"
expect_status 403
expect_body "a new peering token must be generated: invalid peering establishment secret: the token was already used, or the peering is being deleted"

echo "3. both sides read ACTIVE"
wait_for_state "$dc1" cluster-02 ACTIVE
expect_json Name cluster-02
expect_json Remote.Datacenter dc2
wait_for_state "$dc2" cluster-01 ACTIVE
call GET "$dc2/v1/peerings"
expect_status 200
expect_json 0.Name cluster-01
expect_json 0.State ACTIVE
expect_json 0.Remote.Datacenter dc1

echo "4. register backend on cluster-01 and export it to cluster-02"
call PUT "$dc1/v1/catalog/register" '{"Node":"node-1","Address":"10.0.0.1",
  "Service":{"ID":"backend-1","Service":"backend","Port":8080,"Tags":["v1"]},
  "Check":{"CheckID":"backend-1-http","Name":"backend http","Status":"passing","ServiceID":"backend-1"}}'
expect_status 200
expect_body true
call PUT "$dc1/v1/config" '{"Kind":"exported-services","Name":"default",
  "Services":[{"Name":"backend","Consumers":[{"Peer":"cluster-02"}]}]}'
expect_status 200
expect_body true

echo "5. cluster-02 reads backend as imported from cluster-01"
imported() {
  call GET "$dc2/v1/health/service/backend?peer=cluster-01"
  [ "$status" = "200" ] && [ "$body" != "[]" ]
}
until_true "$wait_seconds" "backend reaching cluster-02" imported
expect_json 0.Service.ID backend-1
expect_json 0.Service.PeerName cluster-01
expect_json 0.Node.Node node-1
expect_json 0.Checks.0.CheckID backend-1:overall-check
expect_json 0.Checks.0.Status passing
call GET "$dc1/v1/exported-services"
expect_status 200
expect_body '[{"Service":"backend","Consumers":{"Peers":["cluster-02"]}}]'
call GET "$dc2/v1/imported-services"
expect_status 200
expect_body '[{"Service":"backend","SourcePeer":"cluster-01"}]'

echo "6. allow cluster-02's frontend to call backend, with an intention on cluster-01"
call PUT "$dc1/v1/config" '{"Kind":"service-intentions","Name":"backend",
  "Sources":[{"Name":"frontend","Peer":"cluster-02","Action":"allow"}]}'
expect_status 200
expect_body true
call PUT "$dc1/v1/config" '{"Kind":"service-intentions","Name":"backend",
  "Sources":[{"Name":"frontend","Peer":"*","Action":"allow"}]}'
expect_status 400
expect_body "Sources[0].Peer: cannot use wildcard '*' in peer"

echo "7. fail over to the peer, with a resolver on cluster-02"
call PUT "$dc2/v1/config" '{"Kind":"service-resolver","Name":"backend",
  "ConnectTimeout":"15s","Failover":{"*":{"Targets":[{"Peer":"cluster-01"}]}}}'
expect_status 200
expect_body true
call GET "$dc2/v1/config/service-resolver/backend"
expect_status 200
expect_json ConnectTimeout 15s
expect_json 'Failover.*.Targets.0.Peer' cluster-01

echo "8. delete the peering on cluster-02: its imports go, cluster-01 reads TERMINATED"
call DELETE "$dc2/v1/peering/cluster-01"
expect_status 200
expect_body ""
wait_for_state "$dc2" cluster-01 GONE
call GET "$dc2/v1/health/service/backend?peer=cluster-01"
expect_status 200
expect_body '[]'
call GET "$dc2/v1/imported-services"
expect_status 200
expect_body '[]'
wait_for_state "$dc1" cluster-02 TERMINATED
call DELETE "$dc1/v1/peering/cluster-02"
expect_status 200
wait_for_state "$dc1" cluster-02 GONE

echo "   and remove what the walkthrough added"
call DELETE "$dc2/v1/config/service-resolver/backend"
expect_status 200
call DELETE "$dc1/v1/config/service-intentions/backend"
expect_status 200
call DELETE "$dc1/v1/config/exported-services/default"
expect_status 200
call PUT "$dc1/v1/catalog/deregister" '{"Node":"node-1","ServiceID":"backend-1"}'
expect_status 200
expect_body true
echo "walkthrough passed"
