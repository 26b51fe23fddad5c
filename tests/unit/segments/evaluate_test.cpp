// Which segment a friend is in, and when that answer changes with no new fact.

#include <boost/test/unit_test.hpp>

#include "daemon/segments/evaluate.hpp"
#include "daemon/segments/segment_config.hpp"
#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using musubi::test::k_day;
using musubi::test::k_hour;

namespace {

std::vector<segments::Segment> load(const std::string& text) {
    test::TempDir dir;
    dir.write("segments.yaml", text);
    auto loaded = segments::load_segments(dir / "segments.yaml", "segments.yaml");
    BOOST_REQUIRE_MESSAGE(loaded, (loaded ? "" : loaded.error().to_string()));
    return *loaded;
}

constexpr const char* k_shop = R"(segments:
  - name: vip
    when: {orders.count: {gte: 5}}
  - name: dormant
    when: {friend.linked: true, orders.days_since_last: {gte: 90}}
  - name: linked
    when: {friend.linked: true}
  - name: guest
)";

constexpr std::int64_t k_now = test::k_day0_jst;

store::FriendProfile linked(std::int64_t orders, std::optional<std::int64_t> last_order_at) {
    store::FriendProfile profile;
    profile.friend_id = 7;
    profile.followed_at_ms = k_now - 10 * k_day;
    profile.buyer_id = 3;
    profile.buyer.orders = orders;
    profile.buyer.total_spent = orders * 3000;
    profile.buyer.last_order_at_ms = last_order_at;
    return profile;
}

} // namespace

BOOST_AUTO_TEST_SUITE(segment_evaluate)

BOOST_AUTO_TEST_CASE(the_first_matching_segment_wins) {
    const auto segments = load(k_shop);
    // Five orders, the last 200 days ago: both vip and dormant hold; vip is written first.
    const auto answer = segments::evaluate(segments, linked(5, k_now - 200 * k_day), k_now);
    BOOST_TEST(answer.segment.value_or("") == "vip");
    BOOST_TEST(!answer.next_change_at_ms); // nothing but a new fact can move a vip

    BOOST_TEST(
        segments::evaluate(segments, linked(1, k_now - 200 * k_day), k_now).segment.value_or("") ==
        "dormant");
    BOOST_TEST(segments::evaluate(segments, linked(0, std::nullopt), k_now).segment.value_or("") ==
               "linked");
    store::FriendProfile guest;
    guest.friend_id = 8;
    BOOST_TEST(segments::evaluate(segments, guest, k_now).segment.value_or("") == "guest");
}

BOOST_AUTO_TEST_CASE(a_friend_in_no_segment_has_none) {
    const auto segments = load("segments:\n  - name: linked\n    when: {friend.linked: true}\n");
    store::FriendProfile guest;
    BOOST_TEST(!segments::evaluate(segments, guest, k_now).segment);
}

BOOST_AUTO_TEST_CASE(the_next_change_is_when_the_day_threshold_passes) {
    const auto segments = load(k_shop);
    const std::int64_t last_order = k_now - 30 * k_day - 5 * k_hour;
    const auto answer = segments::evaluate(segments, linked(2, last_order), k_now);
    BOOST_TEST(answer.segment.value_or("") == "linked");
    BOOST_REQUIRE(answer.next_change_at_ms);
    BOOST_TEST(*answer.next_change_at_ms == last_order + 90 * k_day);
    BOOST_TEST(answer.next_change_reason == "orders.days_since_last ≥ 90");
    // Just before, still linked; at that moment, dormant.
    BOOST_TEST(segments::evaluate(segments, linked(2, last_order), *answer.next_change_at_ms - 1)
                   .segment.value_or("") == "linked");
    BOOST_TEST(segments::evaluate(segments, linked(2, last_order), *answer.next_change_at_ms)
                   .segment.value_or("") == "dormant");
}

BOOST_AUTO_TEST_CASE(a_threshold_that_changes_nothing_is_not_a_next_change) {
    // New friends (< 7 days) are "new" unless linked; a linked friend passing day 7 stays
    // linked, so no check is scheduled for them.
    const auto segments = load(R"(segments:
  - name: linked
    when: {friend.linked: true}
  - name: new
    when: {friend.days_since_follow: {lt: 7}}
  - name: guest
)");
    store::FriendProfile fresh;
    fresh.followed_at_ms = k_now - 2 * k_day;
    auto answer = segments::evaluate(segments, fresh, k_now);
    BOOST_TEST(answer.segment.value_or("") == "new");
    BOOST_REQUIRE(answer.next_change_at_ms);
    BOOST_TEST(*answer.next_change_at_ms == k_now + 5 * k_day);
    BOOST_TEST(answer.next_change_reason == "friend.days_since_follow < 7");

    fresh.buyer_id = 1;
    answer = segments::evaluate(segments, fresh, k_now);
    BOOST_TEST(answer.segment.value_or("") == "linked");
    BOOST_TEST(!answer.next_change_at_ms);
}

BOOST_AUTO_TEST_CASE(exact_day_counts_turn_twice) {
    const auto segments = load(R"(segments:
  - name: week-one
    when: {friend.days_since_follow: 7}
  - name: other
)");
    store::FriendProfile friend_profile;
    friend_profile.followed_at_ms = k_now - 3 * k_day;
    auto answer = segments::evaluate(segments, friend_profile, k_now);
    BOOST_TEST(answer.segment.value_or("") == "other");
    BOOST_TEST(answer.next_change_at_ms.value_or(0) == k_now + 4 * k_day);
    answer = segments::evaluate(segments, friend_profile, k_now + 4 * k_day);
    BOOST_TEST(answer.segment.value_or("") == "week-one");
    BOOST_TEST(answer.next_change_at_ms.value_or(0) == k_now + 5 * k_day);
}

BOOST_AUTO_TEST_CASE(items_bought_tags_and_inflow_source) {
    const auto segments = load(R"(segments:
  - name: towel
    when: {orders.items: {contains: [towel-01, towel-02]}}
  - name: campaign
    when: {friend.tags: {contains: campaign-2026}, friend.inflow_source: {in: [qr, ad]}}
  - name: rest
)");
    auto profile = linked(1, k_now);
    profile.items_bought = {"soap-9", "towel-02"};
    BOOST_TEST(segments::evaluate(segments, profile, k_now).segment.value_or("") == "towel");
    profile.items_bought = {"soap-9"};
    BOOST_TEST(segments::evaluate(segments, profile, k_now).segment.value_or("") == "rest");
    profile.tags = {"campaign-2026"};
    profile.inflow_source = "qr";
    BOOST_TEST(segments::evaluate(segments, profile, k_now).segment.value_or("") == "campaign");
    // Items bought are unknown for a friend who is not linked.
    profile.buyer_id.reset();
    profile.items_bought = {"towel-01"};
    BOOST_TEST(segments::evaluate(segments, profile, k_now).segment.value_or("") == "campaign");
    BOOST_TEST(segments::uses_items(segments));
    BOOST_TEST(!segments::uses_items(load(k_shop)));
}

BOOST_AUTO_TEST_SUITE_END()
