#!/usr/bin/env bash
# it.fault_store: the store's disk fills up, then the store turns read-only, while musubid runs.
# For each fault, with real mechanisms (no mock, no SQLite pragma):
#   disk full  — the store lives on its own small tmpfs, filled with a file to the last byte;
#   read-only  — `chattr +i` on the store, its -wal and -shm files and its folder (an ext4
#                folder under $TMPDIR): the kernel refuses every write with EPERM, as a
#                read-only mount does with EROFS. (`mount -o remount,ro` itself is refused
#                by Linux while musubid holds the file open for writing: "mount point is busy".)
# while LINE friends follow (signed webhooks) and RMS orders arrive, with greetings waiting
# in the outbox. Asserted: musubid says so once (event=store.not_writable problem=…, with what
# to do) and in /metrics (musubi_store_writable{problem="…"} 0); sends nothing while the store
# refuses writes; the webhook answers 500 (the simulator redelivers); and once the fault is
# removed it says store.writable_again and catches up: LINE's ledger shows every friend's
# greeting exactly once (no retry key delivered twice) and every RMS order is an order.placed
# fact.
#
# Needs root (mount, chattr); a phase whose mechanism is missing here is skipped with a
# notice (both missing: the test fails, it would prove nothing).
set -euo pipefail
greeting='ようこそ、故障テスト商店へ！'
friends_before=60 # followed before the fault: their greetings wait in the outbox (LINE 500s)
friends_during=60 # follow while the store refuses writes
orders_during=30  # RMS orders placed while the store refuses writes

# shellcheck source=../support/musubid.sh
source "$(dirname "$0")/../support/musubid.sh" # start_sim; this test keeps its own clean-up
work=$(mktemp -d)
sim='' pid='' mnt='' immutable=()
cleanup() {
  set +e # clean up everything, whatever fails
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ ${#immutable[@]} -gt 0 ] && chattr -i "${immutable[@]}" 2>/dev/null
  [ -n "$mnt" ] && { umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null; }
  [ -n "$sim" ] && kill "$sim" 2>/dev/null && wait "$sim" 2>/dev/null
  if [ -n "${MUSUBI_TEST_LOGS:-}" ]; then
    for log in "$work"/*.log; do
      case $log in *daemon-*.log) cp "$log" "$MUSUBI_TEST_LOGS/fault_store-$(basename "$log")" ;; esac
    done
  fi
  [ -n "${MUSUBI_FAULT_KEEP:-}" ] && mkdir -p "$MUSUBI_FAULT_KEEP" && cp -r "$work"/. "$MUSUBI_FAULT_KEEP"/ 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' TERM INT
log=
fail() {
  echo "FAIL: $*" >&2
  [ -n "$log" ] && [ -f "$log" ] && grep -E 'level=(warn|error)|store\.' "$log" | tail -20 | sed 's/^/  log: /' >&2
  exit 1
}
wait_until() { # SECONDS WHAT COMMAND...: polls COMMAND every 0.1 s
  local limit=$1 what=$2
  shift 2
  for _ in $(seq $((limit * 10))); do "$@" && return 0; sleep 0.1; done
  fail "$what (waited $limit s)"
}

# --- the simulator: LINE and RMS, real time ----------------------------------------------------
start_sim "  webhook_timeout: 5s
rakuten:
  seed: 9"
sim_post() { curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "$api/_sim$1"; }
ledger() { curl -sf "$api/_sim/line/ledger"; }

mkdir -p "$work/config/scenarios" "$work/templates"
cat >"$work/config/scenarios/greeting.yaml" <<'YAML'
scenario: fault-greeting
description: one greeting per new friend
trigger: friend.followed
reentry: once
steps:
  - send: fault_greeting
YAML
echo "$greeting" >"$work/templates/fault_greeting.txt"
write_config() { # STORE_DIR
  cat >"$work/config/musubi.yaml" <<YAML
shop: {id: fault-test, name: 故障テスト商店}
store: {path: $1/musubi.db}
log: {format: kv, level: info}
privacy: {hashing_key: fault-test-hashing-key-0123456789abcdef}
line:
  api_base_url: $api
  data_api_base_url: $data
  channel_secret: 8c570fa6dd201bb328f1c1eac23a96d8
  channel_access_token: musubi-sim-token
  followers_import: {enabled: false}  # this test is about the store, not existing friends
rakuten:
  enabled: true
  base_url: $api
  service_secret: SP000000_musubi_sim_secret
  license_key: SL000000_musubi_sim_key
  poll_interval: 1s
  request_interval: 10ms
dispatch: {retry_initial: 100ms, retry_max: 1s}
webhook: {listen: 127.0.0.1:0, path: /webhook/line}
admin: {listen: 127.0.0.1:0, token: fault-test-admin-token}
templates: ../templates
scenarios: scenarios/*.yaml
YAML
}

# --- one phase: start musubid on STORE_DIR, break the store, check, repair, check -------------
next_friend=0
run_phase() { # NAME STORE_DIR PROBLEM BREAK_FN REPAIR_FN
  local name=$1 dir=$2 problem=$3 break_fn=$4 repair_fn=$5
  log="$work/daemon-$name.log"
  write_config "$dir"
  "$MUSUBID" --config "$work/config/musubi.yaml" >"$log" 2>&1 &
  pid=$!
  wait_until 20 "musubid ready" grep -q "event=ready" "$log"
  local listen admin
  listen=$(grep -o 'event=webhook.listening address=[0-9.:]*' "$log" | head -n1 | cut -d= -f3)
  admin=$(grep -o 'event=admin.listening address=[0-9.:]*' "$log" | head -n1 | cut -d= -f3)
  [ -n "$listen" ] && [ -n "$admin" ] || fail "musubid did not say where it listens"
  sim_post /line/config "{\"webhook_url\": \"http://$listen/webhook/line\"}" >/dev/null
  metrics() { curl -sf -H 'Authorization: Bearer fault-test-admin-token' "http://$admin/metrics"; }
  db() { sqlite3 -readonly -cmd '.timeout 5000' "$dir/musubi.db" "$1"; }

  # Friends follow while LINE answers 500 to every push: their greetings wait, retried.
  sim_post /line/faults '{"rate_500": 1, "endpoints": ["push"]}' >/dev/null
  local first=$((next_friend + 1)) i users=()
  for i in $(seq "$first" $((first + friends_before - 1))); do
    users+=("$(printf 'U%032x' "$i")")
    [ "$(sim_post "/line/friends/${users[-1]}/follow" '{}' | jq '.deliveries[0].status')" = 200 ] ||
      fail "$name: a follow before the fault was not answered 200"
  done
  wait_until 20 "$name: $friends_before greetings in the outbox" \
    test "$(db "SELECT count(*) FROM outbox")" -eq "$friends_before"
  local delivered_before
  delivered_before=$(ledger | jq .counters.deliveries)

  # The fault.
  "$break_fn" "$dir"
  echo "$name: the store is broken; $friends_during friends follow, $orders_during orders arrive"
  sim_post /line/faults '{}' >/dev/null # LINE is fine again: only the store holds sending back
  # The friends follow one by one; each webhook musubid does not answer 200 is kept for LINE's
  # redelivery.
  local refused_ids=() status event
  for i in $(seq $((first + friends_before)) $((first + friends_before + friends_during - 1))); do
    users+=("$(printf 'U%032x' "$i")")
    event=$(sim_post "/line/friends/${users[-1]}/follow" '{}')
    status=$(jq '.deliveries[0].status' <<<"$event")
    [ "$status" = 200 ] || refused_ids+=("$(jq -r .webhookEventId <<<"$event")")
    [ "$status" = 200 ] || [ "$status" = 500 ] || fail "$name: the webhook answered $status, not 500, while the store refused writes"
  done
  local orders_before
  orders_before=$(curl -sf "$api/_sim/rakuten/orders?limit=1" | jq .total)
  for _ in $(seq "$orders_during"); do sim_post /rakuten/orders '{}' >/dev/null; done
  wait_until 20 "$name: event=store.not_writable problem=$problem" \
    grep -q "event=store.not_writable problem=$problem" "$log"
  grep "event=store.not_writable" "$log" | head -n1 | grep -q ' action=' ||
    fail "$name: store.not_writable says no action"
  wait_until 10 "$name: /metrics shows the store not writable" \
    grep -q "^musubi_store_writable{problem=\"$problem\"} 0$" <(metrics)
  [ ${#refused_ids[@]} -gt 0 ] || fail "$name: the webhook answered 200 to every follow while the store refused writes"
  # Nothing goes out while the store refuses writes (its greetings are still due).
  local delivered_during
  sleep 2
  delivered_during=$(ledger | jq .counters.deliveries)
  # (A full disk can still take a write that fits in space SQLite already holds, such as a
  # claim in the WAL: such sends go out, exactly once. A read-only store takes none.)
  [ "$problem" = disk_full ] || [ "$delivered_during" -eq "$delivered_before" ] ||
    fail "$name: $((delivered_during - delivered_before)) messages were sent while the store refused writes"

  # Repair; LINE redelivers what was refused.
  "$repair_fn" "$dir"
  local ids
  ids=$(printf '%s\n' "${refused_ids[@]}" | jq -R . | jq -s -c .)
  wait_until 30 "$name: the refused webhooks accepted after the repair" \
    test "$(sim_post /line/webhooks/send "{\"webhookEventIds\": $ids, \"redelivery\": true}" | jq -r '.deliveries[0].status')" = 200
  local orders_after friends_total=$((friends_before + friends_during))
  orders_after=$(curl -sf "$api/_sim/rakuten/orders?limit=1" | jq .total)
  wait_until 60 "$name: every greeting sent and every order a fact" bash -c "
    [ \"\$(sqlite3 -readonly -cmd '.timeout 5000' '$dir/musubi.db' \"SELECT count(*) FROM outbox WHERE state = 'sent'\")\" -eq $friends_total ] &&
    [ \"\$(sqlite3 -readonly -cmd '.timeout 5000' '$dir/musubi.db' \"SELECT count(*) FROM facts WHERE kind = 'order.placed'\")\" -eq $orders_after ]"
  grep -q "event=store.writable_again was=$problem" "$log" || fail "$name: no store.writable_again"
  wait_until 10 "$name: /metrics shows the store writable again" grep -q '^musubi_store_writable 1$' <(metrics)
  kill -TERM "$pid"
  wait "$pid" || fail "$name: musubid exited $? on SIGTERM"
  pid=

  # LINE's ledger: each friend of this phase got the greeting exactly once.
  local user_list summary
  user_list=$(printf '%s\n' "${users[@]}" | jq -R . | jq -s -c .)
  summary=$(ledger | jq -c --argjson users "$user_list" --arg text "$greeting" '{
      once: [$users[] as $u | .friends[$u] | select((.deliveries | length) == 1
             and .deliveries[0].message == {type: "text", text: $text})] | length,
      duplicates: .counters.duplicate_deliveries, same_key: .counters.same_retry_key_deliveries}')
  [ "$(jq .once <<<"$summary")" -eq "$friends_total" ] ||
    fail "$name: only $(jq .once <<<"$summary") of $friends_total friends got their greeting exactly once ($summary)"
  [ "$(jq .duplicates <<<"$summary")" -eq 0 ] && [ "$(jq .same_key <<<"$summary")" -eq 0 ] ||
    fail "$name: a message was delivered twice ($summary)"
  echo "$name: store refused writes (${#refused_ids[@]} of $friends_during webhooks answered 500," \
    "$((orders_after - orders_before)) orders placed); after the repair: $friends_total greetings" \
    "exactly once, $orders_after orders are facts;" \
    "$(grep -o 'event=store.writable_again.*' "$log" | head -n1 | grep -o 'refused_writes=[0-9]*')"
  next_friend=$((first + friends_total - 1))
}

# --- disk full: the store on its own 24 MB tmpfs, filled to the last byte -----------------------
fill_disk() { dd if=/dev/zero of="$1/filler" bs=64k status=none 2>/dev/null || true; }
free_disk() { rm -f "$1/filler"; }
# --- read-only: the kernel's immutable attribute on the store's files and folder ---------------
make_read_only() {
  immutable=("$1"/musubi.db* "$1")
  chattr +i "${immutable[@]}"
}
make_writable() {
  chattr -i "${immutable[@]}"
  immutable=()
}

phases=0
mnt="$work/tmpfs"
mkdir -p "$mnt"
if mount -t tmpfs -o size=24m,mode=0700 musubi-fault-test "$mnt" 2>"$work/mount.err"; then
  run_phase disk_full "$mnt" disk_full fill_disk free_disk
  umount "$mnt" && mnt=''
  phases=$((phases + 1))
else
  echo "NOTICE: disk-full phase skipped: cannot mount a tmpfs here ($(cat "$work/mount.err"))"
  mnt=''
fi
mkdir -p "$work/ro-store"
touch "$work/ro-store/probe"
if chattr +i "$work/ro-store/probe" 2>"$work/chattr.err" && ! { echo x >>"$work/ro-store/probe"; } 2>/dev/null; then
  chattr -i "$work/ro-store/probe" && rm -f "$work/ro-store/probe"
  # SQLite reports the refused write as a disk I/O error (SQLITE_IOERR_WRITE, errno EPERM).
  run_phase read_only "$work/ro-store" io_error make_read_only make_writable
  phases=$((phases + 1))
else
  chattr -i "$work/ro-store/probe" 2>/dev/null || true
  echo "NOTICE: read-only phase skipped: the immutable attribute does not work on $TMPDIR ($(cat "$work/chattr.err"))"
fi
[ "$phases" -gt 0 ] || fail "neither fault could be made on this machine (run as root)"
echo "it.fault_store: $phases fault(s) survived with nothing lost and nothing sent twice: passed"
