#!/usr/bin/env bash
# musubid killed with SIGKILL in the middle of a poll (RMS answers slowly), then started
# again: every order of the simulator ends up with exactly one placed fact, every shipped
# order with one shipped fact and every cancelled order with one cancelled fact.
set -euo pipefail
: "${MUSUBI_SOURCE_DIR:?source tree}"
# shellcheck source=../support/musubid.sh
source "$(dirname "$0")/../support/musubid.sh"
it_setup rakuten_poller_crash
fail() { echo "FAIL: $*" >&2; [ -f "$work/log" ] && sed 's/^/  log: /' "$work/log" | tail -40 >&2; exit 1; }

start_sim "rakuten:
  seed: 5
  service_secret: SP000000_musubi_sim_secret
  license_keys:
    - key: SL000000_musubi_sim_key
      expires: \"2027-02-20T23:59:59\""
control() { curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "$api/_sim/rakuten$1"; }

curl -sf -X POST -H 'Content-Type: application/json' -d '{"speed":0}' "$api/_sim/clock" >/dev/null
control /orders/generate '{"count":600,"days":10}' >/dev/null
# Every RMS answer takes 100 ms, so one poll (about 20 requests) lasts a few seconds.
control /faults '{"slowRate":1,"slowMs":100}' >/dev/null

cp -r "$MUSUBI_SOURCE_DIR/config" "$work/config"
cp -r "$MUSUBI_SOURCE_DIR/templates" "$work/templates"
sed -i "s|^  path: /var/lib/musubi/musubi.db|  path: $work/state/musubi.db|" "$config"
sed -i "s|^  listen: 127.0.0.1:808[01]\b.*|  listen: 127.0.0.1:0|" "$config" # parallel tests: any free ports
sed -i "s|^  enabled: true|  enabled: true\n  base_url: $api\n  request_interval: 0s\n  timeout: 5s|" "$config"
sed -i "s|^  poll_interval: 1m|  poll_interval: 1s|" "$config"
echo SP000000_musubi_sim_secret >"$work/config/secrets/rms_service_secret"
echo SL000000_musubi_sim_key >"$work/config/secrets/rms_license_key"

start_daemon
wait_for "event=ready" 20
# Kill it once some, but not all, facts are in.
for _ in $(seq 300); do
  count=$(db "SELECT count(*) FROM facts" 2>/dev/null || echo 0)
  [ "$count" -gt 0 ] && break
  sleep 0.02
done
kill_daemon
grep -q "event=poll.done" "$work/log" && fail "the first poll ended before the kill; make RMS slower"
before=$(db "SELECT count(*) FROM facts")
[ "$before" -lt 600 ] || fail "all facts were in before the kill ($before)"

control /faults/reset '{}' >/dev/null
start_daemon
wait_for "event=poll.done" 20
wait_for "event=poll.done.*placed=0 shipped=0 cancelled=0" 20
stop_daemon

orders=$(curl -sf "$api/_sim/rakuten/orders?limit=100000")
expect() { python3 -c "import json,sys; o=json.load(sys.stdin)['orders']; print(sum(1 for x in o if $1))" <<<"$orders"; }
placed=$(db "SELECT count(DISTINCT subject) FROM facts WHERE kind = 'order.placed'")
shipped=$(db "SELECT count(DISTINCT subject) FROM facts WHERE kind = 'order.shipped'")
cancelled=$(db "SELECT count(DISTINCT subject) FROM facts WHERE kind = 'order.cancelled'")
total=$(db "SELECT count(*) FROM facts")
[ "$placed" = "$(expect True)" ] || fail "placed facts $placed, orders $(expect True)"
[ "$shipped" = "$(expect '500 <= x["orderProgress"] <= 700')" ] || fail "shipped facts $shipped"
[ "$cancelled" = "$(expect 'x["orderProgress"] == 900')" ] || fail "cancelled facts $cancelled"
[ "$total" = "$((placed + shipped + cancelled))" ] || fail "duplicated facts: $total rows"
[ "$(db "SELECT count(*) FROM orders")" = "$placed" ] || fail "orders and facts disagree"

echo "it.rakuten_poller_crash: 1 passed, 0 failed (killed after $before facts)"
