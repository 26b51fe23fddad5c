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
# Every other secret the tests and the simulator's fixtures configure: words such as
# "it-admin-token-0123" or "security-hashing-key-…" (a name with token, secret or key in it,
# a hyphen and a digit, 12 characters or more) in their sources and configurations.
while IFS= read -r secret; do
  secrets+=("$secret")
done < <(grep -rhoE '[A-Za-z0-9_-]*(token|secret|hashing-key|hashing_key|license|site-key)[A-Za-z0-9_-]*' \
           "$root"/tests "$root"/config "$root"/scripts 2>/dev/null \
         | awk 'length($0) >= 12 && /-/ && /[0-9]/ && !/channel-access-token-/' | sort -u)

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
  '(^|[^0-9A-Za-z-])0[1-9][0-9]{0,3}-[0-9]{1,4}-[0-9]{4}([^0-9A-Za-z-]|$)'
  '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}'
  '〒|(^|[^0-9A-Za-z-])[0-9]{3}-[0-9]{4}([^0-9A-Za-z-]|$)'
  'サトウ|スズキ|タカハシ|タナカ|ワタナベ|ヤマモト|ナカムラ|コバヤシ|ヨシダ|ヤマグチ|マツモト|イノウエ'
)
for pattern in "${patterns[@]}"; do
  while IFS= read -r hit; do report "personal data /$pattern/" "$hit"; done \
    < <(grep -E -n -- "$pattern" "${files[@]}" || true)
done
# The simulator's buyers (tests/sim/rakuten/catalog.cpp): family and given names in kanji
# (two characters or more: a single one like 林 is too common a character), their readings
# (three or more), and the street parts of their addresses; and the names the tests give
# buyers and friends.
catalog="$root"/tests/sim/rakuten/catalog.cpp
names=$( { sed -n '/k_family_names/,/k_items/p' "$catalog" | perl -Mutf8 -CSD -ne '
             while (/"([^\x00-\x7F"]+)"/g) {
               my $n = $1;
               next if length($n) < 2 || $n =~ /^[\x{30A0}-\x{30FF}]{1,2}$/ || $n =~ /[都道府県]$/;
               print "$n\n";
             }'
           printf '%s\n' 花子 太郎 田中 佐藤 鈴木; } | sort -u)
while IFS= read -r name; do
  [ -n "$name" ] || continue
  while IFS= read -r hit; do report "personal data '$name'" "$hit"; done \
    < <(grep -F -n -- "$name" "${files[@]}" || true)
done <<< "$names"
# Link-page tokens (v1.<friend>.<expiry>.<signature>) and credentials in headers.
for pattern in 'v1\.[0-9]+\.[0-9]{13}\.[A-Za-z0-9_-]{20,}' 'Bearer [A-Za-z0-9._~+/-]{8,}' \
               'Basic [A-Za-z0-9+/=]{8,}' 'x-line-signature[=:] *[A-Za-z0-9+/=]{20,}'; do
  while IFS= read -r hit; do report "credential /$pattern/" "$hit"; done \
    < <(grep -E -n -- "$pattern" "${files[@]}" || true)
done
lines=$(cat "${files[@]}" | wc -l)
[ "$found" -eq 0 ] || exit 1
echo "scanned $lines log lines in ${#files[@]} files: no secret, no personal data"
