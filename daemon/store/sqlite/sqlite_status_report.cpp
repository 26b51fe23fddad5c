#include "daemon/store/sqlite/sqlite_status_report.hpp"

#include <algorithm>
#include <utility>

namespace musubi::store::sqlite {

namespace {

constexpr std::int64_t k_hour_ms = 3600LL * 1000;
constexpr std::int64_t k_day_ms = 24 * k_hour_ms;

using Done = tl::expected<void, StoreError>;

// Runs `sql` with `bind` applied and calls `row(statement)` for every row.
template <typename Bind, typename Row>
Done for_each_row(Database& db, std::string_view sql, Bind bind, Row row) {
    auto statement = db.prepare(sql);
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    bind(*statement);
    while (true) {
        auto stepped = statement->step();
        if (!stepped) {
            return tl::unexpected(stepped.error());
        }
        if (!*stepped) {
            return {};
        }
        row(*statement);
    }
}

constexpr auto k_no_bind = [](Statement&) {};

// A deferred read transaction: every query sees the same snapshot (WAL), and none takes the
// write lock, so the page never holds up the workers.
class ReadTransaction {
public:
    static tl::expected<ReadTransaction, StoreError> begin(Database& db) {
        if (auto begun = db.exec("BEGIN DEFERRED"); !begun) {
            return tl::unexpected(begun.error());
        }
        return ReadTransaction(db);
    }
    ReadTransaction(ReadTransaction&& other) noexcept
        : m_db(std::exchange(other.m_db, nullptr)) {}
    ReadTransaction& operator=(ReadTransaction&&) = delete;
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;
    ~ReadTransaction() {
        if (m_db != nullptr) {
            (void)m_db->exec("COMMIT"); // nothing was written: ending the read cannot lose data
        }
    }

private:
    explicit ReadTransaction(Database& db)
        : m_db(&db) {}
    Database* m_db;
};

Done read_hourly(Database& db, std::int64_t now, StatusData& data) {
    const std::int64_t first = jst_hour_start(now) - (k_status_hours - 1) * k_hour_ms;
    data.hourly.resize(k_status_hours);
    for (int i = 0; i < k_status_hours; ++i) {
        data.hourly[static_cast<std::size_t>(i)].hour_start_ms = first + i * k_hour_ms;
    }
    return for_each_row(
        db,
        "SELECT (attempted_at - ?1) / ?3, "
        "sum(outcome IN ('sent', 'already_sent')), "
        "sum(outcome IN ('blocked', 'expired')), "
        "sum(outcome NOT IN ('sent', 'already_sent', 'blocked', 'expired')) "
        "FROM deliveries WHERE attempted_at >= ?1 AND attempted_at < ?2 GROUP BY 1",
        [&](Statement& s) {
            s.bind(1, first).bind(2, first + k_status_hours * k_hour_ms).bind(3, k_hour_ms);
        },
        [&](Statement& s) {
            auto& hour = data.hourly.at(static_cast<std::size_t>(s.column_int64(0)));
            hour.delivered = s.column_int64(1);
            hour.skipped = s.column_int64(2);
            hour.failed = s.column_int64(3);
        });
}

Done read_failures(Database& db, StatusData& data) {
    auto reasons =
        for_each_row(db,
                     "SELECT coalesce(reason, ''), count(*), max(updated_at) FROM outbox "
                     "WHERE state = 'failed' GROUP BY 1 ORDER BY 2 DESC, 3 DESC, 1",
                     k_no_bind, [&](Statement& s) {
                         data.failure_reasons.push_back(
                             {s.column_text(0), s.column_int64(1), s.column_int64(2)});
                         data.failed_total += s.column_int64(1);
                     });
    if (!reasons) {
        return reasons;
    }
    return for_each_row(
        db,
        "SELECT id, coalesce(scenario, ''), coalesce(step, ''), coalesce(reason, ''), updated_at "
        "FROM outbox WHERE state = 'failed' ORDER BY updated_at DESC, id DESC LIMIT ?1",
        [](Statement& s) { s.bind(1, std::int64_t{k_status_recent_failures}); },
        [&](Statement& s) {
            data.recent_failures.push_back({s.column_int64(0), s.column_text(1), s.column_text(2),
                                            s.column_text(3), s.column_int64(4)});
        });
}

Done read_outbox(Database& db, std::int64_t now, StatusData& data) {
    return for_each_row(
        db,
        "SELECT coalesce(sum(state = 'pending'), 0), coalesce(sum(state = 'sending'), 0), "
        "coalesce(sum(state = 'pending' AND due_at <= ?1), 0), "
        "min(CASE WHEN state = 'pending' AND due_at <= ?1 THEN due_at END) "
        "FROM outbox WHERE state IN ('pending', 'sending')",
        [&](Statement& s) { s.bind(1, now); },
        [&](Statement& s) {
            data.outbox.pending = s.column_int64(0);
            data.outbox.sending = s.column_int64(1);
            data.outbox.due_now = s.column_int64(2);
            if (!s.column_is_null(3)) {
                data.outbox.oldest_due_age_ms = now - s.column_int64(3);
            }
        });
}

Done read_friends(Database& db, std::int64_t now, StatusData& data) {
    auto states = for_each_row(
        db,
        "SELECT coalesce(sum(state = 'following'), 0), coalesce(sum(state = 'blocked'), 0) "
        "FROM friends",
        k_no_bind, [&](Statement& s) {
            data.friends.following = s.column_int64(0);
            data.friends.blocked = s.column_int64(1);
        });
    if (!states) {
        return states;
    }
    auto linked =
        for_each_row(db,
                     "SELECT count(*) FROM links JOIN friends ON friends.id = links.friend_id "
                     "WHERE links.unlinked_at IS NULL AND friends.state = 'following'",
                     k_no_bind, [&](Statement& s) { data.friends.linked = s.column_int64(0); });
    if (!linked) {
        return linked;
    }
    const std::int64_t first = jst_day_start(now) - (k_status_link_days - 1) * k_day_ms;
    data.daily_links.resize(k_status_link_days);
    for (int i = 0; i < k_status_link_days; ++i) {
        data.daily_links[static_cast<std::size_t>(i)].day_start_ms = first + i * k_day_ms;
    }
    return for_each_row(
        db,
        "SELECT (linked_at - ?1) / ?3, method, count(*) FROM links "
        "WHERE linked_at >= ?1 AND linked_at < ?2 GROUP BY 1, 2",
        [&](Statement& s) {
            s.bind(1, first).bind(2, first + k_status_link_days * k_day_ms).bind(3, k_day_ms);
        },
        [&](Statement& s) {
            data.daily_links.at(static_cast<std::size_t>(s.column_int64(0)))
                .by_method[s.column_text(1)] = s.column_int64(2);
        });
}

ScenarioFunnel& funnel_of(std::map<std::string, ScenarioFunnel>& funnels,
                          const std::string& scenario) {
    auto& funnel = funnels[scenario];
    funnel.scenario = scenario;
    return funnel;
}

FunnelStep& step_of(ScenarioFunnel& funnel, const std::string& step) {
    auto found = std::find_if(funnel.steps.begin(), funnel.steps.end(),
                              [&](const FunnelStep& s) { return s.step == step; });
    if (found != funnel.steps.end()) {
        return *found;
    }
    funnel.steps.push_back({step, 0, 0, 0});
    return funnel.steps.back();
}

Done read_funnels(Database& db, StatusData& data) {
    std::map<std::string, ScenarioFunnel> funnels;
    // The steps messages were written for, in the order they were first reached. A row
    // without an enrollment (none today) counts as one of its own. Grouped by the index's own
    // columns (a NULL step reads as ""), so SQLite walks the index without sorting it.
    auto reached = for_each_row(
        db,
        "SELECT scenario, step, count(DISTINCT coalesce(enrollment_id, -id)), "
        "count(DISTINCT CASE WHEN state = 'sent' THEN coalesce(enrollment_id, -id) END), "
        "min(id) FROM outbox WHERE scenario IS NOT NULL GROUP BY scenario, step ORDER BY 1, 5",
        k_no_bind, [&](Statement& s) {
            auto& step = step_of(funnel_of(funnels, s.column_text(0)), s.column_text(1));
            step.reached += s.column_int64(2); // a NULL step and '' are one
            step.sent += s.column_int64(3);
        });
    if (!reached) {
        return reached;
    }
    auto states = for_each_row(
        db,
        "SELECT scenario, state, step, count(*) FROM enrollments GROUP BY scenario, state, step",
        k_no_bind, [&](Statement& s) {
            auto& funnel = funnel_of(funnels, s.column_text(0));
            const auto state = s.column_text(1);
            const auto count = s.column_int64(3);
            funnel.enrolled += count;
            if (state == "active") {
                funnel.active += count;
                step_of(funnel, s.column_text(2)).waiting += count;
            } else if (state == "done") {
                funnel.done += count;
            } else if (state == "cancelled") {
                funnel.cancelled += count;
            } else {
                funnel.ended += count;
            }
        });
    if (!states) {
        return states;
    }
    for (auto& [name, funnel] : funnels) {
        data.funnels.push_back(std::move(funnel));
    }
    return {};
}

Done read_review_export(Database& db, StatusData& data) {
    return for_each_row(db,
                        "SELECT file, imported_at, bytes, reviews, oldest_posted_at, near_cap "
                        "FROM review_exports ORDER BY id DESC LIMIT 1",
                        k_no_bind, [&](Statement& row) {
                            ReviewExportNote note;
                            note.file = row.column_text(0);
                            note.imported_at_ms = row.column_int64(1);
                            note.bytes = row.column_int64(2);
                            note.reviews = row.column_int64(3);
                            if (!row.column_is_null(4)) {
                                note.oldest_posted_at_ms = row.column_int64(4);
                            }
                            note.near_cap = row.column_int64(5) != 0;
                            data.last_review_export = std::move(note);
                        });
}

} // namespace

tl::expected<StatusData, StoreError> SqliteStatusReport::read() {
    std::lock_guard lock(m_mutex);
    StatusData data;
    data.now_ms = m_clock->now_ms();
    if (auto done = read_locked(data); !done) {
        return tl::unexpected(done.error());
    }
    return data;
}

tl::expected<void, StoreError> SqliteStatusReport::read_locked(StatusData& data) {
    auto transaction = ReadTransaction::begin(m_db);
    if (!transaction) {
        return tl::unexpected(transaction.error());
    }
    for (auto part : {&read_failures, &read_funnels, &read_review_export}) {
        if (auto done = part(m_db, data); !done) {
            return done;
        }
    }
    for (auto part : {&read_hourly, &read_outbox, &read_friends}) {
        if (auto done = part(m_db, data.now_ms, data); !done) {
            return done;
        }
    }
    return {};
}

} // namespace musubi::store::sqlite
