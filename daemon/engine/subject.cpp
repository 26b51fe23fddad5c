#include "daemon/engine/subject.hpp"

#include <algorithm>

#include "daemon/engine/jst.hpp"

namespace musubi::engine {

namespace {

using Value = std::optional<config::ConditionValue>;

std::int64_t days_since(std::int64_t then_ms, std::int64_t now_ms) {
    return (now_ms - then_ms) / jst::k_day_ms;
}

std::vector<std::string> item_numbers(const store::OrderView& order) {
    std::vector<std::string> numbers;
    const auto items = nlohmann::json::parse(order.items_json, nullptr, false);
    if (items.is_array()) {
        for (const auto& item : items) {
            if (item.contains("manageNumber") && item["manageNumber"].is_string()) {
                numbers.push_back(item["manageNumber"].get<std::string>());
            }
        }
    }
    return numbers;
}

// The field's value for this subject; nullopt when it is unknown.
Value field_value(const std::string& field, const Subject& s) {
    const auto& f = s.friend_view;
    if (field == "friend.linked") {
        return config::ConditionValue(f.buyer_id.has_value());
    }
    if (field == "friend.tags") {
        return config::ConditionValue(f.tags);
    }
    if (field == "friend.days_since_follow") {
        return f.followed_at_ms ? Value(days_since(*f.followed_at_ms, s.now_ms)) : std::nullopt;
    }
    if (field == "friend.inflow_source") {
        return config::ConditionValue(f.inflow_source);
    }
    if (field.starts_with("orders.") || field == "reviews.count") {
        if (!s.buyer) {
            return std::nullopt;
        }
        if (field == "orders.count") {
            return config::ConditionValue(s.buyer->orders);
        }
        if (field == "orders.total_spent") {
            return config::ConditionValue(s.buyer->total_spent);
        }
        if (field == "orders.days_since_last") {
            return s.buyer->last_order_at_ms
                       ? Value(days_since(*s.buyer->last_order_at_ms, s.now_ms))
                       : std::nullopt;
        }
        return config::ConditionValue(s.buyer->reviews);
    }
    if (!s.order) {
        return std::nullopt;
    }
    if (field == "order.total") {
        return s.order->total ? Value(*s.order->total) : std::nullopt;
    }
    if (field == "order.items") {
        return config::ConditionValue(item_numbers(*s.order));
    }
    if (field == "order.carrier") {
        return config::ConditionValue(s.order->carrier_code);
    }
    if (field == "order.first") {
        return config::ConditionValue(s.order->first);
    }
    return std::nullopt;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

bool compare(const config::ConditionValue& actual, config::ConditionOp op,
             const config::ConditionValue& expected) {
    using config::ConditionOp;
    if (op == ConditionOp::contains) {
        const auto* list = std::get_if<std::vector<std::string>>(&actual);
        if (list == nullptr) {
            return false;
        }
        if (const auto* one = std::get_if<std::string>(&expected)) {
            return contains(*list, *one);
        }
        if (const auto* any = std::get_if<std::vector<std::string>>(&expected)) {
            return std::any_of(any->begin(), any->end(),
                               [&](const auto& v) { return contains(*list, v); });
        }
        return false;
    }
    if (op == ConditionOp::in) {
        const auto* options = std::get_if<std::vector<std::string>>(&expected);
        const auto* text = std::get_if<std::string>(&actual);
        return options != nullptr && text != nullptr && contains(*options, *text);
    }
    const auto* number = std::get_if<std::int64_t>(&actual);
    const auto* bound = std::get_if<std::int64_t>(&expected);
    switch (op) {
    case ConditionOp::eq:
        return actual == expected;
    case ConditionOp::ne:
        return actual != expected;
    case ConditionOp::gt:
        return number && bound && *number > *bound;
    case ConditionOp::gte:
        return number && bound && *number >= *bound;
    case ConditionOp::lt:
        return number && bound && *number < *bound;
    case ConditionOp::lte:
        return number && bound && *number <= *bound;
    default:
        return false;
    }
}

} // namespace

bool conditions_hold(const std::vector<config::Condition>& conditions, const Subject& subject) {
    return std::all_of(conditions.begin(), conditions.end(), [&](const config::Condition& c) {
        const Value actual = field_value(c.field, subject);
        if (!actual) {
            return c.op == config::ConditionOp::ne;
        }
        return compare(*actual, c.op, c.value);
    });
}

} // namespace musubi::engine
