#pragma once
// A real store in a temporary folder with friends, buyers and orders put in the way the
// daemon puts them (orders through Store::apply_order, hashes from buyer_key.hpp), and a
// clock the test moves.

#include <boost/test/unit_test.hpp>

#include "daemon/rakuten/buyer_key.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace musubi::test {

class ManualClock final : public clock::Clock {
public:
    clock::Millis now_ms() const override { return m_now; }
    void set(clock::Millis now) { m_now = now; }

private:
    clock::Millis m_now = 1'795'000'000'000;
};

inline constexpr const char* k_hashing_key = "test-hashing-key-0123456789abcdefghij";

class LinkingFixture {
public:
    LinkingFixture()
        : m_clock(std::make_shared<ManualClock>()) {
        auto opened = store::sqlite::SqliteStore::open(m_dir / "musubi.db",
                                                       std::chrono::milliseconds(2000), m_clock);
        BOOST_REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().to_string()));
        m_store = std::move(*opened);
        auto db = store::sqlite::Database::open(m_dir / "musubi.db");
        BOOST_REQUIRE(db);
        m_db.emplace(std::move(*db));
    }

    store::Store& store() { return *m_store; }
    ManualClock& clock() { return *m_clock; }
    std::filesystem::path file() const { return m_dir / "musubi.db"; }

    std::int64_t add_friend(const std::string& line_user_id, const std::string& name) {
        exec("INSERT INTO friends (line_user_id, display_name, created_at, updated_at) VALUES ('" +
             line_user_id + "', '" + name + "', 1, 1)");
        return number("SELECT id FROM friends WHERE line_user_id = '" + line_user_id + "'");
    }

    // An RMS order of a buyer with this phone; answers the buyer's id.
    std::int64_t add_order(const std::string& order_number, const std::string& phone,
                           const std::string& email) {
        rakuten::Orderer orderer;
        orderer.first_name = "花子";
        orderer.phone_number1 = phone.substr(0, 3);
        orderer.phone_number2 = phone.substr(3, 4);
        orderer.phone_number3 = phone.substr(7);
        orderer.email_address = email;
        store::OrderSnapshot order;
        order.order_number = order_number;
        order.progress = 300;
        order.ordered_at_ms = m_clock->now_ms();
        order.buyer = rakuten_poller::buyer_identity(orderer, k_hashing_key);
        auto applied = m_store->apply_order(order, store::Triggers::yes);
        BOOST_REQUIRE(applied);
        return number("SELECT buyer_id FROM orders WHERE order_number = '" + order_number + "'");
    }

    void exec(const std::string& sql) {
        auto done = m_db->exec(sql);
        BOOST_REQUIRE_MESSAGE(done, (done ? "" : done.error().message));
    }

    std::int64_t number(const std::string& sql) {
        auto statement = m_db->prepare(sql);
        BOOST_REQUIRE_MESSAGE(statement, (statement ? "" : statement.error().message));
        auto row = statement->step();
        BOOST_REQUIRE(row);
        BOOST_REQUIRE_MESSAGE(*row, "no row for " + sql);
        return statement->column_int64(0);
    }

    std::string text(const std::string& sql) {
        auto statement = m_db->prepare(sql);
        BOOST_REQUIRE(statement);
        auto row = statement->step();
        BOOST_REQUIRE(row);
        BOOST_REQUIRE_MESSAGE(*row, "no row for " + sql);
        return statement->column_text(0);
    }

private:
    TempDir m_dir;
    std::shared_ptr<ManualClock> m_clock;
    std::unique_ptr<store::sqlite::SqliteStore> m_store;
    std::optional<store::sqlite::Database> m_db;
};

} // namespace musubi::test
