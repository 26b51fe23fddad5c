// outbox::multicast_messages: groups of 500, keys fixed by the announcement and the group.

#include <boost/test/unit_test.hpp>

#include "daemon/dispatch/outcome.hpp"
#include "daemon/outbox/multicast.hpp"

using namespace musubi;

namespace {

outbox::Announcement announcement(int recipients) {
    outbox::Announcement a;
    a.identity = "campaign:sale/run:1";
    a.scenario = "campaign:sale";
    a.step = "announce";
    for (int n = 0; n < recipients; ++n) {
        a.recipients.push_back("U" + std::to_string(n));
    }
    a.messages = nlohmann::json::array({{{"type", "text"}, {"text", "セール"}}});
    a.due_at_ms = 42;
    return a;
}

} // namespace

BOOST_AUTO_TEST_SUITE(multicast_rows)

BOOST_AUTO_TEST_CASE(recipients_go_in_groups_of_500_each_with_its_own_fixed_key) {
    const auto rows = outbox::multicast_messages(announcement(1001));
    BOOST_REQUIRE(rows.size() == 3u);
    std::vector<std::size_t> sizes;
    for (const auto& row : rows) {
        const auto payload = nlohmann::json::parse(row.payload);
        sizes.push_back(payload["to"].size());
        BOOST_TEST(payload["messages"][0]["text"] == "セール");
        BOOST_TEST(row.kind == "multicast");
        BOOST_TEST(row.friend_id == 0);
        BOOST_TEST(row.due_at == 42);
        BOOST_TEST(dispatch::multicast_recipients(payload)->size() == sizes.back());
    }
    BOOST_TEST(sizes == (std::vector<std::size_t>{500, 500, 1}), boost::test_tools::per_element());
    BOOST_TEST(nlohmann::json::parse(rows[2].payload)["to"][0] == "U1000");
    // The same announcement gives the same keys; another gives others.
    const auto again = outbox::multicast_messages(announcement(1001));
    auto other = announcement(1001);
    other.identity = "campaign:sale/run:2";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        BOOST_TEST(again[i].retry_key == rows[i].retry_key);
        BOOST_TEST(outbox::multicast_messages(other)[i].retry_key != rows[i].retry_key);
    }
    BOOST_TEST(rows[0].retry_key != rows[1].retry_key);
}

BOOST_AUTO_TEST_CASE(nobody_to_send_to_writes_no_row) {
    BOOST_TEST(outbox::multicast_messages(announcement(0)).empty());
}

BOOST_AUTO_TEST_CASE(a_payload_that_is_not_a_multicast_has_no_recipients) {
    using nlohmann::json;
    BOOST_TEST(!dispatch::multicast_recipients(json::array()).has_value());
    BOOST_TEST(!dispatch::multicast_recipients(json{{"to", "U1"}}).has_value());
    BOOST_TEST(!dispatch::multicast_recipients(json{{"to", json::array({1})}}).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
