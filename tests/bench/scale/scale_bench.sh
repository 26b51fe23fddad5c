#!/usr/bin/env bash
# Benchmark (not a test): musubi at shop scale. scale_bench builds a store file with 1,000,000
# friends and 5,000,000 outbox rows (see scale_bench.cpp) and times scheduler ticks on it; then a
# real musubid is started on that file against musubi-sim, and its peak memory (VmHWM) is read
# after it has run for a while (its engine, dispatcher and segment worker ticking), as is the
# time of one /metrics scrape. Prints "FIGURE" lines (see scripts/bench-report).
#   tests/bench/scale/scale_bench.sh [build dir] [friends] [outbox rows] [seconds of musubid]
# SCALE_EXTRA_SQL: SQL run on the file after it is built (e.g. a candidate index).
# SCALE_REUSE_DB: a store file built before (scale_bench --db, or scale_sql_dump into a migrated
# file) to time and to start musubid on, instead of building one; it is changed by the run.
# KEEP_WORK=1 keeps the temporary folder.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
build="${1:-${MUSUBI_BUILD_DIR:-$root/build}}"
friends="${2:-1000000}"
outbox="${3:-5000000}"
seconds="${4:-20}"
bench="$(find "$build" -name scale_bench -type f -perm -u+x | head -1)"
musubid="${MUSUBID:-$(find "$build" -name musubid -type f -perm -u+x | head -1)}"
sim="${MUSUBI_SIM:-$(find "$build" -name musubi-sim -type f -perm -u+x | head -1)}"
[ -x "$bench" ] || { echo "scale_bench: no scale_bench under $build (build the target scale_bench)" >&2; exit 2; }

work="$(mktemp -d)"
sim_pid=
daemon_pid=
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
  [ -n "${KEEP_WORK:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/state"
db="$work/state/musubi.db"
if [ -n "${SCALE_REUSE_DB:-}" ]; then
  db="$SCALE_REUSE_DB"
  friends="$(sqlite3 "$db" 'SELECT max(id) FROM friends')"
  outbox="$(sqlite3 "$db" 'SELECT max(id) FROM outbox')"
  "$bench" --db "$db" --reuse --explain
else
  "$bench" --friends "$friends" --outbox "$outbox" --db "$db" --explain \
    ${SCALE_EXTRA_SQL:+--extra-sql "$SCALE_EXTRA_SQL"}
fi

# --- musubid on that file, against musubi-sim ----------------------------------------------------
if [ ! -x "$musubid" ] || [ ! -x "$sim" ]; then
  echo "scale_bench: musubid or musubi-sim is not built under $build: its peak memory is not measured" >&2
  exit 0
fi
secret=8c570fa6dd201bb328f1c1eac23a96d8
printf 'line:\n  channel_secret: %s\n' "$secret" >"$work/sim.yaml"
"$sim" --scenario "$work/sim.yaml" --listen 127.0.0.1:0 --data-listen 127.0.0.1:0 \
  --port-file "$work/ports" >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 500); do [ -s "$work/ports" ] && break; sleep 0.01; done
api_port="$(sed -n 1p "$work/ports")"
data_port="$(sed -n 2p "$work/ports")"

mkdir -p "$work/config"
cp -r "$root/config/scenarios" "$work/config/scenarios"
cp "$root/config/segments.yaml" "$work/config/segments.yaml"
cp -r "$root/templates" "$work/templates"
cat >"$work/config/musubi.yaml" <<YAML
shop: {id: bench-shop, name: ベンチ商店}
store: {path: $db}
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
segments: segments.yaml
YAML

started=$(date +%s.%N)
"$musubid" --config "$work/config/musubi.yaml" >"$work/musubid.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 3000); do grep -q "event=ready" "$work/musubid.log" && break; sleep 0.02; done
grep -q "event=ready" "$work/musubid.log" || { echo "scale_bench: musubid did not start:" >&2; tail "$work/musubid.log" >&2; exit 1; }
ready_s=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
admin_port="$(sed -n 's/.*event=admin.listening address=127.0.0.1:\([0-9]*\).*/\1/p' "$work/musubid.log" | head -1)"
sleep "$seconds"
scrape_ms=
if [ -n "$admin_port" ]; then
  scrape_ms=$(curl -s -o /dev/null -w '%{time_total}' -H 'Authorization: Bearer bench-admin-token' \
    "http://127.0.0.1:$admin_port/metrics" | awk '{printf "%.0f", $1 * 1000}')
fi
hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$daemon_pid/status")
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$daemon_pid/status")
echo "scale_bench: musubid ready after ${ready_s} s; after ${seconds} s more: VmHWM $((hwm_kb / 1024)) MB, VmRSS $((rss_kb / 1024)) MB; /metrics ${scrape_ms:-?} ms" >&2
echo "scale_bench: musubid's log (events counted):" >&2
sed -n 's/.*event=\([^ ]*\).*/\1/p' "$work/musubid.log" | sort | uniq -c | sort -rn | head -15 >&2
scale="$(awk -v f="$friends" -v o="$outbox" 'BEGIN {printf "%.1fM friends, %.1fM outbox", f / 1e6, o / 1e6}')"
# Compared with: issue 3's 150 MB memory goal, systemd's default start timeout (90 s), and
# Prometheus' default scrape timeout (10 s).
printf 'FIGURE\tmusubid peak memory (VmHWM) on that store, %s s after ready (%s)\t%.1f\tMB\tbudget < 150 MB (issue 3'"'"'s goal)\t%.2f\n' \
  "$seconds" "$scale" "$(awk -v k="$hwm_kb" 'BEGIN {print k / 1024}')" "$(awk -v k="$hwm_kb" 'BEGIN {print k / 1024 / 150}')"
printf 'FIGURE\tmusubid start-up on that store until ready (%s)\t%s\ts\tsystemd'"'"'s start timeout 90 s\t%.3f\n' \
  "$scale" "$ready_s" "$(awk -v s="$ready_s" 'BEGIN {print s / 90}')"
[ -n "$scrape_ms" ] &&
  printf 'FIGURE\tmusubid /metrics scrape on that store (%s)\t%s\tms\tPrometheus'"'"' scrape timeout 10 s\t%.4f\n' \
    "$scale" "$scrape_ms" "$(awk -v m="$scrape_ms" 'BEGIN {print m / 10000}')"
exit 0
