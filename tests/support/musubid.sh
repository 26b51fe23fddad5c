# Sourced by the integration scripts (tests/integration/*.sh) for what each of them repeats: a
# work folder removed at exit, musubi-sim on free ports, the musubi.yaml blocks every test
# writes, musubid started, waited for, stopped or killed, and the store read with sqlite3.
# musubid's log ($work/log) is kept at exit as $MUSUBI_TEST_LOGS/NAME.log for it.zz_log_scan,
# which checks every log of the suite for secrets and personal data.
#
#   source "$(dirname "$0")/../support/musubid.sh"
#   it_setup NAME [KEEP]       work=$(mktemp -d); at exit stops everything, keeps the log (and
#                              copies the work folder into KEEP when that is set)
#   start_sim [YAML]           LINE with the tests' secret and token; YAML is appended as it is
#                              (more `line:` keys indented by two, or further blocks); sets sim,
#                              api, data
#   musubi_yaml ID NAME [LISTEN] [LINE_KEYS] >"$config"
#                              shop, store, log, privacy, LINE at the simulator, webhook (on
#                              LISTEN, default any free port), admin, templates; the test
#                              appends its own blocks; line.followers_import is off unless
#                              LINE_KEYS set it
#   start_daemon               musubid on $config, output appended to $work/log; sets pid
#   wait_for PATTERN [SECONDS] until this run's log has a line matching PATTERN (10 s by default)
#   listen_address KIND        the host:port musubid's KIND (webhook, admin) listener logged
#   stop_daemon / kill_daemon  SIGTERM (fails unless it exits 0) / SIGKILL, and wait
#   db SQL, fail MESSAGE
# A test that must stop more at exit defines it_before_cleanup; one that wants other failure
# output defines its own fail after sourcing this.

: "${MUSUBID:?path to musubid}" "${MUSUBI_SIM:?path to musubi-sim}"
it_channel_secret=8c570fa6dd201bb328f1c1eac23a96d8
sim='' pid=''

it_setup() {
  it_name=$1 it_keep=${2:-}
  work=$(mktemp -d)
  config="$work/config/musubi.yaml"
  trap it_cleanup EXIT
  trap 'exit 1' TERM INT
}

it_cleanup() {
  set +e # clean up everything, whatever fails
  declare -F it_before_cleanup >/dev/null && it_before_cleanup
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -n "$sim" ] && kill "$sim" 2>/dev/null && wait "$sim" 2>/dev/null
  [ -n "${MUSUBI_TEST_LOGS:-}" ] && [ -f "$work/log" ] && cp "$work/log" "$MUSUBI_TEST_LOGS/$it_name.log"
  [ -n "$it_keep" ] && mkdir -p "$it_keep" && cp -r "$work"/. "$it_keep"/
  rm -rf "$work"
}

fail() {
  echo "FAIL: $*" >&2
  [ -f "$work/log" ] && grep -E 'level=(warn|error)' "$work/log" | tail -20 | sed 's/^/  log: /' >&2
  exit 1
}

db() { sqlite3 -cmd '.timeout 5000' "$work/state/musubi.db" "$1"; }

start_sim() {
  cat >"$work/sim.yaml" <<YAML
line:
  channel_secret: $it_channel_secret
  channel_access_tokens: [musubi-sim-token]
${1:-}
YAML
  "$MUSUBI_SIM" --scenario "$work/sim.yaml" --listen 127.0.0.1:0 --data-listen 127.0.0.1:0 \
    --port-file "$work/ports" >"$work/sim.out" 2>&1 &
  sim=$!
  for _ in $(seq 200); do [ -s "$work/ports" ] && break; sleep 0.05; done
  [ -s "$work/ports" ] || fail "musubi-sim did not start: $(cat "$work/sim.out")"
  api="http://127.0.0.1:$(sed -n 1p "$work/ports")"
  data="http://127.0.0.1:$(sed -n 2p "$work/ports")"
}

musubi_yaml() {
  cat <<YAML
shop: {id: $1, name: $2}
store: {path: $work/state/musubi.db}
log: {format: kv, level: info}
privacy: {hashing_key: $1-hashing-key-0123456789abcdef}
line:
  api_base_url: $api
  data_api_base_url: $data
  channel_secret: $it_channel_secret
  channel_access_token: musubi-sim-token
$([[ "${4:-}" == *followers_import* ]] || echo "  followers_import: {enabled: false}")
${4:+$4
}webhook: {listen: ${3:-127.0.0.1:0}, path: /webhook/line}
admin: {listen: 127.0.0.1:0, token: $1-admin-token}
templates: ../templates
YAML
}

start_daemon() {
  it_run_from=$(($(stat -c %s "$work/log" 2>/dev/null || echo 0) + 1)) # where this run's log starts
  "$MUSUBID" --config "$config" >>"$work/log" 2>&1 &
  pid=$!
}

wait_for() {
  for _ in $(seq $((${2:-10} * 10))); do
    grep -q -- "$1" <(tail -c "+${it_run_from:-1}" "$work/log" 2>/dev/null) && return 0
    sleep 0.1
  done
  fail "no log line matching '$1'"
}

listen_address() {
  grep -o "event=$1.listening address=[0-9.:]*" "$work/log" | head -n1 | cut -d= -f3
}

stop_daemon() {
  kill -TERM "$pid" && wait "$pid" || fail "musubid exited $? on SIGTERM"
  pid=
}

kill_daemon() {
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
}
