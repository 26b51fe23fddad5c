#include "daemon/segments/segment_worker.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "daemon/log/log.hpp"
#include "daemon/segments/evaluate.hpp"

namespace musubi::segments {

namespace {

using store::StoreError;

const log::Logger& logger() {
    static const log::Logger instance("segments");
    return instance;
}

std::string shown(const std::optional<std::string>& segment) {
    return segment.value_or("(none)");
}

} // namespace

SegmentWorker::SegmentWorker(store::SegmentStore& store, std::shared_ptr<const clock::Clock> clock)
    : m_store(store)
    , m_clock(std::move(clock)) {}

SegmentWorker::~SegmentWorker() {
    stop();
}

void SegmentWorker::reload(std::shared_ptr<const std::vector<Segment>> segments) {
    {
        std::lock_guard lock(m_segments_mutex);
        m_segments = std::move(segments);
    }
    wake();
}

std::shared_ptr<const std::vector<Segment>> SegmentWorker::segments() const {
    std::lock_guard lock(m_segments_mutex);
    return m_segments;
}

tl::expected<void, StoreError> SegmentWorker::load_cursors() {
    if (m_cursors_loaded) {
        return {};
    }
    auto facts = m_store.cursor(k_fact_cursor);
    if (!facts) {
        return tl::unexpected(facts.error());
    }
    if (*facts) {
        m_fact_cursor = std::stoll(**facts);
    } else {
        // First start: the full evaluation below covers every fact so far.
        auto last = m_store.last_fact_id();
        if (!last) {
            return tl::unexpected(last.error());
        }
        m_fact_cursor = *last;
        // Kept at once: facts recorded after this point must not be skipped after a restart.
        if (auto saved = m_store.save(
                {}, store::SegmentStore::CursorValue{k_fact_cursor, std::to_string(*last)});
            !saved) {
            return tl::unexpected(saved.error());
        }
    }
    auto applied = m_store.cursor(k_definitions_cursor);
    if (!applied) {
        return tl::unexpected(applied.error());
    }
    m_applied_fingerprint = applied->value_or("");
    m_cursors_loaded = true;
    return {};
}

tl::expected<std::size_t, StoreError>
SegmentWorker::evaluate(const std::vector<Segment>& segments,
                        const std::vector<std::int64_t>& friend_ids, const Why& why, bool quiet,
                        const std::optional<store::SegmentStore::CursorValue>& cursor) {
    auto profiles = m_store.load_profiles(friend_ids, uses_items(segments));
    if (!profiles) {
        return tl::unexpected(profiles.error());
    }
    auto stored = m_store.memberships(friend_ids);
    if (!stored) {
        return tl::unexpected(stored.error());
    }
    std::unordered_map<std::int64_t, const store::Membership*> by_friend;
    for (const auto& membership : *stored) {
        by_friend.emplace(membership.friend_id, &membership);
    }
    const std::int64_t now = m_clock->now_ms();
    std::vector<store::MembershipWrite> writes;
    for (const auto& profile : *profiles) {
        const Evaluation answer = segments::evaluate(segments, profile, now);
        const auto found = by_friend.find(profile.friend_id);
        const store::Membership* before = found == by_friend.end() ? nullptr : found->second;
        const bool changed = before == nullptr || before->segment != answer.segment;
        if (!changed && before->next_check_at_ms == answer.next_change_at_ms &&
            before->next_check_reason == answer.next_change_reason) {
            continue; // nothing to write
        }
        store::MembershipWrite write;
        write.friend_id = profile.friend_id;
        write.segment = answer.segment;
        write.next_check_at_ms = answer.next_change_at_ms;
        write.next_check_reason = answer.next_change_reason;
        write.changed = changed;
        if (before != nullptr) {
            write.from = before->segment;
        }
        if (changed) {
            write.why = why(profile.friend_id, before);
        }
        writes.push_back(std::move(write));
    }
    // A friend whose row is gone (retention) is not due again.
    std::unordered_set<std::int64_t> present;
    for (const auto& profile : *profiles) {
        present.insert(profile.friend_id);
    }
    for (const auto& membership : *stored) {
        if (present.count(membership.friend_id) == 0 && membership.next_check_at_ms) {
            store::MembershipWrite write;
            write.friend_id = membership.friend_id;
            write.segment = membership.segment;
            writes.push_back(std::move(write));
        }
    }
    if (writes.empty() && !cursor) {
        return 0;
    }
    if (auto saved = m_store.save(writes, cursor); !saved) {
        return tl::unexpected(saved.error());
    }
    std::size_t changed = 0;
    for (const auto& write : writes) {
        if (!write.changed) {
            continue;
        }
        ++changed;
        const std::initializer_list<log::Field> fields{{"friend_id", write.friend_id},
                                                       {"from", shown(write.from)},
                                                       {"to", shown(write.segment)},
                                                       {"why", write.why}};
        if (quiet) {
            logger().debug("segment.changed", fields);
        } else {
            logger().info("segment.changed", fields);
        }
    }
    return changed;
}

tl::expected<std::size_t, StoreError>
SegmentWorker::reload_page(const std::vector<Segment>& segments, std::size_t limit,
                           PassCounts& counts) {
    auto page = m_store.friends_after(m_sweep->after_friend_id, limit);
    if (!page) {
        return tl::unexpected(page.error());
    }
    if (page->empty()) {
        // Every friend has the new answer: record which definitions are applied.
        if (auto saved = m_store.save(
                {}, store::SegmentStore::CursorValue{k_definitions_cursor, m_sweep->fingerprint});
            !saved) {
            return tl::unexpected(saved.error());
        }
        logger().info("segments.reloaded", {{"segments", segments.size()},
                                            {"friends", m_sweep_evaluated},
                                            {"changed", m_sweep_changed}});
        m_applied_fingerprint = m_sweep->fingerprint;
        m_sweep.reset();
        return 0;
    }
    const bool first = m_applied_fingerprint.empty();
    auto changed = evaluate(
        segments, *page,
        [first](std::int64_t, const store::Membership*) {
            return std::string(first ? "segments defined" : "config reload");
        },
        true, std::nullopt);
    if (!changed) {
        return tl::unexpected(changed.error());
    }
    m_sweep->after_friend_id = page->back();
    m_sweep_changed += *changed;
    m_sweep_evaluated += page->size();
    counts.reloaded += page->size();
    counts.changed += *changed;
    counts.more = true; // at least the empty page that ends the sweep is left
    return page->size();
}

tl::expected<PassCounts, StoreError> SegmentWorker::run_pass(std::size_t limit) {
    PassCounts counts;
    const auto current = segments();
    if (!current) {
        return counts; // no segments configured
    }
    if (auto loaded = load_cursors(); !loaded) {
        return tl::unexpected(loaded.error());
    }
    const std::string wanted = fingerprint(*current);
    if (wanted != m_applied_fingerprint && (!m_sweep || m_sweep->fingerprint != wanted)) {
        m_sweep = Sweep{wanted, 0};
        m_sweep_changed = 0;
        m_sweep_evaluated = 0;
    }
    if (m_sweep) {
        if (auto page = reload_page(*current, limit, counts); !page) {
            return tl::unexpected(page.error());
        }
    }

    auto scan = m_store.facts_after(m_fact_cursor, limit);
    if (!scan) {
        return tl::unexpected(scan.error());
    }
    if (scan->last_fact_id != m_fact_cursor) {
        std::vector<std::int64_t> touched;
        std::unordered_map<std::int64_t, std::string> why;
        for (const auto& fact : scan->facts) {
            if (why.find(fact.friend_id) == why.end()) {
                touched.push_back(fact.friend_id);
            }
            // The latest fact about the friend names the change.
            why[fact.friend_id] = "fact " + fact.kind + " #" + std::to_string(fact.fact_id);
        }
        auto changed = evaluate(
            *current, touched,
            [&why](std::int64_t friend_id, const store::Membership*) { return why.at(friend_id); },
            false,
            store::SegmentStore::CursorValue{k_fact_cursor, std::to_string(scan->last_fact_id)});
        if (!changed) {
            return tl::unexpected(changed.error());
        }
        m_fact_cursor = scan->last_fact_id;
        counts.by_facts = touched.size();
        counts.changed += *changed;
        counts.more = counts.more || scan->looked_at == limit;
    }

    auto due = m_store.due_for_check(m_clock->now_ms(), limit);
    if (!due) {
        return tl::unexpected(due.error());
    }
    if (!due->empty()) {
        auto changed = evaluate(
            *current, *due,
            [](std::int64_t, const store::Membership* before) {
                return "time: " + (before != nullptr ? before->next_check_reason : std::string());
            },
            false, std::nullopt);
        if (!changed) {
            return tl::unexpected(changed.error());
        }
        counts.by_time = due->size();
        counts.changed += *changed;
        counts.more = counts.more || due->size() == limit;
    }
    return counts;
}

void SegmentWorker::start() {
    if (!m_thread.joinable()) {
        m_thread = std::jthread([this](std::stop_token stop) { loop(stop); });
    }
}

void SegmentWorker::stop() {
    if (m_thread.joinable()) {
        m_thread.request_stop();
        wake();
        m_thread.join();
    }
}

void SegmentWorker::wake() {
    {
        std::lock_guard lock(m_wake_mutex);
        m_woken = true;
    }
    m_wake.notify_all();
}

void SegmentWorker::loop(std::stop_token stop) {
    constexpr std::size_t k_batch = 500;
    // New facts are noticed within this (real) time even without a wake().
    constexpr auto k_idle = std::chrono::milliseconds(250);
    while (!stop.stop_requested()) {
        auto pass = run_pass(k_batch);
        if (!pass) {
            logger().error("segments.store_error",
                           {{"error", pass.error().message},
                            {"action", "retrying in a second; nothing is lost"}});
        } else if (pass->more) {
            continue;
        }
        auto wait = k_idle;
        if (auto next = m_store.next_check_at(); next && *next) {
            const auto until =
                std::chrono::milliseconds(std::max<std::int64_t>(**next - m_clock->now_ms(), 0));
            wait = std::min(wait, clock::real_time(*m_clock, until));
        }
        if (!pass) {
            wait = std::chrono::seconds(1);
        }
        std::unique_lock lock(m_wake_mutex);
        m_wake.wait_for(lock, stop, wait, [this] { return m_woken; });
        m_woken = false;
    }
}

} // namespace musubi::segments
