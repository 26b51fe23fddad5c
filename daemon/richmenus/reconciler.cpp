#include "daemon/richmenus/reconciler.hpp"

#include <algorithm>

namespace musubi::richmenus {

namespace {

using Cursor = std::optional<std::pair<std::string, std::string>>;

std::string shown(const std::optional<std::string>& menu) {
    return menu.value_or("(default)");
}

// A 429 or an answer that never came: trying later can help. Other refusals cannot.
bool worth_retrying(const line::ApiResult& result) {
    return result.outcome == line::Outcome::rate_limited ||
           result.outcome == line::Outcome::transient ||
           result.outcome == line::Outcome::unauthorized;
}

} // namespace

ReconcilerSettings reconciler_settings(const config::Config& config) {
    ReconcilerSettings settings;
    settings.interval = config.richmenu_sync.interval;
    settings.spot_check_interval = config.richmenu_sync.spot_check_interval;
    settings.spot_check_size = static_cast<std::size_t>(config.richmenu_sync.spot_check_size);
    return settings;
}

Reconciler::Reconciler(line::MessagingClient& client, store::RichMenus& menus,
                       store::RichMenuLinks& links, std::shared_ptr<const clock::Clock> clock,
                       ReconcilerSettings settings)
    : m_client(client)
    , m_menus(menus)
    , m_links(links)
    , m_clock(std::move(clock))
    , m_provisioner(client, menus, m_clock, settings.provisioner)
    , m_settings(settings)
    , m_active(settings)
    , m_bucket(settings.link_rate_per_second, settings.link_rate_per_second / 10) {}

Reconciler::~Reconciler() {
    stop();
}

void Reconciler::reload(std::shared_ptr<const RichMenuSet> set, ReconcilerSettings settings) {
    {
        std::lock_guard lock(m_config_mutex);
        m_set = std::move(set);
        m_settings = settings;
        m_provision_due = true;
    }
    m_bucket.set_rate(settings.link_rate_per_second);
    wake();
}

std::shared_ptr<const RichMenuSet> Reconciler::menu_set() const {
    std::lock_guard lock(m_config_mutex);
    return m_set;
}

ReconcilerStats Reconciler::stats() const {
    std::lock_guard lock(m_stats_mutex);
    return m_stats;
}

bool Reconciler::backing_off() const {
    return std::chrono::steady_clock::now() < m_backoff_until;
}

void Reconciler::back_off(const std::string& why) {
    m_backoff = m_backoff.count() == 0
                    ? m_active.backoff_initial
                    : std::min<std::chrono::milliseconds>(m_backoff * 2, m_active.backoff_max);
    m_backoff_until = std::chrono::steady_clock::now() + m_backoff;
    m_log.warn("richmenu.backing_off",
               {{"why", why},
                {"retry_in_ms", static_cast<std::int64_t>(m_backoff.count())},
                {"action", "nothing is lost: the work is found again after the pause"}});
}

void Reconciler::store_failed(const store::StoreError& error, const char* doing) {
    m_log.error("richmenu.store_error", {{"doing", doing}, {"error", error.to_string()}});
    back_off(std::string("store: ") + doing);
}

bool Reconciler::store_ok(const tl::expected<void, store::StoreError>& result, const char* doing) {
    if (result) {
        return true;
    }
    store_failed(result.error(), doing);
    return false;
}

bool Reconciler::load_cursors() {
    if (m_cursors_loaded) {
        return true;
    }
    // First start: the full pass covers everything before now, so the sources start here.
    const auto load = [&](const char* name, auto last, std::int64_t& into) {
        auto value = m_links.cursor(name);
        if (!store_ok(value, "reading a cursor")) {
            return false;
        }
        if (*value) {
            into = std::stoll(**value);
            return true;
        }
        auto max = last();
        if (!store_ok(max, "reading a cursor")) {
            return false;
        }
        into = *max;
        return store_ok(m_links.set_cursor(name, std::to_string(into)), "writing a cursor");
    };
    if (!load(
            k_segment_cursor, [&] { return m_links.last_segment_change_id(); }, m_segment_cursor) ||
        !load(
            k_fact_cursor, [&] { return m_links.last_fact_id(); }, m_fact_cursor)) {
        return false;
    }
    auto mapping = m_links.cursor(k_mapping_cursor);
    if (!store_ok(mapping, "reading a cursor")) {
        return false;
    }
    m_applied_mapping = mapping->value_or("");
    m_cursors_loaded = true;
    return true;
}

void Reconciler::take_token() {
    const auto wait = m_bucket.reserve(dispatch::TokenBucket::Clock::now());
    if (wait > dispatch::TokenBucket::Clock::duration::zero()) {
        std::this_thread::sleep_for(wait);
        std::lock_guard lock(m_stats_mutex);
        m_stats.rate_wait += std::chrono::duration_cast<std::chrono::nanoseconds>(wait);
    }
}

bool Reconciler::send_batch(const std::optional<std::string>& rich_menu_id,
                            const std::vector<LinkAction>& batch, bool& skipped) {
    std::vector<std::string> users;
    users.reserve(batch.size());
    for (const auto& action : batch) {
        users.push_back(action.line_user_id);
    }
    take_token();
    auto sent = rich_menu_id ? m_client.bulk_link_rich_menu(*rich_menu_id, users)
                             : m_client.bulk_unlink_rich_menu(users);
    {
        std::lock_guard lock(m_stats_mutex);
        ++m_stats.bulk_calls;
        if (sent) {
            (rich_menu_id ? m_stats.linked : m_stats.unlinked) += batch.size();
        } else {
            ++m_stats.failed_calls;
        }
    }
    if (sent) {
        return true;
    }
    const auto& error = sent.error();
    if (error.outcome == line::Outcome::rate_limited) {
        m_bucket.slow_down(dispatch::TokenBucket::Clock::now());
    }
    if (worth_retrying(error)) {
        back_off(std::string(rich_menu_id ? "bulk link" : "bulk unlink") + ": " +
                 std::string(line::outcome_name(error.outcome)) + " " +
                 std::to_string(error.status));
        return false;
    }
    // Refused for good (e.g. the menu is gone): this batch is left; a later pass or the spot
    // check finds these friends again.
    m_log.error("richmenu.batch_refused", {{"menu", rich_menu_id.value_or("(unlink)")},
                                           {"friends", batch.size()},
                                           {"status", error.status},
                                           {"message", error.message}});
    skipped = true;
    return true;
}

bool Reconciler::execute(Plan& plan, const Cursor& cursor) {
    if (!plan.forget.empty() &&
        !store_ok(m_links.mark_stale(plan.forget, true), "forgetting menus of blocked friends")) {
        return false;
    }
    struct Group {
        std::optional<std::string> rich_menu_id;
        const std::vector<LinkAction>* actions;
    };
    std::vector<Group> groups;
    for (const auto& [id, actions] : plan.links) {
        groups.push_back({id, &actions});
    }
    if (!plan.unlinks.empty()) {
        groups.push_back({std::nullopt, &plan.unlinks});
    }
    std::size_t batches_left = plan.calls();
    for (const auto& group : groups) {
        const auto& actions = *group.actions;
        for (std::size_t at = 0; at < actions.size(); at += k_bulk_size) {
            const std::vector<LinkAction> batch(
                actions.begin() + static_cast<std::ptrdiff_t>(at),
                actions.begin() +
                    static_cast<std::ptrdiff_t>(std::min(at + k_bulk_size, actions.size())));
            bool skipped = false;
            if (!send_batch(group.rich_menu_id, batch, skipped)) {
                return false;
            }
            m_skipped_batches += skipped ? 1 : 0;
            --batches_left;
            std::vector<store::MenuLinkWrite> writes;
            if (!skipped) {
                writes.reserve(batch.size());
                for (const auto& action : batch) {
                    writes.push_back(
                        {action.friend_id, action.from, action.to, group.rich_menu_id, action.why});
                    m_log.debug("richmenu.changed", {{"friend_id", action.friend_id},
                                                     {"from", shown(action.from)},
                                                     {"to", shown(action.to)},
                                                     {"why", action.why}});
                }
            }
            if (!store_ok(m_links.record_links(writes, batches_left == 0 ? cursor : Cursor()),
                          "recording links")) {
                return false;
            }
            m_log.info("richmenu.batch", {{"menu", shown(batch.front().to)},
                                          {"friends", batch.size()},
                                          {"why", batch.front().why}});
        }
    }
    if (batches_left == 0 && plan.calls() == 0 && cursor) {
        return store_ok(m_links.set_cursor(cursor->first, cursor->second), "writing a cursor");
    }
    return true;
}

Reconciler::Step Reconciler::provision(const RichMenuSet& set) {
    bool due = false;
    {
        std::lock_guard lock(m_config_mutex);
        due = m_provision_due;
    }
    if (!due || std::chrono::steady_clock::now() < m_provision_after) {
        return {};
    }
    const auto report = m_provisioner.provision(set);
    if (!report.complete()) {
        // The rest of the pass still links friends to the menus that are in place.
        m_provision_after = std::chrono::steady_clock::now() + *report.retry_after;
        return {};
    }
    std::lock_guard lock(m_config_mutex);
    m_provision_due = false;
    m_log.info("richmenu.provisioned", {{"reused", report.reused.size()},
                                        {"created", report.created.size()},
                                        {"refused", report.refused.size()},
                                        {"moves", report.moves.size()}});
    return {};
}

Reconciler::Step Reconciler::full_pass(const RichMenuSet& set, const MenuIds& ids) {
    const std::string wanted = mapping_fingerprint(set);
    if (wanted == m_applied_mapping) {
        m_sweep_after.reset();
        return {};
    }
    if (!m_sweep_after) {
        m_sweep_after = 0;
    }
    auto page = m_links.friends_after(*m_sweep_after, m_active.page_size);
    if (!store_ok(page, "reading friends")) {
        return {false};
    }
    if (page->empty()) {
        if (!store_ok(m_links.set_cursor(k_mapping_cursor, wanted), "writing a cursor")) {
            return {false};
        }
        m_log.info("richmenu.mapping_applied", {{"segments", set.segment_menus.size()}});
        m_applied_mapping = wanted;
        m_sweep_after.reset();
        return {};
    }
    Plan plan;
    const std::string why = m_applied_mapping.empty() ? "menus configured" : "config reload";
    for (const auto& friend_menu : *page) {
        plan_friend(friend_menu, set, ids, why, false, plan);
    }
    if (!execute(plan, std::nullopt)) {
        return {false};
    }
    m_sweep_after = page->back().friend_id;
    return {true, true};
}

Reconciler::Step Reconciler::segment_changes(const RichMenuSet& set, const MenuIds& ids) {
    auto page = m_links.segment_changes_after(m_segment_cursor, m_active.page_size);
    if (!store_ok(page, "reading segment changes")) {
        return {false};
    }
    if (page->looked_at == 0) {
        return {};
    }
    Plan plan;
    for (const auto& friend_menu : page->friends) {
        plan_friend(friend_menu, set, ids, "segment " + friend_menu.segment.value_or("(none)"),
                    false, plan);
    }
    if (!execute(plan, Cursor({k_segment_cursor, std::to_string(page->last_id)}))) {
        return {false};
    }
    m_segment_cursor = page->last_id;
    return {true, page->looked_at == m_active.page_size};
}

Reconciler::Step Reconciler::follows(const RichMenuSet& set, const MenuIds& ids) {
    auto page = m_links.follow_facts_after(m_fact_cursor, m_active.page_size);
    if (!store_ok(page, "reading follow facts")) {
        return {false};
    }
    if (page->last_id == m_fact_cursor) {
        return {};
    }
    Plan plan;
    std::vector<std::int64_t> left;
    for (std::size_t i = 0; i < page->friends.size(); ++i) {
        const auto& friend_menu = page->friends[i];
        if (page->unfollowed[i]) {
            left.push_back(friend_menu.friend_id);
            continue;
        }
        // Back after a block: LINE may have dropped the per-user menu, so it is set again
        // (a first follow needs nothing beyond what the segment asks for).
        const bool came_back = friend_menu.stale || page->came_back[i];
        plan_friend(friend_menu, set, ids, "followed again", came_back, plan);
    }
    if (!left.empty() && !store_ok(m_links.mark_stale(left, false), "marking unfollows")) {
        return {false};
    }
    if (!execute(plan, Cursor({k_fact_cursor, std::to_string(page->last_id)}))) {
        return {false};
    }
    m_fact_cursor = page->last_id;
    return {true, page->looked_at == m_active.page_size};
}

Reconciler::Step Reconciler::moves(const RichMenuSet& set, const MenuIds& ids) {
    {
        std::lock_guard lock(m_config_mutex);
        if (m_provision_due) {
            return {}; // the new menus are not all in place yet
        }
    }
    auto pending = m_menus.pending_moves();
    if (!store_ok(pending, "reading pending moves")) {
        return {false};
    }
    for (const auto& move : *pending) {
        auto page = m_links.linked_to(move.from_id, 0, m_active.page_size);
        if (!store_ok(page, "reading friends of a replaced menu")) {
            return {false};
        }
        if (!page->empty()) {
            Plan plan;
            for (const auto& friend_menu : *page) {
                plan_friend(friend_menu, set, ids, "menu " + move.name + " replaced", false, plan);
            }
            if (plan.actions() == 0 && plan.forget.empty()) {
                continue; // waiting for the new menu
            }
            const auto skipped_before = m_skipped_batches;
            if (!execute(plan, std::nullopt)) {
                return {false};
            }
            // A batch LINE refused stays on the old menu: look again at the next interval
            // rather than at once.
            return {true, m_skipped_batches == skipped_before};
        }
        auto retired = m_provisioner.retire(move.from_id);
        if (!retired) {
            m_log.warn(
                "richmenu.retire_failed",
                {{"name", move.name}, {"id", move.from_id}, {"error", retired.error().message}});
            if (retired.error().retry) {
                back_off("deleting a replaced menu");
                return {false};
            }
        }
    }
    return {};
}

Reconciler::Step Reconciler::spot_check(const RichMenuSet& set, const MenuIds& ids) {
    auto friends = m_links.least_recently_checked(m_active.spot_check_size);
    if (!store_ok(friends, "reading friends to check")) {
        return {false};
    }
    const std::int64_t now = m_clock->now_ms();
    constexpr std::int64_t k_settle_ms = 60'000; // LINE applies bulk calls within seconds
    Plan plan;
    std::vector<std::int64_t> checked;
    std::size_t drift = 0;
    bool stopped = false;
    for (const auto& friend_menu : *friends) {
        const auto desired = desired_menu(set, friend_menu.segment);
        // Work musubi has not done yet (a segment change still queued, a stale record) is
        // not drift: the passes above do it. Nor is a link LINE may still be applying.
        const bool pending = friend_menu.stale || friend_menu.menu != desired;
        if (pending || (friend_menu.linked_at > 0 && now - friend_menu.linked_at < k_settle_ms)) {
            continue;
        }
        take_token();
        auto shown_menu = m_client.user_rich_menu(friend_menu.line_user_id);
        {
            std::lock_guard lock(m_stats_mutex);
            ++m_stats.lookups;
        }
        if (!shown_menu) {
            if (worth_retrying(shown_menu.error())) {
                back_off("spot check: " +
                         std::string(line::outcome_name(shown_menu.error().outcome)));
                stopped = true;
                break;
            }
            checked.push_back(friend_menu.friend_id); // e.g. 404 for an unknown user
            continue;
        }
        checked.push_back(friend_menu.friend_id);
        if (!drifted(set, ids, desired, *shown_menu)) {
            continue;
        }
        auto record = friend_menu;
        record.menu =
            *shown_menu ? std::optional<std::string>(menu_shown(ids, **shown_menu)) : std::nullopt;
        const auto before = plan.actions();
        plan_friend(record, set, ids, "drift", true, plan);
        drift += plan.actions() - before;
        m_log.info("richmenu.drift", {{"friend_id", friend_menu.friend_id},
                                      {"shown", shown(record.menu)},
                                      {"desired", shown(desired)}});
    }
    if (!checked.empty() && !store_ok(m_links.mark_checked(checked), "recording the check")) {
        return {false};
    }
    if (!execute(plan, std::nullopt)) {
        return {false};
    }
    {
        std::lock_guard lock(m_stats_mutex);
        m_stats.drift_repaired += drift;
    }
    m_log.info("richmenu.spot_check", {{"checked", checked.size()}, {"drift", drift}});
    return {!stopped};
}

void Reconciler::take_settings() {
    std::lock_guard lock(m_config_mutex);
    m_active = m_settings;
}

PassResult Reconciler::run_pass() {
    std::lock_guard pass(m_pass_mutex);
    take_settings();
    PassResult result;
    const auto set = menu_set();
    if (!set || set->menus.empty() || backing_off()) {
        result.stopped = set && backing_off();
        return result;
    }
    if (!load_cursors()) {
        return {false, true};
    }
    provision(*set);
    auto records = m_menus.menus();
    if (!store_ok(records, "reading menus")) {
        return {false, true};
    }
    const MenuIds ids = MenuIds::from(*records);
    for (auto step : {&Reconciler::full_pass, &Reconciler::segment_changes, &Reconciler::follows,
                      &Reconciler::moves}) {
        const Step done = (this->*step)(*set, ids);
        if (!done.ok) {
            return {false, true};
        }
        result.more = result.more || done.more;
    }
    if (m_backoff.count() != 0) {
        m_backoff = std::chrono::milliseconds(0); // a pass went through: start over gently
    }
    const std::int64_t now = m_clock->now_ms();
    if (!m_next_spot_check_ms) {
        m_next_spot_check_ms = now + m_active.spot_check_interval.count();
    } else if (now >= *m_next_spot_check_ms && !result.more) {
        m_next_spot_check_ms = now + m_active.spot_check_interval.count();
        if (!spot_check(*set, ids).ok) {
            return {false, true};
        }
    }
    return result;
}

PassResult Reconciler::spot_check_now() {
    std::lock_guard pass(m_pass_mutex);
    take_settings();
    const auto set = menu_set();
    if (!set) {
        return {};
    }
    auto records = m_menus.menus();
    if (!store_ok(records, "reading menus")) {
        return {false, true};
    }
    return {false, !spot_check(*set, MenuIds::from(*records)).ok};
}

void Reconciler::start() {
    if (!m_thread.joinable()) {
        m_thread = std::jthread([this](std::stop_token stop) { loop(stop); });
    }
}

void Reconciler::stop() {
    if (m_thread.joinable()) {
        m_thread.request_stop();
        wake();
        m_thread.join();
    }
}

void Reconciler::wake() {
    {
        std::lock_guard lock(m_wake_mutex);
        m_woken = true;
    }
    m_wake.notify_all();
}

void Reconciler::loop(std::stop_token stop) {
    while (!stop.stop_requested()) {
        PassResult pass;
        try {
            pass = run_pass();
        } catch (const std::exception& error) {
            // One bad pass must not stop the daemon; the next one starts from the cursors.
            m_log.error("richmenu.pass_failed", {{"error", error.what()}});
            pass.stopped = true;
        }
        if (pass.more) {
            continue;
        }
        std::chrono::milliseconds wait;
        {
            std::lock_guard lock(m_config_mutex);
            wait = m_settings.interval;
        }
        const auto now = std::chrono::steady_clock::now();
        if (now < m_backoff_until) {
            wait = std::min(
                wait, std::chrono::duration_cast<std::chrono::milliseconds>(m_backoff_until - now) +
                          std::chrono::milliseconds(1));
        }
        std::unique_lock lock(m_wake_mutex);
        m_wake.wait_for(lock, stop, wait, [this] { return m_woken; });
        m_woken = false;
    }
}

} // namespace musubi::richmenus
