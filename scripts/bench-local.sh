#!/usr/bin/env bash
# The standard `cairn bench` suite against a local single node (4 drives,
# 2+2, fsync on), written as a markdown table to bench/results/DATE.md.
# Usage: scripts/bench-local.sh [path/to/cairn]
# Environment: BENCH_DURATION (30s), BENCH_CONCURRENCY (16), LIST_OBJECTS
# (100000), BENCH_OUT (bench/results/YYYY-MM-DD.md), DD_MB (256),
# TRASH_GRACE (30s: the suite deletes what each run wrote, and with the
# default 10 minutes the data of several runs would fill a 60 GB disk),
# BIG_UPLOAD (5GiB; 0 skips the single large PUT), WRK (1: also measure
# with wrk, an independent load generator, when it is installed).
# The server's resident memory is sampled throughout; its peak is reported.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-bin/cairn}
[ -x "$bin" ] || go build -o "$bin" ./cmd/cairn
bin=$(realpath "$bin")
duration=${BENCH_DURATION:-30s}
conc=${BENCH_CONCURRENCY:-16}
list_objects=${LIST_OBJECTS:-100000}
out=${BENCH_OUT:-bench/results/$(date +%F).md}
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export CAIRN_ENDPOINT=http://127.0.0.1:$port CAIRN_ACCESS_KEY=benchadmin CAIRN_SECRET_KEY=bench-secret-key-local
CAIRN_ROOT_USER=$CAIRN_ACCESS_KEY CAIRN_ROOT_PASSWORD=$CAIRN_SECRET_KEY \
	"$bin" server --address 127.0.0.1:"$port" --data-dir "$work/data" --log-level warn \
	--trash-grace "${TRASH_GRACE:-30s}" >"$work/server.log" 2>&1 &
pid=$!
# Sample the server's RSS every 0.5 s into $work/rss: "RSS anonymous" in
# KiB per line. Anonymous memory is the server's own (heap, stacks,
# buffers); the rest is file pages it maps, mostly badger's value logs.
( while kill -0 "$pid" 2>/dev/null; do
	awk '/^VmRSS:/ {r=$2} /^RssAnon:/ {a=$2} END {if (r) print r, a}' /proc/"$pid"/status 2>/dev/null >>"$work/rss" || true
	sleep 0.5
done ) &
sampler=$!
rss_peak() { # "RSS MiB, anonymous MiB" peaks
	awk '$1>r {r=$1} $2>a {a=$2} END {printf "%.0f MiB (anonymous %.0f MiB)", r/1024, a/1024}' "$work/rss"
}
cleanup() { kill "$pid" "$sampler" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 100); do curl -fs "$CAIRN_ENDPOINT/health/ready" >/dev/null && break; sleep 0.1; done
curl -fs "$CAIRN_ENDPOINT/health/ready" >/dev/null || { cat "$work/server.log"; echo "server not ready"; exit 1; }

# The machine: cores, memory, and the data directory's fsync'd write bandwidth.
cores=$(nproc)
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
ram=$(free -h | awk '/^Mem:/ {print $2}')
if command -v fio >/dev/null; then
	disk=$(fio --name=seqwrite --directory="$work" --rw=write --bs=1M --size="${DD_MB:-256}"M --fsync=1 \
		--output-format=terse --terse-version=3 2>/dev/null | awk -F';' '{printf "%.1f MiB/s (fio, 1 MiB writes, fsync each)", $48/1024}')
else
	disk=$(dd if=/dev/zero of="$work/dd.bin" bs=1M count="${DD_MB:-256}" oflag=dsync 2>&1 | tail -1 | awk -F', ' '{print $NF " (dd bs=1M oflag=dsync)"}')
	rm -f "$work/dd.bin"
fi

results=()
run() { # name, bench args...
	local name=$1; shift
	echo "== $name: cairn bench $*" >&2
	"$bin" bench "${@:1:1}" --bucket suite "${@:2}" --json "$work/$name.json" >&2
	results+=("$name")
}
for size in 4KiB 64KiB 1MiB 16MiB; do
	run "put-$size" put --size "$size" --concurrency "$conc" --duration "$duration"
	run "get-$size" get --size "$size" --concurrency "$conc" --duration "$duration"
done
echo "== populating $list_objects objects for LIST" >&2
"$bin" bench put --bucket listing --prefix list/ --size 1KiB --keys sequential --concurrency 64 \
	--ops "$list_objects" --keep --json "$work/populate.json" >&2
run "list" list --bucket listing --prefix list/ --objects 0 --concurrency 1 --duration "$duration"
run "list-delim" list --bucket listing --prefix list/ --delimiter / --objects 0 --concurrency 1 --duration "$duration"
run "mixed" mixed --mix put=20,get=70,stat=5,delete=5 --size 4KiB --concurrency "$conc" --duration "$duration"
suite_rss=$(rss_peak)

# One large PUT: the server streams it, so its memory must not grow.
big=${BIG_UPLOAD:-5GiB}
big_line="not run"
if [ "$big" != 0 ]; then
	before=$(awk '/^VmRSS:/ {r=$2} /^RssAnon:/ {a=$2} END {printf "%.0f MiB (anonymous %.0f MiB)", r/1024, a/1024}' /proc/"$pid"/status)
	: >"$work/rss"
	run "put-$big" put --size "$big" --concurrency 1 --ops 1 --warmup 0s --duration 0
	big_line="RSS $before before, peak $(rss_peak) during the upload"
fi

# The same server measured by wrk (C, epoll; no SigV4, so the bucket is
# opened to anonymous GET/PUT by a bucket policy): an independent check
# that the figures are not an artefact of cairn bench's own client.
wrk_rows=()
if [ "${WRK:-1}" = 1 ] && command -v wrk >/dev/null; then
	"$bin" bench put --bucket wrkb --prefix g4/ --size 4KiB --keys sequential --concurrency 16 --ops 10000 --keep --json "$work/wrk-pop1.json" >&2
	"$bin" bench put --bucket wrkb --prefix g1m/ --size 1MiB --keys sequential --concurrency 16 --ops 1000 --keep --json "$work/wrk-pop2.json" >&2
	policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::wrkb/*"}]}'
	# curl 7.88 signs a valueless "?policy" wrongly, hence "?policy=".
	curl -fsS --aws-sigv4 "aws:amz:us-east-1:s3" --user "$CAIRN_ACCESS_KEY:$CAIRN_SECRET_KEY" \
		-H "x-amz-content-sha256: $(printf '%s' "$policy" | sha256sum | cut -d' ' -f1)" \
		-X PUT --data-binary "$policy" "$CAIRN_ENDPOINT/wrkb?policy=" >&2
	wrk_run() { # name, env...
		local name=$1; shift
		echo "== wrk $name" >&2
		env "$@" BUCKET=wrkb wrk -t2 -c"$conc" -d"$duration" --latency -s scripts/wrk/s3.lua "$CAIRN_ENDPOINT" >"$work/wrk-$name.txt"
		cat "$work/wrk-$name.txt" >&2
		wrk_rows+=("$(awk -v n="$name" '
			/Requests\/sec/ {rps=$2} /Transfer\/sec/ {tps=$2}
			/^ +50%/ {p50=$2} /^ +90%/ {p90=$2} /^ +99%/ {p99=$2}
			/Non-2xx/ {err=$NF}
			END {printf "| %s | %s | %s | %s | %s | %s | %s |", n, rps, tps, p50, p90, p99, (err==""?0:err)}' "$work/wrk-$name.txt")")
	}
	wrk_run get-4KiB OP=get PREFIX=g4/ OBJECTS=10000
	wrk_run get-1MiB OP=get PREFIX=g1m/ OBJECTS=1000
	wrk_run put-4KiB OP=put PREFIX=p4/ SIZE=4096
	wrk_run put-1MiB OP=put PREFIX=p1m/ SIZE=1048576
fi

mkdir -p "$(dirname "$out")"
printf '%s\n' "${wrk_rows[@]}" >"$work/wrk-rows"
python3 - "$work" "$out" "$cores" "$cpu" "$ram" "$disk" "$duration" "$conc" "$list_objects" "$suite_rss" "$big_line" "${results[@]}" <<'PY'
import json, sys, platform
work, out, cores, cpu, ram, disk, duration, conc, nlist, suite_rss, big_line, *names = sys.argv[1:]
lines = [f"# cairn bench suite, single node (4 drives, 2+2, fsync on)", "",
         f"- machine: {platform.node()}, {cpu or platform.processor()}, {cores} cores (nproc), {ram} RAM",
         f"- disk write bandwidth: {disk}",
         f"- duration {duration} per run, concurrency {conc} (LIST: 1), LIST bucket of {nlist} objects, 1,000-key pages",
         f"- command: BENCH_DURATION={duration} BENCH_CONCURRENCY={conc} LIST_OBJECTS={nlist} scripts/bench-local.sh", "",
         "| run | op | size | ops/s | MiB/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors |",
         "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
for n in names:
    r = json.load(open(f"{work}/{n}.json"))
    for o in r["ops"]:
        l = o["latency"]
        lines.append(f"| {n} | {o['op']} | {r['size']} | {o['ops_per_sec']:.1f} | {o['mib_per_sec']:.2f} | "
                     f"{l['p50_ms']:.3f} | {l['p90_ms']:.3f} | {l['p99_ms']:.3f} | {l['p999_ms']:.3f} | {l['max_ms']:.3f} | {o['errors']} |")
lines += ["", f"- server RSS: peak {suite_rss} through the suite above; single large PUT: {big_line}"]
wrk = [l for l in open(f"{work}/wrk-rows").read().splitlines() if l.strip()]
if wrk:
    lines += ["", "Independent load generator: wrk 4.1 (2 threads, same concurrency and duration, anonymous",
              "requests allowed by a bucket policy; GETs of random keys among 10,000 × 4 KiB / 1,000 × 1 MiB objects):", "",
              "| wrk run | requests/s | transfer/s | p50 | p90 | p99 | non-2xx |", "|---|--:|--:|--:|--:|--:|--:|"] + wrk
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
echo "wrote $out" >&2
