#include "daemon/store/sqlite/sqlite_followers_import.hpp"

#include <nlohmann/json.hpp>

namespace musubi::store::sqlite {

namespace {

constexpr const char* k_select_run =
    "SELECT id, started_at, coalesce(next_token, ''), pages, listed, imported, finished_at, "
    "coalesce(outcome, '') FROM followers_imports ";

ImportRun read_run(const Statement& row) {
    ImportRun run;
    run.id = row.column_int64(0);
    run.started_at_ms = row.column_int64(1);
    run.next_token = row.column_text(2);
    run.pages = row.column_int64(3);
    run.listed = row.column_int64(4);
    run.imported = row.column_int64(5);
    if (!row.column_is_null(6)) {
        run.finished_at_ms = row.column_int64(6);
    }
    const auto outcome = row.column_text(7);
    run.outcome = outcome == "done"        ? ImportOutcome::done
                  : outcome == "forbidden" ? ImportOutcome::forbidden
                  : outcome == "abandoned" ? ImportOutcome::abandoned
                                           : ImportOutcome::running;
    return run;
}

// An unknown user becomes a following friend; nothing happens to a known one. followed_at
// stays unknown: LINE does not say when an existing friend added the account.
constexpr const char* k_insert_friend =
    "INSERT INTO friends (line_user_id, state, created_at, updated_at) "
    "VALUES (?1, 'following', ?2, ?2) ON CONFLICT (line_user_id) DO NOTHING RETURNING id";

constexpr const char* k_insert_fact =
    "INSERT INTO facts (natural_key, kind, friend_id, occurred_at, recorded_at, payload) "
    "VALUES (?1, ?2, ?3, ?4, ?4, ?5) ON CONFLICT (natural_key) DO NOTHING";

constexpr const char* k_insert_due =
    "INSERT INTO friend_profiles_due (friend_id, queued_at, due_at) VALUES (?1, ?2, ?2) "
    "ON CONFLICT (friend_id) DO NOTHING";

} // namespace

tl::expected<std::optional<ImportRun>, StoreError> SqliteFollowersImport::latest_run_locked() {
    auto select = m_db.prepare(std::string(k_select_run) + "ORDER BY id DESC LIMIT 1");
    if (!select) {
        return tl::unexpected(select.error());
    }
    auto row = select->step();
    if (!row) {
        return tl::unexpected(row.error());
    }
    std::optional<ImportRun> run;
    if (*row) {
        run = read_run(*select);
    }
    select->reset();
    return run;
}

tl::expected<std::optional<ImportRun>, StoreError> SqliteFollowersImport::latest_run() {
    std::lock_guard lock(m_mutex);
    return latest_run_locked();
}

tl::expected<ImportRun, StoreError> SqliteFollowersImport::begin_run(std::int64_t at_ms) {
    std::lock_guard lock(m_mutex);
    auto insert = m_db.prepare("INSERT INTO followers_imports (started_at) VALUES (?1)");
    if (!insert) {
        return tl::unexpected(insert.error());
    }
    insert->bind(1, at_ms);
    if (auto done = insert->run(); !done) {
        return tl::unexpected(done.error());
    }
    ImportRun run;
    run.id = sqlite3_last_insert_rowid(m_db.handle());
    run.started_at_ms = at_ms;
    return run;
}

tl::expected<std::int64_t, StoreError>
SqliteFollowersImport::apply_page(std::int64_t run_id, const std::vector<std::string>& user_ids,
                                  const std::string& next, std::int64_t at_ms) {
    std::lock_guard lock(m_mutex);
    auto transaction = Transaction::begin(m_db);
    if (!transaction) {
        return tl::unexpected(transaction.error());
    }
    auto friend_insert = m_db.prepare(k_insert_friend);
    auto fact_insert = m_db.prepare(k_insert_fact);
    auto due_insert = m_db.prepare(k_insert_due);
    for (auto* prepared : {&friend_insert, &fact_insert, &due_insert}) {
        if (!*prepared) {
            return tl::unexpected(prepared->error());
        }
    }
    const auto payload = nlohmann::json{{"run", run_id}}.dump();
    std::int64_t imported = 0;
    for (const auto& user_id : user_ids) {
        friend_insert->bind(1, user_id).bind(2, at_ms);
        auto row = friend_insert->step();
        if (!row) {
            return tl::unexpected(row.error());
        }
        if (!*row) { // known already
            friend_insert->reset();
            continue;
        }
        const auto friend_id = friend_insert->column_int64(0);
        friend_insert->reset();
        fact_insert->bind(1, "line:imported:" + user_id)
            .bind(2, std::string_view("friend.imported"))
            .bind(3, friend_id)
            .bind(4, at_ms)
            .bind(5, payload);
        if (auto done = fact_insert->run(); !done) {
            return tl::unexpected(done.error());
        }
        due_insert->bind(1, friend_id).bind(2, at_ms);
        if (auto done = due_insert->run(); !done) {
            return tl::unexpected(done.error());
        }
        ++imported;
    }
    // The last page (no `next`) finishes the run in the same transaction: a crash after it
    // must not read the whole list again.
    auto update = m_db.prepare(
        "UPDATE followers_imports SET next_token = ?2, pages = pages + 1, listed = listed + ?3, "
        "imported = imported + ?4, finished_at = CASE WHEN ?2 IS NULL THEN ?5 END, "
        "outcome = CASE WHEN ?2 IS NULL THEN 'done' END WHERE id = ?1 AND finished_at IS NULL");
    if (!update) {
        return tl::unexpected(update.error());
    }
    update->bind(1, run_id)
        .bind_optional(2, next.empty() ? std::nullopt : std::optional<std::string>(next))
        .bind(3, static_cast<std::int64_t>(user_ids.size()))
        .bind(4, imported)
        .bind(5, at_ms);
    if (auto done = update->run(); !done) {
        return tl::unexpected(done.error());
    }
    if (sqlite3_changes(m_db.handle()) != 1) {
        return tl::unexpected(
            StoreError{"followers import run " + std::to_string(run_id) + " is not running", ""});
    }
    if (auto committed = transaction->commit(); !committed) {
        return tl::unexpected(committed.error());
    }
    return imported;
}

tl::expected<void, StoreError>
SqliteFollowersImport::finish_run(std::int64_t run_id, ImportOutcome outcome, std::int64_t at_ms) {
    std::lock_guard lock(m_mutex);
    auto update =
        m_db.prepare("UPDATE followers_imports SET finished_at = ?2, outcome = ?3, next_token = "
                     "NULL WHERE id = ?1 AND finished_at IS NULL");
    if (!update) {
        return tl::unexpected(update.error());
    }
    update->bind(1, run_id).bind(2, at_ms).bind(
        3, std::string_view(outcome == ImportOutcome::forbidden   ? "forbidden"
                            : outcome == ImportOutcome::abandoned ? "abandoned"
                                                                  : "done"));
    return update->run();
}

tl::expected<std::vector<ProfileDue>, StoreError>
SqliteFollowersImport::profiles_due(std::int64_t now_ms, std::size_t limit) {
    std::lock_guard lock(m_mutex);
    auto select =
        m_db.prepare("SELECT d.friend_id, f.line_user_id, d.attempts FROM friend_profiles_due d "
                     "JOIN friends f ON f.id = d.friend_id WHERE d.due_at <= ?1 ORDER BY d.due_at, "
                     "d.friend_id LIMIT ?2");
    if (!select) {
        return tl::unexpected(select.error());
    }
    select->bind(1, now_ms).bind(2, static_cast<std::int64_t>(limit));
    std::vector<ProfileDue> due;
    while (true) {
        auto row = select->step();
        if (!row) {
            return tl::unexpected(row.error());
        }
        if (!*row) {
            break;
        }
        due.push_back({select->column_int64(0), select->column_text(1), select->column_int64(2)});
    }
    select->reset();
    return due;
}

tl::expected<void, StoreError> SqliteFollowersImport::set_profile(std::int64_t friend_id,
                                                                  const std::string& display_name) {
    std::lock_guard lock(m_mutex);
    auto transaction = Transaction::begin(m_db);
    if (!transaction) {
        return tl::unexpected(transaction.error());
    }
    auto update = m_db.prepare(
        "UPDATE friends SET display_name = ?2, updated_at = ?3 WHERE id = ?1 AND display_name IS "
        "NULL");
    auto remove = m_db.prepare("DELETE FROM friend_profiles_due WHERE friend_id = ?1");
    if (!update || !remove) {
        return tl::unexpected(!update ? update.error() : remove.error());
    }
    update->bind(1, friend_id).bind(2, display_name).bind(3, m_clock->now_ms());
    remove->bind(1, friend_id);
    if (auto done = update->run(); !done) {
        return tl::unexpected(done.error());
    }
    if (auto done = remove->run(); !done) {
        return tl::unexpected(done.error());
    }
    return transaction->commit();
}

tl::expected<void, StoreError> SqliteFollowersImport::postpone_profile(std::int64_t friend_id,
                                                                       std::int64_t due_at_ms) {
    std::lock_guard lock(m_mutex);
    auto update = m_db.prepare("UPDATE friend_profiles_due SET due_at = ?2, attempts = attempts + "
                               "1 WHERE friend_id = ?1");
    if (!update) {
        return tl::unexpected(update.error());
    }
    update->bind(1, friend_id).bind(2, due_at_ms);
    return update->run();
}

tl::expected<bool, StoreError> SqliteFollowersImport::mark_gone(std::int64_t friend_id,
                                                                std::int64_t asked_at_ms) {
    std::lock_guard lock(m_mutex);
    auto transaction = Transaction::begin(m_db);
    if (!transaction) {
        return tl::unexpected(transaction.error());
    }
    auto remove = m_db.prepare("DELETE FROM friend_profiles_due WHERE friend_id = ?1");
    if (!remove) {
        return tl::unexpected(remove.error());
    }
    remove->bind(1, friend_id);
    if (auto done = remove->run(); !done) {
        return tl::unexpected(done.error());
    }
    // A follow newer than the question means LINE's 404 is out of date.
    auto block = m_db.prepare(
        "UPDATE friends SET state = 'blocked', blocked_at = ?2, updated_at = ?3 WHERE id = ?1 "
        "AND state = 'following' AND coalesce(followed_at, 0) <= ?2 RETURNING line_user_id");
    if (!block) {
        return tl::unexpected(block.error());
    }
    block->bind(1, friend_id).bind(2, asked_at_ms).bind(3, m_clock->now_ms());
    auto row = block->step();
    if (!row) {
        return tl::unexpected(row.error());
    }
    const bool marked = *row;
    block->reset();
    if (marked) {
        auto fact = m_db.prepare(k_insert_fact);
        if (!fact) {
            return tl::unexpected(fact.error());
        }
        fact->bind(1, "line:profile-gone:" + std::to_string(friend_id) + ":" +
                          std::to_string(asked_at_ms))
            .bind(2, std::string_view("friend.unfollowed"))
            .bind(3, friend_id)
            .bind(4, asked_at_ms)
            .bind(5, std::string_view(R"({"source":"profile_404"})"));
        if (auto done = fact->run(); !done) {
            return tl::unexpected(done.error());
        }
    }
    if (auto committed = transaction->commit(); !committed) {
        return tl::unexpected(committed.error());
    }
    return marked;
}

tl::expected<ImportTotals, StoreError> SqliteFollowersImport::totals() {
    std::lock_guard lock(m_mutex);
    ImportTotals totals;
    auto counts =
        m_db.prepare("SELECT coalesce((SELECT n FROM row_counts WHERE tbl = 'facts' AND key = "
                     "'friend.imported'), 0), (SELECT count(*) FROM friend_profiles_due)");
    if (!counts) {
        return tl::unexpected(counts.error());
    }
    auto row = counts->step();
    if (!row) {
        return tl::unexpected(row.error());
    }
    if (*row) {
        totals.imported = counts->column_int64(0);
        totals.profiles_due = counts->column_int64(1);
    }
    counts->reset();
    auto latest = latest_run_locked();
    if (!latest) {
        return tl::unexpected(latest.error());
    }
    totals.latest = std::move(*latest);
    return totals;
}

} // namespace musubi::store::sqlite
