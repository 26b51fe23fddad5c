#include "daemon/templates/template_set.hpp"

// Sample values for every member documented in template_set.hpp, realistic enough that a
// template rendered with them shows staff what a friend would see, and long enough (a full
// order number, a real tracking URL) that LINE's limits are tested with plausible lengths.

namespace musubi::templates {

nlohmann::json TemplateSet::sample_context() {
    using nlohmann::json;
    const std::string order_number = "123456-20261122-0000000001";
    return {
        {"shop", {{"name", "むすびマルシェ"}}},
        {"friend",
         {{"display_name", "田中"},
          {"linked", true},
          {"tags", json::array({"リピーター", "お茶好き"})},
          {"tag", {{"リピーター", true}, {"お茶好き", true}}},
          {"segment", "vip"},
          {"segments", {{"vip", true}}}}},
        {"buyer", {{"given_name", "花子"}}},
        {"order",
         {{"number", order_number},
          {"total", 5400},
          {"total_text", "5,400円"},
          {"ordered_at", "2026年11月22日"},
          {"review_url", "https://order.my.rakuten.co.jp/"},
          {"first", true},
          {"items", json::array({{{"name", "有機ほうじ茶 100g"},
                                  {"manage_number", "houjicha-100"},
                                  {"units", 2},
                                  {"price", 1620},
                                  {"price_text", "1,620円"}},
                                 {{"name", "抹茶どら焼き 5個入り"},
                                  {"manage_number", "dorayaki-5"},
                                  {"units", 1},
                                  {"price", 2160},
                                  {"price_text", "2,160円"}}})}}},
        {"shipping",
         {{"carrier_name", "ヤマト運輸"},
          {"carrier_code", "1001"},
          {"tracking_number", "123456789012"},
          {"tracking_url",
           "https://jizen.kuronekoyamato.co.jp/jizen/servlet/crjz.b.NQ0010?id=123456789012"}}},
        {"review", {{"rating", 5}, {"item_name", "有機ほうじ茶 100g"}}},
        {"link",
         {{"url", "https://shop.example/link?t=eyJmIjoiVTRhZjQ5ODA2MjkifQ.c2lnbmF0dXJl"},
          {"order_number", order_number}}},
        {"vars",
         {{"coupon_code", "REVIEW500"},
          {"coupon_url", "https://coupon.rakuten.co.jp/getCoupon?getkey=SAMPLE-REVIEW500"}}},
    };
}

const std::vector<std::string>& TemplateSet::sparse_members() {
    // What daemon/engine/render_context.cpp may leave empty for a friend or an order that is
    // otherwise as the template expects: a friend not linked yet (no buyer, no linked order
    // number), in no segment and with no tags; an order whose total is not fixed yet; a
    // parcel whose carrier has no tracking page or that has no tracking number.
    static const std::vector<std::string> members{
        "buyer.given_name",      "friend.segment", "friend.tags",
        "link.order_number",     "order.total",    "shipping.tracking_number",
        "shipping.tracking_url", "link.url",
    };
    return members;
}

nlohmann::json TemplateSet::sparse_sample_context(bool link_page) {
    auto context = sample_context();
    context["friend"]["linked"] = false;
    context["friend"]["tags"] = nlohmann::json::array();
    context["friend"]["tag"] = nlohmann::json::object();
    context["friend"]["segment"] = "";
    context["friend"]["segments"] = nlohmann::json::object();
    context["buyer"]["given_name"] = "";
    context["link"]["order_number"] = "";
    context["order"]["total"] = nullptr;
    context["order"]["total_text"] = "確定後にお知らせします";
    context["shipping"]["tracking_number"] = "";
    context["shipping"]["tracking_url"] = "";
    if (!link_page) {
        context["link"]["url"] = ""; // linking::make_page_url without linking.page_url
    }
    return context;
}

} // namespace musubi::templates
