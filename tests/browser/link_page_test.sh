#!/bin/bash
# The link page end to end in a real browser: headless Chromium opens a friend's signed link,
# types the order number and the phone digits, submits the form; the store must then hold the
# friend's web link and its friend.linked fact. Screenshots go to $MUSUBI_ARTIFACTS (default
# artifacts/ in the current folder, i.e. the build folder under CTest).
#
# Environment: LINK_PAGE_SERVER (the test server binary), CHROMIUM (default: chromium).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
server=${LINK_PAGE_SERVER:?set LINK_PAGE_SERVER to the link_page_server binary}
browser=${CHROMIUM:-chromium}
artifacts=${MUSUBI_ARTIFACTS:-$PWD/artifacts}
work=$(mktemp -d)
server_pid=
browser_pid=

cleanup() {
    [[ -n $browser_pid ]] && kill "$browser_pid" 2>/dev/null && wait "$browser_pid" 2>/dev/null
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
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

command -v "$browser" >/dev/null || fail "no $browser (Debian package chromium)"
command -v sqlite3 >/dev/null || fail "no sqlite3 (Debian package sqlite3)"

"$server" "$work" >"$work/server.log" 2>&1 &
server_pid=$!
url=$(await_line "$work/server.log" '^URL ') || fail "the link page server did not start"
url=${url#URL }

"$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --disable-background-networking --no-first-run --no-default-browser-check \
    --disable-extensions --user-data-dir="$work/profile" --remote-debugging-port=0 \
    about:blank >"$work/chromium.log" 2>&1 &
browser_pid=$!
await_line "$work/profile/DevToolsActivePort" '^[0-9]' >/dev/null ||
    fail "Chromium did not open its DevTools port"
port=$(head -n1 "$work/profile/DevToolsActivePort")

node "$here/link_page.mjs" "$port" "$url" "$artifacts" || fail "the browser did not link"

links=$(sqlite3 "$work/musubi.db" \
    "SELECT count(*) FROM links WHERE friend_id = 1 AND method = 'web' AND unlinked_at IS NULL")
[[ $links == 1 ]] || fail "expected 1 active web link in the store, found $links"
facts=$(sqlite3 "$work/musubi.db" \
    "SELECT count(*) FROM facts WHERE kind = 'friend.linked' AND friend_id = 1")
[[ $facts == 1 ]] || fail "expected 1 friend.linked fact, found $facts"
attempts=$(sqlite3 "$work/musubi.db" "SELECT group_concat(outcome) FROM link_attempts")
[[ $attempts == linked ]] || fail "expected one linked attempt, found '$attempts'"
[[ -s $artifacts/link_page.png ]] || fail "no screenshot in $artifacts"
echo "PASS: linked in headless Chromium; screenshots in $artifacts"
