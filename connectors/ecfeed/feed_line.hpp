#pragma once
// The generic EC feed's wire format (README.md beside this file): JSON Lines, one object per
// line, each with a "type": "order", "shipment", "cancellation", "review", and an optional
// last "cursor" line that an HTTP page ends with. Parsing checks every field's presence and
// type and reports a bad line by number and reason without stopping at it. Reasons never
// repeat a value: lines hold buyers' e-mail addresses, phone numbers and names.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <tl/expected.hpp>

namespace musubi::ecfeed {

// Longest line read; a longer one is reported and skipped (an order with hundreds of items
// still fits many times over).
inline constexpr std::size_t k_max_line_bytes = 1024 * 1024;
inline constexpr std::size_t k_max_order_number_bytes = 64;

// Personal data: only ever hashed (daemon/rakuten/buyer_key.hpp) and never logged.
struct Buyer {
    std::string email;
    std::string phone;
    std::string given_name;
};

struct Item {
    std::string sku; // the shop's item code (Rakuten's manageNumber)
    std::string name;
    std::int64_t units = 0;
    std::int64_t price = 0; // yen per unit, tax included
};

struct OrderLine {
    std::string order_number;
    std::int64_t ordered_at_ms = 0;
    std::optional<std::int64_t> total; // yen; nullopt: not fixed yet
    std::vector<Item> items;
    Buyer buyer;
};

struct ShipmentLine {
    std::string order_number;
    std::int64_t shipped_at_ms = 0;
    std::string carrier_code; // optional, e.g. "yamato"
    std::string carrier;      // the carrier's name as shown to the buyer
    std::string tracking_number;
    std::string tracking_url;
};

struct CancellationLine {
    std::string order_number;
    std::int64_t cancelled_at_ms = 0;
};

struct ReviewLine {
    std::string order_number;
    std::string about; // "item" or "shop"
    std::string sku;   // item reviews: the item reviewed
    std::string item_name;
    int rating = 0; // 1–5
    std::int64_t posted_at_ms = 0;
};

// The position to ask for next ("since"), and whether more is waiting right now.
struct CursorLine {
    std::string next;
    bool more = false;
};

using FeedLine = std::variant<OrderLine, ShipmentLine, CancellationLine, ReviewLine, CursorLine>;

// Why a line was skipped. `order_number` is set when the line had a readable one.
struct LineProblem {
    int line = 0; // 1-based
    std::string order_number;
    std::string reason;
};

// One line, without its newline. The error is the reason.
tl::expected<FeedLine, LineProblem> parse_line(std::string_view text, int line_number);

struct NumberedLine {
    int line = 0;
    FeedLine value;
};

// A whole body or file. `cursor` is set only when the last non-blank line is a cursor line:
// a body cut short (a dropped connection, a full disk) has none and must not move the cursor.
struct ParsedFeed {
    std::vector<NumberedLine> lines; // without the cursor line
    std::vector<LineProblem> problems;
    std::optional<CursorLine> cursor;
    int read = 0; // non-blank lines, good and bad (the cursor line included)
};

ParsedFeed parse_feed(std::string_view body);

// ISO-8601 date and time with an offset ("2026-11-20T10:15:00+09:00", "…Z", fractions of a
// second allowed), as epoch milliseconds. The error says what was expected, not the input.
tl::expected<std::int64_t, std::string> parse_timestamp(std::string_view text);

// "2026-11-20T10:15:00+09:00" (JST) for epoch milliseconds, for logs and cursors.
std::string format_timestamp_jst(std::int64_t epoch_ms);

} // namespace musubi::ecfeed
