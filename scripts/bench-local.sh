#!/usr/bin/env bash
# The standard `cairn bench` suite against a local single node (4 drives,
# 2+2, fsync on), written as a markdown table to bench/results/DATE.md.
# Usage: scripts/bench-local.sh [path/to/cairn]
# Environment: BENCH_DURATION (30s), BENCH_CONCURRENCY (16), LIST_OBJECTS
# (100000), BENCH_OUT (bench/results/YYYY-MM-DD.md), DD_MB (256).
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
	"$bin" server --address 127.0.0.1:"$port" --data-dir "$work/data" --log-level warn >"$work/server.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"; }
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

mkdir -p "$(dirname "$out")"
python3 - "$work" "$out" "$cores" "$cpu" "$ram" "$disk" "$duration" "$conc" "$list_objects" "${results[@]}" <<'PY'
import json, sys, platform
work, out, cores, cpu, ram, disk, duration, conc, nlist, *names = sys.argv[1:]
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
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
echo "wrote $out" >&2
