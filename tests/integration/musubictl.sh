#!/usr/bin/env bash
# it.musubictl: the real musubictl binary against a running musubid and musubi-sim.
#   - status answers 0 while musubid runs and 5 once it has stopped;
#   - test-send writes one push row that the running musubid sends: the simulator's ledger
#     shows the message exactly once, with the LINE request id musubictl printed;
#   - outbox show lists the attempt; with musubid stopped, test-send says the row waits.
# musubictl is looked for beside musubid (both are built into the build folder) unless
# MUSUBICTL names it.
set -euo pipefail
: "${MUSUBID:?path to musubid}" "${MUSUBI_SIM:?path to musubi-sim}"
musubictl=${MUSUBICTL:-$(dirname "$MUSUBID")/musubictl}
friend=U0123456789abcdef0123456789abcdef
text='musubictl からのテスト送信です'

# shellcheck source=../support/musubid.sh
source "$(dirname "$0")/../support/musubid.sh"
it_setup musubictl
fail() { echo "FAIL: $*" >&2; [ -f "$work/log" ] && tail -20 "$work/log" | sed 's/^/  log: /' >&2; exit 1; }
[ -x "$musubictl" ] || fail "no musubictl at $musubictl (build the musubictl target, or set MUSUBICTL)"

# --- the simulator: LINE with one friend ----------------------------------------------------
start_sim "  friends:
    - {userId: $friend, displayName: 田中}"

# --- musubid: any free ports, one scenario, LINE at the simulator -------------------------------
mkdir -p "$work/config/scenarios" "$work/templates" "$work/state"
cat >"$work/config/scenarios/greeting.yaml" <<'YAML'
scenario: greeting
trigger: friend.followed
steps:
  - send: greeting
YAML
echo 'ようこそ' >"$work/templates/greeting.txt"
{ musubi_yaml ctl-test テスト商店; echo "scenarios: scenarios/*.yaml"; } >"$config"
ctl() { "$musubictl" --config "$config" "$@"; }

ctl config check >"$work/check.out" 2>&1 || fail "config check: $(cat "$work/check.out")"
start_daemon
wait_for "event=ready"
admin=$(listen_address admin)
[ -n "$admin" ] || fail "musubid did not say where its admin server listens"
# The friend as musubid knows them after a follow.
db "INSERT INTO friends (line_user_id, display_name, followed_at, created_at, updated_at)
   VALUES ('$friend', '田中', 1, 1, 1)"

# --- status: 0 while musubid answers ----------------------------------------------------------
set +e
ctl status --admin "$admin" >"$work/status.out" 2>&1
code=$?
set -e
[ "$code" -eq 0 ] || fail "status exited $code with musubid running: $(cat "$work/status.out")"
grep -qF "  musubid:   running (http://$admin/healthz answered)" "$work/status.out" ||
  fail "status does not say musubid runs: $(cat "$work/status.out")"
grep -qF "  friends:   1 following, 0 blocked, 0 linked" "$work/status.out" ||
  fail "status miscounts friends: $(cat "$work/status.out")"

# --- test-send: sent once, with the request id LINE gave ----------------------------------------
ctl test-send "$friend" --text "$text" --wait 20 >"$work/send.out" 2>"$work/send.err" ||
  fail "test-send exited $?: $(cat "$work/send.out" "$work/send.err")"
grep -q '^queued test message as outbox #[0-9]* for '"$friend"'$' "$work/send.out" ||
  fail "test-send did not say what it queued: $(cat "$work/send.out")"
request_id=$(sed -n 's/^sent at .* JST; LINE request id \(.*\)$/\1/p' "$work/send.out")
[ -n "$request_id" ] && [ "$request_id" != - ] || fail "test-send printed no request id: $(cat "$work/send.out")"
ledger=$(curl -sf "$api/_sim/line/ledger") || fail "no ledger"
[ "$(jq '.counters.deliveries' <<<"$ledger")" = 1 ] || fail "LINE received $(jq '.counters.deliveries' <<<"$ledger") messages, not 1"
[ "$(jq -r --arg u "$friend" '.friends[$u].deliveries[0].message.text' <<<"$ledger")" = "$text" ] ||
  fail "the friend did not receive the test text: $(jq -c --arg u "$friend" '.friends[$u].deliveries' <<<"$ledger")"
[ "$(jq -r --arg u "$friend" '.friends[$u].deliveries[0].request_id' <<<"$ledger")" = "$request_id" ] ||
  fail "musubictl printed request id $request_id, LINE's ledger has another"
# Nothing more arrives later (the dispatcher does not send the row again).
sleep 1.5
[ "$(curl -sf "$api/_sim/line/ledger" | jq '.counters.deliveries')" = 1 ] || fail "the test message arrived again"
ctl --json outbox list --scenario musubictl >"$work/list.json"
[ "$(jq -r '.rows[0].state + " " + .rows[0].step' "$work/list.json")" = "sent test-send" ] ||
  fail "outbox list: $(cat "$work/list.json")"
id=$(jq '.rows[0].id' "$work/list.json")
ctl outbox show "$id" >"$work/show.out"
grep -q "HTTP 200  sent  request id $request_id" "$work/show.out" || fail "outbox show: $(cat "$work/show.out")"

# --- musubid stopped: status 5, a test message waits ---------------------------------------------
stop_daemon
set +e
ctl status --admin "$admin" >"$work/status.out" 2>&1
code=$?
ctl test-send "$friend" --text "$text" --wait 1 >"$work/send.out" 2>&1
send_code=$?
set -e
[ "$code" -eq 5 ] || fail "status exited $code with musubid stopped: $(cat "$work/status.out")"
grep -qF "  musubid:   NOT answering at http://$admin/healthz" "$work/status.out" ||
  fail "status does not say musubid is down: $(cat "$work/status.out")"
[ "$send_code" -eq 1 ] || fail "test-send with musubid stopped exited $send_code"
grep -q "^still pending after 1 s: is musubid running" "$work/send.out" || fail "test-send: $(cat "$work/send.out")"
[ "$(curl -sf "$api/_sim/line/ledger" | jq '.counters.deliveries')" = 1 ] || fail "a message was sent without musubid"
echo "ok: status 0/5, test-send delivered once (request id $request_id)"
