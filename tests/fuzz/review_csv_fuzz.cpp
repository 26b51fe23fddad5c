// Fuzz target: a review CSV file as a shop drops it (connectors/rakuten/review_csv): any
// bytes — UTF-8 with or without a BOM, CP932, cut short, malformed quoting. Reading must
// never crash, and every row it keeps must be one musubi can use.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "connectors/rakuten/review_csv.hpp"

namespace {

void check(bool condition) {
    if (!condition) {
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    namespace rakuten = musubi::rakuten;

    if (const auto file = rakuten::parse_review_csv(bytes)) {
        for (const auto& row : file->rows) {
            check(row.rating >= 1 && row.rating <= 5);
            check(row.line >= 2);
            check(!row.order_number.empty());
        }
        for (const auto& problem : file->problems) {
            check(!problem.reason.empty());
        }
    }
    if (size <= 40) {
        (void)rakuten::parse_review_time(bytes);
    }
    return 0;
}
