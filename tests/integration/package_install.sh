#!/usr/bin/env bash
# it.package_install: the Debian package, built with cpack from this build tree.
#  1. What it holds: the programs in /usr/bin, the shipped config in /etc/musubi with every file
#     there a conffile and no secret, templates and examples in /usr/share/musubi, the units, the
#     maintainer scripts; the packaged config checks out (secrets as systemd hands them over) and
#     the packaged units pass `systemd-analyze verify`.
#  2. As root, with dpkg and no musubi on the machine: `dpkg -i`, the installed config refuses
#     to start without secrets, then the service runs the way its unit says (the unit's own
#     command lines, as a user without rights to /etc, secrets in $CREDENTIALS_DIRECTORY, READY=1
#     on $NOTIFY_SOCKET) against musubi-sim: ready, polls, a broken reload is refused while it
#     keeps running, a clean stop. systemctl itself only when systemd is PID 1. Then
#     `dpkg --purge`, which leaves nothing behind (also when a step fails).
set -euo pipefail
: "${MUSUBID:?path to musubid}" "${MUSUBI_SIM:?path to musubi-sim}" "${MUSUBI_SOURCE_DIR:?source tree}"
build_dir=$(dirname "$MUSUBID")
work=$(mktemp -d)
chmod 755 "$work" # the service user must reach the notify socket and its credentials
installed=
pid=
sim=
listener=
cleanup() {
  set +e # every step of the clean-up runs, whatever the one before did
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -n "$sim" ] && kill "$sim" 2>/dev/null && wait "$sim" 2>/dev/null
  [ -n "$listener" ] && kill "$listener" 2>/dev/null
  if [ -n "$installed" ]; then
    [ -n "${systemd_runs:-}" ] && systemctl stop musubi.service
    dpkg --purge musubi >"$work/purge.log" 2>&1 ||
      { echo "WARNING: dpkg --purge musubi failed; remove musubi by hand" >&2; cat "$work/purge.log" >&2; }
  fi
  [ -n "${MUSUBI_TEST_LOGS:-}" ] && [ -f "$work/log" ] && cp "$work/log" "$MUSUBI_TEST_LOGS/package_install.log"
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/log" ] && sed 's/^/  log: /' "$work/log" | tail -30 >&2; exit 1; }
skipped() { echo "it.package_install: SKIPPED $*" >&2; }
wait_for() { # wait_for FILE PATTERN: until FILE has a line matching PATTERN (20 s at most)
  for _ in $(seq 200); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  fail "no line matching '$2' in $(basename "$1")"
}
secret_names=(hashing_key rms_service_secret rms_license_key line_channel_secret
              line_channel_access_token admin_token)

# --- 1. The package -------------------------------------------------------------------------
command -v cpack >/dev/null && command -v dpkg-deb >/dev/null || { skipped "all: no cpack or dpkg-deb"; exit 0; }
cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack failed"; }
deb=$(ls "$work"/pkg/musubi_*.deb)
dpkg-deb -c "$deb" >"$work/listing"
awk '{print $6}' "$work/listing" | sed 's|^\./|/|; s|/$||' | sort >"$work/contents"
has() { grep -qxF -- "$1" "$work/contents" || fail "the package lacks $1"; }
for file in /usr/bin/musubid /usr/bin/musubictl \
            /etc/musubi/musubi.yaml /etc/musubi/carriers.yaml /etc/musubi/secrets/README.md \
            /etc/musubi/scenarios/order-thanks.yaml /etc/musubi/templates/order_thanks.txt \
            /usr/share/musubi/scenarios/order-thanks.yaml /usr/share/musubi/templates/order_thanks.txt \
            /usr/share/musubi/examples/demo.yaml /usr/share/musubi/examples/proxy/Caddyfile \
            /lib/systemd/system/musubi.service /lib/systemd/system/musubi@.service \
            /usr/share/doc/musubi/README.md /usr/share/doc/musubi/ARCHITECTURE.md; do
  has "$file"
done
# Every template and scenario of the source tree is there, in /etc and in /usr/share.
for file in "$MUSUBI_SOURCE_DIR"/templates/* "$MUSUBI_SOURCE_DIR"/config/scenarios/*; do
  relative=${file#"$MUSUBI_SOURCE_DIR"/}
  relative=${relative#config/}
  has "/etc/musubi/$relative"
  has "/usr/share/musubi/$relative"
done
grep -qE '^drwx------ root/root .* \./etc/musubi/secrets/$' "$work/listing" ||
  fail "/etc/musubi/secrets is not root's alone (0700) in the package"
secrets_shipped=$(grep '^/etc/musubi/secrets/' "$work/contents" || true)
[ "$secrets_shipped" = /etc/musubi/secrets/README.md ] || fail "secrets shipped: $secrets_shipped"
if grep -E '^/(usr/local|var|home|root|tmp)(/|$)' "$work/contents"; then fail "files outside the package's places"; fi

dpkg-deb -e "$deb" "$work/control"
grep -qx 'Package: musubi' "$work/control/control" || fail "package name"
depends=$(sed -n 's/^Depends: //p' "$work/control/control")
for library in libc6 libsystemd0 libsqlite3-0 libyaml-cpp0.7 libpocofoundation80; do
  grep -qE "(^|, )$library( |,|$)" <<<"$depends" || fail "Depends lacks $library: $depends"
done
grep -q '^Recommends: systemd$' "$work/control/control" || fail "no Recommends: systemd"
# conffiles: exactly the files under /etc.
dpkg-deb -x "$deb" "$work/root"
(cd "$work/root" && find etc -type f | sed 's|^|/|' | sort) >"$work/etc-files"
sort "$work/control/conffiles" | diff -u "$work/etc-files" - >&2 ||
  fail "conffiles differ from the files under /etc (- files, + conffiles)"
for script in postinst prerm postrm; do
  [ -x "$work/control/$script" ] || fail "maintainer script $script missing or not executable"
done
grep -q 'try-restart' "$work/control/postinst" || fail "postinst does not restart on upgrade"
if grep -qE 'systemctl (start|enable|restart) ' "$work/control/postinst"; then
  fail "postinst starts or enables the service"
fi

# The packaged config is the shipped one, with its templates beside it and review CSVs in
# the state folder (the only place the service may write).
diff <(sed -n '/^templates:/p; /^  drop_dir:/p' "$work/root/etc/musubi/musubi.yaml") - <<'EOF' ||
templates: templates
  drop_dir: /var/lib/musubi/reviews
EOF
  fail "packaged musubi.yaml: templates or reviews.drop_dir not where an installed system has them"
# It checks out the way systemd runs it: secrets from $CREDENTIALS_DIRECTORY.
mkdir -m 755 "$work/credentials"
for name in "${secret_names[@]}"; do
  echo "credential-value-for-$name-0123456789abcdef0123456789" >"$work/credentials/$name"
done
chmod 644 "$work"/credentials/*
out=$(CREDENTIALS_DIRECTORY="$work/credentials" "$work/root/usr/bin/musubid" --check-config \
  --config "$work/root/etc/musubi/musubi.yaml") || fail "packaged config refused: $out"
[[ "$out" == "OK: $work/root/etc/musubi/musubi.yaml (shop "* ]] || fail "unexpected: $out"
[ "$("$work/root/usr/bin/musubid" --version)" = "$("$MUSUBID" --version)" ] ||
  fail "the packaged musubid is not this build's"
if command -v systemd-analyze >/dev/null; then
  mkdir "$work/units"
  for unit in musubi.service musubi@.service; do
    sed "s|/usr/bin/musubid|$work/root/usr/bin/musubid|g" "$work/root/lib/systemd/system/$unit" >"$work/units/$unit"
  done
  cp "$work/units/musubi@.service" "$work/units/musubi@shop1.service"
  out=$(cd "$work/units" && systemd-analyze verify --man=no ./musubi.service ./musubi@shop1.service 2>&1) ||
    fail "systemd-analyze verify: $out"
  [ -z "$out" ] || fail "systemd-analyze verify warned: $out"
else
  skipped "systemd-analyze verify: systemd-analyze is not installed"
fi
echo "package: $(basename "$deb"), $(stat -c %s "$deb") bytes, $(wc -l <"$work/contents") paths"

# --- 2. Installed ---------------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then skipped "dpkg -i: needs root (running as $(id -un))"; exit 0; fi
if ! command -v dpkg >/dev/null; then skipped "dpkg -i: no dpkg"; exit 0; fi
if [[ "$(dpkg-query -W -f='${Status}' musubi 2>/dev/null)" =~ (installed|config-files)$ ]]; then
  skipped "dpkg -i: a musubi package is already on this machine; it is left alone"
  exit 0
fi
for path in /etc/musubi /var/lib/musubi /var/lib/private/musubi /usr/bin/musubid; do
  if [ -e "$path" ]; then skipped "dpkg -i: $path exists (not from a package); it is left alone"; exit 0; fi
done
if ! getent passwd nobody >/dev/null; then skipped "dpkg -i: no user 'nobody' to run the service as"; exit 0; fi

installed=yes
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -i failed"; }
[ "$(dpkg-query -W -f='${Status}' musubi)" = "install ok installed" ] || fail "not installed"
[ "$(/usr/bin/musubid --version)" = "$("$MUSUBID" --version)" ] || fail "/usr/bin/musubid --version"
/usr/bin/musubictl --help >/dev/null 2>&1 || [ $? -le 2 ] || fail "/usr/bin/musubictl does not run"
[ "$(stat -c %a /etc/musubi/secrets)" = 700 ] || fail "/etc/musubi/secrets is not 0700"
conffiles=$(dpkg-query -W -f='${Conffiles}\n' musubi)
grep -qF ' /etc/musubi/musubi.yaml ' <<<"$conffiles" ||
  fail "dpkg does not know /etc/musubi/musubi.yaml as a conffile"

# Without secrets the installed config is refused, naming each missing file and the remedy.
set +e
out=$(/usr/bin/musubid --check-config --config /etc/musubi/musubi.yaml 2>&1)
code=$?
set -e
[ "$code" -eq 1 ] || fail "check-config without secrets exited $code: $out"
remedy="create it with the secret on one line, readable by the musubi service, or write the path of an existing file"
diff -u - <(echo "$out") >&2 <<EOF || fail "check-config without secrets (- expected, + got)"
/etc/musubi/musubi.yaml:22:21: cannot read the secret file '/etc/musubi/secrets/hashing_key'; $remedy
/etc/musubi/musubi.yaml:26:24: cannot read the secret file '/etc/musubi/secrets/rms_service_secret'; $remedy
/etc/musubi/musubi.yaml:27:21: cannot read the secret file '/etc/musubi/secrets/rms_license_key'; $remedy
/etc/musubi/musubi.yaml:32:24: cannot read the secret file '/etc/musubi/secrets/line_channel_secret'; $remedy
/etc/musubi/musubi.yaml:33:30: cannot read the secret file '/etc/musubi/secrets/line_channel_access_token'; $remedy
/etc/musubi/musubi.yaml:52:15: cannot read the secret file '/etc/musubi/secrets/admin_token'; $remedy
6 errors in the configuration; nothing was changed or started
EOF

systemd_runs=
if [ -d /run/systemd/system ] && [ "$(ps -p 1 -o comm=)" = systemd ]; then
  systemd_runs=yes
  systemctl cat musubi.service >/dev/null || fail "systemd does not know musubi.service after dpkg -i"
  [ "$(systemctl is-active musubi.service || true)" = inactive ] || fail "installing started musubi"
else
  skipped "systemctl start/reload/stop: systemd is not PID 1 here (PID 1 is $(ps -p 1 -o comm=)); the unit's command lines are run as systemd would run them instead"
fi

# The service, from its unit's own command lines, against the simulator.
unit=/lib/systemd/system/musubi.service
unit_lines() { sed -n "s/^$1=//p" "$unit"; }
cat >"$work/scenario.yaml" <<'YAML'
rakuten:
  seed: 11
  service_secret: SP000000_musubi_sim_secret
  license_keys:
    - key: SL000000_musubi_sim_key
      expires: "2027-02-20T23:59:59"
  generator:
    backfill_count: 5
    backfill_days: 1
line:
  channel_secret: 8c570fa6dd201bb328f1c1eac23a96d8
  channel_access_tokens: [musubi-sim-token]
YAML
"$MUSUBI_SIM" --scenario "$work/scenario.yaml" --listen 127.0.0.1:0 --data-listen 127.0.0.1:0 \
  --port-file "$work/ports" >"$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 200); do [ -f "$work/ports" ] && [ "$(wc -l <"$work/ports")" -ge 2 ] && break; sleep 0.05; done
api="http://127.0.0.1:$(sed -n 1p "$work/ports")"
data_api="http://127.0.0.1:$(sed -n 2p "$work/ports")"
echo SP000000_musubi_sim_secret >"$work/credentials/rms_service_secret"
echo SL000000_musubi_sim_key >"$work/credentials/rms_license_key"
echo 8c570fa6dd201bb328f1c1eac23a96d8 >"$work/credentials/line_channel_secret"
echo musubi-sim-token >"$work/credentials/line_channel_access_token"

config=/etc/musubi/musubi.yaml
sed -i "s|^  enabled: true|  enabled: true\n  base_url: $api\n  request_interval: 0s|" "$config"
sed -i "s|^line:|line:\n  api_base_url: $api\n  data_api_base_url: $data_api|" "$config"
sed -i "s|^  listen: 127.0.0.1:808[01] .*|  listen: 127.0.0.1:0|" "$config" # any free ports

# What StateDirectory= and DynamicUser= provide: a state folder owned by a user of its own.
install -d -m 700 -o nobody -g "$(id -gn nobody)" /var/lib/musubi
/usr/bin/python3 - "$work/notify" >"$work/notified" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
while True:
    print(s.recv(4096).decode().replace("\n", " "), flush=True)
PY
listener=$!
for _ in $(seq 100); do [ -S "$work/notify" ] && break; sleep 0.05; done
# Each command as the service user, with the environment systemd gives it. Both exec, so a
# command started in the background with it has musubid's own PID.
as_service=(env -i PATH=/usr/bin:/bin CREDENTIALS_DIRECTORY="$work/credentials"
  NOTIFY_SOCKET="$work/notify" STATE_DIRECTORY=/var/lib/musubi CONFIGURATION_DIRECTORY=/etc/musubi
  setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups --no-new-privs)
# shellcheck disable=SC2046 # the unit's command line, split into words as systemd does
out=$("${as_service[@]}" $(unit_lines ExecStartPre)) || fail "ExecStartPre refused: $out"
[[ "$out" == "OK: /etc/musubi/musubi.yaml (shop "* ]] || fail "ExecStartPre: $out"
# shellcheck disable=SC2046
"${as_service[@]}" $(unit_lines ExecStart) >"$work/log" 2>&1 &
pid=$!
wait_for "$work/notified" "READY=1"
wait_for "$work/log" "event=poll.done"
[ "$(stat -c %U /var/lib/musubi/musubi.db)" = nobody ] || fail "the store is not the service user's"
orders=$(sqlite3 /var/lib/musubi/musubi.db "SELECT count(*) FROM facts WHERE kind = 'order.placed'" 2>/dev/null || echo 0)
[ "$orders" -gt 0 ] || fail "no order from the simulator was stored"
# The review drop folder is the service's to write (it makes done/ and rejected/ in it).
for _ in $(seq 100); do [ -d /var/lib/musubi/reviews/done ] && break; sleep 0.1; done
[ "$(stat -c %U /var/lib/musubi/reviews/done 2>/dev/null)" = nobody ] ||
  fail "the service could not make its review drop folder"

# A reload with a broken config: ExecReload's check refuses it (systemctl reload fails and
# never signals), and a SIGHUP regardless is refused by musubid, which keeps running.
cp "$config" "$work/good.yaml"
sed -i 's/^  level: info/  level: loud/' "$config"
mapfile -t reload < <(unit_lines ExecReload)
[ "${#reload[@]}" -eq 2 ] && [[ "${reload[1]}" == "/bin/kill -HUP \$MAINPID" ]] || fail "ExecReload: ${reload[*]}"
set +e
# shellcheck disable=SC2086
out=$("${as_service[@]}" ${reload[0]} 2>&1)
code=$?
set -e
[ "$code" -eq 1 ] || fail "ExecReload's check let a broken config through ($code): $out"
grep -qF "$config:15:10: 'loud' is not a valid value; write one of: trace, debug, info, warn, error" <<<"$out" ||
  fail "ExecReload's check: $out"
kill -HUP "$pid"
wait_for "$work/log" "event=config.reload_refused"
kill -0 "$pid" || fail "musubid died on a broken reload"
cp "$work/good.yaml" "$config"
kill -HUP "$pid"
wait_for "$work/log" "event=config.reloaded"
wait_for "$work/notified" "RELOADING=1"

kill -TERM "$pid"
set +e
wait "$pid"
code=$?
set -e
pid=
[ "$code" -eq 0 ] || fail "musubid exited $code on SIGTERM"
grep -q "event=stopped" "$work/log" || fail "no stopped line"
grep -q "STOPPING=1" "$work/notified" || fail "systemd was not told STOPPING=1"
if grep "level=error" "$work/log" | grep -v "event=config.reload_" >&2; then fail "errors in the log"; fi
for name in "${secret_names[@]}"; do
  if grep -qF -- "$(head -n1 "$work/credentials/$name")" "$work/log"; then fail "secret $name in the log"; fi
done

# The same through systemd itself, where it runs: the real sandbox, DynamicUser=, credentials.
if [ -n "$systemd_runs" ]; then
  journal() { journalctl -u musubi.service -n 30 --no-pager 2>&1; }
  (umask 077 && cp "$work"/credentials/* /etc/musubi/secrets/)
  rm -rf /var/lib/musubi # StateDirectory= makes it, as on a fresh machine
  systemctl start musubi.service || fail "systemctl start musubi: $(journal)"
  [ "$(systemctl show -p StatusText --value musubi.service)" = running ] || fail "not running: $(journal)"
  sed -i 's/^  level: info/  level: loud/' "$config"
  if systemctl reload musubi.service 2>/dev/null; then fail "systemctl reload accepted a broken config"; fi
  [ "$(systemctl is-active musubi.service)" = active ] || fail "a broken reload stopped musubi: $(journal)"
  cp "$work/good.yaml" "$config"
  systemctl reload musubi.service || fail "systemctl reload of a good config failed: $(journal)"
  systemctl stop musubi.service
  [ "$(systemctl show -p Result --value musubi.service)" = success ] || fail "unclean stop: $(journal)"
fi

# Installed again over itself (an upgrade, for dpkg): the owner's edits to the config stay.
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -i over itself failed"; }
grep -qF "  base_url: $api" "$config" || fail "reinstalling lost the owner's edits to musubi.yaml"

# Purged, nothing is left.
installed=
dpkg --purge musubi >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "dpkg --purge failed"; }
status=$(dpkg-query -W -f='${Status}' musubi 2>/dev/null || true)
[ -z "$status" ] || [ "$status" = "unknown ok not-installed" ] || fail "after purge: $status"
for path in /etc/musubi /var/lib/musubi /usr/bin/musubid /lib/systemd/system/musubi.service /usr/share/musubi; do
  [ ! -e "$path" ] || fail "$path is left after dpkg --purge"
done
echo "it.package_install: 1 passed, 0 failed"
