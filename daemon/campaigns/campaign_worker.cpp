#include "daemon/campaigns/campaign_worker.hpp"

#include <algorithm>

#include "daemon/engine/jst.hpp"
#include "daemon/linking/page_token.hpp"
#include "daemon/log/log.hpp"
#include "daemon/outbox/multicast.hpp"
#include "daemon/outbox/retry_key.hpp"
#include "daemon/segments/segment.hpp"

namespace musubi::campaigns {

namespace {

using store::StoreError;
namespace jst = engine::jst;

const log::Logger& logger() {
    static const log::Logger instance("campaigns");
    return instance;
}

nlohmann::json vars_json(const Campaign& campaign) {
    nlohmann::json vars = nlohmann::json::object();
    for (const auto& [name, value] : campaign.vars) {
        vars[name] = value;
    }
    return vars;
}

std::string scenario_of(const Campaign& campaign) {
    return "campaign:" + campaign.name;
}

std::string step_of(const store::CampaignRun& run) {
    return "run-" + std::to_string(run.id);
}

// Why a friend is left out of a run, or "" when they get it.
std::string skip_reason(const Campaign& campaign, const store::CampaignCandidate& candidate) {
    if (!candidate.following) {
        return "friend has blocked the account";
    }
    const auto& cap = campaign.limits.per_friend_per_day;
    if (cap && candidate.messages_today >= *cap) {
        return "cap: " + std::to_string(candidate.messages_today) +
               " messages today (limits.per_friend_per_day: " + std::to_string(*cap) + ")";
    }
    return "";
}

} // namespace

nlohmann::json shared_context(const config::Config& config, const Campaign& campaign) {
    return {{"shop", {{"name", config.shop.name}}}, {"vars", vars_json(campaign)}};
}

nlohmann::json friend_context(const config::Config& config, const Campaign& campaign,
                              const std::string& segment, const store::CampaignCandidate& friend_,
                              const std::string& link_url) {
    auto context = shared_context(config, campaign);
    nlohmann::json tag = nlohmann::json::object();
    for (const auto& name : friend_.tags) {
        tag[name] = true;
    }
    context["friend"] = {{"display_name", friend_.display_name},
                         {"linked", friend_.linked},
                         {"tags", friend_.tags},
                         {"tag", tag},
                         {"segment", segment},
                         {"segments", {{segment, true}}}};
    if (friend_.linked) {
        context["buyer"] = {{"given_name", friend_.given_name}};
    }
    context["link"] = {{"url", link_url}};
    return context;
}

std::string friend_identity(const std::string& campaign, std::int64_t run_id,
                            std::int64_t friend_id) {
    return "campaign:" + campaign + "/run:" + std::to_string(run_id) +
           "/friend:" + std::to_string(friend_id);
}

std::string page_identity(const std::string& campaign, std::int64_t run_id, std::int64_t page) {
    return "campaign:" + campaign + "/run:" + std::to_string(run_id) +
           "/page:" + std::to_string(page);
}

store::CampaignPage plan_page(const PageInput& input) {
    const auto& campaign = *input.campaign;
    const auto& run = input.run;
    store::CampaignPage page;
    page.run_id = run.id;
    page.from_friend_id = run.after_friend_id;
    page.to_friend_id =
        input.candidates.empty() ? run.after_friend_id : input.candidates.back().friend_id;
    page.last = input.last;

    std::vector<std::size_t> receiving;
    for (std::size_t i = 0; i < input.candidates.size(); ++i) {
        const auto& candidate = input.candidates[i];
        store::CampaignRecipient recipient;
        recipient.friend_id = candidate.friend_id;
        recipient.reason = skip_reason(campaign, candidate);
        recipient.outcome = recipient.reason.empty() ? "queued" : "skipped";
        if (recipient.reason.empty()) {
            receiving.push_back(i);
        }
        page.recipients.push_back(std::move(recipient));
    }
    const auto render = [&](const nlohmann::json& context, store::NewMessage& message) {
        if (input.templates == nullptr) {
            message.state = "failed";
            message.reason = "templates are not loaded";
            message.payload = "[]";
            return false;
        }
        auto rendered = input.templates->render(campaign.send, context);
        if (!rendered) {
            message.state = "failed";
            message.reason = "template " + campaign.send + ": " + rendered.error().message;
            message.payload = "[]";
            return false;
        }
        message.payload = rendered->dump();
        return true;
    };

    if (!run.multicast) {
        for (std::size_t i : receiving) {
            const auto& candidate = input.candidates[i];
            store::NewMessage message;
            message.retry_key = outbox::derive_retry_key(
                friend_identity(campaign.name, run.id, candidate.friend_id));
            message.friend_id = candidate.friend_id;
            message.scenario = scenario_of(campaign);
            message.step = step_of(run);
            message.due_at = input.now_ms;
            const std::string link =
                input.link_url ? input.link_url(candidate.friend_id) : std::string();
            render(friend_context(*input.config, campaign, run.segment, candidate, link), message);
            page.recipients[i].retry_key = message.retry_key;
            page.messages.push_back(std::move(message));
        }
        return page;
    }
    if (receiving.empty()) {
        return page;
    }
    // The same message for all: one multicast row for the page (a page is at most 500).
    const std::string identity = page_identity(campaign.name, run.id, run.pages);
    store::NewMessage probe;
    outbox::Announcement announcement;
    announcement.identity = identity;
    announcement.scenario = scenario_of(campaign);
    announcement.step = step_of(run);
    announcement.due_at_ms = input.now_ms;
    for (std::size_t i : receiving) {
        announcement.recipients.push_back(input.candidates[i].line_user_id);
    }
    if (render(shared_context(*input.config, campaign), probe)) {
        announcement.messages = nlohmann::json::parse(probe.payload);
        page.messages = outbox::multicast_messages(announcement);
    } else {
        probe.retry_key = outbox::derive_retry_key(identity + "/group:0");
        probe.kind = "multicast";
        probe.scenario = announcement.scenario;
        probe.step = announcement.step;
        probe.due_at = input.now_ms;
        page.messages.push_back(std::move(probe));
    }
    for (std::size_t i : receiving) {
        page.recipients[i].retry_key = page.messages.front().retry_key;
    }
    return page;
}

CampaignWorker::CampaignWorker(store::Campaigns& store, std::shared_ptr<const clock::Clock> clock,
                               std::function<void()> wrote_messages)
    : m_store(store)
    , m_clock(std::move(clock))
    , m_wrote_messages(std::move(wrote_messages)) {}

CampaignWorker::~CampaignWorker() {
    stop();
}

void CampaignWorker::reload(std::shared_ptr<const config::Config> config,
                            std::shared_ptr<const templates::TemplateSet> templates) {
    {
        std::lock_guard lock(m_loaded_mutex);
        m_loaded = Loaded{std::move(config), std::move(templates)};
    }
    wake();
}

CampaignWorker::Loaded CampaignWorker::loaded() const {
    std::lock_guard lock(m_loaded_mutex);
    return m_loaded;
}

void CampaignWorker::say_once(const std::string& key, const std::function<void()>& say) {
    if (m_said.insert(key).second) {
        say();
    }
}

tl::expected<void, StoreError> CampaignWorker::schedule(const config::Config& config,
                                                        PassCounts& counts) {
    const std::int64_t now = m_clock->now_ms();
    for (const auto& campaign : config.campaigns->campaigns) {
        if (!campaign.enabled || !campaign.scheduled()) {
            continue;
        }
        const auto occurrence = latest_occurrence(campaign, now);
        if (!occurrence) {
            continue;
        }
        const std::string when = jst::minute_text(*occurrence);
        if (now - *occurrence > k_late_limit_ms) {
            // Only an occurrence of the last day is worth a word (not last year's example).
            if (now - *occurrence < jst::k_day_ms) {
                say_once("missed:" + campaign.name + ":" + when, [&] {
                    logger().warn("campaign.missed",
                                  {{"campaign", campaign.name},
                                   {"occurrence", when},
                                   {"action", "not sent: musubid was not running within an "
                                              "hour of it; start it by hand with musubictl "
                                              "campaign start " +
                                                  campaign.name + " if it should still go"}});
                });
            }
            continue;
        }
        store::NewCampaignRun run{
            campaign.name,         when,        campaign.segment, campaign.send,
            campaign.same_for_all, *occurrence, "schedule"};
        auto created = m_store.create_run(run);
        if (!created) {
            return tl::unexpected(created.error());
        }
        if (created->second) {
            ++counts.runs_created;
            logger().info(
                "campaign.scheduled",
                {{"campaign", campaign.name}, {"run", created->first}, {"occurrence", when}});
        }
    }
    return {};
}

tl::expected<void, StoreError>
CampaignWorker::work_on(const Loaded& loaded, const store::CampaignRun& run, PassCounts& counts) {
    const auto& config = *loaded.config;
    const Campaign* campaign = config.campaigns->find(run.campaign);
    const std::string run_key = std::to_string(run.id);
    if (campaign == nullptr || !campaign->enabled) {
        say_once("gone:" + run_key, [&] {
            logger().warn("campaign.not_declared",
                          {{"campaign", run.campaign},
                           {"run", run.id},
                           {"action", "the run waits: declare the campaign again (or set "
                                      "enabled: true) in campaigns.yaml and reload"}});
        });
        return {};
    }
    // The snapshot reads friend_segments: wait until it reflects the current definitions.
    const std::string wanted = segments::fingerprint(config.segments);
    auto applied = m_store.applied_segments();
    if (!applied) {
        return tl::unexpected(applied.error());
    }
    if (applied->value_or("") != wanted) {
        say_once("segments:" + run_key, [&] {
            logger().info("campaign.waiting_for_segments",
                          {{"campaign", run.campaign}, {"run", run.id}});
        });
        return {};
    }
    const std::int64_t now = m_clock->now_ms();
    if (run.state == "scheduled" && campaign->window) {
        const auto opening = jst::next_opening(*campaign->window, now);
        if (opening > now) {
            logger().info("campaign.waiting_for_window", {{"campaign", run.campaign},
                                                          {"run", run.id},
                                                          {"window", campaign->window->to_string()},
                                                          {"until", jst::minute_text(opening)}});
            return m_store.postpone(run.id, opening);
        }
    }
    if (run.state == "scheduled") {
        logger().info("campaign.started", {{"campaign", run.campaign},
                                           {"run", run.id},
                                           {"segment", run.segment},
                                           {"multicast", run.multicast}});
    }
    const bool capped = campaign->limits.per_friend_per_day.has_value();
    const std::int64_t day = jst::day_start(now);
    auto candidates =
        m_store.candidates(run, k_page_size, capped ? day : 0, capped ? day + jst::k_day_ms : 0);
    if (!candidates) {
        return tl::unexpected(candidates.error());
    }
    PageInput input;
    input.config = &config;
    input.campaign = campaign;
    input.templates = loaded.templates.get();
    input.run = run;
    input.last = candidates->size() < k_page_size;
    input.candidates = std::move(*candidates);
    input.now_ms = now;
    input.link_url = [&config, now](std::int64_t friend_id) {
        return linking::make_page_url(config.linking, config.privacy.hashing_key.reveal(),
                                      friend_id, now);
    };
    const auto page = plan_page(input);
    if (auto written = m_store.write_page(page); !written) {
        return tl::unexpected(written.error());
    }
    ++counts.pages;
    for (const auto& recipient : page.recipients) {
        ++(recipient.outcome == "queued" ? counts.queued : counts.skipped);
    }
    if (!page.messages.empty() && m_wrote_messages) {
        m_wrote_messages();
    }
    if (page.last) {
        auto report = m_store.report(run.id);
        std::int64_t queued = 0;
        std::int64_t skipped = 0;
        if (report) {
            for (const auto& [outcome, count] : report->counts) {
                (outcome == "skipped" ? skipped : queued) += count;
            }
        }
        logger().info("campaign.queued", {{"campaign", run.campaign},
                                          {"run", run.id},
                                          {"recipients", queued},
                                          {"skipped", skipped}});
    } else {
        counts.more = true;
    }
    return {};
}

tl::expected<PassCounts, StoreError> CampaignWorker::run_pass() {
    PassCounts counts;
    const auto current = loaded();
    if (!current.config || !current.config->campaigns) {
        return counts;
    }
    if (auto scheduled = schedule(*current.config, counts); !scheduled) {
        return tl::unexpected(scheduled.error());
    }
    auto due = m_store.due_runs(m_clock->now_ms());
    if (!due) {
        return tl::unexpected(due.error());
    }
    for (const auto& run : *due) {
        if (auto worked = work_on(current, run, counts); !worked) {
            return tl::unexpected(worked.error());
        }
    }
    return counts;
}

void CampaignWorker::start() {
    if (!m_thread.joinable()) {
        m_thread = std::jthread([this](std::stop_token stop) { loop(stop); });
    }
}

void CampaignWorker::stop() {
    if (m_thread.joinable()) {
        m_thread.request_stop();
        wake();
        m_thread.join();
    }
}

void CampaignWorker::wake() {
    {
        std::lock_guard lock(m_wake_mutex);
        m_woken = true;
    }
    m_wake.notify_all();
}

void CampaignWorker::loop(std::stop_token stop) {
    // Runs musubictl adds and scheduled times are noticed within this (real) time.
    constexpr auto k_idle = std::chrono::milliseconds(500);
    while (!stop.stop_requested()) {
        auto pass = run_pass();
        if (!pass) {
            logger().error("campaigns.store_error",
                           {{"error", pass.error().to_string()},
                            {"action", "retrying in a second; nothing is lost"}});
        } else if (pass->more) {
            continue;
        }
        auto wait = pass ? k_idle : std::chrono::milliseconds(1000);
        std::unique_lock lock(m_wake_mutex);
        m_wake.wait_for(lock, stop, wait, [this] { return m_woken; });
        m_woken = false;
    }
}

} // namespace musubi::campaigns
