#!/usr/bin/env bash
# it.spec_messages: every kind of LINE message object a shop may write in a JSON template, sent
# by a real musubid — flex bubble and carousel (boxes, texts with spans, images, icons,
# separators, fillers, buttons with each action, quick replies), image, video, audio, sticker,
# location, imagemap, buttons / confirm / carousel / image-carousel templates, a text with LINE
# emoji. A follow sends ten (two steps of five: the first by the follow's reply token, the second
# by push), a keyword three by reply. The ledger
# must show each one delivered as written, nothing refused; spec.bodies then validates every body
# musubid sent here against LINE's OpenAPI specification (the suite's other tests send only
# text and buttons templates).
set -euo pipefail

# shellcheck source=../support/musubid.sh
source "$(dirname "$0")/../support/musubid.sh"
it_setup spec_messages
user=U5bec0000000000000000000000000001

start_sim
mkdir -p "$work/config/scenarios" "$work/templates" "$work/state"
cat >"$work/config/scenarios/showcase.yaml" <<'YAML'
scenario: showcase
description: every message type, on follow
trigger: friend.followed
reentry: once
steps:
  - name: flex-and-media
    send: showcase_a
  - name: templates
    send: showcase_b
YAML
cat >"$work/config/scenarios/showcase-reply.yaml" <<'YAML'
scenario: showcase-reply
description: media and emoji, by reply to a keyword
trigger: friend.message
keywords: [見本]
reentry: always
steps:
  - send: showcase_c
YAML
cat >"$work/templates/showcase_a.json" <<'JSON'
[
  {
    "type": "flex",
    "altText": "{{shop.name}}のおすすめ",
    "contents": {
      "type": "bubble",
      "size": "mega",
      "hero": {"type": "image", "url": "https://shop.example/img/hero.jpg", "size": "full",
               "aspectRatio": "20:13", "aspectMode": "cover",
               "action": {"type": "uri", "label": "商品", "uri": "https://shop.example/items/1"}},
      "body": {
        "type": "box", "layout": "vertical", "spacing": "md",
        "contents": [
          {"type": "text", "text": "{{friend.display_name}}さん、ようこそ", "weight": "bold", "size": "xl", "wrap": true},
          {"type": "box", "layout": "baseline", "margin": "md", "contents": [
            {"type": "icon", "url": "https://shop.example/img/star.png", "size": "sm"},
            {"type": "text", "text": "4.8", "size": "sm", "color": "#999999", "flex": 0}
          ]},
          {"type": "separator", "margin": "md"},
          {"type": "text", "text": "新茶", "contents": [
            {"type": "span", "text": "新茶 ", "weight": "bold"},
            {"type": "span", "text": "入荷しました", "color": "#1DB446"}
          ]},
          {"type": "filler"}
        ]
      },
      "footer": {
        "type": "box", "layout": "vertical", "spacing": "sm",
        "contents": [
          {"type": "button", "style": "primary", "height": "sm",
           "action": {"type": "uri", "label": "ショップへ", "uri": "https://shop.example/"}},
          {"type": "button", "style": "link",
           "action": {"type": "postback", "label": "お知らせを受け取る", "data": "subscribe=news", "displayText": "受け取る"}},
          {"type": "button", "style": "secondary",
           "action": {"type": "message", "label": "問い合わせ", "text": "問い合わせ"}},
          {"type": "button",
           "action": {"type": "datetimepicker", "label": "来店予約", "data": "visit", "mode": "datetime"}}
        ]
      }
    },
    "quickReply": {"items": [
      {"type": "action", "action": {"type": "message", "label": "営業時間", "text": "営業時間"}},
      {"type": "action", "action": {"type": "postback", "label": "クーポン", "data": "coupon", "displayText": "クーポン"}},
      {"type": "action", "imageUrl": "https://shop.example/img/cam.png", "action": {"type": "camera", "label": "カメラ"}},
      {"type": "action", "action": {"type": "cameraRoll", "label": "写真"}},
      {"type": "action", "action": {"type": "location", "label": "位置情報"}},
      {"type": "action", "action": {"type": "datetimepicker", "label": "日付", "data": "date", "mode": "date"}}
    ]}
  },
  {
    "type": "flex",
    "altText": "新商品",
    "contents": {
      "type": "carousel",
      "contents": [
        {"type": "bubble", "size": "micro",
         "body": {"type": "box", "layout": "vertical",
                  "action": {"type": "uri", "label": "ほうじ茶", "uri": "https://shop.example/items/2"},
                  "contents": [{"type": "text", "text": "有機ほうじ茶 100g"}, {"type": "text", "text": "1,620円", "size": "sm"}]}},
        {"type": "bubble", "size": "micro",
         "body": {"type": "box", "layout": "vertical",
                  "contents": [{"type": "text", "text": "玄米茶 200g"}, {"type": "text", "text": "980円", "size": "sm"}]}}
      ]
    }
  },
  {"type": "image", "originalContentUrl": "https://shop.example/img/a.jpg", "previewImageUrl": "https://shop.example/img/a-s.jpg"},
  {"type": "sticker", "packageId": "446", "stickerId": "1988"},
  {"type": "location", "title": "{{shop.name}}", "address": "東京都千代田区丸の内1-1-1", "latitude": 35.681236, "longitude": 139.767125}
]
JSON
cat >"$work/templates/showcase_b.json" <<'JSON'
[
  {"type": "template", "altText": "ご案内",
   "template": {"type": "buttons", "thumbnailImageUrl": "https://shop.example/img/t.jpg",
                "imageAspectRatio": "rectangle", "title": "ご案内", "text": "ご用件を選んでください",
                "defaultAction": {"type": "uri", "label": "ショップ", "uri": "https://shop.example/"},
                "actions": [
                  {"type": "postback", "label": "注文の確認", "data": "orders"},
                  {"type": "message", "label": "送料", "text": "送料"},
                  {"type": "uri", "label": "電話する", "uri": "tel:0312345678"},
                  {"type": "datetimepicker", "label": "日時", "data": "when", "mode": "time"}]}},
  {"type": "template", "altText": "確認",
   "template": {"type": "confirm", "text": "メールマガジンを受け取りますか？",
                "actions": [{"type": "message", "label": "はい", "text": "はい"},
                            {"type": "postback", "label": "いいえ", "data": "mail=no"}]}},
  {"type": "template", "altText": "おすすめ",
   "template": {"type": "carousel", "imageAspectRatio": "square", "columns": [
     {"thumbnailImageUrl": "https://shop.example/img/1.jpg", "title": "ほうじ茶", "text": "1,620円",
      "actions": [{"type": "uri", "label": "見る", "uri": "https://shop.example/items/1"},
                  {"type": "postback", "label": "お気に入り", "data": "fav=1"}]},
     {"thumbnailImageUrl": "https://shop.example/img/2.jpg", "title": "玄米茶", "text": "980円",
      "actions": [{"type": "uri", "label": "見る", "uri": "https://shop.example/items/2"},
                  {"type": "postback", "label": "お気に入り", "data": "fav=2"}]}]}},
  {"type": "template", "altText": "写真で選ぶ",
   "template": {"type": "image_carousel", "columns": [
     {"imageUrl": "https://shop.example/img/1.jpg", "action": {"type": "uri", "label": "ほうじ茶", "uri": "https://shop.example/items/1"}},
     {"imageUrl": "https://shop.example/img/2.jpg", "action": {"type": "message", "label": "玄米茶", "text": "玄米茶"}}]}},
  {"type": "imagemap", "baseUrl": "https://shop.example/imagemap/sale", "altText": "セール",
   "baseSize": {"width": 1040, "height": 1040},
   "actions": [
     {"type": "uri", "linkUri": "https://shop.example/sale", "area": {"x": 0, "y": 0, "width": 520, "height": 1040}},
     {"type": "message", "text": "セール", "area": {"x": 520, "y": 0, "width": 520, "height": 1040}}]}
]
JSON
cat >"$work/templates/showcase_c.json" <<'JSON'
[
  {"type": "text", "text": "$ {{friend.display_name}}さん、見本です",
   "emojis": [{"index": 0, "productId": "5ac1bfd5040ab15980c9b435", "emojiId": "001"}]},
  {"type": "video", "originalContentUrl": "https://shop.example/v/a.mp4", "previewImageUrl": "https://shop.example/v/a.jpg"},
  {"type": "audio", "originalContentUrl": "https://shop.example/a/a.m4a", "duration": 60000}
]
JSON
{ musubi_yaml spec-messages 見本茶舗; echo "scenarios: scenarios/*.yaml"; } >"$config"
"$MUSUBID" --check-config --config "$config" >"$work/check.log" 2>&1 || fail "config: $(cat "$work/check.log")"

start_daemon && wait_for "event=ready"
curl -sf -X POST -d "{\"webhook_url\": \"http://$(listen_address webhook)/webhook/line\"}" \
  "$api/_sim/line/config" >/dev/null || fail "the simulator refused the webhook URL"
sim_friend() { curl -sf -X POST -d "$2" "$api/_sim/line/friends/$user/$1"; }
delivered() { curl -sf "$api/_sim/line/ledger/$user" | jq -c '[.deliveries[] | [.endpoint, .message.type, (.message.template.type // .message.contents.type // "")]]'; }

sim_friend follow '{"displayName": "見本"}' | jq -e '.deliveries[0].status == 200' >/dev/null ||
  fail "musubid did not answer the follow with 200"
for _ in $(seq 100); do [ "$(delivered | jq length)" -ge 10 ] && break; sleep 0.1; done
sim_friend text '{"text": "見本をください"}' | jq -e '.deliveries[0].status == 200' >/dev/null ||
  fail "musubid did not answer the message with 200"
for _ in $(seq 100); do [ "$(delivered | jq length)" -ge 13 ] && break; sleep 0.1; done

# The follow's two steps are sent independently (one by reply, one by push), so only the order
# within each endpoint is fixed.
by_endpoint() { delivered | jq -c --arg e "$1" '[.[] | select(.[0] == $e)]'; }
expected_replies='[["reply","flex","bubble"],["reply","flex","carousel"],["reply","image",""],["reply","sticker",""],["reply","location",""],["reply","text",""],["reply","video",""],["reply","audio",""]]'
expected_pushes='[["push","template","buttons"],["push","template","confirm"],["push","template","carousel"],["push","template","image_carousel"],["push","imagemap",""]]'
[ "$(delivered | jq length)" = 13 ] || fail "the ledger shows $(delivered), expected 13 messages"
[ "$(by_endpoint reply)" = "$expected_replies" ] ||
  fail "the replies were $(by_endpoint reply), expected $expected_replies"
[ "$(by_endpoint push)" = "$expected_pushes" ] ||
  fail "the pushes were $(by_endpoint push), expected $expected_pushes"
refused=$(curl -sf "$api/_sim/line/ledger" | jq -c '.refused')
[ "$refused" = "[]" ] || fail "the simulator refused: $refused"
stop_daemon
echo "it.spec_messages: 13 messages of every type delivered (5 pushed, 8 replied); spec.bodies checks them"
