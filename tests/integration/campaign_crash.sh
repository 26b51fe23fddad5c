#!/usr/bin/env bash
# it.campaign_crash: a campaign to a 100,000-friend segment reaches each friend exactly once
# across SIGKILLs of musubid: one in the middle of the snapshot (pages of 500 friends being
# written) and one while the multicasts go out. musubid is started again after each kill and
# left to finish; then musubi-sim's ledger must show every friend with the campaign exactly
# once (none twice, none missing), and musubictl campaign report must agree.
#
# The friends are written straight into the store (friends and friend_segments rows) and told
# to the simulator in one call, so the test spends its time on the campaign, not on 100,000
# follow webhooks. The message is the same for all: 200 multicasts of 500 on LINE's 200/s.
#
# Env: MUSUBI_CAMPAIGN_FRIENDS (default 100000), MUSUBI_CRASH_KEEP (a folder to copy the run's
# store, logs and ledger into, to look at a failure).
set -euo pipefail
: "${MUSUBICTL:?path to musubictl}"
friends=${MUSUBI_CAMPAIGN_FRIENDS:-100000}
text='冬のセールを始めました。クーポンコード WINTER500'

# shellcheck source=../support/musubid.sh
source "$(dirname "$0")/../support/musubid.sh"
it_setup campaign_crash "${MUSUBI_CRASH_KEEP:-}"
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# --- the simulator: LINE only ------------------------------------------------------------------
start_sim

# --- musubid: one segment for everyone, one campaign, the same message for all --------------------
mkdir -p "$work/config" "$work/templates" "$work/state"
echo "$text" >"$work/templates/campaign_big.txt"
cat >"$work/config/segments.yaml" <<'YAML'
segments:
  - name: everyone
YAML
cat >"$work/config/campaigns.yaml" <<'YAML'
campaigns:
  - name: big-sale
    segment: everyone
    send: campaign_big
    same_for_all: true
YAML
{
  musubi_yaml campaign-crash キャンペーン商店
  echo "segments: segments.yaml"
  echo "campaigns: campaigns.yaml"
} >"$config"
"$MUSUBID" --check-config --config "$config" >"$work/check.log" 2>&1 || fail "config: $(cat "$work/check.log")"

# A first start creates the store and applies the segment definitions (to no friend yet).
start_daemon
for _ in $(seq 200); do
  [ "$(db "SELECT count(*) FROM cursors WHERE name = 'segments:definitions'" 2>/dev/null)" = 1 ] && break
  sleep 0.05
done
stop_daemon
[ "$(db "SELECT count(*) FROM cursors WHERE name = 'segments:definitions'")" = 1 ] ||
  fail "the segment worker did not record its definitions"

# --- 100,000 friends in the segment: in the store, and in the simulator -----------------------------
seed_started=$(now_ms)
db "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $friends)
    INSERT INTO friends (id, line_user_id, display_name, state, followed_at, created_at, updated_at)
      SELECT i, printf('U%032x', i), 'friend' || i, 'following', 0, 0, 0 FROM n;
    INSERT INTO friend_segments (friend_id, segment, since, next_check_at, next_check_reason, updated_at)
      SELECT id, 'everyone', 0, NULL, '', 0 FROM friends;"
seq "$friends" | awk '{printf "U%032x\n", $1}' | jq -R . | jq -s -c '{userIds: .}' >"$work/followers.json"
added=$(curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$work/followers.json" \
  "$api/_sim/line/friends/bulk" | jq .added) || fail "the simulator refused the followers"
[ "$added" = "$friends" ] || fail "the simulator added $added followers, not $friends"
echo "seeded $friends friends in $(($(now_ms) - seed_started)) ms"

# --- the campaign, with a SIGKILL mid-snapshot and one mid-send ------------------------------------
"$MUSUBICTL" --config "$config" campaign start big-sale >"$work/start.out" 2>&1 || fail "campaign start: $(cat "$work/start.out")"
run_id=$(db "SELECT id FROM campaign_runs WHERE campaign = 'big-sale'")
pages() { db "SELECT pages FROM campaign_runs WHERE id = $run_id"; }
sent_rows() { db "SELECT count(*) FROM outbox WHERE state = 'sent'"; }
started=$(now_ms)
start_daemon
kill_when() { # CONDITION-FUNCTION THRESHOLD WHAT
  for _ in $(seq 3000); do
    [ "$($1)" -ge "$2" ] && break
    kill -0 "$pid" 2>/dev/null || fail "musubid died before $3"
    sleep 0.01
  done
  kill_daemon
  echo "kill -9 $3: pages written $(pages) of $((friends / 500 + 1)), multicasts sent $(sent_rows)," \
    "recipients $(db "SELECT count(*) FROM campaign_recipients")"
}
kill_when pages 40 "in the middle of the snapshot"
mid_snapshot_pages=$(pages)
start_daemon
kill_when sent_rows 60 "while the multicasts go out"
start_daemon
done_sending() {
  [ "$(db "SELECT state FROM campaign_runs WHERE id = $run_id")" = done ] &&
    [ "$(db "SELECT count(*) FROM outbox WHERE state NOT IN ('sent', 'failed', 'skipped', 'expired')")" = 0 ]
}
for _ in $(seq 1200); do
  done_sending && break
  kill -0 "$pid" 2>/dev/null || fail "musubid died after the last start"
  sleep 0.1
done
done_sending || fail "120 s after the last start the campaign is not all sent: run $(db "SELECT state, pages FROM campaign_runs") outbox $(db "SELECT group_concat(state || ' ' || n) FROM (SELECT state, count(*) n FROM outbox GROUP BY state)")"
elapsed=$(($(now_ms) - started))
stop_daemon

# --- what LINE received ---------------------------------------------------------------------------
curl -sf "$api/_sim/line/ledger" >"$work/ledger.json"
summary=$(jq -c --arg text "$text" '{
    once: [.friends[] | select((.deliveries | length) == 1
                               and .deliveries[0].message == {type: "text", text: $text}
                               and .deliveries[0].endpoint == "multicast")] | length,
    never: [.friends[] | select((.deliveries | length) == 0) | .userId] | length,
    twice: [.friends[] | select((.deliveries | length) > 1) | .userId][:5],
    deliveries: .counters.deliveries,
    duplicate_deliveries: .counters.duplicate_deliveries,
    same_key: .counters.same_retry_key_deliveries,
    conflicts: .counters.retry_key_conflicts}' "$work/ledger.json")
echo "ledger: $summary"
"$MUSUBICTL" --config "$config" --json campaign report "$run_id" >"$work/report.json" || fail "campaign report failed"

[ "$(jq '.twice | length' <<<"$summary")" -eq 0 ] || fail "friends got the campaign more than once: $(jq -c .twice <<<"$summary")"
[ "$(jq .never <<<"$summary")" -eq 0 ] || fail "$(jq .never <<<"$summary") friends never got the campaign"
[ "$(jq .once <<<"$summary")" -eq "$friends" ] || fail "only $(jq .once <<<"$summary") of $friends friends got it exactly once"
[ "$(jq .deliveries <<<"$summary")" -eq "$friends" ] || fail "$(jq .deliveries <<<"$summary") deliveries, not $friends"
[ "$(jq .duplicate_deliveries <<<"$summary")" -eq 0 ] || fail "the ledger counts duplicate deliveries"
[ "$(jq .same_key <<<"$summary")" -eq 0 ] || fail "a retry key delivered twice"
[ "$mid_snapshot_pages" -lt $((friends / 500)) ] || fail "the first kill came after the snapshot ($mid_snapshot_pages pages)"
[ "$(db "SELECT count(*), count(DISTINCT friend_id), sum(outcome = 'queued') FROM campaign_recipients")" = "$friends|$friends|$friends" ] ||
  fail "recipients: $(db "SELECT count(*), count(DISTINCT friend_id), sum(outcome = 'queued') FROM campaign_recipients")"
[ "$(db "SELECT count(*) FROM outbox WHERE kind = 'multicast' AND state = 'sent'")" -eq $(((friends + 499) / 500)) ] ||
  fail "not one multicast per 500 friends: $(db "SELECT count(*) FROM outbox")"
[ "$(jq -c .counts "$work/report.json")" = "{\"sent\":$friends}" ] || fail "report counts: $(jq -c .counts "$work/report.json")"
[ "$(jq '.recipients | length' "$work/report.json")" -eq "$friends" ] || fail "the report does not list every recipient"
echo "campaign: $friends friends, snapshot and $(((friends + 499) / 500)) multicasts in ${elapsed} ms across 2 SIGKILLs" \
  "($(jq .conflicts <<<"$summary") resends answered 409)"
echo "it.campaign_crash: every one of $friends friends got the campaign exactly once: passed"
