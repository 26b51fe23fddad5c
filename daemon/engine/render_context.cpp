#include "daemon/engine/render_context.hpp"

#include "daemon/engine/jst.hpp"

namespace musubi::engine {

namespace {

nlohmann::json parse_object(const std::string& text) {
    auto json = nlohmann::json::parse(text, nullptr, false);
    return json.is_object() ? json : nlohmann::json::object();
}

std::string text_of(const nlohmann::json& object, const char* key) {
    return object.contains(key) && object[key].is_string() ? object[key].get<std::string>()
                                                           : std::string();
}

nlohmann::json order_context(const store::OrderView& order) {
    nlohmann::json items = nlohmann::json::array();
    const auto stored = nlohmann::json::parse(order.items_json, nullptr, false);
    if (stored.is_array()) {
        for (const auto& item : stored) {
            const auto price = item.value("price", std::int64_t{0});
            items.push_back({{"name", item.value("name", std::string())},
                             {"manage_number", item.value("manageNumber", std::string())},
                             {"units", item.value("units", std::int64_t{0})},
                             {"price", price},
                             {"price_text", yen_text(price)}});
        }
    }
    nlohmann::json context{{"number", order.number},
                           {"ordered_at", jst::date_text(order.ordered_at_ms)},
                           {"items", std::move(items)},
                           {"first", order.first},
                           // Rakuten buyers write reviews from their purchase history.
                           {"review_url", "https://order.my.rakuten.co.jp/"}};
    if (order.total) {
        context["total"] = *order.total;
        context["total_text"] = yen_text(*order.total);
    } else {
        context["total"] = nullptr;
        context["total_text"] = "確定後にお知らせします";
    }
    return context;
}

// Shipping details come with the order.shipped fact (carrier table applied at poll time).
void add_shipping(nlohmann::json& context, const nlohmann::json& payload) {
    if (!payload.contains("carrier") || !payload["carrier"].is_object()) {
        return;
    }
    const auto& carrier = payload["carrier"];
    context["shipping"] = {{"carrier_name", text_of(carrier, "name")},
                           {"carrier_code", text_of(carrier, "code")},
                           {"tracking_number", text_of(carrier, "tracking_number")},
                           {"tracking_url", text_of(carrier, "tracking_url")}};
}

void add_review(nlohmann::json& context, const nlohmann::json& payload) {
    if (payload.contains("rating")) {
        context["review"] = {{"rating", payload["rating"]},
                             {"item_name", text_of(payload, "item_name")}};
    }
}

} // namespace

std::string yen_text(std::int64_t amount) {
    const std::string digits = std::to_string(amount < 0 ? -amount : amount);
    std::string text = amount < 0 ? "-" : "";
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            text.push_back(',');
        }
        text.push_back(digits[i]);
    }
    return text + "円";
}

nlohmann::json render_context(const config::Config& config, const Subject& subject,
                              const std::optional<store::FactRow>& trigger,
                              const std::optional<store::FactRow>& cause,
                              const std::map<std::string, std::string>& vars,
                              const std::string& link_url) {
    const auto& f = subject.friend_view;
    nlohmann::json tags = nlohmann::json::array();
    nlohmann::json tag_set = nlohmann::json::object();
    for (const auto& tag : f.tags) {
        tags.push_back(tag);
        tag_set[tag] = true;
    }
    nlohmann::json segment_set = nlohmann::json::object();
    if (!f.segment.empty()) {
        segment_set[f.segment] = true;
    }
    nlohmann::json context{
        {"shop", {{"name", config.shop.name}}},
        {"friend",
         {{"display_name", f.display_name.empty() ? std::string("お客") : f.display_name},
          {"linked", f.buyer_id.has_value()},
          {"tags", std::move(tags)},
          {"tag", std::move(tag_set)},
          {"segment", f.segment},
          {"segments", std::move(segment_set)}}},
        {"buyer", {{"given_name", f.given_name}}},
        {"link", {{"url", link_url}}},
        {"vars", vars},
    };
    if (subject.order) {
        context["order"] = order_context(*subject.order);
    }
    for (const auto* fact : {trigger ? &*trigger : nullptr, cause ? &*cause : nullptr}) {
        if (fact == nullptr) {
            continue;
        }
        const auto payload = parse_object(fact->payload_json);
        add_shipping(context, payload);
        add_review(context, payload);
        if (fact->kind == "friend.linked") {
            context["link"]["order_number"] = text_of(payload, "order_number");
        }
    }
    return context;
}

} // namespace musubi::engine
