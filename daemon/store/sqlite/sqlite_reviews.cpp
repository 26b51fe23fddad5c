#include "daemon/store/sqlite/sqlite_reviews.hpp"

#include <optional>

#include <nlohmann/json.hpp>

#include "connectors/rakuten/datetime.hpp"

namespace musubi::store::sqlite {

namespace {

// The backfill horizon the order poller fixed on its first start (see order_poller.hpp), in
// epoch ms; nullopt before the first poll.
tl::expected<std::optional<std::int64_t>, StoreError> backfill_horizon(Database& db) {
    auto statement = db.prepare("SELECT value FROM cursors WHERE name = 'rakuten:horizon'");
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    auto row = statement->step();
    if (!row) {
        return tl::unexpected(row.error());
    }
    if (!*row) {
        return std::optional<std::int64_t>();
    }
    auto parsed = rakuten::parse_rms_datetime(statement->column_text(0));
    if (!parsed) {
        return std::optional<std::int64_t>();
    }
    return std::optional<std::int64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(parsed->time_since_epoch()).count());
}

std::string review_payload(const NewReview& review) {
    nlohmann::json payload = {{"rating", review.rating}, {"review_type", review.review_type}};
    payload["item_name"] =
        review.item_name.empty() ? nlohmann::json(nullptr) : nlohmann::json(review.item_name);
    return payload.dump();
}

} // namespace

tl::expected<ReviewImport, StoreError>
SqliteReviews::import(const std::vector<NewReview>& reviews) {
    return import_with(reviews, nullptr);
}

tl::expected<ReviewImport, StoreError> SqliteReviews::import(const std::vector<NewReview>& reviews,
                                                             const ReviewExport& file) {
    return import_with(reviews, &file);
}

tl::expected<ReviewImport, StoreError>
SqliteReviews::import_with(const std::vector<NewReview>& reviews, const ReviewExport* file) {
    std::lock_guard lock(m_mutex);
    auto transaction = Transaction::begin(m_db);
    if (!transaction) {
        return tl::unexpected(transaction.error());
    }
    auto imported = import_locked(reviews);
    if (!imported) {
        return imported; // the transaction rolls back
    }
    if (file != nullptr) {
        auto insert = m_db.prepare("INSERT INTO review_exports (file, imported_at, bytes, "
                                   "reviews, oldest_posted_at, near_cap) "
                                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        if (!insert) {
            return tl::unexpected(insert.error());
        }
        insert->bind(1, file->file)
            .bind(2, m_clock->now_ms())
            .bind(3, file->bytes)
            .bind(4, file->reviews);
        if (file->oldest_posted_at_ms) {
            insert->bind(5, *file->oldest_posted_at_ms);
        } else {
            insert->bind_null(5);
        }
        insert->bind(6, static_cast<std::int64_t>(file->near_cap ? 1 : 0));
        if (auto done = insert->run(); !done) {
            return tl::unexpected(done.error());
        }
    }
    if (auto committed = transaction->commit(); !committed) {
        return tl::unexpected(committed.error());
    }
    return imported;
}

tl::expected<ReviewImport, StoreError>
SqliteReviews::import_locked(const std::vector<NewReview>& reviews) {
    auto horizon = backfill_horizon(m_db);
    if (!horizon) {
        return tl::unexpected(horizon.error());
    }
    auto insert_review = m_db.prepare(
        "INSERT INTO reviews (natural_key, order_number, review_type, item_name, rating, "
        "posted_at, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
        "ON CONFLICT (natural_key) DO NOTHING");
    // Quiet when the order was backfilled (triggers = 0) or the review is older than the
    // horizon: recorded already processed, as apply_order does for old orders.
    auto insert_fact = m_db.prepare(
        "INSERT INTO facts (natural_key, kind, subject, occurred_at, recorded_at, payload, "
        "processed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
        "CASE WHEN ?7 OR EXISTS (SELECT 1 FROM orders WHERE source IN ('rakuten', 'ecfeed') "
        "AND order_number = ?3 AND triggers = 0) THEN ?5 END) "
        "ON CONFLICT (natural_key) DO NOTHING RETURNING processed_at IS NOT NULL");
    if (!insert_review) {
        return tl::unexpected(insert_review.error());
    }
    if (!insert_fact) {
        return tl::unexpected(insert_fact.error());
    }
    const std::int64_t now = m_clock->now_ms();
    ReviewImport counts;
    for (const auto& review : reviews) {
        const std::string key = review_key(review);
        insert_review->bind(1, key)
            .bind(2, review.order_number)
            .bind(3, review.review_type)
            .bind_optional(4, review.item_name.empty()
                                  ? std::nullopt
                                  : std::optional<std::string>(review.item_name))
            .bind(5, static_cast<std::int64_t>(review.rating))
            .bind(6, review.posted_at_ms)
            .bind(7, now);
        if (auto done = insert_review->run(); !done) {
            return tl::unexpected(done.error());
        }
        if (sqlite3_changes(m_db.handle()) == 0) {
            ++counts.duplicates;
            continue;
        }
        const bool old = *horizon && review.posted_at_ms < **horizon;
        insert_fact->bind(1, key)
            .bind(2, k_review_posted)
            .bind(3, review.order_number)
            .bind(4, review.posted_at_ms)
            .bind(5, now)
            .bind(6, review_payload(review))
            .bind(7, static_cast<std::int64_t>(old ? 1 : 0));
        auto row = insert_fact->step();
        if (!row) {
            return tl::unexpected(row.error());
        }
        // No row: the fact existed without its review row (recorded by an older build);
        // the review row is new all the same.
        const bool quiet = *row && insert_fact->column_int64(0) != 0;
        insert_fact->reset();
        ++counts.inserted;
        if (quiet) {
            ++counts.quiet;
        }
    }
    return counts;
}

tl::expected<std::int64_t, StoreError> SqliteReviews::count() {
    std::lock_guard lock(m_mutex);
    auto statement = m_db.prepare("SELECT count(*) FROM reviews");
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    auto row = statement->step();
    if (!row) {
        return tl::unexpected(row.error());
    }
    return statement->column_int64(0);
}

} // namespace musubi::store::sqlite
