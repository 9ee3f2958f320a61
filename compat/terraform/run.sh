#!/usr/bin/env bash
# The Terraform example (compat/terraform/main.tf) with OpenTofu and the Consul provider against two local clusters:
# init, apply (peering token on dc1, peering on dc2, exported-services on dc1), the three checked through the HTTP
# API, a second plan that must show no change (`plan -detailed-exitcode` answers 0), destroy, and both clusters
# left without a peering. Prints each step's time; exits non-zero at the first step that fails.
#
# OpenTofu is built from the Go module proxy (compat/terraform/tofu/go.mod) once and kept in
# ~/.cache/cluster-peering/bin (or give a binary in TOFU). The provider, hashicorp/consul 2.23.0, comes from:
#   TF_CONSUL_PROVIDER=/path/to/terraform-provider-consul   a binary built from the provider's source (its v2.23.0
#                                                           tag: `go build` in a checkout), installed here as a
#                                                           filesystem mirror, so nothing is downloaded
#   (unset)                                                 registry.opentofu.org, as `tofu init` does by default
# Needs JDK 25, Maven, Go, curl and python3 (for the JSON checks).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
label=terraform
# shellcheck source=compat/clusters.sh
source compat/clusters.sh
command -v python3 >/dev/null 2>&1 || { echo "terraform: python3 is needed and not installed" >&2; exit 1; }

provider_version=2.23.0
tofu_version=$(sed -n 's/^require github.com\/opentofu\/opentofu \(v[^ ]*\)$/\1/p' compat/terraform/tofu/go.mod)
timings=()
step_started=$SECONDS
step_done() { timings+=("$(printf '%-44s %4d s' "$1" $((SECONDS - step_started)))"); step_started=$SECONDS; }

tofu=${TOFU:-$HOME/.cache/cluster-peering/bin/tofu-$tofu_version}
if [ ! -x "$tofu" ]; then
  echo "terraform: building OpenTofu $tofu_version from the Go module proxy (several minutes the first time)"
  mkdir -p "$(dirname "$tofu")"
  (cd compat/terraform/tofu && go build -trimpath -ldflags "-X github.com/opentofu/opentofu/version.dev=no" -o "$tofu" github.com/opentofu/opentofu/cmd/tofu)
  step_done "build OpenTofu $tofu_version"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/terraform-example.XXXXXX")
cp compat/terraform/main.tf "$work/"
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0
if [ -n "${TF_CONSUL_PROVIDER:-}" ]; then
  mirror="$work/mirror/registry.opentofu.org/hashicorp/consul/$provider_version/$(go env GOOS)_$(go env GOARCH)"
  mkdir -p "$mirror"
  cp "$TF_CONSUL_PROVIDER" "$mirror/terraform-provider-consul_v$provider_version"
  chmod +x "$mirror/terraform-provider-consul_v$provider_version"
  cat >"$work/tofu.rc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.opentofu.org/hashicorp/consul"]
  }
  direct {
    exclude = ["registry.opentofu.org/hashicorp/consul"]
  }
}
RC
  export TF_CLI_CONFIG_FILE="$work/tofu.rc"
  echo "terraform: hashicorp/consul $provider_version from $TF_CONSUL_PROVIDER (filesystem mirror)"
else
  echo "terraform: hashicorp/consul $provider_version from registry.opentofu.org (set TF_CONSUL_PROVIDER to use a local build)"
fi

start_clusters false
step_done "start dc1 and dc2"
vars=(-var "dc1_address=127.0.0.1:$port1" -var "dc2_address=127.0.0.1:$port2")
tf() { (cd "$work" && "$tofu" "$@"); }

tf init -no-color >"$logs/init.log" || { cat "$logs/init.log" >&2; exit 1; }
step_done "tofu init"
tf apply -no-color -auto-approve "${vars[@]}"
step_done "tofu apply"

# json <port> <path> <python expression over `d`>: prints the expression's value for the answer's JSON.
json() {
  curl -sf "http://127.0.0.1:$1$2" | python3 -c "import json,sys; d=json.load(sys.stdin); print($3)"
}
# eventually <seconds> <what> <command...>: until the command prints "True".
eventually() {
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until [ "$("$@" 2>/dev/null || true)" = True ]; do
    if [ $SECONDS -ge $deadline ]; then
      echo "terraform: not so after ${deadline} s: $what" >&2
      return 1
    fi
    sleep 1
  done
  echo "terraform: checked: $what"
}
eventually 30 "cluster-01 on dc2 is ACTIVE with Meta env=production" \
  json "$port2" /v1/peering/cluster-01 "d['State'] == 'ACTIVE' and d['Meta'] == {'env': 'production'}"
eventually 30 "cluster-02 on dc1 is ACTIVE with Meta owner=platform-team, and is the dialer's PeerID" \
  json "$port1" /v1/peering/cluster-02 \
  "d['State'] == 'ACTIVE' and d['Meta'] == {'owner': 'platform-team'} and d['ID'] == '$(json "$port2" /v1/peering/cluster-01 "d['PeerID']")'"
eventually 5 "dc1 exports web to cluster-02" \
  json "$port1" /v1/config/exported-services/default "d['Services'] == [{'Name': 'web', 'Consumers': [{'Peer': 'cluster-02'}]}]"
step_done "checks after apply"

plan_status=0
tf plan -no-color -detailed-exitcode "${vars[@]}" >"$logs/plan.log" || plan_status=$?
if [ "$plan_status" != 0 ]; then
  cat "$logs/plan.log" >&2
  echo "terraform: the second plan answered $plan_status (2: it wants changes; 1: it failed), 0 expected" >&2
  exit 1
fi
echo "terraform: checked: the second plan shows no change ($(grep -m1 -o 'No changes.*' "$logs/plan.log"))"
step_done "tofu plan (no change expected)"

tf destroy -no-color -auto-approve "${vars[@]}"
step_done "tofu destroy"
eventually 60 "dc1 lists no peering" json "$port1" /v1/peerings "d == []"
eventually 60 "dc2 lists no peering" json "$port2" /v1/peerings "d == []"
eventually 5 "dc1 has no exported-services entry" \
  bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$port1/v1/config/exported-services/default)\" = 404 ] && echo True"
step_done "checks after destroy"

stop_clusters
echo
echo "terraform: OpenTofu $tofu_version, hashicorp/consul $provider_version: applied, planned clean, destroyed"
printf '  %s\n' "${timings[@]}"
rm -rf "$logs" "$work"
cd "$root"
