#include "daemon/followers/followers_importer.hpp"

#include <algorithm>

namespace musubi::followers {

namespace {

constexpr std::chrono::milliseconds k_idle_tick{1000}; // notices a due run or a clock jump
constexpr std::chrono::milliseconds k_max_backoff{5 * 60 * 1000};
constexpr std::int64_t k_profile_retry_ms = 60LL * 60 * 1000; // first retry after a failure
constexpr std::int64_t k_profile_retry_max_ms = 24LL * 3600 * 1000;

std::int64_t profile_retry_after(std::int64_t attempts) {
    const auto shift = std::min<std::int64_t>(attempts, 5);
    return std::min(k_profile_retry_ms << shift, k_profile_retry_max_ms);
}

} // namespace

FollowersImporter::FollowersImporter(store::FollowersImport& store,
                                     std::shared_ptr<const clock::Clock> clock,
                                     std::function<void()> on_facts)
    : m_store(store)
    , m_clock(std::move(clock))
    , m_on_facts(std::move(on_facts)) {}

FollowersImporter::~FollowersImporter() {
    stop();
}

void FollowersImporter::start(ImporterOptions options) {
    m_profile_bucket.set_rate(static_cast<double>(options.settings.profiles_per_second));
    std::lock_guard lock(m_mutex);
    m_options = std::move(options);
    m_restart = true;
    if (!m_thread.joinable()) {
        m_stopping = false;
        m_thread = std::thread([this] { loop(); });
    }
    m_cv.notify_all();
}

void FollowersImporter::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void FollowersImporter::loop() {
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        m_restart = false;
        auto options = m_options;
        lock.unlock();
        Step done = Step::idle;
        if (options) {
            const auto batch = static_cast<std::size_t>(
                std::clamp<std::int64_t>(options->settings.profiles_per_second, 1, 50));
            done = step(*options, batch);
        }
        lock.lock();
        std::chrono::milliseconds wait = k_idle_tick;
        if (done == Step::page || done == Step::finished || done == Step::profiles) {
            m_backoff = std::chrono::milliseconds(0);
            continue; // more may be due at once
        }
        if (done == Step::failed) {
            m_backoff = std::clamp(m_backoff * 2, std::chrono::milliseconds(1000), k_max_backoff);
            wait = m_backoff;
        }
        m_cv.wait_for(lock, wait, [this] { return m_stopping || m_restart; });
    }
}

Step FollowersImporter::step(const ImporterOptions& options, std::size_t max_profiles) {
    if (!options.settings.enabled || !options.client) {
        return Step::idle;
    }
    auto latest = m_store.latest_run();
    if (!latest) {
        m_logger.error("followers.store_error", {{"error", latest.error().message}});
        return Step::failed;
    }
    const auto now = m_clock->now_ms();
    const bool running = *latest && (*latest)->outcome == store::ImportOutcome::running;
    const bool due =
        !*latest || (*latest)->started_at_ms + options.settings.interval.count() <= now;
    if (running || due) {
        return import_page(*options.client, options.settings);
    }
    return read_profiles(*options.client, max_profiles);
}

Step FollowersImporter::import_page(line::MessagingClient& client,
                                    const config::FollowersImportConfig& settings) {
    (void)settings;
    auto latest = m_store.latest_run();
    if (!latest) {
        m_logger.error("followers.store_error", {{"error", latest.error().message}});
        return Step::failed;
    }
    store::ImportRun run;
    if (*latest && (*latest)->outcome == store::ImportOutcome::running) {
        run = **latest;
    } else {
        auto begun = m_store.begin_run(m_clock->now_ms());
        if (!begun) {
            m_logger.error("followers.store_error", {{"error", begun.error().message}});
            return Step::failed;
        }
        run = *begun;
        m_logger.info("followers.import_started", {{"run", std::to_string(run.id)}});
    }
    m_list_bucket.acquire();
    auto page = client.followers(k_page_size, run.next_token);
    if (!page) {
        const auto& error = page.error();
        if (error.status == 403) {
            if (auto finished =
                    m_store.finish_run(run.id, store::ImportOutcome::forbidden, m_clock->now_ms());
                !finished) {
                m_logger.error("followers.store_error", {{"error", finished.error().message}});
                return Step::failed;
            }
            if (!m_told_forbidden) {
                m_logger.warn(
                    "line.followers_unavailable",
                    {{"status", "403"},
                     {"error", error.message},
                     {"meaning", "LINE lets only verified or premium accounts read the list of "
                                 "their friends, so musubi cannot import the friends this "
                                 "account already has; each of them becomes known to musubi "
                                 "when they next act (a message, a tap, a new follow)"},
                     {"action", "nothing is broken; to import existing friends, have the "
                                "account verified in LINE Official Account Manager (musubi asks "
                                "again every line.followers_import.interval), or set "
                                "line.followers_import.enabled: false to stop asking"}});
                m_told_forbidden = true;
            }
            return Step::forbidden;
        }
        if (error.status == 400 && !run.next_token.empty()) {
            // The saved token is no longer good (LINE's tokens are not meant to be kept for
            // long): this run ends, and the next one reads the list from the top; friends
            // already imported are not imported again.
            m_logger.warn("followers.token_refused",
                          {{"run", std::to_string(run.id)}, {"error", error.message}});
            if (auto finished =
                    m_store.finish_run(run.id, store::ImportOutcome::abandoned, m_clock->now_ms());
                !finished) {
                m_logger.error("followers.store_error", {{"error", finished.error().message}});
                return Step::failed;
            }
            if (auto begun = m_store.begin_run(m_clock->now_ms()); !begun) {
                m_logger.error("followers.store_error", {{"error", begun.error().message}});
                return Step::failed;
            }
            return Step::page;
        }
        if (error.outcome == line::Outcome::rate_limited) {
            m_list_bucket.slow_down(dispatch::TokenBucket::Clock::now());
        }
        failed("followers.import_failed", error);
        return Step::failed;
    }
    auto imported = m_store.apply_page(run.id, page->user_ids, page->next, m_clock->now_ms());
    if (!imported) {
        m_logger.error("followers.store_error", {{"error", imported.error().message}});
        return Step::failed;
    }
    if (m_failing) {
        m_logger.info("followers.import_resumed", {{"run", std::to_string(run.id)}});
        m_failing = false;
    }
    if (*imported > 0 && m_on_facts) {
        m_on_facts();
    }
    if (!page->next.empty()) {
        return Step::page;
    }
    m_logger.info(
        "followers.import_finished",
        {{"run", std::to_string(run.id)},
         {"pages", std::to_string(run.pages + 1)},
         {"listed", std::to_string(run.listed + static_cast<std::int64_t>(page->user_ids.size()))},
         {"imported", std::to_string(run.imported + *imported)}});
    return Step::finished;
}

Step FollowersImporter::read_profiles(line::MessagingClient& client, std::size_t max_profiles) {
    auto due = m_store.profiles_due(m_clock->now_ms(), max_profiles);
    if (!due) {
        m_logger.error("followers.store_error", {{"error", due.error().message}});
        return Step::failed;
    }
    if (due->empty()) {
        return Step::idle;
    }
    bool gone = false;
    for (const auto& friend_due : *due) {
        m_profile_bucket.acquire();
        const auto asked_at = m_clock->now_ms();
        auto profile = client.profile(friend_due.line_user_id);
        tl::expected<void, store::StoreError> stored;
        if (profile) {
            stored = m_store.set_profile(friend_due.friend_id, profile->display_name);
        } else if (profile.error().status == 404) {
            auto marked = m_store.mark_gone(friend_due.friend_id, asked_at);
            if (marked && *marked) {
                gone = true;
                m_logger.info("followers.friend_gone",
                              {{"friend_id", std::to_string(friend_due.friend_id)},
                               {"reason", "profile 404: blocked or no longer a friend"}});
            }
            if (!marked) {
                stored = tl::unexpected(marked.error());
            }
        } else if (profile.error().outcome == line::Outcome::rate_limited) {
            // Not this friend's fault: the rest of the batch waits for the backoff.
            m_profile_bucket.slow_down(dispatch::TokenBucket::Clock::now());
            failed("followers.profile_failed", profile.error());
            return Step::failed;
        } else {
            failed("followers.profile_failed", profile.error());
            stored = m_store.postpone_profile(friend_due.friend_id,
                                              asked_at + profile_retry_after(friend_due.attempts));
        }
        if (!stored) {
            m_logger.error("followers.store_error", {{"error", stored.error().message}});
            return Step::failed;
        }
    }
    if (gone && m_on_facts) {
        m_on_facts();
    }
    return Step::profiles;
}

void FollowersImporter::failed(std::string_view what, const line::ApiResult& result) {
    if (m_failing) {
        return; // said once until a call succeeds again
    }
    m_failing = true;
    m_logger.warn(what, {{"status", std::to_string(result.status)},
                         {"outcome", std::string(line::outcome_name(result.outcome))},
                         {"error", result.message},
                         {"action", "musubi tries again with backoff and resumes where it "
                                    "stopped"}});
}

} // namespace musubi::followers
