#!/usr/bin/env bash
# Benchmark (not a test): how long from an order appearing in Rakuten RMS (musubi-sim) until
# LINE (musubi-sim) has accepted its thank-you message. Goal: p99 ≤ poll interval + 1 s.
#
#   tests/bench/latency/order_latency.sh [build dir] [orders] [poll seconds] [request interval] [buyers]
#   (defaults: ./build, 200 orders, 10 s, 1s — the shipped politeness between RMS requests —, 20 buyers)
#
# Set-up: musubi-sim at speed 1 (simulated time runs with real time, starting on a weekday
# morning so the order-thanks scenario's 09:00–21:00 window is open); musubid with the shipped
# configuration, scenarios and templates, following the simulator's clock, with the given
# rakuten.poll_interval and request_interval. Each buyer has an old order (before the backfill
# horizon, so it sends nothing) and is linked to a LINE friend by chat (order number, then the
# phone's last four digits), as the demo does; only linked buyers get a thank-you.
#
# Measurement: the orders are made one by one at random moments over at least six poll cycles
# (a minute at least), so they land all over the poll cycle, each for one of the linked buyers. An order's
# start is the simulator's clock read just before `POST /_sim/rakuten/orders` (its
# orderDatetime has only whole seconds); its end is the `epoch_ms` of the thank-you's delivery
# in the simulator's ledger (when LINE accepted the push). Both are the simulator's clock, which
# runs at real speed, so the difference is real time.
set -euo pipefail
export LC_ALL=C # sort and join agree on order

here="$(cd "$(dirname "$0")" && pwd)"
source_dir="$(cd "$here/../../.." && pwd)"
build="${1:-${MUSUBI_BUILD_DIR:-$source_dir/build}}"
orders="${2:-200}"
poll_s="${3:-10}"
request_interval="${4:-1s}"
buyers="${5:-20}"
musubid="${MUSUBID:-$(find "$build" -name musubid -type f -perm -u+x | head -1)}"
sim_bin="${MUSUBI_SIM:-$(find "$build" -name musubi-sim -type f -perm -u+x | head -1)}"
[ -x "$musubid" ] || { echo "order_latency: no musubid under $build" >&2; exit 2; }
[ -x "$sim_bin" ] || { echo "order_latency: no musubi-sim under $build" >&2; exit 2; }

work=$(mktemp -d)
sim='' daemon=''
cleanup() {
  [ -n "$daemon" ] && kill -TERM "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  [ -n "$sim" ] && kill -TERM "$sim" 2>/dev/null && wait "$sim" 2>/dev/null
  [ -n "${MUSUBI_BENCH_KEEP:-}" ] && mkdir -p "$MUSUBI_BENCH_KEEP" && cp -r "$work"/. "$MUSUBI_BENCH_KEEP"/
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "order_latency: $*" >&2; tail -n 20 "$work/log" >&2 2>/dev/null; exit 1; }
wait_for_log() { # PATTERN: until musubid's log has it (30 s at most)
  for _ in $(seq 300); do grep -q -- "$1" "$work/log" 2>/dev/null && return 0; sleep 0.1; done
  fail "no log line matching '$1'"
}

# --- musubi-sim: LINE and RMS, real speed, a Tuesday 10:00 JST -------------------------------
cat >"$work/sim.yaml" <<'YAML'
clock:
  start: "2026-11-24T10:00:00+0900"
  speed: 1
line:
  channel_secret: 8c570fa6dd201bb328f1c1eac23a96d8
  channel_access_tokens: [musubi-sim-token]
rakuten:
  seed: 3
YAML
"$sim_bin" --scenario "$work/sim.yaml" --port-file "$work/ports" >"$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 200); do [ -s "$work/ports" ] && break; sleep 0.05; done
[ -s "$work/ports" ] || fail "musubi-sim did not start: $(cat "$work/sim.log")"
api="http://127.0.0.1:$(sed -n 1p "$work/ports")"
data="http://127.0.0.1:$(sed -n 2p "$work/ports")"
sim_call() { # METHOD ROUTE [JSON]
  curl -fsS -X "$1" -H 'Content-Type: application/json' "$api$2" ${3:+-d "$3"}
}
sim_now() { sim_call GET /_sim/clock | jq .epoch_ms; }

# Each buyer's old order (ten days ago, paid): what they link with in chat.
old_at=$(sim_call GET /_sim/clock |
  jq -r '(.epoch_ms / 1000 | floor) + 9 * 3600 - 10 * 86400 | strftime("%Y-%m-%dT%H:%M:%S+0900")')
declare -a phone user old_order
for b in $(seq "$buyers"); do
  phone[b]=$(printf '090-7%03d-%04d' "$b" "$((b * 37 % 10000))")
  user[b]=$(printf 'U%032x' "$((0xbe000 + b))")
  old_order[b]=$(sim_call POST /_sim/rakuten/orders "$(jq -n --arg p "${phone[b]}" --arg at "$old_at" \
    '{buyer: {phone: $p}, orderDatetime: $at, progress: 700}')" | jq -r .orderNumber)
done

# --- musubid: the shipped configuration, pointed at the simulator -----------------------------
cp -r "$source_dir/config" "$work/config"
cp -r "$source_dir/templates" "$work/templates"
config="$work/config/musubi.yaml"
sed -i "s|^  path: /var/lib/musubi/musubi.db|  path: $work/state/musubi.db|" "$config"
sed -i "s|^  listen: 127.0.0.1:8080 .*|  listen: 127.0.0.1:0|; s|^  listen: 127.0.0.1:8081|  listen: 127.0.0.1:0|" "$config"
sed -i "s|^  poll_interval: 1m|  poll_interval: ${poll_s}s\n  request_interval: $request_interval\n  base_url: $api|" "$config"
sed -i "s|^line:|line:\n  api_base_url: $api\n  data_api_base_url: $data|" "$config"
printf 'clock:\n  follow: %s\n' "$api" >>"$config"
echo SP000000_musubi_sim_secret >"$work/config/secrets/rms_service_secret"
echo SL000000_musubi_sim_key >"$work/config/secrets/rms_license_key"
echo 8c570fa6dd201bb328f1c1eac23a96d8 >"$work/config/secrets/line_channel_secret"
echo musubi-sim-token >"$work/config/secrets/line_channel_access_token"
(cd "$work/config" && "$musubid" --check-config --config "$config" >/dev/null) || fail "bad configuration"

(cd "$work/config" && exec "$musubid" --config "$config") >"$work/log" 2>&1 &
daemon=$!
wait_for_log "event=ready"
listen=$(grep -o 'event=webhook.listening address=[0-9.:]*' "$work/log" | head -n1 | cut -d= -f3)
sim_call POST /_sim/line/config "{\"webhook_url\": \"http://$listen/webhook\"}" >/dev/null
wait_for_log "event=poll.done"

# --- link every buyer to a friend by chat ------------------------------------------------------
deliveries() { sim_call GET "/_sim/line/ledger/$1" | jq '.deliveries | length'; }
wait_for_messages() { # USER_ID COUNT
  for _ in $(seq 300); do [ "$(deliveries "$1")" -ge "$2" ] && return 0; sleep 0.05; done
  fail "friend $1 did not get message $2"
}
say() { sim_call POST "/_sim/line/friends/$1/text" "$(jq -n --arg t "$2" '{text: $t}')" >/dev/null; }
for b in $(seq "$buyers"); do
  u=${user[b]}
  sim_call POST "/_sim/line/friends/$u/follow" '{"displayName": "ベンチ"}' >/dev/null
  wait_for_messages "$u" 1
  say "$u" "注文番号は ${old_order[b]} です"
  wait_for_messages "$u" 2
  say "$u" "${phone[b]: -4}"
  wait_for_messages "$u" 3
done
linked=$(sqlite3 "$work/state/musubi.db" "SELECT count(*) FROM links WHERE unlinked_at IS NULL")
[ "$linked" -eq "$buyers" ] || fail "only $linked of $buyers buyers are linked"

# --- orders at random moments; the simulator's clock before each ------------------------------
spread_ms=$((poll_s * 6000 > 60000 ? poll_s * 6000 : 60000))
gap_ms=$((2 * spread_ms / orders)) # random gaps of 0..gap_ms: spread_ms on average in all
echo "order_latency: $orders orders for $buyers linked buyers, poll_interval ${poll_s}s," \
  "request_interval $request_interval; this takes about $((spread_ms / 1000 + poll_s + 10)) s" >&2
RANDOM=42
: >"$work/orders"
for i in $(seq "$orders"); do
  b=$((1 + i % buyers))
  sleep "$(awk -v ms=$((RANDOM % (gap_ms + 1))) 'BEGIN {printf "%.3f", ms / 1000}')"
  before=$(sim_now)
  number=$(sim_call POST /_sim/rakuten/orders "$(jq -n --arg p "${phone[b]}" '{buyer: {phone: $p}, totalPrice: 2400}')" |
    jq -r .orderNumber)
  echo "$number $before" >>"$work/orders"
done

# --- wait for every thank-you, then read the ledger --------------------------------------------
thanked() { # → "ORDER_NUMBER EPOCH_MS" per thank-you in the ledger
  sim_call GET /_sim/line/ledger | jq -r '.friends[].deliveries[] | select(.endpoint == "push")
    | (.message.text // "" | capture("ご注文番号: (?<n>[0-9-]+)").n) as $n | select($n) | "\($n) \(.epoch_ms)"'
}
deadline=$((SECONDS + poll_s * 3 + 60))
while [ "$(thanked | wc -l)" -lt "$orders" ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 1; done
thanked | sort >"$work/thanked"
sort "$work/orders" >"$work/orders.sorted"
join "$work/orders.sorted" "$work/thanked" | awk '{print $3 - $2}' | sort -n >"$work/latencies"
arrived=$(wc -l <"$work/latencies")
duplicates=$(cut -d' ' -f1 "$work/thanked" | uniq -d | wc -l)
[ "$arrived" -gt 0 ] || fail "no thank-you arrived"

# Nearest-rank percentiles, in seconds.
stat() { awk -v p="$1" '{v[NR] = $1} END {i = int((p * NR + 99) / 100); if (i < 1) i = 1; printf "%.2f", v[i] / 1000}' "$work/latencies"; }
p50=$(stat 50) p99=$(stat 99) max=$(stat 100) min=$(awk 'NR == 1 {printf "%.2f", $1 / 1000}' "$work/latencies")
goal=$((poll_s + 1))
verdict=$(awk -v p="$p99" -v g="$goal" 'BEGIN {print (p <= g) ? "met" : "missed"}')
polls=$(grep -c "event=poll.done" "$work/log")
poll_took=$(grep -o 'event=poll.done .*took=[0-9.]*m\?s' "$work/log" | grep -o 'took=[0-9.]*m\?s' | tail -n 5 | cut -d= -f2 | paste -sd' ')

echo
echo "Order → thank-you latency (musubi-sim, speed 1; $(date -u +%Y-%m-%d), $(nproc) cores)"
echo
echo "| orders | thanked | poll_interval | request_interval | min | p50 | p99 | max | goal p99 ≤ poll + 1 s |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---|"
echo "| $orders | $arrived | ${poll_s} s | $request_interval | $min s | $p50 s | $p99 s | $max s | ≤ $goal s: $verdict |"
echo
echo "From the simulator's clock just before POST /_sim/rakuten/orders to the ledger's epoch_ms of"
echo "the thank-you push (LINE accepted it). $polls polls; the last polls took: $poll_took."
[ "$duplicates" -eq 0 ] || echo "WARNING: $duplicates orders were thanked more than once" >&2
[ "$arrived" -eq "$orders" ] || echo "WARNING: $((orders - arrived)) thank-yous did not arrive" >&2
# Lines for scripts/bench-report: FIGURE, name, value, unit, compared with, ratio.
printf 'FIGURE\torder → thank-you accepted by LINE, p50 (%s orders, poll every %s s)\t%s\ts\tpoll interval + 1 s = %s s\t%s\n' \
  "$orders" "$poll_s" "$p50" "$goal" "$(awk -v p="$p50" -v g="$goal" 'BEGIN {printf "%.2f", p / g}')"
printf 'FIGURE\torder → thank-you accepted by LINE, p99 (%s orders, poll every %s s)\t%s\ts\tgoal ≤ poll interval + 1 s = %s s\t%s\n' \
  "$orders" "$poll_s" "$p99" "$goal" "$(awk -v p="$p99" -v g="$goal" 'BEGIN {printf "%.2f", p / g}')"
