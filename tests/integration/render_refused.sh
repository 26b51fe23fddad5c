#!/usr/bin/env bash
# it.render_refused: a message LINE would refuse is never sent. A campaign's flex button links
# to {{link.url}}, but linking.page_url is not set, so the link renders empty for every friend:
# `musubid --check-config` refuses the template at its file:line:col, and a daemon started
# anyway stores each friend's message `failed` with the reason; the simulator's ledger shows
# that nothing reached LINE.
set -euo pipefail
: "${MUSUBICTL:?path to musubictl}"

# shellcheck source=../support/musubid.sh
source "$(dirname "$0")/../support/musubid.sh"
it_setup render_refused
ctl() { "$MUSUBICTL" --config "$config" "$@"; }
user() { printf 'U%032x' "$1"; }

start_sim
mkdir -p "$work/config" "$work/templates" "$work/state"
cat >"$work/templates/member_card.json" <<'JSON'
{
  "type": "flex",
  "altText": "会員証のご案内",
  "contents": {
    "type": "bubble",
    "body": {"type": "box", "layout": "vertical",
      "contents": [{"type": "text", "text": "{{friend.display_name}}さんの会員証ができました"}]},
    "footer": {"type": "box", "layout": "vertical", "contents": [
      {"type": "button", "style": "primary",
       "action": {"type": "uri", "label": "会員証を見る", "uri": "{{link.url}}"}}
    ]}
  }
}
JSON
cat >"$work/config/segments.yaml" <<'YAML'
segments:
  - name: everyone
YAML
cat >"$work/config/campaigns.yaml" <<'YAML'
campaigns:
  - name: member-card
    segment: everyone
    send: member_card
YAML
{ musubi_yaml refused-test 会員商店; echo "segments: segments.yaml"; } >"$config"
start_daemon && wait_for "event=ready"
stop_daemon
db "INSERT INTO friends (id, line_user_id, display_name, state, followed_at, created_at, updated_at) VALUES
      (1, '$(user 1)', 'あいこ', 'following', 0, 0, 0), (2, '$(user 2)', 'ぶんた', 'following', 0, 0, 0);
    DELETE FROM cursors WHERE name = 'segments:definitions';"
ids=$(for i in 1 2; do user "$i"; echo; done | jq -R . | jq -s -c '{userIds: .}')
curl -sf -X POST -H 'Content-Type: application/json' -d "$ids" "$api/_sim/line/friends/bulk" >/dev/null ||
  fail "the simulator refused the followers"
echo "campaigns: campaigns.yaml" >>"$config"

# --check-config sees it: without linking.page_url, {{link.url}} is empty for everyone.
reason="messages[0].contents.footer.contents[0].action.uri is empty; LINE requires a link"
set +e
out=$("$MUSUBID" --check-config --config "$config" 2>&1)
code=$?
set -e
[ "$code" -eq 1 ] || fail "--check-config exited $code, not 1: $out"
[ "$out" = "$work/templates/member_card.json:10:53: $reason (when {{link.url}} is empty); the variable that makes the link (e.g. {{shipping.tracking_url}}) is empty for this message; give a fallback link with {{^name}}https://…{{/name}}
1 error in the configuration; nothing was changed or started" ] || fail "unexpected --check-config output: $out"

# Started anyway, the daemon renders it for each friend and refuses to send it.
start_daemon && wait_for "event=ready"
ctl campaign start member-card >"$work/start.out" 2>&1 || fail "campaign start: $(cat "$work/start.out")"
settled() {
  [ "$(db "SELECT count(*) FROM campaign_runs WHERE campaign = 'member-card' AND state = 'done'")" = 1 ] &&
    [ "$(db "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')")" = 0 ]
}
for _ in $(seq 300); do settled && break; sleep 0.1; done
settled || fail "the campaign did not finish: $(db "SELECT campaign, state FROM campaign_runs")"
stop_daemon

rows=$(db "SELECT friend_id || '|' || state || '|' || reason FROM outbox ORDER BY friend_id")
expected="1|failed|template member_card: $reason
2|failed|template member_card: $reason"
[ "$rows" = "$expected" ] || fail "outbox rows: $rows"
ledger=$(curl -sf "$api/_sim/line/ledger")
[ "$(jq .counters.deliveries <<<"$ledger")" = 0 ] || fail "LINE received $(jq .counters.deliveries <<<"$ledger") deliveries"
for i in 1 2; do
  [ "$(jq -c --arg u "$(user "$i")" '.friends[$u].deliveries' <<<"$ledger")" = '[]' ] || fail "friend $i received a message"
done
echo "it.render_refused: refused at --check-config with file:line:col, stored failed with its reason, never sent: passed"
