#include "daemon/linking/link_page.hpp"

#include <sstream>

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "daemon/http/web_server.hpp"
#include "daemon/linking/link_rules.hpp"
#include "daemon/linking/text_input.hpp"
#include "daemon/log/log.hpp"

namespace musubi::linking {

namespace {

constexpr std::size_t k_max_form_bytes = 4096;
constexpr std::chrono::milliseconds k_body_deadline{10'000};

const log::Logger& logger() {
    static const log::Logger instance("linking");
    return instance;
}

constexpr std::string_view k_style = R"CSS(
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans CJK JP","Hiragino Sans",sans-serif;background:#f6f7f4;
color:#222;font-size:17px;line-height:1.6}
main{max-width:30rem;margin:0 auto;padding:1.5rem 1.25rem 3rem}
h1{font-size:1.35rem;margin:.5rem 0 1rem}
p{margin:.5rem 0 1rem}
label{display:block;font-weight:bold;margin:1.25rem 0 .4rem}
small{display:block;color:#666;font-weight:normal;font-size:.85rem}
input{width:100%;font-size:1.25rem;padding:.8rem .9rem;border:2px solid #b8bdb0;
border-radius:.6rem;background:#fff}
input:focus{outline:none;border-color:#06c755}
button{width:100%;margin-top:1.75rem;font-size:1.2rem;font-weight:bold;padding:1rem;border:0;
border-radius:.6rem;background:#06c755;color:#fff}
.note{padding:.9rem 1rem;border-radius:.6rem;background:#fff3f0;border:1px solid #f2b8a8}
.done{padding:.9rem 1rem;border-radius:.6rem;background:#eefaf2;border:1px solid #9ad9b0}
)CSS";

std::string document(std::string_view title, std::string_view body) {
    std::string html;
    html += "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">";
    html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
    html += "<meta name=\"referrer\" content=\"no-referrer\">";
    html += "<title>" + escape_html(title) + "</title><style>";
    html += k_style;
    html += "</style></head><body><main>";
    html += body;
    html += "</main></body></html>\n";
    return html;
}

Page form_page(std::string_view token, std::string_view shop_name, std::string_view notice,
               std::string_view order) {
    std::string body = "<h1>ご注文とLINEの連携</h1>";
    if (!shop_name.empty()) {
        body +=
            "<p>" + escape_html(shop_name) + "でのご注文を、このLINEアカウントと連携します。</p>";
    }
    if (!notice.empty()) {
        body += "<p class=\"note\" role=\"alert\">" + escape_html(notice) + "</p>";
    }
    body += "<form method=\"post\" action=\"link\" autocomplete=\"off\">";
    body += "<input type=\"hidden\" name=\"t\" value=\"" + escape_html(token) + "\">";
    body += "<label for=\"order\">ご注文番号<small>例: 123456-20261122-0000000001</small></label>";
    body += "<input id=\"order\" name=\"order\" inputmode=\"numeric\" required maxlength=\"80\" "
            "value=\"" +
            escape_html(order) + "\">";
    body += "<label for=\"digits\">電話番号の下4桁<small>ご注文時のお電話番号の最後の4桁"
            "</small></label>";
    body += "<input id=\"digits\" name=\"digits\" inputmode=\"numeric\" required maxlength=\"20\" "
            "pattern=\"[0-9０-９]{4}\">";
    body += "<button type=\"submit\" id=\"submit\">連携する</button></form>";
    return {200, document("ご注文とLINEの連携", body)};
}

Page message_page(int status, std::string_view title, std::string_view css_class,
                  std::string_view message) {
    std::string body = "<h1>" + escape_html(title) + "</h1>";
    body += "<p class=\"" + std::string(css_class) + "\" id=\"result\">" + escape_html(message) +
            "</p><p>このページを閉じて、LINEのトーク画面にお戻りください。</p>";
    return {status, document(title, body)};
}

Page token_page(TokenError error) {
    if (error == TokenError::expired) {
        return message_page(410, "リンクの有効期限切れ", "note",
                            "このリンクは有効期限が切れています。お手数ですが、LINEのメニューから"
                            "もう一度開いてください。");
    }
    return message_page(403, "リンクが正しくありません", "note",
                        "このリンクは使えません。LINEのメニューからもう一度開いてください。");
}

constexpr std::string_view k_failed_notice =
    "ご注文番号またはお電話番号の下4桁が確認できませんでした。ご確認のうえ、もう一度入力して"
    "ください。";

void send(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
          const Page& page, bool close = false) {
    response.set("Cache-Control", "no-store");
    response.set("Pragma", "no-cache");
    response.set("Content-Security-Policy",
                 "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                 "base-uri 'none'; frame-ancestors 'none'");
    response.set("Referrer-Policy", "no-referrer");
    response.set("X-Content-Type-Options", "nosniff");
    http::send(request, response, static_cast<Poco::Net::HTTPResponse::HTTPStatus>(page.status),
               page.html, "text/html; charset=utf-8", close);
}

} // namespace

std::string escape_html(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

LinkPage::LinkPage(store::Links& links, Settings settings,
                   std::shared_ptr<const clock::Clock> clock)
    : m_links(links)
    , m_settings(std::move(settings))
    , m_clock(std::move(clock))
    , m_tokens(m_settings.hashing_key, m_settings.page_token_ttl_ms) {}

Page LinkPage::show(std::string_view token) const {
    const auto friend_id = m_tokens.verify(token, m_clock->now_ms());
    if (!friend_id) {
        return token_page(friend_id.error());
    }
    return form_page(token, m_settings.shop_name, "", "");
}

Page LinkPage::submit(std::string_view token, std::string_view order, std::string_view digits) {
    const std::int64_t now = m_clock->now_ms();
    const auto friend_id = m_tokens.verify(token, now);
    if (!friend_id) {
        return token_page(friend_id.error());
    }
    const auto order_number = find_order_number(order);
    const auto last4 = phone_last4(digits);
    if (!order_number || !last4) {
        return form_page(token, m_settings.shop_name,
                         "ご注文番号（例: 123456-20261122-0000000001）と、お電話番号の下4桁"
                         "（数字4つ）を入力してください。",
                         order);
    }
    fetch_before_check(m_links, m_settings, *friend_id, order_number->order_number, now);
    auto tx = m_links.begin();
    if (!tx) {
        logger().error("link_store_failed", {{"error", tx.error().to_string()}});
        return message_page(503, "ただいま混み合っています", "note",
                            "しばらくしてからもう一度お試しください。");
    }
    auto friend_row = (*tx)->friend_by_id(*friend_id);
    if (!friend_row || !*friend_row) {
        return token_page(TokenError::forged);
    }
    auto result = attempt_order_link(**tx, m_settings, *friend_id, "web",
                                     order_number->order_number, *last4, now);
    if (!result || !(*tx)->commit()) {
        logger().error("link_store_failed", {{"friend_id", *friend_id}, {"method", "web"}});
        return message_page(503, "ただいま混み合っています", "note",
                            "しばらくしてからもう一度お試しください。");
    }
    logger().info("link_attempt", {{"friend_id", *friend_id},
                                   {"method", "web"},
                                   {"order_number", order_number->order_number},
                                   {"outcome", outcome_name(result->outcome)}});
    switch (result->outcome) {
    case Outcome::linked:
    case Outcome::already_linked:
        return message_page(200, "連携が完了しました", "done",
                            "ご注文とLINEの連携が完了しました。発送のお知らせなどをLINEで"
                            "お届けします。");
    case Outcome::taken:
        return message_page(200, "連携できませんでした", "note",
                            "このご注文はすでに別のLINEアカウントと連携されています。"
                            "お心当たりがない場合はお問い合わせください。");
    case Outcome::cooldown:
        return message_page(429, "しばらくお待ちください", "note",
                            "確認の回数が上限に達しました。しばらく時間をおいてから、もう一度"
                            "お試しください。");
    case Outcome::failed:
        break;
    }
    return form_page(token, m_settings.shop_name, k_failed_notice, order_number->order_number);
}

void LinkPage::get(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
    const Poco::Net::HTMLForm query(request); // the query string only, for GET
    send(request, response, show(query.get("t", "")));
}

void LinkPage::post(Poco::Net::HTTPServerRequest& request,
                    Poco::Net::HTTPServerResponse& response) {
    auto body = http::read_body(request, k_max_form_bytes, k_body_deadline);
    if (!body) {
        send(request, response,
             message_page(body.error() == http::BodyError::too_large ? 413 : 408,
                          "送信できませんでした", "note",
                          "ページを開き直して、もう一度お試しください。"),
             true);
        return;
    }
    Poco::Net::HTMLForm form;
    try {
        form.setFieldLimit(10);
        std::istringstream stream(*body);
        form.load(request, stream);
    } catch (const Poco::Exception&) {
        send(request, response,
             message_page(400, "送信内容を読み取れませんでした", "note",
                          "ページを開き直して、もう一度お試しください。"));
        return;
    }
    send(request, response,
         submit(form.get("t", ""), form.get("order", ""), form.get("digits", "")));
}

} // namespace musubi::linking
