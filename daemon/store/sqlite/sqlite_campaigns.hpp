#pragma once
// The SQLite side of Campaigns (see campaigns.hpp): schema_v4_campaigns.hpp, on a connection
// of its own.

#include <memory>
#include <mutex>

#include "daemon/clock/clock.hpp"
#include "daemon/store/campaigns.hpp"
#include "daemon/store/sqlite/database.hpp"

namespace musubi::store::sqlite {

class SqliteCampaigns final : public Campaigns {
public:
    SqliteCampaigns(Database db, std::shared_ptr<const clock::Clock> clock)
        : m_db(std::move(db))
        , m_clock(std::move(clock)) {}

    tl::expected<std::pair<std::int64_t, bool>, StoreError>
    create_run(const NewCampaignRun& run) override;
    tl::expected<std::vector<CampaignRun>, StoreError> due_runs(std::int64_t now_ms) override;
    tl::expected<std::optional<std::int64_t>, StoreError> next_due_at() override;
    tl::expected<std::optional<CampaignRun>, StoreError> run(std::int64_t run_id) override;
    tl::expected<std::vector<CampaignRun>, StoreError> runs(const std::string& campaign,
                                                            std::size_t limit) override;
    tl::expected<void, StoreError> postpone(std::int64_t run_id, std::int64_t due_at_ms) override;
    tl::expected<std::vector<CampaignCandidate>, StoreError>
    candidates(const CampaignRun& run, std::size_t limit, std::int64_t day_from_ms,
               std::int64_t day_to_ms) override;
    tl::expected<void, StoreError> write_page(const CampaignPage& page) override;
    tl::expected<CampaignReport, StoreError> report(std::int64_t run_id) override;
    tl::expected<std::optional<std::string>, StoreError> applied_segments() override;

private:
    tl::expected<std::vector<CampaignRun>, StoreError> select_runs(const std::string& where,
                                                                   std::int64_t value,
                                                                   const std::string& text,
                                                                   std::size_t limit);

    std::mutex m_mutex; // one connection, used by one thread at a time
    Database m_db;
    std::shared_ptr<const clock::Clock> m_clock;
};

} // namespace musubi::store::sqlite
