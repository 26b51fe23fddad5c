#!/usr/bin/env bash
# it.proxy: the shipped proxy files (packaging/proxy/) in front of a running musubid, tried for
# real with Debian's nginx and Debian's Caddy. Each file is changed only where a shop changes it —
# the listen address, the server name, the certificate settings (a self-signed certificate for
# nginx, Caddy's internal issuer) and the upstream port — and then, over HTTPS through it:
# - a signed LINE webhook body reaches musubid unchanged (the follow is stored, its greeting with
#   the link-page URL is on the simulator's ledger);
# - headless Chromium opens that link page, fills in the order number and phone digits and
#   submits: the friend is linked in the store;
# - the shop's site asks /account-link for a link token; LINE's accountLink event then links the
#   member;
# - /link?t=… is not redirected, and every other path — the admin address's /metrics, /status,
#   /healthz, the prefixes /link/ and /webhook/ — answers 404 from outside.
# Needs nginx, caddy, openssl, chromium, node, curl, jq, sqlite3 (scripts/install-deps); exits 77
# (skipped) when one is missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
# shellcheck source=../support/musubid.sh
source "$here/../support/musubid.sh"

for tool in nginx caddy openssl chromium node curl jq sqlite3; do
  command -v "$tool" >/dev/null || { echo "SKIP: no $tool (scripts/install-deps installs it)"; exit 77; }
done

it_setup proxy
nginx_pid='' caddy_pid='' browser_pid=''
it_before_cleanup() {
  for p in $browser_pid $caddy_pid $nginx_pid; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
}

site_token=proxy-site-token-0123456789
bot_user=U8e742f61d673b39c7fff3cecb7536ef0 # the simulator's default bot user ID (destination)
host=shop.test
user() { printf 'U%032x' "$1"; }
sim_post() { curl -sf -X POST -H 'Content-Type: application/json' -d "${2:-{\}}" "$api/_sim$1"; }

# A TCP port nobody listens on now.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

start_sim
nginx_port=$(free_port)
caddy_port=$(free_port)

# One order per proxy, each with its own phone, for the link page to find.
order_for() {
  sim_post /rakuten/orders "{\"buyer\":{\"phone\":\"$1\",\"firstName\":\"花子\"}}" | jq -r .orderNumber
}
nginx_order=$(order_for 090-1111-5678)
caddy_order=$(order_for 080-2222-4321)

mkdir -p "$work/config/scenarios" "$work/templates" "$work/state"
echo '{{shop.name}}です。ご注文との連携はこちら: {{link.url}}' >"$work/templates/welcome.txt"
cat >"$work/config/scenarios/welcome.yaml" <<'YAML'
scenario: welcome
trigger: friend.followed
steps:
  - send: welcome
YAML
{
  musubi_yaml proxy-test プロキシ商店 127.0.0.1:0 |
    sed -e 's#^webhook: .*#webhook: {listen: 127.0.0.1:0, path: /webhook}#'
  cat <<YAML
scenarios: scenarios/*.yaml
rakuten:
  enabled: true
  base_url: $api
  service_secret: SP000000_musubi_sim_secret
  license_key: SL000000_musubi_sim_key
  poll_interval: 1s
  request_interval: 0ms
  backfill_horizon: 1d
linking:
  page_url: https://$host:$nginx_port/link
  site_token: $site_token
YAML
} >"$config"
start_daemon
wait_for "event=ready" 20
upstream=$(listen_address webhook)
admin=$(listen_address admin)
[ -n "$upstream" ] && [ -n "$admin" ] || fail "musubid logged no listen addresses"
# The simulator's own webhooks (follows, the accountLink event) go to musubid directly.
sim_post /line/config "{\"webhook_url\":\"http://$upstream/webhook\"}" >/dev/null

# --- The proxies, from the shipped files -------------------------------------------------------

# Checks that a configured copy differs from the shipped file in exactly the lines a shop changes.
changed_lines() { diff "$1" "$2" | grep -c '^>' || true; }

mkdir -p "$work/nginx"/{body,proxy,fastcgi,uwsgi,scgi}
chmod 777 "$work/nginx"/{body,proxy,fastcgi,uwsgi,scgi}
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$host" \
  -addext "subjectAltName=DNS:$host" -keyout "$work/nginx/key.pem" -out "$work/nginx/cert.pem" \
  2>/dev/null
sed -e "s#listen 443 ssl http2;#listen 127.0.0.1:$nginx_port ssl http2;#" \
  -e "s#server_name shop.example.jp;#server_name $host;#" \
  -e "s#ssl_certificate .*#ssl_certificate     $work/nginx/cert.pem;#" \
  -e "s#ssl_certificate_key .*#ssl_certificate_key $work/nginx/key.pem;#" \
  -e "s#127.0.0.1:8080#$upstream#" \
  "$source_dir/packaging/proxy/nginx-musubi.conf" >"$work/nginx/musubi.conf"
# listen, server_name, two certificate lines and the three upstreams.
[ "$(changed_lines "$source_dir/packaging/proxy/nginx-musubi.conf" "$work/nginx/musubi.conf")" = 7 ] ||
  fail "the nginx file did not take the expected 7 substitutions: $(diff "$source_dir/packaging/proxy/nginx-musubi.conf" "$work/nginx/musubi.conf")"
# The main file Debian's /etc/nginx/nginx.conf would be, with this test's folders.
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    access_log $work/nginx/access.log;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    include $work/nginx/musubi.conf;
}
CONF
nginx -t -q -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" -g 'daemon off;' 2>"$work/nginx/check.log" ||
  fail "nginx refused the shipped file: $(cat "$work/nginx/check.log")"
nginx -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" -g 'daemon off;' 2>>"$work/nginx/error.log" &
nginx_pid=$!

mkdir -p "$work/caddy"
{
  cat <<CADDY
{
	admin off
	storage file_system $work/caddy/data
	skip_install_trust
	auto_https disable_redirects
	default_bind 127.0.0.1
	local_certs
}

CADDY
  sed -e "s#^shop.example.jp {#$host:$caddy_port {#" -e "s#127.0.0.1:8080#$upstream#" \
    "$source_dir/packaging/proxy/Caddyfile"
} >"$work/caddy/Caddyfile"
[ "$(changed_lines "$source_dir/packaging/proxy/Caddyfile" "$work/caddy/Caddyfile")" = 13 ] ||
  fail "the Caddyfile did not take the expected substitutions: $(diff "$source_dir/packaging/proxy/Caddyfile" "$work/caddy/Caddyfile")"
HOME="$work/caddy" XDG_CONFIG_HOME="$work/caddy" XDG_DATA_HOME="$work/caddy" \
  caddy run --adapter caddyfile --config "$work/caddy/Caddyfile" >"$work/caddy/caddy.log" 2>&1 &
caddy_pid=$!

# Waits until a proxy answers TLS on its port; the CA file must verify it.
wait_for_proxy() {
  local port=$1 ca=$2
  for _ in $(seq 100); do
    [ -s "$ca" ] && curl -s -o /dev/null --cacert "$ca" --resolve "$host:$port:127.0.0.1" \
      "https://$host:$port/" && return 0
    sleep 0.1
  done
  fail "no HTTPS on port $port: $(tail -5 "$work/nginx/error.log" "$work/caddy/caddy.log")"
}
caddy_ca="$work/caddy/data/pki/authorities/local/root.crt"
wait_for_proxy "$nginx_port" "$work/nginx/cert.pem"
wait_for_proxy "$caddy_port" "$caddy_ca"

# --- Chromium ---------------------------------------------------------------------------------
chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --disable-background-networking --no-first-run --no-default-browser-check \
  --disable-extensions --user-data-dir="$work/profile" --remote-debugging-port=0 \
  --host-resolver-rules="MAP $host 127.0.0.1" --ignore-certificate-errors \
  about:blank >"$work/chromium.log" 2>&1 &
browser_pid=$!
for _ in $(seq 200); do [ -s "$work/profile/DevToolsActivePort" ] && break; sleep 0.1; done
devtools=$(head -n1 "$work/profile/DevToolsActivePort" 2>/dev/null) ||
  fail "Chromium did not open its DevTools port"

# --- Driving musubid through each proxy ---------------------------------------------------------

drive() {
  local name=$1 port=$2 ca=$3 n=$4 order=$5 digits=$6
  local base="https://$host:$port" friend
  friend=$(user "$n")
  https() { curl -s --cacert "$ca" --resolve "$host:$port:127.0.0.1" "$@"; }

  # 1. The webhook: LINE's follow event, signed with the channel secret, through the proxy.
  sim_post /line/friends "{\"userId\":\"$friend\",\"displayName\":\"$name-friend\"}" >/dev/null
  local event body signature status
  event=$(sim_post "/line/friends/$friend/follow" '{"send":false}' | jq -c .event)
  body="{\"destination\":\"$bot_user\",\"events\":[$event]}"
  signature=$(printf '%s' "$body" |
    openssl dgst -sha256 -hmac "$it_channel_secret" -binary | base64)
  status=$(https -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "x-line-signature: $signature" --data-binary "$body" "$base/webhook")
  [ "$status" = 200 ] || fail "$name: the webhook through the proxy answered $status"
  status=$(https -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "x-line-signature: AAAA$signature" --data-binary "$body" "$base/webhook")
  [ "$status" = 401 ] || fail "$name: a forged signature through the proxy answered $status"

  local url=''
  for _ in $(seq 100); do
    url=$(curl -sf "$api/_sim/line/ledger/$friend" |
      jq -r '.deliveries[0].message.text // empty' | grep -o 'https://[^ ]*' || true)
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || fail "$name: no greeting with the link-page URL on the ledger for $friend"
  [ "$(db "SELECT count(*) FROM friends WHERE line_user_id = '$friend'")" = 1 ] ||
    fail "$name: the follow through the proxy made no friend"
  # The URL names the configured page; the same token opens it through this proxy.
  url="$base/link?${url#*\?}"

  # 2. /link?t=… is answered by musubid itself, not redirected.
  status=$(https -o /dev/null -w '%{http_code}' "$url")
  [ "$status" = 200 ] || fail "$name: GET /link?t=… answered $status"

  # 3. The link page in headless Chromium, through the proxy.
  node "$source_dir/tests/browser/link_page.mjs" "$devtools" "$url" \
    "${MUSUBI_ARTIFACTS:-$work/artifacts}" "$order" "$digits" "proxy_$name" >"$work/node-$name.log" 2>&1 ||
    fail "$name: the link page did not link in Chromium: $(cat "$work/node-$name.log")"
  [ "$(db "SELECT count(*) FROM links l JOIN friends f ON f.id = l.friend_id
           WHERE f.line_user_id = '$friend' AND l.method = 'web' AND l.unlinked_at IS NULL")" = 1 ] ||
    fail "$name: the store holds no web link for $friend"

  # 4. The account-link request from the shop's site, and LINE's accountLink event.
  local member=$((n + 100)) answer nonce token
  local account_friend
  account_friend=$(user "$member")
  sim_post /line/friends "{\"userId\":\"$account_friend\",\"displayName\":\"$name-member\"}" >/dev/null
  sim_post "/line/friends/$account_friend/follow" >/dev/null
  answer=$(https -X POST -H "Authorization: Bearer $site_token" -H 'Content-Type: application/json' \
    -d "{\"line_user_id\":\"$account_friend\",\"member_id\":\"member-$member\"}" "$base/account-link")
  nonce=$(jq -r '.nonce // empty' <<<"$answer")
  token=$(jq -r '.linkToken // empty' <<<"$answer")
  [ -n "$nonce" ] && [ -n "$token" ] || fail "$name: /account-link through the proxy answered '$answer'"
  sim_post "/line/friends/$account_friend/account_link" \
    "{\"nonce\":\"$nonce\",\"linkToken\":\"$token\"}" >/dev/null
  local linked=0
  for _ in $(seq 100); do
    linked=$(db "SELECT count(*) FROM links l JOIN friends f ON f.id = l.friend_id
                 WHERE f.line_user_id = '$account_friend' AND l.unlinked_at IS NULL")
    [ "$linked" = 1 ] && break
    sleep 0.1
  done
  [ "$linked" = 1 ] || fail "$name: the account link made no link for $account_friend"

  # 5. Nothing else is reachable: the admin paths and neighbours of the public ones.
  local path
  for path in / /metrics /status /status.json /healthz /link/ /webhook/ /account-link/x /r/x; do
    status=$(https -o /dev/null -w '%{http_code}' -H "Authorization: Bearer proxy-test-admin-token" \
      "$base$path")
    [ "$status" = 404 ] || fail "$name: $path answered $status from outside (expected 404)"
  done
  # The admin address itself still answers on loopback.
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$admin/healthz")" = 200 ] ||
    fail "$name: the admin address stopped answering on loopback"
  echo "$name: webhook, link page, account link through HTTPS; other paths 404"
}

drive nginx "$nginx_port" "$work/nginx/cert.pem" 1 "$nginx_order" 5678
drive caddy "$caddy_port" "$caddy_ca" 2 "$caddy_order" 4321
stop_daemon
echo "PASS: it.proxy"
