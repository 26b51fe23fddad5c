#include <boost/test/unit_test.hpp>

#include "daemon/linking/chat_linker.hpp"
#include "daemon/linking/unlink.hpp"
#include "unit/linking/linking_fixture.hpp"

using namespace musubi;
using namespace musubi::linking;
using musubi::test::LinkingFixture;

BOOST_AUTO_TEST_SUITE(linking_unlink)

BOOST_FIXTURE_TEST_CASE(the_cli_unlinks_by_line_user_id_keeping_the_history, LinkingFixture) {
    const auto hanako = add_friend("U0000000000000000000000000000000a", "はなこ");
    add_order("123456-20261122-0000000001", "09012345678", "hanako@example.jp");
    Settings settings;
    settings.hashing_key = test::k_hashing_key;
    ChatLinker chat(store().links(), settings, nullptr);
    BOOST_REQUIRE(
        *chat.handle(hanako, "ev1", "123456-20261122-0000000001 5678", "rt", clock().now_ms()));
    BOOST_REQUIRE(number("SELECT count(*) FROM links WHERE unlinked_at IS NULL") == 1);

    const auto now = clock().now_ms() + 1000;
    auto done = unlink_friend(store(), "U0000000000000000000000000000000a", now);
    BOOST_REQUIRE(done);
    BOOST_TEST((*done == UnlinkResult::unlinked));
    BOOST_TEST(number("SELECT count(*) FROM links") == 1);
    BOOST_TEST(number("SELECT unlinked_at FROM links") == now);
    BOOST_TEST(text("SELECT payload ->> 'method' FROM facts WHERE kind = 'friend.unlinked'") ==
               "cli");
    BOOST_TEST(number("SELECT count(*) FROM outbox WHERE step = 'unlinked'") == 0);

    BOOST_TEST((*unlink_friend(store(), "U0000000000000000000000000000000a", now) ==
                UnlinkResult::not_linked));
    BOOST_TEST((*unlink_friend(store(), "Unobody", now) == UnlinkResult::unknown_friend));
}

BOOST_AUTO_TEST_SUITE_END()
