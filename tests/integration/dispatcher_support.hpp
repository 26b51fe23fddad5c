#pragma once
// Shared by the dispatcher's integration tests (dispatcher_*_it.cpp): a real musubi-sim with
// numbered friends, a real SQLite store in a temporary folder, outbox rows written the way
// the engine writes them (insert_outbox_row), and the simulator's ledger read back.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/clock/clock.hpp"
#include "daemon/dispatch/dispatcher.hpp"
#include "daemon/outbox/retry_key.hpp"
#include "daemon/store/sqlite/outbox_rows.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/sim_process.hpp"
#include "support/temp_dir.hpp"

namespace musubi::test {

constexpr const char* k_sim_token = "musubi-sim-token";

// "U" + 32 hex digits, as LINE spells user ids.
inline std::string user_id(int n) {
    char text[40];
    std::snprintf(text, sizeof text, "U%032x", n);
    return text;
}

// The simulator's scenario with friends 1..count (user_id(n)); `line_extra` goes under
// `line:` (two-space indented lines).
inline std::string sim_scenario(int friends, const std::string& line_extra = "") {
    std::string yaml = "line:\n" + line_extra + "  friends:\n";
    for (int n = 1; n <= friends; ++n) {
        yaml += "    - {userId: " + user_id(n) + "}\n";
    }
    return yaml;
}

inline nlohmann::json text_messages(const std::string& text) {
    return nlohmann::json::array({{{"type", "text"}, {"text", text}}});
}

// The store file, with friends 1..count (friends.id = n, line_user_id = user_id(n)).
class TestStore {
public:
    explicit TestStore(int friends)
        : m_clock(std::make_shared<clock::SystemClock>()) {
        auto opened = store::sqlite::SqliteStore::open(m_dir / "musubi.db",
                                                       std::chrono::seconds(10), m_clock);
        if (!opened) {
            throw std::runtime_error(opened.error().message);
        }
        m_store = std::move(*opened);
        auto db = store::sqlite::open_connection(path(), std::chrono::seconds(10));
        if (!db) {
            throw std::runtime_error(db.error().message);
        }
        m_db.emplace(std::move(*db));
        exec("BEGIN");
        for (int n = 1; n <= friends; ++n) {
            exec("INSERT INTO friends (id, line_user_id, created_at, updated_at) VALUES (" +
                 std::to_string(n) + ", '" + user_id(n) + "', 0, 0)");
        }
        exec("COMMIT");
    }

    std::filesystem::path path() const { return m_dir / "musubi.db"; }
    const TempDir& dir() const { return m_dir; }
    store::Outbox& outbox() { return m_store->outbox(); }
    std::shared_ptr<const clock::Clock> clock() const { return m_clock; }

    void exec(const std::string& sql) {
        if (auto done = m_db->exec(sql); !done) {
            throw std::runtime_error(sql + ": " + done.error().message);
        }
    }

    // A message as the engine writes it; the retry key derives from `identity`.
    store::sqlite::NewMessage message(int friend_n, const std::string& identity,
                                      const nlohmann::json& messages) const {
        store::sqlite::NewMessage message;
        message.retry_key = outbox::derive_retry_key(identity);
        message.friend_id = friend_n;
        message.scenario = "test";
        message.step = "step";
        message.payload = messages.dump();
        message.due_at = m_clock->now_ms();
        return message;
    }

    void insert(const std::vector<store::sqlite::NewMessage>& messages) {
        exec("BEGIN IMMEDIATE");
        for (const auto& message : messages) {
            auto inserted = store::sqlite::insert_outbox_row(*m_db, message, m_clock->now_ms());
            if (!inserted || !*inserted) {
                throw std::runtime_error("could not insert outbox row " + message.retry_key);
            }
        }
        exec("COMMIT");
    }

    // One text column of the first row of `sql`.
    std::string text(const std::string& sql) {
        auto statement = m_db->prepare(sql);
        if (!statement) {
            throw std::runtime_error(statement.error().message);
        }
        auto row = statement->step();
        if (!row || !*row) {
            throw std::runtime_error("no row for " + sql);
        }
        return statement->column_is_null(0) ? "NULL" : statement->column_text(0);
    }

    std::int64_t count(const std::string& where) {
        return std::stoll(text("SELECT count(*) FROM outbox WHERE " + where));
    }

    // Waits (bounded, so that a broken dispatcher fails instead of hanging) until no row is
    // pending or sending.
    bool wait_until_settled(std::chrono::seconds limit = std::chrono::seconds(120)) {
        const auto until = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < until) {
            if (count("state IN ('pending', 'sending')") == 0) {
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }

private:
    TempDir m_dir;
    std::shared_ptr<clock::SystemClock> m_clock;
    std::unique_ptr<store::sqlite::SqliteStore> m_store;
    std::optional<store::sqlite::Database> m_db;
};

inline dispatch::DispatcherOptions test_options(const SimProcess& sim) {
    dispatch::DispatcherOptions options;
    options.client.api_base_url = sim.api_url();
    options.client.data_base_url = sim.data_url();
    options.client.timeout = std::chrono::seconds(5);
    options.token = line::AccessToken::long_lived(k_sim_token);
    options.workers = 8;
    options.backoff = {std::chrono::milliseconds(10), std::chrono::milliseconds(200)};
    options.quota_check_interval = std::chrono::milliseconds(200);
    return options;
}

// Each friend's delivered texts, in order.
inline std::map<std::string, std::vector<std::string>>
delivered_texts(const nlohmann::json& ledger) {
    std::map<std::string, std::vector<std::string>> texts;
    for (const auto& [user, entry] : ledger.at("friends").items()) {
        for (const auto& delivery : entry.at("deliveries")) {
            const auto& message = delivery.at("message");
            const auto text = message.find("text");
            texts[user].push_back(text != message.end() && text->is_string()
                                      ? text->get<std::string>()
                                      : std::string());
        }
    }
    return texts;
}

} // namespace musubi::test
