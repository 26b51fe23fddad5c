#!/usr/bin/env bash
# it.daemon_crash: musubid is killed with SIGKILL at random moments, again and again, while
# 10,000 friends follow the shop (signed webhooks from musubi-sim, in batches) and while their
# greetings are pushed; it is started again after every kill. At the end the simulator's
# ledger must show every friend's greeting delivered exactly once (none twice, none missing)
# and every outbox row `sent`.
#
# Webhooks the daemon did not answer 200 (it was dead or died mid-request) are sent again
# with isRedelivery, as LINE's webhook redelivery does. The follow events are dated two
# minutes back, so the greetings go by push with a retry key (a reply token is too old to
# use): the path the dispatcher promises exactly-once for.
#
# Env: MUSUBI_CRASH_FRIENDS (default 10000), MUSUBI_CRASH_MIN_KILLS (default 12),
# MUSUBI_CRASH_SEED (the kill timing's random seed; printed, so a run can be repeated),
# MUSUBI_CRASH_EVENT_AGE_MS (default 120000: how old the follow events are; 0 lets the
# greetings go by reply while the reply token is fresh), MUSUBI_CRASH_KEEP (a folder to
# copy the run's store, logs and ledger into, to look at a failure).
set -euo pipefail
: "${MUSUBI_SOURCE_DIR:?source tree}"
friends=${MUSUBI_CRASH_FRIENDS:-10000}
min_kills=${MUSUBI_CRASH_MIN_KILLS:-12}
seed=${MUSUBI_CRASH_SEED:-$$}
event_age_ms=${MUSUBI_CRASH_EVENT_AGE_MS:-120000}
batch_size=500 # follow events per webhook body (about 200 KB; the limit is 1 MB)
greeting='ようこそ、クラッシュテスト商店へ！'

# shellcheck source=../support/musubid.sh
source "$(dirname "$0")/../support/musubid.sh"
chaos=''
it_setup "${MUSUBI_CRASH_LOG_NAME:-daemon_crash}" "${MUSUBI_CRASH_KEEP:-}"
daemon_pid() { cat "$work/daemon.pid" 2>/dev/null || true; }
it_before_cleanup() { # the killer loop and the musubid it started
  touch "$work/stop-chaos"
  [ -n "$chaos" ] && kill "$chaos" 2>/dev/null && wait "$chaos" 2>/dev/null
  local running
  running=$(daemon_pid)
  [ -n "$running" ] && kill -9 "$running" 2>/dev/null
}
sleep_ms() { sleep "$(($1 / 1000)).$(printf %03d $(($1 % 1000)))"; }

# --- the simulator: LINE only, real time ---------------------------------------------------
start_sim "  webhook_timeout: 5s"
sim_post() { curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "$api/_sim/line$1"; }

# --- musubid's configuration: one greeting scenario, everything else off --------------------
mkdir -p "$work/config/scenarios" "$work/templates" "$work/state"
cat >"$work/config/scenarios/greeting.yaml" <<'YAML'
scenario: crash-greeting
description: one greeting per new friend
trigger: friend.followed
reentry: once
steps:
  - send: crash_greeting
YAML
echo "$greeting" >"$work/templates/crash_greeting.txt"
write_config() { # LISTEN: the webhook's host:port
  {
    musubi_yaml crash-test クラッシュテスト商店 "$1" \
      "  push_per_second: 400 # 10,000 sends last 25 s or more, so that a fast machine sees many kills"
    echo "scenarios: scenarios/*.yaml"
  } >"$config"
}
write_config 127.0.0.1:0
"$MUSUBID" --check-config --config "$config" >"$work/check.log" 2>&1 || fail "config: $(cat "$work/check.log")"

# A first start on any free port tells which port to keep for every restart (the simulator's
# webhook URL stays the same, as LINE's does).
start_daemon
wait_for "event=ready"
listen=$(listen_address webhook)
[ -n "$listen" ] || fail "musubid did not say where it listens"
stop_daemon
write_config "$listen"
sim_post /config "{\"webhook_url\": \"http://$listen/webhook/line\"}" >/dev/null ||
  fail "could not point the simulator at musubid"

# --- 10,000 friends follow (stored in the simulator, sent below in batches) ------------------
# Dated two minutes back: older than a reply token's use, so every greeting is a push.
since=$(($(curl -sf "$api/_sim/clock" | jq .epoch_ms) - event_age_ms))
for i in $(seq "$friends"); do
  [ "$i" -gt 1 ] && echo 'next'
  printf 'url = "%s/_sim/line/friends/U%032x/follow"\n' "$api" "$i"
  printf 'data = "{\\"send\\": false, \\"displayName\\": \\"crash%05d\\", \\"timestamp\\": %d}"\n' "$i" "$since"
  echo 'header = "Content-Type: application/json"'
done >"$work/follows.curl"
curl -sf -K "$work/follows.curl" | jq -r .webhookEventId >"$work/event_ids"
[ "$(wc -l <"$work/event_ids")" -eq "$friends" ] || fail "the simulator made $(wc -l <"$work/event_ids") follow events, not $friends"
split -l "$batch_size" "$work/event_ids" "$work/batch."

# --- the killer: start musubid, kill -9 it after 0.2–1.5 s, again, until told to stop ---------
echo "kill timing seed: $seed (MUSUBI_CRASH_SEED=$seed repeats it)"
chaos_loop() {
  RANDOM=$seed
  local kills=0 daemon
  while [ ! -e "$work/stop-chaos" ]; do
    "$MUSUBID" --config "$config" >>"$work/log" 2>&1 &
    daemon=$!
    echo "$daemon" >"$work/daemon.pid"
    sleep_ms $((200 + RANDOM % 1300))
    kill -9 "$daemon"
    wait "$daemon" 2>/dev/null || true
    kills=$((kills + 1))
    # What was in the store at that moment, for the summary.
    echo "$kills $(db "SELECT (SELECT count(*) FROM webhook_events), (SELECT count(*) FROM outbox),
                              (SELECT count(*) FROM outbox WHERE state = 'sent'),
                              (SELECT count(*) FROM outbox WHERE state = 'sending')" 2>/dev/null |
                   tr '|' ' ')" >>"$work/kills"
    echo "--- kill -9 number $kills ---" >>"$work/log"
  done
  rm -f "$work/daemon.pid"
}
chaos_loop &
chaos=$!
kills() { if [ -f "$work/kills" ]; then wc -l <"$work/kills"; else echo 0; fi; }

# --- ingest: every batch until musubid answered it 200 (redelivered otherwise) ----------------
started=$SECONDS
batches=0 redeliveries=0
for batch in "$work"/batch.*; do
  ids=$(jq -R . "$batch" | jq -s -c .)
  redelivery=false batch_started=$SECONDS
  while true; do
    status=$(sim_post /webhooks/send "{\"webhookEventIds\": $ids, \"redelivery\": $redelivery}" |
      jq -r '.deliveries[0].status') || fail "the simulator refused to send a batch"
    [ "$status" = 200 ] && break
    redelivery=true redeliveries=$((redeliveries + 1))
    sleep 0.05
    [ $((SECONDS - batch_started)) -lt 60 ] || fail "a webhook batch was not accepted in 60 s (last status $status)"
  done
  batches=$((batches + 1))
done
ingest_kills=$(kills)
echo "ingest: $batches batches of up to $batch_size follow events in $((SECONDS - started)) s," \
  "$redeliveries redelivered, $ingest_kills kills so far"

# --- dispatch under fire: keep killing while greetings go out --------------------------------
ingest_done=$SECONDS
all_sent() {
  [ "$(db "SELECT count(*) = $friends AND count(*) = sum(state = 'sent') FROM outbox" 2>/dev/null)" = 1 ]
}
while true; do
  k=$(kills)
  [ "$k" -ge "$min_kills" ] && [ $((k - ingest_kills)) -ge 4 ] && break
  all_sent && break
  [ $((SECONDS - ingest_done)) -lt 120 ] || fail "still killing 120 s after the ingest ($k kills)"
  sleep 0.1
done
touch "$work/stop-chaos"
wait "$chaos"
chaos=
kills=$(kills)

# --- the last start: no more kills; wait until every outbox row is final ----------------------
start_daemon
for _ in $(seq 1200); do
  all_sent && [ "$(db "SELECT count(*) FROM webhook_events WHERE processed_at IS NULL")" = 0 ] &&
    [ "$(db "SELECT count(*) FROM facts WHERE processed_at IS NULL")" = 0 ] && break
  kill -0 "$pid" 2>/dev/null || fail "musubid died after the last start"
  sleep 0.1
done
all_sent || fail "120 s after the last start the outbox is not all sent:" \
  "$(db "SELECT group_concat(state || ' ' || n, ', ') FROM (SELECT state, count(*) n FROM outbox GROUP BY state)")"
stop_daemon
elapsed=$((SECONDS - started))

# --- what LINE received ----------------------------------------------------------------------
curl -sf "$api/_sim/line/ledger" >"$work/ledger.json"
summary=$(jq -c --arg text "$greeting" '{
    once: [.friends[] | select((.deliveries | length) == 1
                               and .deliveries[0].message == {type: "text", text: $text})] | length,
    by_endpoint: ([.friends[].deliveries[].endpoint] | group_by(.) | map({(.[0]): length}) | add),
    never: [.friends[] | select((.deliveries | length) == 0) | .userId] | length,
    twice: [.friends[] | select((.deliveries | length) > 1) | .userId],
    deliveries: .counters.deliveries,
    duplicate_deliveries: .counters.duplicate_deliveries,
    conflicts: .counters.retry_key_conflicts,
    undelivered: ((.counters.undelivered.blocked // 0) + (.counters.undelivered.not_friend // 0)),
    same_key: .counters.same_retry_key_deliveries,
    refused: .refused}' "$work/ledger.json")
outbox=$(db "SELECT group_concat(state || ' ' || n, ', ') FROM (SELECT state, count(*) n FROM outbox GROUP BY state)")
requeued=$(grep -o 'event=dispatch.requeued rows=[0-9]*' "$work/log" | cut -d= -f3 | awk '{n += $1} END {print n + 0}')
mid_send=$(awk '$5 > 0' "$work/kills" | wc -l)
echo "kills: $kills ($ingest_kills during webhook ingest, $mid_send with rows in 'sending');" \
  "kill moments (kill, webhook events stored, outbox rows, sent, sending):"
sed 's/^/  /' "$work/kills"
echo "messages: $(jq .deliveries <<<"$summary") messages delivered to $friends friends in ${elapsed} s;" \
  "$(jq .conflicts <<<"$summary") resends after a crash answered 409 (already accepted);" \
  "$requeued rows requeued from 'sending'; outbox: $outbox"
echo "ledger: $summary" | cut -c1-600

[ "$(jq '.twice | length' <<<"$summary")" -eq 0 ] ||
  fail "friends got the greeting more than once: $(jq -c '.twice[:5]' <<<"$summary") (ledger entries:" \
    "$(jq -c --arg u "$(jq -r '.twice[0]' <<<"$summary")" '.friends[$u].deliveries' "$work/ledger.json"))"
[ "$(jq .duplicate_deliveries <<<"$summary")" -eq 0 ] || fail "the ledger counts duplicate deliveries"
[ "$(jq .never <<<"$summary")" -eq 0 ] || fail "$(jq .never <<<"$summary") friends got no greeting"
[ "$(jq .once <<<"$summary")" -eq "$friends" ] ||
  fail "only $(jq .once <<<"$summary") of $friends friends got exactly the greeting, once"
# Events older than a reply token's use: every greeting must have gone by push, with its key.
[ "$event_age_ms" -lt 60000 ] || [ "$(jq '.by_endpoint.push // 0' <<<"$summary")" -eq "$friends" ] ||
  fail "not every greeting went by push: $(jq -c .by_endpoint <<<"$summary")"
[ "$(jq .deliveries <<<"$summary")" -eq "$friends" ] || fail "$(jq .deliveries <<<"$summary") deliveries, not $friends"
[ "$(jq .undelivered <<<"$summary")" -eq 0 ] || fail "pushes to someone who is not a friend"
[ "$(jq .same_key <<<"$summary")" -eq 0 ] || fail "a retry key delivered twice"
[ "$(db "SELECT count(*) FROM outbox WHERE state = 'sent'")" -eq "$friends" ] || fail "outbox: $outbox"
[ "$(db "SELECT count(DISTINCT friend_id) FROM outbox")" -eq "$friends" ] || fail "outbox rows not one per friend"
[ "$kills" -ge "$min_kills" ] || fail "only $kills kills"
echo "it.daemon_crash: $friends greetings delivered exactly once across $kills SIGKILLs: passed"
