#!/usr/bin/env bash
# it.campaign: segment campaigns in a real musubid against musubi-sim.
# - vip-news (per friend, started with musubictl): each VIP who follows gets it once, with
#   their own name in it; a VIP who already had a message today is skipped by the cap
#   (limits.per_friend_per_day: 1) and one who blocked the account is skipped, both with the
#   reason in the report; friends outside the segment get nothing.
# - at-news (same for all, `at:` this minute, JST): musubid starts it by itself and sends it by
#   multicast to the other segment.
# - late-news (window two hours from now): it waits for its window; nothing is sent.
# Then musubid restarts: nothing is sent twice, no run is created twice. The report matches
# the ledger.
set -euo pipefail
: "${MUSUBICTL:?path to musubictl}"

# shellcheck source=../support/musubid.sh
source "$(dirname "$0")/../support/musubid.sh"
it_setup campaign
ctl() { "$MUSUBICTL" --config "$config" "$@"; }
user() { printf 'U%032x' "$1"; }

start_sim

# The minute now and a window that opens two hours from now, in JST.
this_minute=$(TZ=Asia/Tokyo date '+%Y-%m-%d %H:%M')
later_window="$(TZ=Asia/Tokyo date -d '+2 hours' '+%H:00')-$(TZ=Asia/Tokyo date -d '+3 hours' '+%H:00')"

mkdir -p "$work/config" "$work/templates" "$work/state"
echo '{{friend.display_name}}さんへ: VIP セール {{vars.code}}' >"$work/templates/campaign_vip.txt"
echo '{{shop.name}} からのお知らせ: 今週のおすすめ' >"$work/templates/campaign_news.txt"
cat >"$work/config/segments.yaml" <<'YAML'
segments:
  - name: vip
    when: {friend.tags: {contains: vip}}
  - name: rest
YAML
cat >"$work/config/campaigns.yaml" <<YAML
campaigns:
  - name: vip-news
    segment: vip
    send: campaign_vip
    vars: {code: V100}
    limits: {per_friend_per_day: 1}
  - name: at-news
    segment: rest
    send: campaign_news
    same_for_all: true
    at: "$this_minute"
  - name: late-news
    segment: rest
    send: campaign_news
    window: "$later_window"
YAML
{ musubi_yaml campaign-test キャンペーン商店; echo "segments: segments.yaml"; } >"$config"
# First start without campaigns: the store is created. Then six friends are written into it:
# 1-4 tagged vip (3 already had a message today, 4 blocked the account), 5-6 not.
start_daemon && wait_for "event=ready"
stop_daemon
now=$(($(date +%s%N) / 1000000))
db "INSERT INTO friends (id, line_user_id, display_name, state, followed_at, created_at, updated_at) VALUES
      (1, '$(user 1)', 'あいこ', 'following', 0, 0, 0), (2, '$(user 2)', 'ぶんた', 'following', 0, 0, 0),
      (3, '$(user 3)', 'さくら', 'following', 0, 0, 0), (4, '$(user 4)', 'だいち', 'blocked', 0, 0, 0),
      (5, '$(user 5)', 'えみ', 'following', 0, 0, 0), (6, '$(user 6)', 'ふうた', 'following', 0, 0, 0);
    INSERT INTO friend_tags (friend_id, tag, added_at) VALUES (1, 'vip', 0), (2, 'vip', 0), (3, 'vip', 0), (4, 'vip', 0);
    INSERT INTO outbox (retry_key, friend_id, scenario, step, kind, payload, state, due_at, created_at, updated_at)
      VALUES ('seeded-today', 3, 'greeting', 'step1', 'push', '[]', 'sent', $now, $now, $now);
    DELETE FROM cursors WHERE name = 'segments:definitions';" # every friend is evaluated again
ids=$(for i in 1 2 3 5 6; do user "$i"; echo; done | jq -R . | jq -s -c '{userIds: .}')
curl -sf -X POST -H 'Content-Type: application/json' -d "$ids" "$api/_sim/line/friends/bulk" >/dev/null ||
  fail "the simulator refused the followers"
echo "campaigns: campaigns.yaml" >>"$config"
"$MUSUBID" --check-config --config "$config" >"$work/check.log" 2>&1 || fail "config: $(cat "$work/check.log")"

start_daemon && wait_for "event=ready"
ctl campaign start vip-news >"$work/start.out" 2>&1 || fail "campaign start: $(cat "$work/start.out")"
ctl campaign start late-news >>"$work/start.out" 2>&1 || fail "campaign start: $(cat "$work/start.out")"
settled() {
  [ "$(db "SELECT count(*) FROM campaign_runs WHERE campaign IN ('vip-news', 'at-news') AND state = 'done'")" = 2 ] &&
    [ "$(db "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')")" = 0 ]
}
for _ in $(seq 300); do settled && break; sleep 0.1; done
settled || fail "the campaigns did not go out: $(db "SELECT campaign, state FROM campaign_runs")"
# A restart must not send anything again, nor schedule at-news again.
stop_daemon
start_daemon && wait_for "event=ready"
sleep 2
stop_daemon

ledger=$(curl -sf "$api/_sim/line/ledger")
texts() { jq -c --arg u "$(user "$1")" '[.friends[$u].deliveries[] | [.endpoint, .message.text]]' <<<"$ledger"; }
[ "$(texts 1)" = '[["push","あいこさんへ: VIP セール V100"]]' ] || fail "friend 1 got $(texts 1)"
[ "$(texts 2)" = '[["push","ぶんたさんへ: VIP セール V100"]]' ] || fail "friend 2 got $(texts 2)"
[ "$(texts 3)" = '[]' ] || fail "friend 3 (over the cap) got $(texts 3)"
[ "$(texts 5)" = '[["multicast","キャンペーン商店 からのお知らせ: 今週のおすすめ"]]' ] || fail "friend 5 got $(texts 5)"
[ "$(texts 6)" = '[["multicast","キャンペーン商店 からのお知らせ: 今週のおすすめ"]]' ] || fail "friend 6 got $(texts 6)"
[ "$(jq .counters.deliveries <<<"$ledger")" = 4 ] || fail "$(jq .counters.deliveries <<<"$ledger") deliveries, not 4"

ctl --json campaign report vip-news >"$work/vip.json" || fail "report failed"
[ "$(jq -c .counts "$work/vip.json")" = '{"sent":2,"skipped":2}' ] || fail "vip-news counts: $(jq -c .counts "$work/vip.json")"
[ "$(jq -c '[.recipients[] | [.line_user_id, .display_name, .outcome, .reason]]' "$work/vip.json")" = \
  "[[\"$(user 1)\",\"あ**\",\"sent\",\"pushed\"],[\"$(user 2)\",\"ぶ**\",\"sent\",\"pushed\"],[\"$(user 3)\",\"さ**\",\"skipped\",\"cap: 1 messages today (limits.per_friend_per_day: 1)\"],[\"$(user 4)\",\"だ**\",\"skipped\",\"friend has blocked the account\"]]" ] ||
  fail "vip-news recipients: $(jq -c .recipients "$work/vip.json")"
ctl --json campaign report at-news >"$work/at.json" || fail "report failed"
[ "$(jq -c .counts "$work/at.json")" = '{"sent":2}' ] || fail "at-news counts: $(jq -c .counts "$work/at.json")"
[ "$(jq -r .run.started_by "$work/at.json")" = schedule ] || fail "at-news was not started by its schedule"
[ "$(db "SELECT count(*) FROM campaign_runs WHERE campaign = 'at-news'")" = 1 ] || fail "at-news ran more than once"
[ "$(db "SELECT state FROM campaign_runs WHERE campaign = 'late-news'")" = scheduled ] || fail "late-news did not wait for its window"
[ "$(db "SELECT count(*) FROM campaign_recipients r JOIN campaign_runs c ON c.id = r.run_id WHERE c.campaign = 'late-news'")" = 0 ] ||
  fail "late-news snapshotted friends outside its window"
ctl campaign list >"$work/list.out" || fail "campaign list failed"
grep -q "^vip-news" "$work/list.out" && grep -q "last: run #.* done" "$work/list.out" || fail "campaign list: $(cat "$work/list.out")"
ctl campaign start vip-nws >"$work/typo.out" 2>&1 && fail "a start of an unknown campaign succeeded"
grep -q "no campaign 'vip-nws' in campaigns.yaml; campaigns are: vip-news, at-news, late-news" "$work/typo.out" ||
  fail "unknown campaign: $(cat "$work/typo.out")"
ctl campaign start late-news >"$work/again.out" 2>&1 && fail "a second start of late-news was accepted while it waits"
echo "it.campaign: per-friend and multicast campaigns, caps, window, schedule and report checked against the ledger: passed"
