#include "daemon/store/sqlite/sqlite_campaigns.hpp"

#include "daemon/store/sqlite/columns.hpp"
#include "daemon/store/sqlite/outbox_rows.hpp"

namespace musubi::store::sqlite {

namespace {

using tl::unexpected;

constexpr const char* k_run_columns =
    "id, campaign, occurrence, segment, template, multicast, due_at, state, started_by, "
    "after_friend_id, pages, created_at, finished_at";

CampaignRun read_run(const Statement& s) {
    CampaignRun run;
    run.id = s.column_int64(0);
    run.campaign = s.column_text(1);
    run.occurrence = s.column_text(2);
    run.segment = s.column_text(3);
    run.template_name = s.column_text(4);
    run.multicast = s.column_int64(5) != 0;
    run.due_at_ms = s.column_int64(6);
    run.state = s.column_text(7);
    run.started_by = s.column_text(8);
    run.after_friend_id = s.column_int64(9);
    run.pages = s.column_int64(10);
    run.created_at_ms = s.column_int64(11);
    run.finished_at_ms = optional_int(s, 12);
    return run;
}

template <class Row>
tl::expected<void, StoreError> each_row(Statement& statement, Row&& row) {
    while (true) {
        auto more = statement.step();
        if (!more) {
            return unexpected(more.error());
        }
        if (!*more) {
            return {};
        }
        row(statement);
    }
}

// Tags are read as one text per friend, joined with the unit separator (never in a tag).
std::vector<std::string> split_tags(const std::string& joined) {
    std::vector<std::string> tags;
    std::size_t start = 0;
    while (!joined.empty() && start <= joined.size()) {
        const auto end = joined.find('\x1f', start);
        tags.push_back(joined.substr(start, end == std::string::npos ? end : end - start));
        if (end == std::string::npos) {
            break;
        }
        start = end + 1;
    }
    return tags;
}

// As the engine counts a scenario cap (sqlite_engine_store.cpp counted_messages), plus the
// friend's multicast campaign messages, which have no friend on their outbox row.
constexpr const char* k_messages_in_span =
    "SELECT (SELECT count(*) FROM outbox WHERE friend_id = ?1 AND due_at >= ?2 AND due_at < ?3 "
    "AND critical = 0 AND scenario IS NOT 'linking' AND state NOT IN ('failed', 'skipped', "
    "'expired')) + (SELECT count(*) FROM campaign_recipients r JOIN campaign_runs c ON c.id = "
    "r.run_id WHERE r.friend_id = ?1 AND r.outcome = 'queued' AND c.multicast = 1 AND r.at >= "
    "?2 AND r.at < ?3)";

} // namespace

tl::expected<std::pair<std::int64_t, bool>, StoreError>
SqliteCampaigns::create_run(const NewCampaignRun& run) {
    std::lock_guard lock(m_mutex);
    auto insert = m_db.prepare(
        "INSERT INTO campaign_runs (campaign, occurrence, segment, template, multicast, due_at, "
        "started_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
        "ON CONFLICT (campaign, occurrence) DO NOTHING");
    if (!insert) {
        return unexpected(insert.error());
    }
    insert->bind(1, run.campaign)
        .bind(2, run.occurrence)
        .bind(3, run.segment)
        .bind(4, run.template_name)
        .bind(5, std::int64_t{run.multicast ? 1 : 0})
        .bind(6, run.due_at_ms)
        .bind(7, run.started_by)
        .bind(8, m_clock->now_ms());
    if (auto done = insert->run(); !done) {
        return unexpected(done.error());
    }
    const bool inserted = sqlite3_changes(m_db.handle()) == 1;
    auto select =
        m_db.prepare("SELECT id FROM campaign_runs WHERE campaign = ?1 AND occurrence = ?2");
    if (!select) {
        return unexpected(select.error());
    }
    select->bind(1, run.campaign).bind(2, run.occurrence);
    if (auto row = select->step(); !row || !*row) {
        return unexpected(row ? StoreError{"the campaign run just written is missing", ""}
                              : row.error());
    }
    return std::pair{select->column_int64(0), inserted};
}

tl::expected<std::vector<CampaignRun>, StoreError>
SqliteCampaigns::select_runs(const std::string& where, std::int64_t value, const std::string& text,
                             std::size_t limit) {
    auto select = m_db.prepare(std::string("SELECT ") + k_run_columns + " FROM campaign_runs " +
                               where + " LIMIT ?3");
    if (!select) {
        return unexpected(select.error());
    }
    select->bind(1, value).bind(2, text).bind(3, static_cast<std::int64_t>(limit));
    std::vector<CampaignRun> runs;
    if (auto read = each_row(*select, [&](const Statement& s) { runs.push_back(read_run(s)); });
        !read) {
        return unexpected(read.error());
    }
    return runs;
}

tl::expected<std::vector<CampaignRun>, StoreError> SqliteCampaigns::due_runs(std::int64_t now_ms) {
    std::lock_guard lock(m_mutex);
    return select_runs("WHERE state = 'running' OR (state = 'scheduled' AND due_at <= ?1 AND "
                       "?2 = '') ORDER BY due_at, id",
                       now_ms, "", 100);
}

tl::expected<std::optional<std::int64_t>, StoreError> SqliteCampaigns::next_due_at() {
    std::lock_guard lock(m_mutex);
    auto select = m_db.prepare("SELECT min(due_at) FROM campaign_runs WHERE state = 'scheduled'");
    if (!select) {
        return unexpected(select.error());
    }
    if (auto row = select->step(); !row) {
        return unexpected(row.error());
    }
    return optional_int(*select, 0);
}

tl::expected<std::optional<CampaignRun>, StoreError> SqliteCampaigns::run(std::int64_t run_id) {
    std::lock_guard lock(m_mutex);
    auto runs = select_runs("WHERE id = ?1 AND ?2 = ''", run_id, "", 1);
    if (!runs) {
        return unexpected(runs.error());
    }
    return runs->empty() ? std::nullopt : std::optional<CampaignRun>(runs->front());
}

tl::expected<std::vector<CampaignRun>, StoreError>
SqliteCampaigns::runs(const std::string& campaign, std::size_t limit) {
    std::lock_guard lock(m_mutex);
    return select_runs("WHERE ?1 = 0 AND campaign = ?2 ORDER BY id DESC", 0, campaign, limit);
}

tl::expected<void, StoreError> SqliteCampaigns::postpone(std::int64_t run_id,
                                                         std::int64_t due_at_ms) {
    std::lock_guard lock(m_mutex);
    auto update =
        m_db.prepare("UPDATE campaign_runs SET due_at = ?2 WHERE id = ?1 AND state = 'scheduled'");
    if (!update) {
        return unexpected(update.error());
    }
    update->bind(1, run_id).bind(2, due_at_ms);
    return update->run();
}

tl::expected<std::vector<CampaignCandidate>, StoreError>
SqliteCampaigns::candidates(const CampaignRun& run, std::size_t limit, std::int64_t day_from_ms,
                            std::int64_t day_to_ms) {
    std::lock_guard lock(m_mutex);
    auto select = m_db.prepare(
        "SELECT f.id, f.line_user_id, coalesce(f.display_name, ''), f.state = 'following', "
        "l.buyer_id IS NOT NULL, coalesce(b.given_name, ''), (SELECT group_concat(t.tag, "
        "char(31)) FROM friend_tags t WHERE t.friend_id = f.id) FROM friend_segments s JOIN "
        "friends f ON f.id = s.friend_id LEFT JOIN links l ON l.friend_id = f.id AND "
        "l.unlinked_at IS NULL LEFT JOIN buyers b ON b.id = l.buyer_id WHERE s.segment = ?1 AND "
        "s.friend_id > ?2 ORDER BY s.friend_id LIMIT ?3");
    if (!select) {
        return unexpected(select.error());
    }
    select->bind(1, run.segment)
        .bind(2, run.after_friend_id)
        .bind(3, static_cast<std::int64_t>(limit));
    // One reader snapshot for the page and its counts.
    if (auto begun = m_db.exec("BEGIN"); !begun) {
        return unexpected(begun.error());
    }
    std::vector<CampaignCandidate> page;
    auto read = each_row(*select, [&](const Statement& s) {
        CampaignCandidate c;
        c.friend_id = s.column_int64(0);
        c.line_user_id = s.column_text(1);
        c.display_name = s.column_text(2);
        c.following = s.column_int64(3) != 0;
        c.linked = s.column_int64(4) != 0;
        c.given_name = s.column_text(5);
        c.tags = split_tags(s.column_is_null(6) ? std::string() : s.column_text(6));
        page.push_back(std::move(c));
    });
    if (read && (day_from_ms != 0 || day_to_ms != 0)) {
        auto count = m_db.prepare(k_messages_in_span);
        if (!count) {
            read = unexpected(count.error());
        }
        for (auto& candidate : page) {
            if (!read) {
                break;
            }
            count->reset();
            count->bind(1, candidate.friend_id).bind(2, day_from_ms).bind(3, day_to_ms);
            if (auto row = count->step(); !row) {
                read = unexpected(row.error());
            } else {
                candidate.messages_today = count->column_int64(0);
            }
        }
    }
    if (auto ended = m_db.exec(read ? "COMMIT" : "ROLLBACK"); !ended && read) {
        return unexpected(ended.error());
    }
    if (!read) {
        return unexpected(read.error());
    }
    return page;
}

tl::expected<void, StoreError> SqliteCampaigns::write_page(const CampaignPage& page) {
    std::lock_guard lock(m_mutex);
    const std::int64_t now = m_clock->now_ms();
    auto tx = Transaction::begin(m_db);
    if (!tx) {
        return unexpected(tx.error());
    }
    auto advance = m_db.prepare(
        "UPDATE campaign_runs SET after_friend_id = ?3, pages = pages + 1, state = CASE WHEN ?4 "
        "THEN 'done' ELSE 'running' END, finished_at = CASE WHEN ?4 THEN ?5 END WHERE id = ?1 "
        "AND after_friend_id = ?2 AND state != 'done'");
    if (!advance) {
        return unexpected(advance.error());
    }
    advance->bind(1, page.run_id)
        .bind(2, page.from_friend_id)
        .bind(3, page.to_friend_id)
        .bind(4, std::int64_t{page.last ? 1 : 0})
        .bind(5, now);
    if (auto done = advance->run(); !done) {
        return unexpected(done.error());
    }
    if (sqlite3_changes(m_db.handle()) != 1) {
        return unexpected(StoreError{"campaign run " + std::to_string(page.run_id) +
                                         " has moved on since its page was read",
                                     "nothing was written; the page is read again"});
    }
    auto recipient = m_db.prepare(
        "INSERT INTO campaign_recipients (run_id, friend_id, outcome, reason, retry_key, at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING");
    if (!recipient) {
        return unexpected(recipient.error());
    }
    for (const auto& r : page.recipients) {
        recipient->bind(1, page.run_id)
            .bind(2, r.friend_id)
            .bind(3, r.outcome)
            .bind_optional(4, r.reason.empty() ? std::nullopt : std::optional(r.reason))
            .bind_optional(5, r.retry_key.empty() ? std::nullopt : std::optional(r.retry_key))
            .bind(6, now);
        if (auto done = recipient->run(); !done) {
            return unexpected(done.error());
        }
    }
    for (const auto& message : page.messages) {
        if (auto written = insert_outbox_row(m_db, message, now); !written) {
            return unexpected(written.error());
        }
    }
    return tx->commit();
}

tl::expected<CampaignReport, StoreError> SqliteCampaigns::report(std::int64_t run_id) {
    std::lock_guard lock(m_mutex);
    CampaignReport report;
    auto runs = select_runs("WHERE id = ?1 AND ?2 = ''", run_id, "", 1);
    if (!runs) {
        return unexpected(runs.error());
    }
    if (runs->empty()) {
        return unexpected(StoreError{"no campaign run " + std::to_string(run_id),
                                     "musubictl campaign list shows the runs"});
    }
    report.run = runs->front();
    auto select = m_db.prepare(
        "SELECT r.friend_id, f.line_user_id, coalesce(f.display_name, ''), CASE WHEN r.outcome "
        "= 'skipped' THEN 'skipped' ELSE coalesce(o.state, 'missing') END, CASE WHEN "
        "r.outcome = 'skipped' THEN coalesce(r.reason, '') ELSE coalesce(o.reason, '') END "
        "FROM campaign_recipients r JOIN friends f ON f.id = r.friend_id LEFT JOIN outbox o ON "
        "o.retry_key = r.retry_key WHERE r.run_id = ?1 ORDER BY r.friend_id");
    if (!select) {
        return unexpected(select.error());
    }
    select->bind(1, run_id);
    auto read = each_row(*select, [&](const Statement& s) {
        CampaignReportLine line{s.column_int64(0), s.column_text(1), s.column_text(2),
                                s.column_text(3), s.column_text(4)};
        ++report.counts[line.outcome];
        report.recipients.push_back(std::move(line));
    });
    if (!read) {
        return unexpected(read.error());
    }
    return report;
}

tl::expected<std::optional<std::string>, StoreError> SqliteCampaigns::applied_segments() {
    std::lock_guard lock(m_mutex);
    auto select = m_db.prepare("SELECT value FROM cursors WHERE name = 'segments:definitions'");
    if (!select) {
        return unexpected(select.error());
    }
    auto row = select->step();
    if (!row) {
        return unexpected(row.error());
    }
    if (!*row) {
        return std::optional<std::string>();
    }
    return std::optional<std::string>(select->column_text(0));
}

} // namespace musubi::store::sqlite
