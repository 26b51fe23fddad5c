#!/usr/bin/env bash
# Benchmark (not a test): signed LINE webhooks into musubid with persistence on (a real SQLite
# file in WAL mode), over keep-alive connections. Builds nothing: run after scripts/build.
#   tests/bench/webhook/webhook_bench.sh [seconds] [connections]
# Binaries: $MUSUBID (default build/musubid), $MUSUBI_SIM (build/tests/sim/musubi-sim, the
# LINE API musubid talks to), $WEBHOOK_LOAD (build/tests/bench/webhook/webhook_load).
# Runs one event per body, then ten events per body, and prints for each a line
# "webhook_load: … = N events/s …; latency ms p50 … p99 …", then the rows in the store.
# KEEP_WORK=1 keeps the temporary folder (musubid's log and database) for a look afterwards.
# musubid runs whole: its event processor and engine work off the events during the run, as
# they would in production, and share the 2 cores and the SQLite write lock with the intake.
set -euo pipefail

root="$(cd "$(dirname "$0")/../../.." && pwd)"
musubid="${MUSUBID:-$root/build/musubid}"
sim="${MUSUBI_SIM:-$root/build/tests/sim/musubi-sim}"
load="${WEBHOOK_LOAD:-$root/build/tests/bench/webhook/webhook_load}"
seconds="${1:-10}"
connections="${2:-4}"
secret=8c570fa6dd201bb328f1c1eac23a96d8

for binary in "$musubid" "$sim" "$load"; do
  [ -x "$binary" ] || { echo "webhook_bench: no $binary (build first, or set MUSUBID/MUSUBI_SIM/WEBHOOK_LOAD)" >&2; exit 2; }
done

work="$(mktemp -d)"
sim_pid=
daemon_pid=
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
  [ -n "${KEEP_WORK:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

printf 'line:\n  channel_secret: %s\n' "$secret" >"$work/scenario.yaml"
"$sim" --scenario "$work/scenario.yaml" --listen 127.0.0.1:0 --data-listen 127.0.0.1:0 \
  --port-file "$work/ports" >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 500); do [ -s "$work/ports" ] && break; sleep 0.01; done
api_port="$(sed -n 1p "$work/ports")"
data_port="$(sed -n 2p "$work/ports")"

mkdir -p "$work/config"
cp -r "$root/config/scenarios" "$work/config/scenarios"
cp -r "$root/templates" "$work/templates"
cat >"$work/config/musubi.yaml" <<YAML
shop: {id: bench-shop, name: ベンチ商店}
store: {path: $work/state/musubi.db}
log: {format: kv, level: info, timestamps: never}
privacy: {hashing_key: bench-hashing-key-0123456789abcdef0123456789abcdef}
rakuten: {enabled: false}
line:
  api_base_url: http://127.0.0.1:$api_port
  data_api_base_url: http://127.0.0.1:$data_port
  channel_secret: $secret
  channel_access_token: musubi-sim-token
webhook: {listen: "127.0.0.1:0", path: /webhook/line}
admin: {listen: "127.0.0.1:0", token: bench-admin-token}
templates: ../templates
scenarios: scenarios/*.yaml
YAML

"$musubid" --config "$work/config/musubi.yaml" >"$work/musubid.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 500); do grep -q "event=ready" "$work/musubid.log" && break; sleep 0.02; done
port="$(sed -n 's/.*event=webhook.listening address=127.0.0.1:\([0-9]*\).*/\1/p' "$work/musubid.log")"
[ -n "$port" ] || { echo "webhook_bench: musubid did not start:" >&2; cat "$work/musubid.log" >&2; exit 1; }
url="http://127.0.0.1:$port/webhook/line"

echo "webhook_bench: musubid on port $port, store $work/state/musubi.db, $connections connections, ${seconds}s each, $(nproc) cores"
status=0
"$load" --url "$url" --secret "$secret" --connections "$connections" --seconds "$seconds" --events-per-body 1 || status=1
"$load" --url "$url" --secret "$secret" --connections "$connections" --seconds "$seconds" --events-per-body 10 || status=1
if command -v sqlite3 >/dev/null; then
  echo "webhook_bench: webhook_events rows: $(sqlite3 "$work/state/musubi.db" 'SELECT count(*) FROM webhook_events')"
fi
exit "$status"
