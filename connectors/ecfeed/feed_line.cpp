#include "connectors/ecfeed/feed_line.hpp"

#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace musubi::ecfeed {

namespace {

using nlohmann::json;

constexpr const char* k_timestamp_hint =
    "an ISO-8601 time with offset, e.g. 2026-11-20T10:15:00+09:00";

// Reads the fields of one object, keeping the first problem: the caller checks `failed()`
// once all fields are read, so each line type reads like a list of its fields.
class FieldReader {
public:
    FieldReader(const json& object, std::string prefix = "")
        : m_object(object)
        , m_prefix(std::move(prefix)) {}

    bool failed() const { return m_error.has_value(); }
    const std::string& error() const { return *m_error; }
    void fail(std::string reason) {
        if (!m_error) {
            m_error = std::move(reason);
        }
    }

    std::string name(const char* key) const { return "'" + m_prefix + key + "'"; }

    // nullptr when absent or null.
    const json* find(const char* key) const {
        const auto it = m_object.find(key);
        return it == m_object.end() || it->is_null() ? nullptr : &*it;
    }

    std::string text(const char* key, bool required) {
        const json* value = find(key);
        if (value == nullptr) {
            if (required) {
                fail("missing " + name(key));
            }
            return {};
        }
        if (!value->is_string()) {
            fail(name(key) + " must be a string");
            return {};
        }
        return value->get<std::string>();
    }

    std::optional<std::int64_t> integer(const char* key, bool required) {
        const json* value = find(key);
        if (value == nullptr) {
            if (required) {
                fail("missing " + name(key));
            }
            return std::nullopt;
        }
        if (!value->is_number_integer()) {
            fail(name(key) + " must be an integer");
            return std::nullopt;
        }
        return value->get<std::int64_t>();
    }

    std::int64_t not_negative(const char* key) {
        const auto value = integer(key, true);
        if (value && *value < 0) {
            fail(name(key) + " must not be negative");
        }
        return value.value_or(0);
    }

    std::int64_t timestamp(const char* key) {
        const std::string value = text(key, true);
        if (failed()) {
            return 0;
        }
        auto parsed = parse_timestamp(value);
        if (!parsed) {
            fail(name(key) + " is not " + k_timestamp_hint);
            return 0;
        }
        return *parsed;
    }

    std::string order_number() {
        std::string number = text("order_number", true);
        if (failed()) {
            return number;
        }
        if (number.empty()) {
            fail("'order_number' is empty");
        } else if (number.size() > k_max_order_number_bytes) {
            fail("'order_number' is longer than " + std::to_string(k_max_order_number_bytes) +
                 " bytes");
        } else {
            for (const unsigned char c : number) {
                if (c <= ' ' || c == 0x7f) {
                    fail("'order_number' contains a space or control character");
                    break;
                }
            }
        }
        return number;
    }

private:
    const json& m_object;
    std::string m_prefix;
    std::optional<std::string> m_error;
};

Item read_item(const json& value, std::size_t index, FieldReader& order) {
    const std::string prefix = "items[" + std::to_string(index) + "].";
    if (!value.is_object()) {
        order.fail("'items[" + std::to_string(index) + "]' must be an object");
        return {};
    }
    FieldReader fields(value, prefix);
    Item item;
    item.sku = fields.text("sku", true);
    item.name = fields.text("name", true);
    item.units = fields.not_negative("units");
    item.price = fields.not_negative("price");
    if (fields.failed()) {
        order.fail(fields.error());
    }
    return item;
}

Buyer read_buyer(FieldReader& order) {
    const json* value = order.find("buyer");
    if (value == nullptr) {
        return {};
    }
    if (!value->is_object()) {
        order.fail("'buyer' must be an object");
        return {};
    }
    FieldReader fields(*value, "buyer.");
    Buyer buyer;
    buyer.email = fields.text("email", false);
    buyer.phone = fields.text("phone", false);
    buyer.given_name = fields.text("given_name", false);
    if (fields.failed()) {
        order.fail(fields.error());
    }
    return buyer;
}

OrderLine read_order(FieldReader& fields) {
    OrderLine order;
    order.order_number = fields.order_number();
    order.ordered_at_ms = fields.timestamp("ordered_at");
    order.total = fields.integer("total", false);
    if (order.total && *order.total < 0) {
        fields.fail("'total' must not be negative");
    }
    const json* items = fields.find("items");
    if (items == nullptr) {
        fields.fail("missing 'items'");
    } else if (!items->is_array()) {
        fields.fail("'items' must be an array");
    } else {
        for (std::size_t i = 0; i < items->size(); ++i) {
            order.items.push_back(read_item((*items)[i], i, fields));
        }
    }
    order.buyer = read_buyer(fields);
    return order;
}

ShipmentLine read_shipment(FieldReader& fields) {
    ShipmentLine shipment;
    shipment.order_number = fields.order_number();
    shipment.shipped_at_ms = fields.timestamp("shipped_at");
    shipment.carrier_code = fields.text("carrier_code", false);
    shipment.carrier = fields.text("carrier", false);
    shipment.tracking_number = fields.text("tracking_number", false);
    shipment.tracking_url = fields.text("tracking_url", false);
    if (!shipment.tracking_url.empty() && !shipment.tracking_url.starts_with("https://") &&
        !shipment.tracking_url.starts_with("http://")) {
        fields.fail("'tracking_url' must start with https:// or http://");
    }
    return shipment;
}

CancellationLine read_cancellation(FieldReader& fields) {
    CancellationLine cancellation;
    cancellation.order_number = fields.order_number();
    cancellation.cancelled_at_ms = fields.timestamp("cancelled_at");
    return cancellation;
}

ReviewLine read_review(FieldReader& fields) {
    ReviewLine review;
    review.order_number = fields.order_number();
    review.about = fields.text("about", true);
    if (!fields.failed() && review.about != "item" && review.about != "shop") {
        fields.fail("'about' must be \"item\" or \"shop\"");
    }
    review.sku = fields.text("sku", false);
    review.item_name = fields.text("item_name", false);
    if (!fields.failed() && review.about == "item" && review.sku.empty() &&
        review.item_name.empty()) {
        fields.fail("an item review needs 'sku' or 'item_name'");
    }
    const auto rating = fields.integer("rating", true);
    if (rating && (*rating < 1 || *rating > 5)) {
        fields.fail("'rating' must be 1 to 5");
    }
    review.rating = static_cast<int>(rating.value_or(0));
    review.posted_at_ms = fields.timestamp("posted_at");
    return review;
}

CursorLine read_cursor(FieldReader& fields) {
    CursorLine cursor;
    cursor.next = fields.text("next", true);
    if (!fields.failed() && cursor.next.empty()) {
        fields.fail("'next' is empty");
    }
    if (const json* more = fields.find("more"); more != nullptr) {
        if (more->is_boolean()) {
            cursor.more = more->get<bool>();
        } else {
            fields.fail("'more' must be true or false");
        }
    }
    return cursor;
}

bool is_blank(std::string_view text) {
    return text.find_first_not_of(" \t\r") == std::string_view::npos;
}

int digits(std::string_view text, std::size_t at, std::size_t count, bool& ok) {
    int value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (i >= text.size() || text[i] < '0' || text[i] > '9') {
            ok = false;
            return 0;
        }
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

} // namespace

tl::expected<std::int64_t, std::string> parse_timestamp(std::string_view text) {
    const auto refuse = [] { return tl::unexpected(std::string("expected ") + k_timestamp_hint); };
    // yyyy-mm-ddThh:mm:ss[.fff…](Z|±hh:mm)
    bool ok = text.size() >= 20;
    const int year = digits(text, 0, 4, ok);
    const int month = digits(text, 5, 2, ok);
    const int day = digits(text, 8, 2, ok);
    const int hour = digits(text, 11, 2, ok);
    const int minute = digits(text, 14, 2, ok);
    const int second = digits(text, 17, 2, ok);
    if (!ok || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') ||
        text[13] != ':' || text[16] != ':') {
        return refuse();
    }
    std::size_t at = 19;
    int millis = 0;
    if (at < text.size() && text[at] == '.') {
        int scale = 100;
        std::size_t fraction = 0;
        for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, ++fraction) {
            millis += (text[at] - '0') * scale;
            scale /= 10;
        }
        if (fraction == 0) {
            return refuse();
        }
    }
    int offset_minutes = 0;
    if (at < text.size() && (text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) {
        offset_minutes = 0;
    } else if (at < text.size() && (text[at] == '+' || text[at] == '-') && at + 6 == text.size() &&
               text[at + 3] == ':') {
        bool offset_ok = true;
        const int hours = digits(text, at + 1, 2, offset_ok);
        const int minutes = digits(text, at + 4, 2, offset_ok);
        if (!offset_ok || hours > 23 || minutes > 59) {
            return refuse();
        }
        offset_minutes = (hours * 60 + minutes) * (text[at] == '-' ? -1 : 1);
    } else {
        return refuse();
    }
    const std::chrono::year_month_day date{std::chrono::year(year),
                                           std::chrono::month(static_cast<unsigned>(month)),
                                           std::chrono::day(static_cast<unsigned>(day))};
    if (!date.ok() || hour > 23 || minute > 59 || second > 59) {
        return refuse();
    }
    const auto local = std::chrono::sys_days(date) + std::chrono::hours(hour) +
                       std::chrono::minutes(minute - offset_minutes) +
                       std::chrono::seconds(second) + std::chrono::milliseconds(millis);
    return std::chrono::duration_cast<std::chrono::milliseconds>(local.time_since_epoch()).count();
}

std::string format_timestamp_jst(std::int64_t epoch_ms) {
    const auto jst =
        std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(epoch_ms)) +
        std::chrono::hours(9);
    const auto day = std::chrono::floor<std::chrono::days>(jst);
    const std::chrono::year_month_day date(day);
    const std::chrono::hh_mm_ss time(std::chrono::floor<std::chrono::seconds>(jst - day));
    char text[40];
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d+09:00",
                  static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                  static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                  static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()));
    return text;
}

tl::expected<FeedLine, LineProblem> parse_line(std::string_view text, int line_number) {
    const auto problem = [line_number](std::string reason, std::string order_number = {}) {
        return tl::unexpected(LineProblem{line_number, std::move(order_number), std::move(reason)});
    };
    if (text.size() > k_max_line_bytes) {
        return problem("the line is longer than " + std::to_string(k_max_line_bytes) + " bytes");
    }
    json object;
    try {
        object = json::parse(text);
    } catch (const json::parse_error& error) {
        // The parser's own message quotes the input, which may be personal data.
        return problem("not JSON (syntax error at byte " + std::to_string(error.byte) + ")");
    } catch (const json::out_of_range&) {
        return problem("not JSON (a number is too large)");
    }
    if (!object.is_object()) {
        return problem("not a JSON object");
    }
    FieldReader fields(object);
    const std::string type = fields.text("type", true);
    if (fields.failed()) {
        return problem(fields.error());
    }
    FeedLine line;
    if (type == "order") {
        line = read_order(fields);
    } else if (type == "shipment") {
        line = read_shipment(fields);
    } else if (type == "cancellation") {
        line = read_cancellation(fields);
    } else if (type == "review") {
        line = read_review(fields);
    } else if (type == "cursor") {
        line = read_cursor(fields);
    } else {
        return problem("unknown type (expected order, shipment, cancellation, review or cursor)");
    }
    if (fields.failed()) {
        // The order number helps staff find the order, unless it is what was wrong.
        const json* number = fields.find("order_number");
        std::string shown;
        if (number != nullptr && number->is_string() &&
            number->get_ref<const std::string&>().size() <= k_max_order_number_bytes) {
            shown = number->get<std::string>();
        }
        return problem(fields.error(), shown);
    }
    return line;
}

ParsedFeed parse_feed(std::string_view body) {
    ParsedFeed parsed;
    int line_number = 0;
    std::optional<CursorLine> last_cursor;
    int cursor_line = 0;
    std::size_t start = 0;
    while (start < body.size()) {
        std::size_t end = body.find('\n', start);
        if (end == std::string_view::npos) {
            end = body.size();
        }
        std::string_view text = body.substr(start, end - start);
        start = end + 1;
        ++line_number;
        if (line_number == 1 && text.starts_with("\xEF\xBB\xBF")) {
            text.remove_prefix(3); // a byte-order mark some editors write
        }
        if (!text.empty() && text.back() == '\r') {
            text.remove_suffix(1);
        }
        if (is_blank(text)) {
            continue;
        }
        ++parsed.read;
        if (last_cursor) {
            // Only the last line may be the cursor: an earlier one is skipped.
            parsed.problems.push_back(
                {cursor_line, "", "a cursor line must be the last line; this one was ignored"});
            last_cursor.reset();
        }
        auto line = parse_line(text, line_number);
        if (!line) {
            parsed.problems.push_back(std::move(line.error()));
        } else if (auto* cursor = std::get_if<CursorLine>(&*line)) {
            last_cursor = std::move(*cursor);
            cursor_line = line_number;
        } else {
            parsed.lines.push_back({line_number, std::move(*line)});
        }
    }
    parsed.cursor = std::move(last_cursor);
    return parsed;
}

} // namespace musubi::ecfeed
