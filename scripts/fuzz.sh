#!/usr/bin/env bash
# Runs every Go fuzz target of the module for a short time each.
# Usage: scripts/fuzz.sh [FUZZTIME]   (default 10s per target)
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-10s}
count=0
for dir in $(go list -f '{{.Dir}}' ./...); do
  rel=./${dir#"$PWD"/}
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    echo "fuzz $rel $target ($fuzztime)"
    go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$rel"
    count=$((count + 1))
  done
done
echo "fuzzed $count targets"
[ "$count" -gt 0 ] || { echo "no fuzz targets found" >&2; exit 1; }
