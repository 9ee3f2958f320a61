#!/usr/bin/env bash
# Runs the README's two-cluster walkthrough against the clusters deployed by deploy-two-clusters.sh
# (or against any two API URLs: walkthrough.sh <dc1-url> <dc2-url>), and checks each step.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

api_url() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]["ApiUrl"])' "$here/outputs.json" "$1"
}

dc1="${1:-$(api_url cluster-peering-dc1)}"
dc2="${2:-$(api_url cluster-peering-dc2)}"
echo "cluster-01: $dc1"
echo "cluster-02: $dc2"

field() {
  python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

state_of() {
  curl -fsS "$1/v1/peering/$2" | field State
}

wait_for_state() {
  local url="$1" name="$2" want="$3"
  for _ in $(seq 1 60); do
    local got
    got="$(curl -sS -o /dev/null -w '%{http_code}' "$url/v1/peering/$name")"
    if [ "$want" = "GONE" ] && [ "$got" = "404" ]; then return 0; fi
    if [ "$got" = "200" ] && [ "$(state_of "$url" "$name")" = "$want" ]; then return 0; fi
    sleep 2
  done
  echo "peering $name at $url never reached $want" >&2
  exit 1
}

echo "1. generate a token on cluster-01 for cluster-02"
token="$(curl -fsS -X POST "$dc1/v1/peering/token" -d '{"PeerName":"cluster-02"}' | field PeeringToken)"

echo "2. establish on cluster-02 with it"
curl -fsS -X POST "$dc2/v1/peering/establish" -d "{\"PeerName\":\"cluster-01\",\"PeeringToken\":\"$token\"}"
echo

echo "   the token is single-use:"
status="$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$dc2/v1/peering/establish" \
  -d "{\"PeerName\":\"cluster-01b\",\"PeeringToken\":\"$token\"}")"
[ "$status" = "403" ] || { echo "expected 403 on reuse, got $status" >&2; exit 1; }

echo "3. both sides read ACTIVE"
wait_for_state "$dc1" cluster-02 ACTIVE
wait_for_state "$dc2" cluster-01 ACTIVE
curl -fsS "$dc2/v1/peerings?pretty"

echo "4. delete on cluster-02: it goes away, cluster-01 reads TERMINATED"
curl -fsS -X DELETE "$dc2/v1/peering/cluster-01"
wait_for_state "$dc2" cluster-01 GONE
wait_for_state "$dc1" cluster-02 TERMINATED
curl -fsS -X DELETE "$dc1/v1/peering/cluster-02"
wait_for_state "$dc1" cluster-02 GONE
echo "walkthrough passed"
