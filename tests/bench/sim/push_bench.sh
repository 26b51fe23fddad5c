#!/usr/bin/env bash
# Benchmark (not a test): how many LINE pushes per second musubi-sim answers on loopback with
# rate limits off. Drives keep-alive connections with wrk (Debian package `wrk`).
#   tests/bench/sim/push_bench.sh [path/to/musubi-sim] [seconds] [connections]
# Prints wrk's report and a line "push requests: N in S s = R requests/second".
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
sim="${1:-${MUSUBI_SIM:-build/tests/sim/musubi-sim}}"
seconds="${2:-10}"
connections="${3:-32}"

command -v wrk >/dev/null || { echo "push_bench: wrk is missing (scripts/install-deps installs it)" >&2; exit 2; }
[ -x "$sim" ] || { echo "push_bench: no musubi-sim at $sim" >&2; exit 2; }

work="$(mktemp -d)"
trap 'kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

{
  echo "line:"
  echo "  rate_limits: {enabled: false}"
  echo "  friends:"
  for i in $(seq 0 99); do printf '    - {userId: U%032x}\n' "$i"; done
} > "$work/scenario.yaml"

"$sim" --scenario "$work/scenario.yaml" --listen 127.0.0.1:0 --threads "$connections" \
  --port-file "$work/port" > "$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 500); do [ -s "$work/port" ] && break; sleep 0.01; done
port="$(head -1 "$work/port")"

echo "push_bench: musubi-sim on port $port, $connections connections, ${seconds}s, $(nproc) cores"
wrk -t2 -c"$connections" -d"${seconds}s" -s "$here/push.lua" "http://127.0.0.1:$port" | tee "$work/wrk.out"
rate="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$work/wrk.out")"
# A line for scripts/bench-report: FIGURE, name, value, unit, compared with, ratio.
printf 'FIGURE\tmusubi-sim answering pushes, rate limits off, %s connections (wrk)\t%s\trequests/s\tgoal ≥ 10,000/s\t%s\n' \
  "$connections" "$rate" "$(awk -v r="$rate" 'BEGIN {printf "%.2f", r / 10000}')"
deliveries="$(curl -s "http://127.0.0.1:$port/_sim/line/ledger" | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["deliveries"])' 2>/dev/null || echo '?')"
echo "push_bench: ledger deliveries: $deliveries"
