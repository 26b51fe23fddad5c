// Fuzz target: what a friend types into the linking chat (daemon/linking/text_input): order
// numbers and phone digits in any mix of full-width, half-width and look-alike characters.
// Nothing typed may crash the webhook worker; an order number found is always canonical and
// the last four phone digits are always four ASCII digits.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "daemon/linking/text_input.hpp"

namespace {

void check(bool condition) {
    if (!condition) {
        std::abort();
    }
}

bool is_digits(std::string_view text) {
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

// SSSSSS-YYYYMMDD-NNNNNNNNNN, or RMS's older SSSSSS-YYYYMMDD-NNNNNNNN (8-digit sequence)
bool is_canonical_order_number(std::string_view number) {
    return (number.size() == 26 || number.size() == 24) && number[6] == '-' && number[15] == '-' &&
           is_digits(number.substr(0, 6)) && is_digits(number.substr(7, 8)) &&
           is_digits(number.substr(16));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    namespace linking = musubi::linking;

    const std::string normalized = linking::normalize_input(text);
    check(linking::normalize_input(normalized) == normalized);
    const std::string trimmed = linking::trim(text);
    check(trimmed.empty() || (trimmed.front() != ' ' && trimmed.back() != ' '));

    if (const auto found = linking::find_order_number(text)) {
        check(is_canonical_order_number(found->order_number));
        (void)linking::phone_last4(found->rest);
    }
    if (const auto last4 = linking::phone_last4(text)) {
        check(last4->size() == 4 && is_digits(*last4));
    }
    return 0;
}
