#pragma once
// Runs segment campaigns (campaigns.yaml) in musubid:
// - the schedule: each enabled campaign's latest occurrence (JST) becomes a run once, unique
//   by campaign and occurrence, unless it is more than k_late_limit_ms late (musubid was not
//   running then): that one is logged as missed and never sent;
// - runs (from the schedule or musubictl) that are due are snapshotted in pages of 500
//   friends of the segment, by friend id, once the segment worker has applied the current
//   segment definitions. Each page is one transaction (Campaigns::write_page): recipients,
//   outbox rows and the cursor, so a crash never sends twice nor skips anyone. A run outside
//   its window waits for the opening; friends over a cap, or who blocked the account, are
//   recorded as skipped with the reason.
// The dispatcher sends the rows: per friend by push, or the same message for all by
// multicast (one row per page, on the multicast bucket).

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <stop_token>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "daemon/campaigns/campaign_config.hpp"
#include "daemon/clock/clock.hpp"
#include "daemon/config/config.hpp"
#include "daemon/store/campaigns.hpp"
#include "daemon/templates/template_set.hpp"

namespace musubi::campaigns {

inline constexpr std::size_t k_page_size = 500; // LINE's multicast limit

// What a campaign's template sees for one friend (template_set.hpp lists the members):
// shop, friend (display_name, linked, tags, tag.*, segment, segments.*), buyer.given_name,
// link.url and vars.
nlohmann::json friend_context(const config::Config& config, const Campaign& campaign,
                              const std::string& segment, const store::CampaignCandidate& friend_,
                              const std::string& link_url);
// What a message the same for all sees: shop and vars.
nlohmann::json shared_context(const config::Config& config, const Campaign& campaign);

// The retry key identity of a friend's message in a run, and of a multicast page.
std::string friend_identity(const std::string& campaign, std::int64_t run_id,
                            std::int64_t friend_id);
std::string page_identity(const std::string& campaign, std::int64_t run_id, std::int64_t page);

// Decides one page: who is skipped and why, and the outbox rows for the rest.
struct PageInput {
    const config::Config* config = nullptr;
    const Campaign* campaign = nullptr;
    const templates::TemplateSet* templates = nullptr;
    store::CampaignRun run;
    std::vector<store::CampaignCandidate> candidates; // a page; fewer than asked: the last
    bool last = false;
    std::int64_t now_ms = 0;
    std::function<std::string(std::int64_t friend_id)> link_url; // may be empty
};
store::CampaignPage plan_page(const PageInput& input);

struct PassCounts {
    std::size_t runs_created = 0;
    std::size_t pages = 0;
    std::size_t queued = 0;
    std::size_t skipped = 0;
    bool more = false; // a page was full: call again before sleeping
};

class CampaignWorker {
public:
    CampaignWorker(store::Campaigns& store, std::shared_ptr<const clock::Clock> clock,
                   std::function<void()> wrote_messages);
    ~CampaignWorker();
    CampaignWorker(const CampaignWorker&) = delete;
    CampaignWorker& operator=(const CampaignWorker&) = delete;

    // New campaigns, segments and templates; takes effect at the next pass.
    void reload(std::shared_ptr<const config::Config> config,
                std::shared_ptr<const templates::TemplateSet> templates);
    // The schedule, then one page of each due run. Used by the thread and by tests.
    tl::expected<PassCounts, store::StoreError> run_pass();

    void start();
    void stop();
    void wake();

private:
    struct Loaded {
        std::shared_ptr<const config::Config> config;
        std::shared_ptr<const templates::TemplateSet> templates;
    };
    Loaded loaded() const;
    tl::expected<void, store::StoreError> schedule(const config::Config& config,
                                                   PassCounts& counts);
    tl::expected<void, store::StoreError>
    work_on(const Loaded& loaded, const store::CampaignRun& run, PassCounts& counts);
    void say_once(const std::string& key, const std::function<void()>& say);
    void loop(std::stop_token stop);

    store::Campaigns& m_store;
    std::shared_ptr<const clock::Clock> m_clock;
    std::function<void()> m_wrote_messages;

    mutable std::mutex m_loaded_mutex;
    Loaded m_loaded;

    std::set<std::string> m_said; // warnings given once per process (pass thread only)

    std::mutex m_wake_mutex;
    std::condition_variable_any m_wake;
    bool m_woken = false;
    std::jthread m_thread;
};

} // namespace musubi::campaigns
