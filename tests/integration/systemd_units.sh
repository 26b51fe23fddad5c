#!/usr/bin/env bash
# it.systemd_units: the shipped units pass `systemd-analyze verify` (with musubid's path
# pointed at the build), and the shipped config checks out the way systemd runs it: secrets
# from $CREDENTIALS_DIRECTORY.
set -euo pipefail
: "${MUSUBID:?path to musubid}" "${MUSUBI_SOURCE_DIR:?source tree}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

if command -v systemd-analyze >/dev/null; then
  for unit in musubi.service musubi@.service; do
    sed "s|/usr/bin/musubid|$MUSUBID|g" "$MUSUBI_SOURCE_DIR/packaging/systemd/$unit" >"$work/$unit"
  done
  cp "$work/musubi@.service" "$work/musubi@demo.service"
  out=$(cd "$work" && systemd-analyze verify --man=no ./musubi.service ./musubi@demo.service 2>&1) ||
    fail "systemd-analyze verify: $out"
  [ -z "$out" ] || fail "systemd-analyze verify warned: $out"
else
  echo "systemd-analyze not available; unit verification skipped" >&2
fi

# As under systemd: the credentials folder holds the secrets, and nothing else is readable.
mkdir "$work/credentials"
for name in hashing_key rms_service_secret rms_license_key line_channel_secret \
            line_channel_access_token admin_token; do
  echo "credential-value-for-$name-0123456789abcdef0123456789" >"$work/credentials/$name"
done
cp -r "$MUSUBI_SOURCE_DIR/config" "$work/config"
cp -r "$MUSUBI_SOURCE_DIR/templates" "$work/templates"
rm -r "$work/config/secrets"
out=$(CREDENTIALS_DIRECTORY="$work/credentials" "$MUSUBID" --check-config --config "$work/config/musubi.yaml") ||
  fail "check-config with credentials: $out"
dump=$(CREDENTIALS_DIRECTORY="$work/credentials" "$MUSUBID" --dump-config --config "$work/config/musubi.yaml")
grep -qF "channel_secret: \"<redacted: file $work/credentials/line_channel_secret>\"" <<<"$dump" ||
  fail "the secret did not come from the credentials folder"
echo "it.systemd_units: 1 passed, 0 failed"
