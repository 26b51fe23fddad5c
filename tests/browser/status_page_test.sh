#!/bin/bash
# The status page shows true numbers: musubid greets friends who follow the shop in
# musubi-sim (two of the sends first refused with 429, as LINE's rate limit does), one friend
# blocks the shop afterwards and one friend is linked; then headless Chromium opens the status
# page with the admin token. What the page shows must equal /status.json (status_page.mjs),
# the simulator's ledger (messages delivered, refusals) and the store's rows (friends, links,
# the scenario's funnel). A full-page screenshot goes to $MUSUBI_ARTIFACTS/status_page.png.
#
# The page is served by status_page_server (the same AdminServer and read_status() as musubid)
# over musubid's store file; when musubid's own admin address serves /status.json, its numbers
# are compared too.
#
# Environment: MUSUBID, MUSUBI_SIM, STATUS_PAGE_SERVER (binaries), CHROMIUM (default: chromium),
# MUSUBI_ARTIFACTS (default: artifacts/ in the current folder).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
: "${MUSUBID:?path to musubid}" "${MUSUBI_SIM:?path to musubi-sim}"
server=${STATUS_PAGE_SERVER:?set STATUS_PAGE_SERVER to the status_page_server binary}
browser=${CHROMIUM:-chromium}
artifacts=${MUSUBI_ARTIFACTS:-$PWD/artifacts}
work=$(mktemp -d)
sim_pid='' daemon_pid='' server_pid='' browser_pid=''
friends=6
token=status-page-admin-token-0123456789
shop='むすび堂 テスト店'

cleanup() {
    for pid in "$browser_pid" "$server_pid" "$daemon_pid" "$sim_pid"; do
        [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for log in "$work"/*.log; do
        [[ -f $log ]] && { echo "--- $log" >&2; tail -n 20 "$log" >&2; }
    done
    exit 1
}

# Waits up to 20 s for a file to have a line matching a pattern; prints that line.
await_line() {
    local file=$1 pattern=$2
    for _ in $(seq 200); do
        if [[ -f $file ]] && grep -q -- "$pattern" "$file"; then
            grep -m1 -- "$pattern" "$file"
            return 0
        fi
        sleep 0.1
    done
    return 1
}

for tool in "$browser" sqlite3 jq curl node; do
    command -v "$tool" >/dev/null || fail "no $tool"
done
db() { sqlite3 -cmd '.timeout 5000' "$work/state/musubi.db" "$1"; }

# --- the simulator: LINE only, real time ---------------------------------------------------
cat >"$work/sim.yaml" <<'YAML'
line:
  channel_secret: 8c570fa6dd201bb328f1c1eac23a96d8
  channel_access_tokens: [musubi-sim-token]
YAML
"$MUSUBI_SIM" --scenario "$work/sim.yaml" --port-file "$work/ports" >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 200); do [[ -s $work/ports ]] && break; sleep 0.05; done
[[ -s $work/ports ]] || fail "musubi-sim did not start"
api="http://127.0.0.1:$(sed -n 1p "$work/ports")"
data="http://127.0.0.1:$(sed -n 2p "$work/ports")"
sim_post() { curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "$api/_sim/line$1"; }

# --- musubid: one greeting scenario -----------------------------------------------------------
mkdir -p "$work/config/scenarios" "$work/templates" "$work/state"
cat >"$work/config/scenarios/greeting.yaml" <<'YAML'
scenario: greeting
description: one greeting per new friend
trigger: friend.followed
reentry: once
steps:
  - send: status_greeting
YAML
echo 'ようこそ！' >"$work/templates/status_greeting.txt"
cat >"$work/config/musubi.yaml" <<YAML
shop: {id: status-test, name: $shop}
store: {path: $work/state/musubi.db}
log: {format: kv, level: info}
privacy: {hashing_key: status-test-hashing-key-0123456789abcdef}
line:
  api_base_url: $api
  data_api_base_url: $data
  channel_secret: 8c570fa6dd201bb328f1c1eac23a96d8
  channel_access_token: musubi-sim-token
webhook: {listen: 127.0.0.1:0, path: /webhook/line}
admin: {listen: 127.0.0.1:0, token: $token}
templates: ../templates
scenarios: scenarios/*.yaml
YAML
"$MUSUBID" --config "$work/config/musubi.yaml" >"$work/musubid.log" 2>&1 &
daemon_pid=$!
await_line "$work/musubid.log" 'event=ready' >/dev/null || fail "musubid did not start"
listen=$(grep -o 'event=webhook.listening address=[0-9.:]*' "$work/musubid.log" | head -n1 | cut -d= -f3)
admin=$(grep -o 'event=admin.listening address=[0-9.:]*' "$work/musubid.log" | head -n1 | cut -d= -f3)
sim_post /config "{\"webhook_url\": \"http://$listen/webhook/line\"}" >/dev/null ||
    fail "could not point the simulator at musubid"

# --- what happens: the first two sends refused (429), every friend greeted, one blocks -------
sim_post /faults '{"burst_429": 2, "endpoints": ["push", "reply"]}' >/dev/null ||
    fail "could not set the simulator's faults"
for i in $(seq "$friends"); do
    user=$(printf 'U%032x' "$i")
    sim_post "/friends/$user/follow" "{\"displayName\": \"友だち$i\"}" >/dev/null ||
        fail "follow $i was not sent"
done
for _ in $(seq 300); do
    [[ $(db "SELECT count(*) = $friends AND sum(state = 'sent') = $friends FROM outbox") == 1 ]] && break
    sleep 0.1
done
[[ $(db "SELECT count(*) FROM outbox WHERE state = 'sent'") == "$friends" ]] ||
    fail "the greetings were not all sent: $(db "SELECT group_concat(state) FROM outbox")"
blocker=$(printf 'U%032x' "$friends")
sim_post "/friends/$blocker/unfollow" '{}' >/dev/null || fail "unfollow was not sent"
for _ in $(seq 200); do
    [[ $(db "SELECT count(*) FROM friends WHERE state = 'blocked'") == 1 ]] && break
    sleep 0.1
done
# A link as the link page makes one (the page only reads links; linking has its own tests).
db "INSERT INTO buyers (buyer_key, created_at) VALUES ('status-test-buyer', 0);
    INSERT INTO links (friend_id, buyer_id, method, linked_at)
    SELECT friends.id, buyers.id, 'web', CAST(strftime('%s', 'now') AS INTEGER) * 1000
    FROM friends, buyers WHERE friends.line_user_id = '$(printf 'U%032x' 1)'"

# --- the page in Chromium ---------------------------------------------------------------------
"$server" "$work/state/musubi.db" "$token" "$shop" 12 >"$work/server.log" 2>&1 &
server_pid=$!
url=$(await_line "$work/server.log" '^URL ') || fail "the status page server did not start"
url=${url#URL }
[[ $(curl -s -o /dev/null -w '%{http_code}' "$url") == 401 ]] || fail "the page answered without the token"
curl -s -D - -o /dev/null "$url" | grep -qi '^WWW-Authenticate: Basic realm="musubi"' ||
    fail "no Basic challenge for a browser"

"$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --disable-background-networking --no-first-run --no-default-browser-check \
    --disable-extensions --user-data-dir="$work/profile" --remote-debugging-port=0 \
    about:blank >"$work/chromium.log" 2>&1 &
browser_pid=$!
await_line "$work/profile/DevToolsActivePort" '^[0-9]' >/dev/null ||
    fail "Chromium did not open its DevTools port"
port=$(head -n1 "$work/profile/DevToolsActivePort")
node "$here/status_page.mjs" "$port" "$url" "$token" "$artifacts" "$work/page.json" ||
    fail "the page in the browser"
[[ -s $artifacts/status_page.png ]] || fail "no screenshot in $artifacts"

# --- the page against the ledger and the store --------------------------------------------------
curl -sf "$api/_sim/line/ledger" >"$work/ledger.json" || fail "no ledger"
shown() { jq -r --arg name "$1" --arg key "${2:-}" \
    'if $key == "" then .shown[$name] else .shown[$name][$key] end' "$work/page.json"; }
expect() { # expect WHAT PAGE-VALUE TRUE-VALUE
    [[ $2 == "$3" ]] || fail "$1: the page shows $2, the truth is $3"
}
expect "messages LINE delivered (48 h)" "$(shown sends.delivered.48h)" \
    "$(jq '.counters.deliveries' "$work/ledger.json")"
expect "sends refused by LINE (48 h)" "$(shown sends.failed.48h)" \
    "$(jq '.counters.refused_total' "$work/ledger.json")"
expect "refusals made (the fault)" "$(jq '.counters.refused_total' "$work/ledger.json")" 2
expect "friends following" "$(shown friends.following)" \
    "$(jq '[.friends[] | select(.state == "friend")] | length' "$work/ledger.json")"
expect "friends blocked" "$(shown friends.blocked)" \
    "$(jq '[.friends[] | select(.state != "friend")] | length' "$work/ledger.json")"
expect "friends linked" "$(shown friends.linked)" 1
expect "link rate" "$(shown friends.link_rate_percent)" \
    "$(awk -v n="$((friends - 1))" 'BEGIN { printf "%.1f", 100 / n }')"
expect "links today" "$(shown links.14d)" 1
expect "greeting enrolled" "$(shown funnel.enrolled greeting)" \
    "$(db "SELECT count(*) FROM enrollments WHERE scenario = 'greeting'")"
expect "greeting enrolled (friends)" "$(shown funnel.enrolled greeting)" "$friends"
step=$(db "SELECT DISTINCT step FROM outbox WHERE scenario = 'greeting'")
expect "greeting step sent" "$(shown funnel.step.sent "greeting/$step")" \
    "$(jq '[.friends[].deliveries[]] | length' "$work/ledger.json")"
expect "greeting done" "$(shown funnel.done greeting)" \
    "$(db "SELECT count(*) FROM enrollments WHERE scenario = 'greeting' AND state = 'done'")"
expect "outbox pending" "$(shown outbox.pending)" 0
expect "failed messages" "$(shown failures.total)" 0
expect "license days left" "$(shown license.days_left)" 12
expect "license warning" "$(jq -r '.json.license.warning' "$work/page.json")" true

# musubid's own admin address, once it serves the page (services.cpp wiring).
own=$(curl -s -o "$work/own.json" -w '%{http_code}' -H "Authorization: Bearer $token" "http://$admin/status.json")
if [[ $own == 200 ]]; then
    expect "musubid's /status.json sends" "$(jq '.sends.last_48h.delivered' "$work/own.json")" \
        "$(shown sends.delivered.48h)"
    expect "musubid's /status.json friends" "$(jq '.friends.following' "$work/own.json")" \
        "$(shown friends.following)"
    echo "musubid's own /status.json agrees"
else
    echo "note: musubid's admin address does not serve /status.json yet (HTTP $own)"
fi
metrics=$(curl -sf -H "Authorization: Bearer $token" "http://$admin/metrics") || fail "no /metrics"
expect "/metrics sent rows" "$(grep -o '^musubi_outbox_messages{state="sent"} [0-9]*' <<<"$metrics" | cut -d' ' -f2)" \
    "$(shown sends.delivered.48h)"
echo "PASS: the status page shows what LINE received and what the store holds; screenshot in $artifacts"
