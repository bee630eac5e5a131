#!/usr/bin/env bash
# Smoke test with the installed aws cli against a real `cairn server`.
# Usage: scripts/smoke-awscli.sh [path/to/cairn]
set -euo pipefail
bin=$(realpath "${1:-bin/cairn}")
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
endpoint=http://127.0.0.1:$port
export AWS_ACCESS_KEY_ID=smokeadmin AWS_SECRET_ACCESS_KEY=smoke-secret-key AWS_DEFAULT_REGION=us-east-1
export CAIRN_ROOT_USER=$AWS_ACCESS_KEY_ID CAIRN_ROOT_PASSWORD=$AWS_SECRET_ACCESS_KEY
unset AWS_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE

"$bin" server --address 127.0.0.1:$port --data-dir "$work/data" >"$work/server.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 100); do curl -fs "$endpoint/health/ready" >/dev/null && break; sleep 0.1; done
curl -fs "$endpoint/health/ready" >/dev/null || { cat "$work/server.log"; echo "server not ready"; exit 1; }

s3() { aws --endpoint-url "$endpoint" s3 "$@"; }
s3api() { aws --endpoint-url "$endpoint" s3api "$@"; }
fail() { echo "FAIL: $*"; echo "--- server log ---"; tail -50 "$work/server.log"; exit 1; }
passed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }

s3 mb s3://smoke >/dev/null && ok "s3 mb"
head -c 3000000 /dev/urandom >"$work/file.bin"
echo "small text" >"$work/small.txt"
s3 cp "$work/file.bin" s3://smoke/dir/file.bin >/dev/null && ok "s3 cp up (3 MB)"
s3 cp "$work/small.txt" "s3://smoke/dir/with space.txt" >/dev/null && ok "s3 cp up (key with space)"
grep -q "file.bin" <<<"$(s3 ls s3://smoke/dir/)" || fail "s3 ls does not show file.bin"
grep -q "with space.txt" <<<"$(s3 ls s3://smoke/dir/)" || fail "s3 ls does not show 'with space.txt'"
ok "s3 ls"
s3 cp s3://smoke/dir/file.bin "$work/back.bin" >/dev/null
cmp "$work/file.bin" "$work/back.bin" || fail "downloaded file differs"
ok "s3 cp down"

# Above 8 MiB the aws cli switches to multipart uploads (and ranged parallel
# downloads).
head -c $((50 * 1024 * 1024)) /dev/urandom >"$work/big.bin"
s3 cp "$work/big.bin" s3://smoke/big.bin >/dev/null || fail "s3 cp of 50 MiB (multipart)"
etag=$(s3api head-object --bucket smoke --key big.bin --query ETag --output text)
[[ "$etag" == *-* ]] || fail "50 MiB upload was not multipart: ETag $etag"
s3 cp s3://smoke/big.bin "$work/big.back" >/dev/null
cmp "$work/big.bin" "$work/big.back" || fail "50 MiB download differs"
ok "s3 cp 50 MiB multipart up and down"
mkdir -p "$work/tree/sub"
for i in 1 2 3; do echo "file $i" >"$work/tree/f$i.txt"; done
echo nested >"$work/tree/sub/n.txt"
s3 sync "$work/tree" s3://smoke/tree >/dev/null || fail "s3 sync up"
echo changed >"$work/tree/f2.txt"
rm "$work/tree/f3.txt"
s3 sync --delete "$work/tree" s3://smoke/tree >/dev/null || fail "s3 sync --delete"
[ "$(s3 ls --recursive s3://smoke/tree/ | wc -l)" = 3 ] || fail "sync left $(s3 ls --recursive s3://smoke/tree/ | wc -l) objects, want 3"
mkdir -p "$work/down" && s3 sync s3://smoke/tree "$work/down" >/dev/null
diff -r "$work/tree" "$work/down" >/dev/null || fail "s3 sync down differs"
ok "s3 sync up, --delete and down"

s3api put-object --bucket smoke --key api/obj --body "$work/small.txt" --content-type text/plain --metadata color=blue >/dev/null && ok "s3api put-object"
s3api head-object --bucket smoke --key api/obj >"$work/head.json"
grep -q '"ContentType": "text/plain"' "$work/head.json" || fail "head-object content type: $(cat "$work/head.json")"
grep -q '"color": "blue"' "$work/head.json" || fail "head-object metadata: $(cat "$work/head.json")"
ok "s3api head-object"
s3api get-object --bucket smoke --key api/obj "$work/obj.out" >/dev/null
cmp "$work/small.txt" "$work/obj.out" || fail "get-object body differs"
ok "s3api get-object"
s3api get-object --bucket smoke --key api/obj --range bytes=0-4 "$work/range.out" >/dev/null
[ "$(cat "$work/range.out")" = "small" ] || fail "ranged get-object returned '$(cat "$work/range.out")'"
ok "s3api get-object --range"
if s3api head-object --bucket smoke --key missing >/dev/null 2>&1; then fail "head-object of a missing key succeeded"; fi
ok "head-object missing → error"

# Access control with the aws cli; anonymous access checked with curl.
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(code "$endpoint/smoke/api/obj")" = 403 ] || fail "anonymous GET of a private object was not refused"
s3api put-object-acl --bucket smoke --key api/obj --acl public-read || fail "put-object-acl public-read"
grep -q READ <<<"$(s3api get-object-acl --bucket smoke --key api/obj --query 'Grants[].Permission' --output text)" || fail "get-object-acl shows no READ grant"
[ "$(code "$endpoint/smoke/api/obj")" = 200 ] || fail "anonymous GET of a public-read object was refused"
ok "object ACL public-read (aws s3api + curl)"
s3api put-bucket-policy --bucket smoke --policy '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::smoke"}]}' \
  || fail "put-bucket-policy"
grep -q ListBucket <<<"$(s3api get-bucket-policy --bucket smoke --query Policy --output text)" || fail "get-bucket-policy"
[ "$(code "$endpoint/smoke?list-type=2")" = 200 ] || fail "anonymous LIST under a public policy was refused"
[ "$(code -X PUT --data x "$endpoint/smoke/anon.txt")" = 403 ] || fail "anonymous PUT was not refused"
s3api delete-bucket-policy --bucket smoke || fail "delete-bucket-policy"
[ "$(code "$endpoint/smoke?list-type=2")" = 403 ] || fail "anonymous LIST after deleting the policy was not refused"
ok "bucket policy put/get/delete (aws s3api + curl)"

s3 rm s3://smoke/dir/file.bin >/dev/null && ok "s3 rm"
s3 rm --recursive s3://smoke/ >/dev/null && ok "s3 rm --recursive"
[ -z "$(s3 ls s3://smoke/ --recursive)" ] || fail "bucket not empty after rm --recursive"
s3 rb s3://smoke >/dev/null && ok "s3 rb"
if grep -q "$AWS_SECRET_ACCESS_KEY" "$work/server.log"; then fail "secret found in server log"; fi
echo "$passed passed, 0 failed"
