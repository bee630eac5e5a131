#!/usr/bin/env bash
# IAM/STS smoke test with the installed aws cli and boto3 against a real
# `cairn server`: users, keys, policies, AssumeRole, and boto3's automatic
# refresh of AssumeRole credentials.
# Usage: scripts/smoke-iam.sh [path/to/cairn]
set -euo pipefail
bin=$(realpath "${1:-bin/cairn}")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
endpoint=http://127.0.0.1:$port
export CAIRN_ROOT_USER=smokeroot CAIRN_ROOT_PASSWORD=smoke-root-secret
unset AWS_PROFILE AWS_SESSION_TOKEN
export AWS_CONFIG_FILE=$work/aws-config AWS_SHARED_CREDENTIALS_FILE=$work/aws-credentials AWS_DEFAULT_REGION=us-east-1

"$bin" server --address 127.0.0.1:$port --data-dir "$work/data" >"$work/server.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 100); do curl -fs "$endpoint/health/ready" >/dev/null && break; sleep 0.1; done

passed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { echo "FAIL: $*"; echo "--- server log ---"; tail -40 "$work/server.log"; exit 1; }
as_root() { AWS_ACCESS_KEY_ID=$CAIRN_ROOT_USER AWS_SECRET_ACCESS_KEY=$CAIRN_ROOT_PASSWORD aws --endpoint-url "$endpoint" "$@"; }

as_root iam create-user --user-name erin >/dev/null && ok "aws iam create-user"
grep -qw erin <<<"$(as_root iam list-users --query 'Users[].UserName' --output text)" || fail "list-users misses erin"
ok "aws iam list-users"
read -r ak sk < <(as_root iam create-access-key --user-name erin --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
[ -n "$ak" ] && [ -n "$sk" ] || fail "create-access-key returned nothing"
ok "aws iam create-access-key"
as_root s3 mb s3://erin-data >/dev/null
as_root iam attach-user-policy --user-name erin --policy-arn arn:aws:iam:::policy/readwrite && ok "aws iam attach-user-policy"
grep -qw readwrite <<<"$(as_root iam list-attached-user-policies --user-name erin --query 'AttachedPolicies[].PolicyName' --output text)" || fail "policy not attached"
ok "aws iam list-attached-user-policies"

arn=$(AWS_ACCESS_KEY_ID=$ak AWS_SECRET_ACCESS_KEY=$sk aws --endpoint-url "$endpoint" sts get-caller-identity --query Arn --output text)
[[ "$arn" == *":user/erin" ]] || fail "get-caller-identity arn: $arn"
ok "aws sts get-caller-identity"
creds=$(AWS_ACCESS_KEY_ID=$ak AWS_SECRET_ACCESS_KEY=$sk aws --endpoint-url "$endpoint" sts assume-role \
  --role-arn arn:aws:iam:::user/erin --role-session-name smoke --duration-seconds 900 \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
read -r tak tsk ttok <<<"$creds"
echo hello >"$work/f.txt"
AWS_ACCESS_KEY_ID=$tak AWS_SECRET_ACCESS_KEY=$tsk AWS_SESSION_TOKEN=$ttok aws --endpoint-url "$endpoint" s3 cp "$work/f.txt" s3://erin-data/f.txt >/dev/null \
  || fail "s3 cp with assumed-role credentials"
ok "aws sts assume-role + s3 cp with the session"

# boto3: a profile with role_arn makes boto3 call AssumeRole itself and
# refresh the credentials as they near expiry (15-minute sessions are inside
# botocore's refresh window, so every use refreshes).
cat >"$AWS_SHARED_CREDENTIALS_FILE" <<CREDS
[erin]
aws_access_key_id = $ak
aws_secret_access_key = $sk
CREDS
cat >"$AWS_CONFIG_FILE" <<CONF
[profile erin-role]
role_arn = arn:aws:iam:::user/erin
source_profile = erin
duration_seconds = 900
region = us-east-1
CONF
python=python3
"$python" -c 'import boto3' 2>/dev/null || python=/usr/bin/python3
AWS_ENDPOINT_URL=$endpoint ENDPOINT=$endpoint "$python" "$here/boto3_refresh.py" || fail "boto3 AssumeRole refresh"
ok "boto3 AssumeRole credentials refresh"

as_root iam detach-user-policy --user-name erin --policy-arn arn:aws:iam:::policy/readwrite
if AWS_ACCESS_KEY_ID=$ak AWS_SECRET_ACCESS_KEY=$sk aws --endpoint-url "$endpoint" s3 ls s3://erin-data >/dev/null 2>&1; then
  fail "access survived detaching the policy"
fi
ok "detached policy denies at once"
if as_root iam create-policy --policy-name broken --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Nope","Resource":"*"}]}' 2>"$work/err.txt"; then
  fail "malformed policy accepted"
fi
grep -q MalformedPolicyDocument "$work/err.txt" || fail "malformed policy error: $(cat "$work/err.txt")"
ok "malformed policy refused with MalformedPolicyDocument"
if grep -q "$sk" "$work/server.log"; then fail "a secret reached the server log"; fi
echo "$passed passed, 0 failed"
