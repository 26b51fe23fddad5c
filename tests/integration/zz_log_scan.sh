#!/usr/bin/env bash
# Runs after every other test (CTest DEPENDS): scans every log line the suite's musubid
# processes wrote (kept in $MUSUBI_TEST_LOGS by the tests) for secrets and buyers' personal
# data. Any hit fails with the file, the line and what was found.
set -euo pipefail
logs=${MUSUBI_TEST_LOGS:?MUSUBI_TEST_LOGS names the folder of kept logs}
root=${MUSUBI_SOURCE_DIR:?}
shopt -s nullglob
files=("$logs"/*.log)
if [ ${#files[@]} -eq 0 ]; then
  echo "FAIL: no kept logs in $logs (the integration tests keep their musubid logs there)" >&2
  exit 1
fi

# Secrets every test configuration uses (the simulator's values, the shipped examples).
secrets=(8c570fa6dd201bb328f1c1eac23a96d8 musubi-sim-token SL000000_musubi_sim_key
         SP000000_musubi_sim_secret demo-hashing-key demo-admin-token)
for file in "$root"/config/secrets/*; do
  [ "$(basename "$file")" = README.md ] || secrets+=("$(head -n1 "$file")")
done

found=0
report() { echo "FAIL: $1: $2" >&2; found=1; }
for secret in "${secrets[@]}"; do
  while IFS= read -r hit; do report "secret '${secret:0:6}…'" "$hit"; done \
    < <(grep -F -n -- "$secret" "${files[@]}" || true)
done
# Phone numbers, e-mail addresses, postal codes, and the katakana readings of buyers' names
# as the simulator makes them. Digits inside longer letters-and-digits runs (LINE's request
# ids, retry keys) are not numbers a person has.
patterns=(
  '(^|[^0-9A-Za-z])0[5-9]0-?[0-9]{4}-?[0-9]{4}([^0-9A-Za-z]|$)'
  '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}'
  '〒|(^|[^0-9A-Za-z-])[0-9]{3}-[0-9]{4}([^0-9A-Za-z-]|$)'
  'サトウ|スズキ|タカハシ|タナカ|ワタナベ|ヤマモト|ナカムラ|コバヤシ|ヨシダ|ヤマグチ|マツモト|イノウエ'
)
for pattern in "${patterns[@]}"; do
  while IFS= read -r hit; do report "personal data /$pattern/" "$hit"; done \
    < <(grep -E -n -- "$pattern" "${files[@]}" || true)
done
lines=$(cat "${files[@]}" | wc -l)
[ "$found" -eq 0 ] || exit 1
echo "scanned $lines log lines in ${#files[@]} files: no secret, no personal data"
