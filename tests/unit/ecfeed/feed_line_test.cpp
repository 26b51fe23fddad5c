// The EC feed's wire format: each line type read field by field, every reason a line is
// skipped, times with offsets, and the cursor line that must end a page.

#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "connectors/ecfeed/feed_line.hpp"

using namespace musubi;
using namespace musubi::ecfeed;

namespace {

const std::string k_order =
    R"({"type":"order","order_number":"W-1","ordered_at":"2026-11-20T10:15:00+09:00",)"
    R"("total":5400,"items":[{"sku":"s-1","name":"煎茶","units":2,"price":1800}],)"
    R"("buyer":{"email":"a@example.jp","phone":"090-1234-5678","given_name":"花子"}})";

// The reason `text` is skipped with (fails the test when it is read).
std::string reason(const std::string& text) {
    auto line = parse_line(text, 7);
    BOOST_REQUIRE_MESSAGE(!line.has_value(), "the line was read: " + text);
    BOOST_TEST(line.error().line == 7);
    return line.error().reason;
}

// An order line with one field replaced by `value` (JSON text), or removed when it is empty.
std::string order_with(const std::string& field, const std::string& value) {
    nlohmann::json order = {{"type", "order"},
                            {"order_number", "W-1"},
                            {"ordered_at", "2026-11-20T10:15:00+09:00"},
                            {"total", 5400},
                            {"items", nlohmann::json::array()}};
    if (value.empty()) {
        order.erase(field);
    } else {
        order[field] = nlohmann::json::parse(value);
    }
    return order.dump();
}

} // namespace

BOOST_AUTO_TEST_SUITE(ecfeed_line)

BOOST_AUTO_TEST_CASE(an_order_line_is_read_with_items_and_buyer) {
    auto line = parse_line(k_order, 1);
    BOOST_REQUIRE(line.has_value());
    const auto& order = std::get<OrderLine>(*line);
    BOOST_TEST(order.order_number == "W-1");
    BOOST_TEST(order.ordered_at_ms == 1795137300000); // 2026-11-20T01:15:00Z
    BOOST_TEST(*order.total == 5400);
    BOOST_REQUIRE(order.items.size() == 1u);
    BOOST_TEST(order.items[0].sku == "s-1");
    BOOST_TEST(order.items[0].name == "煎茶");
    BOOST_TEST(order.items[0].units == 2);
    BOOST_TEST(order.items[0].price == 1800);
    BOOST_TEST(order.buyer.email == "a@example.jp");
    BOOST_TEST(order.buyer.phone == "090-1234-5678");
    BOOST_TEST(order.buyer.given_name == "花子");
}

BOOST_AUTO_TEST_CASE(optional_fields_may_be_absent_or_null_and_unknown_ones_are_ignored) {
    auto line = parse_line(R"({"type":"order","order_number":"W-2","ordered_at":)"
                           R"("2026-11-20T01:15:00Z","total":null,"items":[],"coupon":"X"})",
                           1);
    BOOST_REQUIRE(line.has_value());
    const auto& order = std::get<OrderLine>(*line);
    BOOST_TEST(!order.total.has_value());
    BOOST_TEST(order.items.empty());
    BOOST_TEST(order.buyer.email.empty());
    BOOST_TEST(order.ordered_at_ms == 1795137300000);
}

BOOST_AUTO_TEST_CASE(shipment_cancellation_review_and_cursor_lines_are_read) {
    auto shipment = parse_line(
        R"({"type":"shipment","order_number":"W-1","shipped_at":"2026-11-21T15:40:00+09:00",)"
        R"("carrier":"ヤマト運輸","carrier_code":"yamato","tracking_number":"1234",)"
        R"("tracking_url":"https://example.jp/t?n=1234"})",
        1);
    BOOST_REQUIRE(shipment.has_value());
    const auto& s = std::get<ShipmentLine>(*shipment);
    BOOST_TEST(s.carrier == "ヤマト運輸");
    BOOST_TEST(s.carrier_code == "yamato");
    BOOST_TEST(s.tracking_number == "1234");
    BOOST_TEST(s.tracking_url == "https://example.jp/t?n=1234");
    BOOST_TEST(s.shipped_at_ms == 1795243200000);

    auto cancellation = parse_line(
        R"({"type":"cancellation","order_number":"W-1","cancelled_at":"2026-11-21T00:00:00Z"})", 2);
    BOOST_REQUIRE(cancellation.has_value());
    BOOST_TEST(std::get<CancellationLine>(*cancellation).cancelled_at_ms == 1795219200000);

    auto review = parse_line(R"({"type":"review","order_number":"W-1","about":"item","sku":)"
                             R"("s-1","rating":5,"posted_at":"2026-11-24T20:11:00+09:00"})",
                             3);
    BOOST_REQUIRE(review.has_value());
    BOOST_TEST(std::get<ReviewLine>(*review).about == "item");
    BOOST_TEST(std::get<ReviewLine>(*review).sku == "s-1");
    BOOST_TEST(std::get<ReviewLine>(*review).rating == 5);

    auto cursor = parse_line(R"({"type":"cursor","next":"abc#1","more":true})", 4);
    BOOST_REQUIRE(cursor.has_value());
    BOOST_TEST(std::get<CursorLine>(*cursor).next == "abc#1");
    BOOST_TEST(std::get<CursorLine>(*cursor).more);
}

BOOST_AUTO_TEST_CASE(every_reason_a_line_is_skipped) {
    BOOST_TEST(reason("{\"type\":") == "not JSON (syntax error at byte 9)");
    BOOST_TEST(reason("[1,2]") == "not a JSON object");
    BOOST_TEST(reason(std::string(k_max_line_bytes + 1, ' ')) ==
               "the line is longer than 1048576 bytes");
    BOOST_TEST(reason(R"({"order_number":"W-1"})") == "missing 'type'");
    BOOST_TEST(reason(R"({"type":1})") == "'type' must be a string");
    BOOST_TEST(reason(R"({"type":"refund"})") ==
               "unknown type (expected order, shipment, cancellation, review or cursor)");
    BOOST_TEST(reason(order_with("order_number", "")) == "missing 'order_number'");
    BOOST_TEST(reason(order_with("order_number", "12")) == "'order_number' must be a string");
    BOOST_TEST(reason(order_with("order_number", "\"\"")) == "'order_number' is empty");
    BOOST_TEST(reason(order_with("order_number", "\"" + std::string(65, '1') + "\"")) ==
               "'order_number' is longer than 64 bytes");
    BOOST_TEST(reason(order_with("order_number", "\"W 1\"")) ==
               "'order_number' contains a space or control character");
    BOOST_TEST(reason(order_with("ordered_at", "")) == "missing 'ordered_at'");
    BOOST_TEST(reason(order_with("ordered_at", "\"2026-11-20 10:15:00\"")) ==
               "'ordered_at' is not an ISO-8601 time with offset, e.g. "
               "2026-11-20T10:15:00+09:00");
    BOOST_TEST(reason(order_with("total", "\"5400\"")) == "'total' must be an integer");
    BOOST_TEST(reason(order_with("total", "54.5")) == "'total' must be an integer");
    BOOST_TEST(reason(order_with("total", "-1")) == "'total' must not be negative");
    BOOST_TEST(reason(order_with("items", "")) == "missing 'items'");
    BOOST_TEST(reason(order_with("items", "{}")) == "'items' must be an array");
    BOOST_TEST(reason(order_with("items", "[1]")) == "'items[0]' must be an object");
    BOOST_TEST(reason(order_with("items", R"([{"sku":"a","name":"b","units":1}])")) ==
               "missing 'items[0].price'");
    BOOST_TEST(reason(order_with("items", R"([{"sku":"a","name":"b","units":"1","price":1}])")) ==
               "'items[0].units' must be an integer");
    BOOST_TEST(reason(order_with("items", R"([{"sku":"a","name":"b","units":-1,"price":1}])")) ==
               "'items[0].units' must not be negative");
    BOOST_TEST(reason(order_with("buyer", "\"x\"")) == "'buyer' must be an object");
    BOOST_TEST(reason(order_with("buyer", R"({"phone":9012345678})")) ==
               "'buyer.phone' must be a string");

    const std::string review = R"({"type":"review","order_number":"W-1","posted_at":)"
                               R"("2026-11-24T20:11:00+09:00",)";
    BOOST_TEST(reason(review + R"("rating":5})") == "missing 'about'");
    BOOST_TEST(reason(review + R"("about":"staff","rating":5})") ==
               "'about' must be \"item\" or \"shop\"");
    BOOST_TEST(reason(review + R"("about":"item","rating":5})") ==
               "an item review needs 'sku' or 'item_name'");
    BOOST_TEST(reason(review + R"("about":"shop","rating":6})") == "'rating' must be 1 to 5");
    BOOST_TEST(reason(review + R"("about":"shop"})") == "missing 'rating'");

    BOOST_TEST(reason(R"({"type":"shipment","order_number":"W-1","shipped_at":)"
                      R"("2026-11-24T20:11:00+09:00","tracking_url":"javascript:x"})") ==
               "'tracking_url' must start with https:// or http://");
    BOOST_TEST(reason(R"({"type":"cancellation","order_number":"W-1"})") ==
               "missing 'cancelled_at'");
    BOOST_TEST(reason(R"({"type":"cursor","next":""})") == "'next' is empty");
    BOOST_TEST(reason(R"({"type":"cursor","next":"a","more":"yes"})") ==
               "'more' must be true or false");
}

BOOST_AUTO_TEST_CASE(a_skipped_line_names_its_order_number_but_never_repeats_the_line) {
    auto line = parse_line(order_with("total", "\"hanako@example.jp\""), 3);
    BOOST_REQUIRE(!line.has_value());
    BOOST_TEST(line.error().order_number == "W-1");
    BOOST_TEST(line.error().reason.find("hanako") == std::string::npos);
    auto broken = parse_line(R"({"type":"order","buyer":{"email":"hanako@example.jp")", 4);
    BOOST_REQUIRE(!broken.has_value());
    BOOST_TEST(broken.error().reason.find("hanako") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(times_need_an_offset_and_a_real_date) {
    BOOST_TEST(*parse_timestamp("2026-11-20T10:15:00+09:00") == 1795137300000);
    BOOST_TEST(*parse_timestamp("2026-11-20T01:15:00Z") == 1795137300000);
    BOOST_TEST(*parse_timestamp("2026-11-19T20:15:00-05:00") == 1795137300000);
    BOOST_TEST(*parse_timestamp("2026-11-20T01:15:00.25Z") == 1795137300250);
    for (const char* wrong : {"2026-11-20T10:15:00", "2026-11-20", "2026-02-30T10:15:00+09:00",
                              "2026-11-20T24:00:00+09:00", "2026-11-20T10:15:00+0900",
                              "2026-11-20T10:15:00.Z", "2026/11/20T10:15:00+09:00", ""}) {
        BOOST_TEST(!parse_timestamp(wrong).has_value(), wrong);
    }
    BOOST_TEST(format_timestamp_jst(1795137300000) == "2026-11-20T10:15:00+09:00");
}

BOOST_AUTO_TEST_CASE(a_feed_is_read_line_by_line_past_bad_lines) {
    const std::string body =
        "\xEF\xBB\xBF" + k_order + "\r\n\n{oops}\n" + R"({"type":"cursor","next":"c2"})" + "\n";
    const auto parsed = parse_feed(body);
    BOOST_TEST(parsed.read == 3);
    BOOST_REQUIRE(parsed.lines.size() == 1u);
    BOOST_TEST(parsed.lines[0].line == 1);
    BOOST_REQUIRE(parsed.problems.size() == 1u);
    BOOST_TEST(parsed.problems[0].line == 3);
    BOOST_TEST(parsed.problems[0].reason == "not JSON (syntax error at byte 2)");
    BOOST_REQUIRE(parsed.cursor.has_value());
    BOOST_TEST(parsed.cursor->next == "c2");
    BOOST_TEST(!parsed.cursor->more);
}

BOOST_AUTO_TEST_CASE(only_a_last_cursor_line_counts_so_a_cut_page_moves_nothing) {
    const auto cut = parse_feed(R"({"type":"cursor","next":"c1"})"
                                "\n" +
                                k_order + "\n");
    BOOST_TEST(!cut.cursor.has_value());
    BOOST_REQUIRE(cut.problems.size() == 1u);
    BOOST_TEST(cut.problems[0].line == 1);
    BOOST_TEST(cut.problems[0].reason ==
               "a cursor line must be the last line; this one was ignored");
    const auto truncated = parse_feed(k_order + "\n" + k_order.substr(0, 40));
    BOOST_TEST(!truncated.cursor.has_value());
    BOOST_TEST(truncated.lines.size() == 1u);
}

BOOST_AUTO_TEST_CASE(the_shipped_examples_read_without_problems) {
    const auto read_example = [](const char* name) {
        std::ifstream in(std::filesystem::path(MUSUBI_SOURCE_DIR) / "config/ecfeed" / name);
        std::ostringstream text;
        text << in.rdbuf();
        return parse_feed(text.str());
    };
    const auto example = read_example("example.jsonl");
    BOOST_TEST(example.problems.empty());
    BOOST_TEST(example.lines.size() == 6u);
    const auto page = read_example("page.jsonl");
    BOOST_TEST(page.problems.empty());
    BOOST_TEST(page.lines.size() == 2u);
    BOOST_REQUIRE(page.cursor.has_value());
    BOOST_TEST(page.cursor->next == "2026-11-22T16:00:00+09:00#1003");
}

BOOST_AUTO_TEST_SUITE_END()
