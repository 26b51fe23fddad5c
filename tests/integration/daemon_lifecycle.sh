#!/usr/bin/env bash
# it.daemon_lifecycle: musubid as a process. It opens (and migrates) its store, says it is
# ready, keeps running on its old configuration when a reload brings a broken one, applies a
# good one, stops cleanly on SIGTERM, never logs a secret, and refuses a newer database.
set -euo pipefail
: "${MUSUBID:?path to musubid}" "${MUSUBI_SOURCE_DIR:?source tree}"
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  [ -n "${MUSUBI_TEST_LOGS:-}" ] && [ -f "$work/log" ] && cp "$work/log" "$MUSUBI_TEST_LOGS/daemon_lifecycle.log"
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/log" ] && sed 's/^/  log: /' "$work/log" >&2; exit 1; }
wait_for() { # wait_for PATTERN: until the log has a line matching it (10 s at most)
  for _ in $(seq 100); do grep -q -- "$1" "$work/log" 2>/dev/null && return 0; sleep 0.1; done
  fail "no log line matching '$1'"
}

cp -r "$MUSUBI_SOURCE_DIR/config" "$work/config"
cp -r "$MUSUBI_SOURCE_DIR/templates" "$work/templates"
config="$work/config/musubi.yaml"
sed -i "s|^  path: /var/lib/musubi/musubi.db|  path: $work/state/musubi.db|" "$config"
sed -i "s|^  listen: 127.0.0.1:808[01]\b.*|  listen: 127.0.0.1:0|" "$config" # parallel tests: any free ports
# One secret through the environment, the others from the shipped example files.
export MUSUBI_LINE_CHANNEL_ACCESS_TOKEN=token-from-environment-5678

"$MUSUBID" --config "$config" >"$work/log" 2>&1 &
pid=$!
wait_for "event=ready"
grep -q "event=store.opened path=$work/state/musubi.db schema_version=6 migrated_from=0" "$work/log" ||
  fail "store not opened and migrated"
[ "$(sqlite3 "$work/state/musubi.db" 'PRAGMA journal_mode')" = wal ] || fail "not in WAL mode"

# The admin address: /healthz for probes, /metrics only with admin.token.
wait_for "event=admin.listening"
admin=$(grep -o 'event=admin.listening address=[0-9.:]*' "$work/log" | head -n1 | cut -d= -f3)
[ "$(curl -s "http://$admin/healthz")" = ok ] || fail "/healthz does not answer ok"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$admin/metrics")" = 401 ] ||
  fail "/metrics answered without the admin token"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer wrong' "http://$admin/metrics")" = 401 ] ||
  fail "/metrics answered a wrong admin token"
metrics=$(curl -sf -H "Authorization: Bearer $(head -n1 "$work/config/secrets/admin_token")" "http://$admin/metrics") ||
  fail "/metrics refused the admin token"
grep -qx 'musubi_up 1' <<<"$metrics" || fail "no musubi_up in /metrics"
grep -qx 'musubi_outbox_messages{state="pending"} 0' <<<"$metrics" || fail "no outbox rows in /metrics"

# A reload with a broken file is refused and the daemon keeps running.
cp "$config" "$work/good.yaml"
sed -i 's/^  level: info/  level: loud/' "$config"
kill -HUP "$pid"
wait_for "event=config.reload_refused"
grep -qF "event=config.reload_error error=\"$config:15:10: 'loud' is not a valid value; write one of: trace, debug, info, warn, error\"" "$work/log" ||
  fail "the reload error does not name file:line:col"
kill -0 "$pid" || fail "musubid died on a bad reload"

# A good file is applied.
cp "$work/good.yaml" "$config"
kill -HUP "$pid"
wait_for "event=config.reloaded"

kill -TERM "$pid"
set +e
wait "$pid"
code=$?
set -e
pid=
[ "$code" -eq 0 ] || fail "musubid exited $code on SIGTERM"
grep -q "event=stopping signal=SIGTERM" "$work/log" || fail "no stopping line"
grep -q "event=stopped" "$work/log" || fail "no stopped line"

# No secret in any line it wrote.
for secret_file in "$work"/config/secrets/*; do
  [ "$(basename "$secret_file")" = README.md ] && continue
  value=$(head -n1 "$secret_file")
  if grep -qF -- "$value" "$work/log"; then fail "secret from $secret_file appears in the log"; fi
done
if grep -qF token-from-environment-5678 "$work/log"; then fail "environment secret in the log"; fi

# A database from a newer musubi is refused, untouched.
sqlite3 "$work/state/musubi.db" 'PRAGMA user_version = 99'
before=$(sha256sum "$work/state/musubi.db")
set +e
"$MUSUBID" --config "$config" >"$work/log" 2>&1
code=$?
set -e
[ "$code" -eq 1 ] || fail "a newer database should stop musubid with exit 1, got $code"
grep -q "was written by a newer musubi (schema version 99; this musubi knows up to 6); nothing was changed" "$work/log" ||
  fail "no clear refusal of the newer database"
[ "$(sha256sum "$work/state/musubi.db")" = "$before" ] || fail "the newer database was changed"

echo "it.daemon_lifecycle: 1 passed, 0 failed"
