#!/usr/bin/env bash
# Deploys two peerable clusters (stacks cluster-peering-dc1 and cluster-peering-dc2) to LocalStack with
# cdklocal (pinned in infra/package.json; each stack deploys its nested route-family stacks with it), and writes
# their outputs (API URLs) to localstack/outputs.json.
#
# Which API Gateway API the stacks get:
#   PEERING_API=rest or PEERING_API=http, when set;
#   otherwise the REST API variant (-c api=rest), which LocalStack's free plan serves, unless
#   LOCALSTACK_AUTH_TOKEN is set and the running LocalStack answers for HTTP APIs (a paid plan): then the default
#   HTTP API variant. (Since March 2026 every current LocalStack image needs a token, the free plan's too, so the
#   token alone cannot tell the plans apart: the script asks LocalStack.)
#
# Needs: a running LocalStack (docker compose up -d in this folder), the AWS Lambda base images LocalStack runs
# the functions in (pulled beforehand, see README), JDK 25, Maven, Node.js 20+.
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
endpoint="http://127.0.0.1:4566"

if ! curl -fsS "$endpoint/_localstack/health" >/dev/null; then
  echo "LocalStack is not answering on $endpoint: run 'docker compose up -d' in $here first" >&2
  exit 1
fi

# Whether this LocalStack serves API Gateway HTTP APIs: apigatewayv2's GetApis answers 200 on a plan that has
# them, and 501 ("not included in your current license plan") on one that does not.
serves_http_apis() {
  local status
  status="$(curl -sS -o /dev/null -w '%{http_code}' \
    -H "Authorization: AWS4-HMAC-SHA256 Credential=$AWS_ACCESS_KEY_ID/20260101/$AWS_DEFAULT_REGION/apigateway/aws4_request, SignedHeaders=host, Signature=0" \
    "$endpoint/v2/apis")" || return 1
  [ "$status" = "200" ]
}

api="${PEERING_API:-}"
if [ -z "$api" ]; then
  if [ -n "${LOCALSTACK_AUTH_TOKEN:-}" ] && serves_http_apis; then api=http; else api=rest; fi
fi
case "$api" in
  rest) echo "API variant: rest (API Gateway REST API, LocalStack's free plan)" ;;
  http) echo "API variant: http (API Gateway HTTP API, a paid LocalStack plan)" ;;
  *) echo "PEERING_API must be rest or http, not '$api'" >&2; exit 2 ;;
esac

# LocalStack runs every function in the AWS Lambda base image of its runtime: Java 25 for ours, Node.js 24 for
# the CDK's custom-resource provider. Pulled beforehand, so the deploy does not wait on (or fail for) a download.
missing=()
for image in public.ecr.aws/lambda/java:25 public.ecr.aws/lambda/nodejs:24; do
  docker image inspect "$image" >/dev/null 2>&1 || missing+=("$image")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "pull the Lambda base images LocalStack runs the functions in, then run this again:" >&2
  printf '  docker pull %s\n' "${missing[@]}" >&2
  exit 1
fi

# The functions jar and the CDK app's classpath, built by Maven (no Docker bundling).
(cd "$root" && mvn -B -ntp -q verify -DskipTests)

cd "$root/infra"
npm ci --no-audit --no-fund --prefer-offline --loglevel=error
npx cdklocal bootstrap "aws://$CDK_DEFAULT_ACCOUNT/$CDK_DEFAULT_REGION"
start=$SECONDS
npx cdklocal deploy cluster-peering-dc1 cluster-peering-dc2 \
  -c api="$api" -c localstack=true \
  --output cdk.out/localstack \
  --require-approval never \
  --outputs-file "$here/outputs.json"
echo "deployed the $api variant in $((SECONDS - start)) s; outputs in $here/outputs.json"
