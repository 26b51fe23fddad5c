#!/usr/bin/env bash
# Benchmark (not a test): 100,000 simulated RMS orders ingested by musubi, printing orders/s and
# peak memory for the real poll path and for the store alone. Use a Release build for figures
# (-DCMAKE_BUILD_TYPE=Release).
#   tests/bench/ingest/ingest_bench.sh [build dir] [orders] [days]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
source_dir="$(cd "$here/../../.." && pwd)"
build="${1:-${MUSUBI_BUILD_DIR:-$source_dir/build}}"
orders="${2:-100000}"
days="${3:-60}"

bench="$(find "$build" -name ingest_bench -type f -perm -u+x | head -1)"
sim="$(find "$build" -name musubi-sim -type f -perm -u+x | head -1)"
[ -n "$bench" ] || { echo "ingest_bench: no ingest_bench under $build (build the target ingest_bench)" >&2; exit 2; }
[ -n "$sim" ] || { echo "ingest_bench: no musubi-sim under $build" >&2; exit 2; }
grep -q 'CMAKE_BUILD_TYPE:STRING=Release' "$build/CMakeCache.txt" 2>/dev/null ||
  echo "ingest_bench: note: $build is not a Release build; figures will be pessimistic" >&2

# Each mode in its own process, so that each peak RSS is its own.
for mode in poll store; do
  MUSUBI_SIM="$sim" "$bench" --mode "$mode" --orders "$orders" --days "$days"
  echo
done
echo "goal: >= 5,000 orders/s of musubi's own processing, < 150 MB peak"
