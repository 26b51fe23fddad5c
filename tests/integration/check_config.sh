#!/usr/bin/env bash
# it.check_config: musubid --check-config on the shipped configuration, on a broken copy
# (every error listed with file:line:col, exit 1), and --dump-config without secrets.
set -euo pipefail
: "${MUSUBID:?path to musubid}" "${MUSUBI_SOURCE_DIR:?source tree}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. The shipped configuration and the demo configuration check out.
for file in musubi.yaml demo.yaml; do
  out=$("$MUSUBID" --check-config --config "$MUSUBI_SOURCE_DIR/config/$file") ||
    fail "shipped config/$file was refused: $out"
  [[ "$out" == "OK: $MUSUBI_SOURCE_DIR/config/$file (shop "* ]] || fail "unexpected output: $out"
done

# 2. A copy with five mistakes: every one is reported, with its place and a remedy.
cp -r "$MUSUBI_SOURCE_DIR/config" "$work/config"
cp -r "$MUSUBI_SOURCE_DIR/templates" "$work/templates"
cd "$work/config"
sed -i 's/^  poll_interval: 1m/  poll_intervall: 1m/; s/^  format: kv  /  format: text/' musubi.yaml
sed -i 's/after: 3d/after: 3days/; s/send: review_coupon/send: review_cupon/' scenarios/review-request.yaml
sed -i 's/^reentry: always /reentry: alwys /' scenarios/link-thanks.yaml
set +e
out=$("$MUSUBID" --check-config --config musubi.yaml 2>&1)
code=$?
set -e
[ "$code" -eq 1 ] || fail "a broken config exited $code, not 1: $out"
expect() {
  grep -qxF -- "$1" <<<"$out" || fail "missing line: $1
--- got:
$out"
}
expect "musubi.yaml:14:11: 'text' is not a valid value; write one of: kv, json"
expect "musubi.yaml:28:3: unknown key 'poll_intervall' in 'rakuten'; did you mean 'poll_interval'? valid keys are: enabled, base_url, service_secret, service_secret_file, license_key, license_key_file, poll_interval, request_interval, timeout, overlap, backfill_horizon"
expect "scenarios/link-thanks.yaml:4:10: 'alwys' is not a valid value; did you mean 'always'? write one of: once, per_subject, always"
expect "scenarios/review-request.yaml:10:12: '3days' is not a duration; write a number and a unit, e.g. 90m, 3d or 1h30m (units: ms, s, m, h, d, w)"
expect "scenarios/review-request.yaml:17:11: no template 'review_cupon' (looked for review_cupon.txt and review_cupon.json in $work/templates); did you mean 'review_coupon'? templates are: campaign_weekly, campaign_winter_sale, greeting, keyword_reply, link_ask_phone, link_cooldown, link_done, link_expired, link_failed, link_taken, link_thanks, order_thanks, review_coupon, review_request, shipping_notice, unlink_done, unlink_not_linked"
expect "5 errors in the configuration; nothing was changed or started"
[ "$(wc -l <<<"$out")" -eq 6 ] || fail "expected exactly 5 errors and a summary, got: $out"

# 3. --dump-config names where each secret comes from and never shows one.
dump=$("$MUSUBID" --dump-config --config "$MUSUBI_SOURCE_DIR/config/musubi.yaml")
grep -qF 'channel_secret: "<redacted: file ' <<<"$dump" || fail "dump does not show the secret's source"
for secret_file in "$MUSUBI_SOURCE_DIR"/config/secrets/*; do
  [ "$(basename "$secret_file")" = README.md ] && continue
  value=$(head -n1 "$secret_file")
  if grep -qF -- "$value" <<<"$dump"; then fail "secret from $secret_file appears in --dump-config"; fi
done
MUSUBI_LINE_CHANNEL_SECRET=from-the-environment-1234 \
  "$MUSUBID" --dump-config --config "$MUSUBI_SOURCE_DIR/config/musubi.yaml" >"$work/dump-env"
grep -qF 'channel_secret: "<redacted: env MUSUBI_LINE_CHANNEL_SECRET>"' "$work/dump-env" ||
  fail "environment secret source not shown"
if grep -qF from-the-environment-1234 "$work/dump-env"; then fail "environment secret leaked"; fi

# 4. The carriers table beside musubi.yaml is checked too: its keys, and each tracking-link
#    template (a well-formed URL with {tracking_number}, unless search_page: true; issue 18).
rm -rf "$work/config2" && cp -r "$MUSUBI_SOURCE_DIR/config" "$work/config2"
sed -i '0,/tracking_url:/s//trakking_url:/' "$work/config2/carriers.yaml"
sed -i 's/okurijoNo={tracking_number}/okurijoNo=/; s|"https://track.seino.co.jp/cgi-bin/gnpquery.pgm?GNPNO1={tracking_number}"}|"track.seino.co.jp/?no={tracking_number}"}|' "$work/config2/carriers.yaml"
sed -i 's|"https://www.nittsu.co.jp/", search_page: true}|"https://www.nittsu.co.jp/?n={tracking_no}"}|' "$work/config2/carriers.yaml"
set +e
out=$("$MUSUBID" --check-config --config "$work/config2/musubi.yaml" 2>&1)
code=$?
set -e
[ "$code" -eq 1 ] || fail "a broken carriers.yaml exited $code, not 1: $out"
c="$work/config2/carriers.yaml"
for line in \
  "^$c:[0-9]+:[0-9]+: unknown key 'trakking_url' in 'carriers.1001'; valid keys are: name, tracking_url, search_page\$" \
  "^$c:[0-9]+:[0-9]+: tracking_url of carrier '1002' has no \\{tracking_number\\}; put \\{tracking_number\\} where the parcel's number goes, e.g. https://jizen.kuronekoyamato.co.jp/jizen/servlet/crjz.b.NQ0010\\?id=\\{tracking_number\\}, or add 'search_page: true' if the carrier has no page per parcel\$" \
  "^$c:[0-9]+:[0-9]+: tracking_url of carrier '100[45]' is not a well-formed URL: it does not start with https://; write the carrier's tracking page as a URL, e.g. " \
  "^$c:[0-9]+:[0-9]+: tracking_url of carrier '1015' has a placeholder other than \\{tracking_number\\}; write the placeholder exactly as \\{tracking_number\\}\$" \
  "^6 errors in the configuration; nothing was changed or started\$"; do
  grep -qE -- "$line" <<<"$out" || fail "missing line /$line/ in: $out"
done
# The same in Japanese, with the place unchanged.
set +e
out=$(env -u LC_ALL -u LC_MESSAGES LANG=ja_JP.UTF-8 "$MUSUBID" --check-config --config "$work/config2/musubi.yaml" 2>&1)
set -e
grep -qF "配送会社 '1002' の tracking_url に追跡番号の差し込み {tracking_number} がありません。追跡番号が入る場所に {tracking_number} と書いてください（例: https://jizen.kuronekoyamato.co.jp/jizen/servlet/crjz.b.NQ0010?id={tracking_number}）。荷物ごとのページがない配送会社なら 'search_page: true' を書き足してください（検索ページへのリンクになります）" <<<"$out" ||
  fail "no Japanese carriers error: $out"
grep -qF "'carriers.1001' に 'trakking_url' というキーはありません。使えるキー: name, tracking_url, search_page" <<<"$out" ||
  fail "no Japanese unknown-key error: $out"
grep -qF "配送会社 '1004' の tracking_url が正しい URL ではありません（https:// で始まっていません）" <<<"$out" ||
  fail "no Japanese URL error: $out"

# 5. With a Japanese locale the same mistakes read in Japanese: the place and the names staff
#    typed stay as they are (issue 8).
cd "$work/config"
set +e
out=$(env -u LC_ALL -u LC_MESSAGES LANG=ja_JP.UTF-8 "$MUSUBID" --check-config --config musubi.yaml 2>&1)
code=$?
set -e
[ "$code" -eq 1 ] || fail "a broken config exited $code under LANG=ja_JP.UTF-8, not 1: $out"
expect "musubi.yaml:28:3: 'rakuten' に 'poll_intervall' というキーはありません。'poll_interval' のまちがいではありませんか？ 使えるキー: enabled, base_url, service_secret, service_secret_file, license_key, license_key_file, poll_interval, request_interval, timeout, overlap, backfill_horizon"
expect "scenarios/review-request.yaml:10:12: '3days' は期間として読めません。数と単位を続けて書いてください（例: 90m、3d、1h30m。単位: ms=ミリ秒, s=秒, m=分, h=時間, d=日, w=週）"

# 6. A flex button whose link renders empty for some friends (issue 17): the shipped
#    configuration with one more template, a notice whose button links to
#    {{shipping.tracking_url}} (empty when the carrier has no tracking page). It is refused at
#    the "uri" it names, in English and in Japanese.
rm -rf "$work/c6" && mkdir -p "$work/c6"
cp -r "$MUSUBI_SOURCE_DIR/config" "$MUSUBI_SOURCE_DIR/templates" "$work/c6/"
cat >"$work/c6/templates/shipping_flex.json" <<'JSON'
{
  "type": "flex",
  "altText": "ご注文の商品を発送しました",
  "contents": {
    "type": "bubble",
    "body": {"type": "box", "layout": "vertical", "contents": [
      {"type": "text", "text": "ご注文 {{order.number}} を発送しました", "wrap": true}
    ]},
    "footer": {"type": "box", "layout": "vertical", "contents": [
      {"type": "button", "style": "primary",
       "action": {"type": "uri", "label": "配送状況を見る", "uri": "{{shipping.tracking_url}}"}}
    ]}
  }
}
JSON
set +e
out=$("$MUSUBID" --check-config --config "$work/c6/config/musubi.yaml" 2>&1)
code=$?
set -e
[ "$code" -eq 1 ] || fail "an empty button link exited $code, not 1: $out"
[ "$out" = "$work/c6/templates/shipping_flex.json:11:54: messages[0].contents.footer.contents[0].action.uri is empty; LINE requires a link (when {{shipping.tracking_url}} is empty); the variable that makes the link (e.g. {{shipping.tracking_url}}) is empty for this message; give a fallback link with {{^name}}https://…{{/name}}
1 error in the configuration; nothing was changed or started" ] || fail "unexpected output for an empty button link: $out"
out=$(env -u LC_ALL -u LC_MESSAGES LANG=ja_JP.UTF-8 "$MUSUBID" --check-config --config "$work/c6/config/musubi.yaml" 2>&1) &&
  fail "an empty button link passed under LANG=ja_JP.UTF-8"
[ "$out" = "$work/c6/templates/shipping_flex.json:11:54: messages[0].contents.footer.contents[0].action.uri が空です（LINE ではリンクが必要です）（{{shipping.tracking_url}} が空のとき）。リンクを作る変数（例: {{shipping.tracking_url}}）がこのメッセージでは空です。{{^name}}https://…{{/name}} で代わりのリンクを書いてください
設定に 1 件のまちがいがあります。何も変更・起動していません" ] || fail "unexpected Japanese output for an empty button link: $out"
# With the fallback the shipped shipping_notice.json uses, it passes.
sed -i 's|"uri": "{{shipping.tracking_url}}"|"uri": "{{#shipping.tracking_url}}{{shipping.tracking_url}}{{/shipping.tracking_url}}{{^shipping.tracking_url}}https://order.my.rakuten.co.jp/{{/shipping.tracking_url}}"|' \
  "$work/c6/templates/shipping_flex.json"
out=$("$MUSUBID" --check-config --config "$work/c6/config/musubi.yaml" 2>&1) || fail "the fallback link was refused: $out"

echo "it.check_config: 1 passed, 0 failed"
