#!/usr/bin/env bash
# Benchmark (not a test): importing an account's existing friends. musubi-sim plays an account
# with N existing friends (line.existing_friends); a real musubid with line.followers_import on
# reads them all with GET /v2/bot/followers/ids (1,000 a page, within LINE's 2,000/s, the
# simulator's rate limit on) and records each as a friend with a friend.imported fact. Measured:
# the time from musubid's start to the import's end (event=followers.import_finished), musubid's
# peak memory (VmHWM) then, the store file's size, and how long the engine then takes to work
# off the N facts (with the shipped scenarios, none of which starts on friend.imported).
# Prints "FIGURE" lines (see scripts/bench-report).
#   tests/bench/followers/followers_bench.sh [build dir] [friends] [seconds to wait at most]
# KEEP_WORK=1 keeps the temporary folder.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
build="${1:-${MUSUBI_BUILD_DIR:-$root/build}}"
friends="${2:-1000000}"
patience="${3:-1800}"
musubid="${MUSUBID:-$(find "$build" -name musubid -type f -perm -u+x | head -1)}"
sim="${MUSUBI_SIM:-$(find "$build" -name musubi-sim -type f -perm -u+x | head -1)}"
[ -x "$musubid" ] && [ -x "$sim" ] ||
  { echo "followers_bench: build musubid and musubi-sim under $build first" >&2; exit 2; }

work="$(mktemp -d)"
sim_pid=
daemon_pid=
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
  [ -n "${KEEP_WORK:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }

secret=8c570fa6dd201bb328f1c1eac23a96d8
printf 'line:\n  channel_secret: %s\n  existing_friends: %s\n' "$secret" "$friends" >"$work/sim.yaml"
sim_started=$(now)
"$sim" --scenario "$work/sim.yaml" --listen 127.0.0.1:0 --data-listen 127.0.0.1:0 \
  --port-file "$work/ports" >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 6000); do [ -s "$work/ports" ] && break; sleep 0.05; done
[ -s "$work/ports" ] || { echo "followers_bench: musubi-sim did not start: $(cat "$work/sim.log")" >&2; exit 1; }
echo "followers_bench: musubi-sim made $friends existing friends in $(since "$sim_started") s" >&2
api_port="$(sed -n 1p "$work/ports")"
data_port="$(sed -n 2p "$work/ports")"

mkdir -p "$work/config" "$work/state"
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
  followers_import: {enabled: true, interval: 1d}
webhook: {listen: "127.0.0.1:0", path: /webhook/line}
admin: {listen: "127.0.0.1:0", token: bench-admin-token}
templates: ../templates
scenarios: scenarios/*.yaml
YAML

started=$(now)
"$musubid" --config "$work/config/musubi.yaml" >"$work/musubid.log" 2>&1 &
daemon_pid=$!
deadline=$(($(date +%s) + patience))
until grep -q "event=followers.import_finished" "$work/musubid.log" 2>/dev/null; do
  kill -0 "$daemon_pid" 2>/dev/null || { echo "followers_bench: musubid exited:" >&2; tail "$work/musubid.log" >&2; exit 1; }
  [ "$(date +%s)" -lt "$deadline" ] || { echo "followers_bench: no import_finished within $patience s" >&2; tail "$work/musubid.log" >&2; exit 1; }
  sleep 0.05
done
import_s=$(since "$started")
hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$daemon_pid/status")
grep "event=followers.import_finished" "$work/musubid.log" >&2
db="$work/state/musubi.db"
in_store=$(sqlite3 "$db" "PRAGMA busy_timeout = 10000; SELECT count(*) FROM friends" | tail -1)
facts=$(sqlite3 "$db" "PRAGMA busy_timeout = 10000; SELECT count(*) FROM facts WHERE kind = 'friend.imported'" | tail -1)
[ "$in_store" = "$friends" ] && [ "$facts" = "$friends" ] ||
  { echo "followers_bench: $in_store friends and $facts facts in the store, not $friends" >&2; exit 1; }

# The engine works off the facts (nothing starts on friend.imported with the shipped scenarios).
engine_s=
until [ "$(sqlite3 "$db" "PRAGMA busy_timeout = 10000; SELECT count(*) FROM facts WHERE processed_at IS NULL" | tail -1)" = 0 ]; do
  [ "$(date +%s)" -lt "$deadline" ] || break
  sleep 0.5
done
[ "$(sqlite3 "$db" "PRAGMA busy_timeout = 10000; SELECT count(*) FROM facts WHERE processed_at IS NULL" | tail -1)" = 0 ] &&
  engine_s=$(since "$started")
hwm_after_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$daemon_pid/status")
store_mb=$(du -cm "$db" "$db-wal" 2>/dev/null | tail -1 | cut -f1)
echo "followers_bench: import ${import_s} s, VmHWM $((hwm_kb / 1024)) MB at its end, $((hwm_after_kb / 1024)) MB after the engine (${engine_s:-not done} s); store ${store_mb} MB" >&2

label="$(awk -v f="$friends" 'BEGIN {if (f >= 1e6) printf "%gM", f / 1e6; else printf "%d", f}')"
pages=$(((friends + 999) / 1000))
printf 'FIGURE\tfollowers import: %s follower IDs (%s pages of 1,000) read and stored as friends, from musubid start\t%s\ts\tthe daily interval (1 d)\t%.5f\n' \
  "$label" "$pages" "$import_s" "$(awk -v s="$import_s" 'BEGIN {print s / 86400}')"
printf 'FIGURE\tfollowers import: IDs stored a second (%s)\t%.0f\tIDs/s\tLINE'"'"'s list limit 2,000 calls/s = 2,000,000 IDs/s\t%.4f\n' \
  "$label" "$(awk -v f="$friends" -v s="$import_s" 'BEGIN {print f / s}')" \
  "$(awk -v f="$friends" -v s="$import_s" 'BEGIN {print f / s / 2000000}')"
printf 'FIGURE\tfollowers import: musubid peak memory (VmHWM) at the import'"'"'s end (%s)\t%.1f\tMB\tbudget < 150 MB (issue 3'"'"'s goal)\t%.2f\n' \
  "$label" "$(awk -v k="$hwm_kb" 'BEGIN {print k / 1024}')" "$(awk -v k="$hwm_kb" 'BEGIN {print k / 1024 / 150}')"
printf 'FIGURE\tfollowers import: store size after it (%s friends and facts)\t%s\tMB\t\t\n' "$label" "$store_mb"
if [ -n "$engine_s" ]; then
  printf 'FIGURE\tfollowers import: until the engine has handled every friend.imported fact (%s), from start\t%s\ts\t\t\n' "$label" "$engine_s"
  printf 'FIGURE\tfollowers import: musubid peak memory (VmHWM) after the engine (%s)\t%.1f\tMB\tbudget < 150 MB (issue 3'"'"'s goal)\t%.2f\n' \
    "$label" "$(awk -v k="$hwm_after_kb" 'BEGIN {print k / 1024}')" "$(awk -v k="$hwm_after_kb" 'BEGIN {print k / 1024 / 150}')"
fi
exit 0
