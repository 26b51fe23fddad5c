// Fuzz target: the bodies RMS answers with (getOrder and searchOrder, read by
// connectors/rakuten), and the datetimes inside them. Nothing an answer holds may crash the
// poller; a datetime that parses must format back to the same text.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "connectors/rakuten/datetime.hpp"
#include "connectors/rakuten/order.hpp"
#include "connectors/rakuten/rms_client.hpp"

namespace {

void check(bool condition) {
    if (!condition) {
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    namespace rakuten = musubi::rakuten;

    if (const auto orders = rakuten::parse_get_order_response(body)) {
        for (const auto& order : orders->orders) {
            check(!order.order_number.empty());
        }
    }
    (void)rakuten::parse_search_order_response(body);

    if (size <= 32) {
        if (const auto at = rakuten::parse_rms_datetime(body)) {
            check(rakuten::format_rms_datetime(*at) == body);
        }
        if (const auto day = rakuten::parse_rms_date(body)) {
            check(rakuten::format_rms_date(*day) == body);
        }
        (void)rakuten::parse_rms_local_datetime(body);
    }
    return 0;
}
