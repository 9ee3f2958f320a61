#!/usr/bin/env bash
# Runs the store and end-to-end tests against LocalStack's DynamoDB (community edition is enough)
# instead of the DynamoDB Local that the tests start by default.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
endpoint="${PEERING_TEST_DYNAMODB_ENDPOINT:-http://127.0.0.1:4566}"
if ! curl -fsS "$endpoint/_localstack/health" >/dev/null; then
  echo "LocalStack is not answering on $endpoint: run 'docker compose up -d' in $root/localstack first" >&2
  exit 1
fi
cd "$root"
PEERING_TEST_DYNAMODB_ENDPOINT="$endpoint" \
AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}" \
AWS_REGION="${AWS_REGION:-us-east-1}" \
  mvn -B -ntp test -pl functions -Dtest='PeeringStoreTest,PeeringFunctionsTest,TwoClusterPeeringTest,ReplicationTest'
