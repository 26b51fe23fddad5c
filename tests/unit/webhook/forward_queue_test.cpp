// webhook.forward in the store and at the endpoint: which bodies are queued for which target,
// in the transaction that stores their events, and the queue the forward worker reads.

#include <boost/test/unit_test.hpp>

#include "daemon/store/sqlite/sqlite_store.hpp"
#include "daemon/webhook/forward_copies.hpp"
#include "daemon/webhook/forwarder.hpp"
#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;

namespace {

store::InboundEvent event(const std::string& id, const std::string& type) {
    return {id, 1000, R"({"type":")" + type + R"(","webhookEventId":")" + id + R"("})"};
}

struct Fixture {
    test::TempDir dir;
    std::shared_ptr<test::ManualClock> clock = std::make_shared<test::ManualClock>(test::jst(0, 9));
    std::unique_ptr<store::Store> store;
    Fixture() {
        config::StoreConfig config;
        config.path = dir / "musubi.db";
        config.busy_timeout = std::chrono::seconds(2);
        auto opened = store::open_store(config, clock);
        BOOST_REQUIRE(opened);
        store = std::move(*opened);
    }
    // A body as the endpoint would hand it over, for `targets`.
    std::size_t receive(const std::vector<store::InboundEvent>& events, const std::string& raw,
                        const std::vector<webhook::ForwardFilter>& targets) {
        store::ForwardBody body{raw, "sig-" + raw, "application/json; charset=utf-8",
                                webhook::forward_copies(targets, events)};
        auto stored = store->webhook_inbox().receive_forwarding(events, {body});
        BOOST_REQUIRE(stored);
        return *stored;
    }
    std::vector<std::string> drain(const std::string& target) {
        std::vector<std::string> bodies;
        while (true) {
            auto head = store->forward_queue().head(target);
            BOOST_REQUIRE(head);
            if (!*head) {
                return bodies;
            }
            bodies.push_back((*head)->body);
            BOOST_REQUIRE(store->forward_queue().remove((*head)->id));
        }
    }
};

const std::vector<webhook::ForwardFilter> k_targets{
    {"https://all.example/cb", {}}, {"https://chat.example/cb?k=1", {"message", "postback"}}};

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_forward)

BOOST_AUTO_TEST_CASE(a_target_gets_whole_bodies_with_a_matching_event_in_order) {
    Fixture f;
    f.receive({event("e1", "follow")}, "b1", k_targets);
    f.receive({event("e2", "follow"), event("e3", "message")}, "b2", k_targets);
    f.receive({event("e4", "postback")}, "b3", k_targets);
    f.receive({event("e5", "unfollow")}, "b4", k_targets);
    BOOST_TEST(f.drain("https://all.example/cb") ==
                   (std::vector<std::string>{"b1", "b2", "b3", "b4"}),
               boost::test_tools::per_element());
    BOOST_TEST(f.drain("https://chat.example/cb?k=1") == (std::vector<std::string>{"b2", "b3"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_redelivered_body_is_not_queued_again_but_one_with_a_new_event_is) {
    Fixture f;
    f.receive({event("e1", "message")}, "first", k_targets);
    BOOST_TEST(f.receive({event("e1", "message")}, "redelivered", k_targets) == 0U);
    // e1 again with a new e2: queued, whole — for the chat tool only if the new event is its.
    f.receive({event("e1", "message"), event("e2", "follow")}, "mixed", k_targets);
    BOOST_TEST(f.drain("https://all.example/cb") == (std::vector<std::string>{"first", "mixed"}),
               boost::test_tools::per_element());
    BOOST_TEST(f.drain("https://chat.example/cb?k=1") == std::vector<std::string>{"first"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(two_bodies_with_one_event_in_one_commit_queue_once) {
    Fixture f;
    std::vector<store::ForwardBody> bodies;
    const std::vector<store::InboundEvent> events{event("e1", "message"), event("e1", "message")};
    for (const char* raw : {"one", "two"}) {
        bodies.push_back({raw, "sig", "application/json",
                          webhook::forward_copies(k_targets, {event("e1", "message")})});
    }
    BOOST_REQUIRE(f.store->webhook_inbox().receive_forwarding(events, bodies));
    BOOST_TEST(f.drain("https://all.example/cb") == std::vector<std::string>{"one"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_queue_keeps_signature_and_retry_state_and_counts_depth) {
    Fixture f;
    f.receive({event("e1", "message")}, "b1", k_targets);
    f.receive({event("e2", "message")}, "b2", k_targets);
    auto& queue = f.store->forward_queue();
    auto head = queue.head("https://all.example/cb");
    BOOST_REQUIRE(head);
    BOOST_REQUIRE(*head);
    BOOST_TEST((*head)->signature == "sig-b1");
    BOOST_TEST((*head)->content_type == "application/json; charset=utf-8");
    BOOST_TEST((*head)->received_at_ms == test::jst(0, 9));
    BOOST_REQUIRE(queue.retry_at((*head)->id, test::jst(0, 10), "HTTP 503"));
    auto again = queue.head("https://all.example/cb");
    BOOST_TEST((*again)->attempts == 1);
    BOOST_TEST((*again)->next_at_ms == test::jst(0, 10));
    auto depths = queue.depths();
    BOOST_REQUIRE(depths);
    BOOST_TEST((*depths)["https://all.example/cb"].queued == 2);
    BOOST_TEST((*depths)["https://all.example/cb"].retrying == 1);
    BOOST_TEST((*depths)["https://chat.example/cb?k=1"].queued == 2);
    auto removed = queue.remove_target("https://chat.example/cb?k=1");
    BOOST_REQUIRE(removed);
    BOOST_TEST(*removed == 2);
}

BOOST_AUTO_TEST_CASE(without_targets_nothing_is_queued) {
    Fixture f;
    f.receive({event("e1", "message")}, "b1", {});
    auto depths = f.store->forward_queue().depths();
    BOOST_REQUIRE(depths);
    BOOST_TEST(depths->empty());
}

BOOST_AUTO_TEST_CASE(logs_and_metrics_show_a_url_without_its_query_or_user_info) {
    BOOST_TEST(webhook::display_url("https://tool.example/cb?token=secret") ==
               "https://tool.example/cb");
    BOOST_TEST(webhook::display_url("https://user:pw@tool.example:8443/a/b#x") ==
               "https://tool.example:8443/a/b");
}

BOOST_AUTO_TEST_SUITE_END()
