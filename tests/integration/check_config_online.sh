#!/usr/bin/env bash
# it.check_config_online: `musubid --check-config --online` and `musubictl config check
# --online` against musubi-sim's validate routes (its own reading of LINE's specification).
# - All good: every template (rendered for a sample friend) and every rich menu is accepted;
#   "OK: LINE accepted …", exit 0.
# - A template and a rich menu that pass musubi's offline checks but break a rule of the
#   specification (an enum) are refused by LINE: its verdict is printed at the file:line:col
#   of the property it names; exit 1 (3 for musubictl). A template the offline checks refuse
#   is reported first and not sent.
# - LINE cannot be asked (a wrong access token, nothing listening): a clear line and exit 69
#   (6 for musubictl), distinct from a configuration error.
set -euo pipefail
: "${MUSUBICTL:?path to musubictl}"

# shellcheck source=../support/musubid.sh
source "$(dirname "$0")/../support/musubid.sh"
it_setup check_config_online
start_sim

mkdir -p "$work/config" "$work/templates/richmenus" "$work/state"
cp "$MUSUBI_SOURCE_DIR"/templates/{greeting.txt,shipping_notice.json,review_request.json} "$work/templates/"
cp "$MUSUBI_SOURCE_DIR"/templates/richmenus/guest.{json,png} "$work/templates/richmenus/"
cat >"$work/config/richmenus.yaml" <<'YAML'
richmenus:
  - name: guest
    definition: richmenus/guest.json
    image: richmenus/guest.png
default: guest
YAML
{ musubi_yaml online-test オンライン商店; echo "richmenus: richmenus.yaml"; } >"$config"

# 1. All good.
out=$("$MUSUBID" --check-config --online --config "$config" 2>&1) || fail "a good config was refused: $out"
[ "$out" = "OK: LINE accepted 3 templates and 1 rich menu
OK: $config (shop online-test, 0 scenarios)" ] || fail "unexpected output: $out"
out=$("$MUSUBICTL" --config "$config" config check --online 2>&1) || fail "musubictl refused a good config: $out"
grep -qxF "OK: LINE accepted 3 templates and 1 rich menu" <<<"$out" || fail "musubictl: $out"

# 2. What only LINE refuses, and what musubi refuses first.
cat >"$work/templates/sale.json" <<'JSON'
{
  "type": "flex",
  "altText": "セールのお知らせ",
  "contents": {
    "type": "bubble",
    "size": "huge",
    "body": {"type": "box", "layout": "vertical",
      "contents": [{"type": "text", "text": "{{shop.name}} のセール"}]}
  }
}
JSON
cat >"$work/templates/tracking.json" <<'JSON'
{"type": "flex", "altText": "発送しました", "contents": {"type": "bubble",
  "footer": {"type": "box", "layout": "vertical", "contents": [
    {"type": "button", "action": {"type": "uri", "label": "配送状況", "uri": "{{shipping.tracking_url}}"}}]}}}
JSON
sed -i 's/"data": "menu=link", /"data": "menu=link", "inputOption": "shout", /' "$work/templates/richmenus/guest.json"
set +e
out=$("$MUSUBID" --check-config --online --config "$config" 2>&1)
code=$?
set -e
[ "$code" -eq 1 ] || fail "refusals exited $code, not 1: $out"
[ "$out" = "$work/templates/tracking.json:3:67: messages[0].contents.footer.contents[0].action.uri is empty; LINE requires a link (when {{shipping.tracking_url}} is empty); the variable that makes the link (e.g. {{shipping.tracking_url}}) is empty for this message; give a fallback link with {{^name}}https://…{{/name}}
$work/templates/sale.json:6:5: LINE refused messages[0].contents.size: must be one of the following values: [nano, micro, deca, hecto, kilo, mega, giga]
$work/templates/richmenus/guest.json:8:80: LINE refused areas[0].action.inputOption: must be one of the following values: [closeRichMenu, openRichMenu, openKeyboard, openVoice]
3 errors in the configuration; nothing was changed or started" ] || fail "unexpected output for refusals (offline first, then LINE's verdicts): $out"
grep -q "tracking.json.*LINE refused" <<<"$out" && fail "a template refused offline was sent to LINE: $out"
set +e
ctl_out=$("$MUSUBICTL" --config "$config" config check --online 2>&1)
code=$?
set -e
[ "$code" -eq 3 ] || fail "musubictl exited $code on refusals, not 3: $ctl_out"
[ "$ctl_out" = "$out" ] || fail "musubictl and musubid disagree:
$ctl_out
---
$out"
# In Japanese the place and LINE's own words stay; musubi's words are Japanese.
out=$(env -u LC_ALL -u LC_MESSAGES LANG=ja_JP.UTF-8 "$MUSUBID" --check-config --online --config "$config" 2>&1) &&
  fail "refusals passed under LANG=ja_JP.UTF-8"
grep -qxF "$work/templates/sale.json:6:5: LINE が messages[0].contents.size を受け付けませんでした: must be one of the following values: [nano, micro, deca, hecto, kilo, mega, giga]" <<<"$out" ||
  fail "no Japanese verdict: $out"
grep -qF "が空です（LINE ではリンクが必要です）（{{shipping.tracking_url}} が空のとき）。" <<<"$out" ||
  fail "no Japanese offline error: $out"

# 3. LINE cannot be asked: a wrong token, then nothing listening.
rm "$work/templates/sale.json" "$work/templates/tracking.json"
sed -i 's/"inputOption": "shout", //' "$work/templates/richmenus/guest.json"
sed -i 's/channel_access_token: musubi-sim-token/channel_access_token: not-the-token/' "$config"
set +e
out=$("$MUSUBID" --check-config --online --config "$config" 2>&1)
code=$?
set -e
[ "$code" -eq 69 ] || fail "a refused token exited $code, not 69: $out"
[[ "$out" == "musubid: LINE could not check the configuration: LINE refused the channel access token (HTTP 401"* ]] ||
  fail "unexpected output for a refused token: $out"
set +e
"$MUSUBICTL" --config "$config" config check --online >/dev/null 2>&1
code=$?
set -e
[ "$code" -eq 6 ] || fail "musubictl exited $code for a refused token, not 6"
sed -i 's/channel_access_token: not-the-token/channel_access_token: musubi-sim-token/' "$config"
kill "$sim" && wait "$sim" 2>/dev/null || true
sim=''
set +e
out=$("$MUSUBID" --check-config --online --config "$config" 2>&1)
code=$?
set -e
[ "$code" -eq 69 ] || fail "an unreachable LINE exited $code, not 69: $out"
[[ "$out" == "musubid: LINE could not check the configuration: could not reach LINE at line.api_base_url"* ]] ||
  fail "unexpected output for an unreachable LINE: $out"
# Offline the same configuration is fine.
"$MUSUBID" --check-config --config "$config" >/dev/null || fail "offline check failed"

echo "it.check_config_online: LINE's verdicts at file:line:col, offline errors first, exit 69/6 when LINE cannot be asked: passed"
