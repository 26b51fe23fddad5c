#pragma once
// The SQLite side of Reviews (see reviews.hpp): the `reviews` table and the review.posted
// facts, written together in one transaction per import.

#include <memory>
#include <mutex>

#include "daemon/clock/clock.hpp"
#include "daemon/store/reviews.hpp"
#include "daemon/store/sqlite/database.hpp"

namespace musubi::store::sqlite {

class SqliteReviews final : public Reviews {
public:
    SqliteReviews(Database db, std::shared_ptr<const clock::Clock> clock)
        : m_db(std::move(db))
        , m_clock(std::move(clock)) {}

    tl::expected<ReviewImport, StoreError> import(const std::vector<NewReview>& reviews) override;
    tl::expected<ReviewImport, StoreError> import(const std::vector<NewReview>& reviews,
                                                  const ReviewExport& file) override;
    tl::expected<std::int64_t, StoreError> count() override;

private:
    tl::expected<ReviewImport, StoreError> import_locked(const std::vector<NewReview>& reviews);
    tl::expected<ReviewImport, StoreError> import_with(const std::vector<NewReview>& reviews,
                                                       const ReviewExport* file);

    std::mutex m_mutex; // one connection, used by one thread at a time
    Database m_db;
    std::shared_ptr<const clock::Clock> m_clock;
};

} // namespace musubi::store::sqlite
