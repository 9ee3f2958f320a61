#!/usr/bin/env bash
# Deploys two peerable clusters (stacks cluster-peering-dc1 and cluster-peering-dc2) to LocalStack with
# cdklocal, and writes their outputs (API URLs) to localstack/outputs.json.
# Needs: Docker, a running LocalStack (docker compose up -d in this folder), Java 17, Maven, Node.js.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"

export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
export CDK_DEFAULT_ACCOUNT="${CDK_DEFAULT_ACCOUNT:-000000000000}"
export CDK_DEFAULT_REGION="$AWS_DEFAULT_REGION"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
export CDK_DISABLE_VERSION_CHECK=1

if ! curl -fsS http://127.0.0.1:4566/_localstack/health >/dev/null; then
  echo "LocalStack is not answering on 127.0.0.1:4566: run 'docker compose up -d' in $here first" >&2
  exit 1
fi

# The functions jar and the CDK app's classpath, built by Maven (no Docker bundling).
(cd "$root" && mvn -B -ntp -q verify -DskipTests)

cd "$root/infra"
npm ci --no-audit --no-fund
npx cdklocal bootstrap "aws://$CDK_DEFAULT_ACCOUNT/$CDK_DEFAULT_REGION"
npx cdklocal deploy cluster-peering-dc1 cluster-peering-dc2 \
  --require-approval never \
  --outputs-file "$here/outputs.json"
echo "deployed; outputs in $here/outputs.json"
