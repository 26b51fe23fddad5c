#pragma once
// The SQLite backend of Store: one file in WAL mode, foreign keys on, a busy timeout, and the
// migrations in migrations.cpp applied at open.

#include <chrono>
#include <filesystem>
#include <mutex>

#include "daemon/store/sqlite/database.hpp"
#include "daemon/store/sqlite/migrations.hpp"
#include "daemon/store/sqlite/sqlite_engine_store.hpp"
#include "daemon/store/sqlite/sqlite_forward_queue.hpp"
#include "daemon/store/sqlite/sqlite_friend_events.hpp"
#include "daemon/store/sqlite/sqlite_links.hpp"
#include "daemon/store/sqlite/sqlite_operations.hpp"
#include "daemon/store/sqlite/sqlite_outbox.hpp"
#include "daemon/store/sqlite/sqlite_retention.hpp"
#include "daemon/store/sqlite/sqlite_reviews.hpp"
#include "daemon/store/sqlite/sqlite_rich_menus.hpp"
#include "daemon/store/sqlite/sqlite_segment_store.hpp"
#include "daemon/store/sqlite/sqlite_status_report.hpp"
#include "daemon/store/sqlite/sqlite_webhook_inbox.hpp"
#include "daemon/store/store.hpp"

namespace musubi::store::sqlite {

class SqliteRichMenuLinks;   // sqlite_rich_menu_links.hpp
class SqliteCampaigns;       // sqlite_campaigns.hpp
class SqliteFollowersImport; // sqlite_followers_import.hpp

class SqliteStore final : public Store {
public:
    // `all` is the migration list (tests pass their own to simulate older and newer builds).
    static tl::expected<std::unique_ptr<SqliteStore>, StoreError>
    open(const std::filesystem::path& path, std::chrono::milliseconds busy_timeout,
         std::shared_ptr<const clock::Clock> clock = std::make_shared<clock::SystemClock>(),
         const std::vector<Migration>& all = migrations());

    const StoreInfo& info() const override { return m_info; }
    tl::expected<Recorded, StoreError> record_fact(const NewFact& fact) override;
    tl::expected<std::int64_t, StoreError> count_facts(std::string_view kind) override;
    tl::expected<std::map<std::string, std::int64_t>, StoreError> facts_by_kind() override;
    tl::expected<AppliedOrder, StoreError> apply_order(const OrderSnapshot& order,
                                                       Triggers triggers) override;
    OrderResults apply_orders(const std::vector<OrderToApply>& orders) override;
    tl::expected<std::vector<std::string>, StoreError>
    missing_facts(const std::vector<std::string>& keys) override;
    tl::expected<std::optional<std::string>, StoreError> cursor(std::string_view name) override;
    tl::expected<void, StoreError> set_cursor(std::string_view name,
                                              std::string_view value) override;

    WebhookInbox& webhook_inbox() override { return *m_webhook_inbox; }
    Outbox& outbox() override { return *m_outbox; }
    Links& links() override { return *m_links; }
    Reviews& reviews() override { return *m_reviews; }
    FriendEvents& friend_events() override { return *m_friend_events; }
    EngineStore& engine() override { return *m_engine; }
    Operations& operations() override { return *m_operations; }
    StatusReport& status_report() override { return *m_status_report; }
    Retention& retention() override { return *m_retention; }
    SegmentStore& segments() override { return *m_segments; }
    RichMenus& rich_menus() override { return *m_rich_menus; }
    RichMenuLinks& rich_menu_links() override;
    Campaigns& campaigns() override;
    ForwardQueue& forward_queue() override { return *m_forward_queue; }
    FollowersImport& followers_import() override;

    ~SqliteStore() override;

    // A PRAGMA's value on the store's own connection (journal_mode, foreign_keys, ...), for
    // status output and tests.
    tl::expected<std::string, StoreError> pragma(std::string_view name);

private:
    SqliteStore(Database db, StoreInfo info);
    tl::expected<void, StoreError> open_parts(std::chrono::milliseconds busy_timeout,
                                              const std::shared_ptr<const clock::Clock>& clock);

    tl::expected<AppliedOrder, StoreError> apply_order_locked(const OrderSnapshot& order,
                                                              Triggers triggers);
    tl::expected<std::optional<std::int64_t>, StoreError> upsert_buyer(const BuyerIdentity& buyer);
    // The statements apply_order runs, prepared once per connection: preparing them anew for
    // every order cost as much as running them.
    tl::expected<Statement*, StoreError> cached(std::optional<Statement>& slot,
                                                std::string_view sql);

    std::mutex m_mutex; // one connection, used by one thread at a time
    Database m_db;
    std::optional<Statement> m_upsert_buyer;
    std::optional<Statement> m_select_order;
    std::optional<Statement> m_upsert_order;
    std::optional<Statement> m_insert_fact;
    StoreInfo m_info;
    std::unique_ptr<SqliteWebhookInbox> m_webhook_inbox;
    std::unique_ptr<SqliteOutbox> m_outbox;
    std::unique_ptr<SqliteLinks> m_links;
    std::unique_ptr<SqliteReviews> m_reviews;
    std::unique_ptr<SqliteFriendEvents> m_friend_events;
    std::unique_ptr<SqliteEngineStore> m_engine;
    std::unique_ptr<SqliteOperations> m_operations;
    std::unique_ptr<SqliteStatusReport> m_status_report;
    std::unique_ptr<SqliteRetention> m_retention;
    std::unique_ptr<SqliteSegmentStore> m_segments;
    std::unique_ptr<SqliteRichMenus> m_rich_menus;
    std::unique_ptr<SqliteRichMenuLinks> m_rich_menu_links;
    std::unique_ptr<SqliteCampaigns> m_campaigns;
    std::unique_ptr<SqliteForwardQueue> m_forward_queue; // webhook.forward
    std::unique_ptr<SqliteFollowersImport> m_followers_import;
};

} // namespace musubi::store::sqlite
