#pragma once
// Makes plausible reviews for chosen orders (item reviews in Japanese, some with commas,
// quotes and line breaks so that CSV quoting is exercised) and writes them as an RMS review
// CSV export. Deterministic for a given random engine state.

#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "order_store.hpp"
#include "review_csv.hpp"

namespace musubi::sim::rakuten {

struct ReviewOverrides {
    std::optional<int> rating;
    std::optional<std::string> title;
    std::optional<std::string> body;
    bool shop_review = false;
};

std::vector<ReviewRow> make_reviews(const OrderStore& store,
                                    const std::vector<std::uint32_t>& orders,
                                    std::mt19937_64& random, EpochSeconds now,
                                    const std::string& shop_id, const ReviewOverrides& overrides);

// Writes atomically (temporary file, then rename) so a watcher never reads half a file.
// Returns an error text on failure.
std::optional<std::string> write_review_file(const std::filesystem::path& path,
                                             const std::vector<ReviewRow>& rows,
                                             CsvEncoding encoding);

} // namespace musubi::sim::rakuten
