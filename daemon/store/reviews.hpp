#pragma once
// Imported RMS reviews: each row once, recorded with its `review.posted` fact.
//
// Identity. A Rakuten buyer reviews each item of an order once, and the shop once per order,
// so a review is identified by its order number and what it is about:
//   rakuten:review:<order>:shop
//   rakuten:review:<order>:item:<shopId>_<itemId>   (the item id from the review URL)
//   rakuten:review:<order>:item-name:<item name>     (when the URL has no item id)
// The key holds neither the posting time nor the rating, so re-importing a file, or a later
// export that overlaps an earlier one (even after the buyer edited the review, or the shop
// renamed the item), records nothing new. The first import wins; the review row is not
// updated afterwards, the fact stays what it was.
//
// Joining. The fact's subject is the order number and friend_id stays NULL: the engine finds
// the friend through the order (orders → buyers → links) when it processes the fact. A review
// of an order the store does not know yet is recorded all the same and joined once the order
// arrives; nothing is dropped for arriving in the wrong order.
//
// Old reviews stay quiet, like old orders (see store.hpp Triggers): when the review's order is
// stored with triggers = 0 (placed before the backfill horizon) or the review was posted
// before the horizon ('rakuten:horizon' cursor), its fact is recorded already processed, so a
// first import of a long history sends nothing.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/store/store_error.hpp"

namespace musubi::store {

inline constexpr const char* k_review_posted = "review.posted";

struct NewReview {
    std::string order_number;
    std::string review_type; // "item" or "shop"
    std::string item_id;     // "<shopId>_<itemId>", or empty
    std::string item_name;   // empty for a shop review
    int rating = 0;
    std::int64_t posted_at_ms = 0;
};

// The natural key of the review row and of its fact (the same string).
inline std::string review_key(const NewReview& review) {
    std::string key = "rakuten:review:" + review.order_number;
    if (review.review_type == "shop") {
        return key + ":shop";
    }
    if (!review.item_id.empty()) {
        return key + ":item:" + review.item_id;
    }
    return key + ":item-name:" + review.item_name;
}

struct ReviewImport {
    int inserted = 0;   // new reviews, each with its review.posted fact
    int duplicates = 0; // already imported before (or twice in the same batch)
    int quiet = 0;      // of `inserted`: recorded already processed (old order or review)
};

// One review CSV file as read (issue 18), kept for the status page: RMS cuts an export at
// about 1.2 MB, newest first, so a file near that size may have lost its oldest reviews.
struct ReviewExport {
    std::string file; // the file's name, without its folder
    std::int64_t bytes = 0;
    std::int64_t reviews = 0;                        // rows read (a repeated row once)
    std::optional<std::int64_t> oldest_posted_at_ms; // the oldest review read
    bool near_cap = false;
};

class Reviews {
public:
    virtual ~Reviews() = default;

    // All of `reviews` in one transaction: either every new one is recorded, or none.
    virtual tl::expected<ReviewImport, StoreError>
    import(const std::vector<NewReview>& reviews) = 0;
    // The same, and the file they came from is recorded in the same transaction.
    virtual tl::expected<ReviewImport, StoreError> import(const std::vector<NewReview>& reviews,
                                                          const ReviewExport& file) = 0;
    // How many reviews are stored (for status and tests).
    virtual tl::expected<std::int64_t, StoreError> count() = 0;
};

} // namespace musubi::store
