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

} // namespace musubi::templates
