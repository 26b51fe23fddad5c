#pragma once
// What an RMS order number looks like, in one place for every reader (getOrder answers, the
// review CSV, chat linking and the link page): `SSSSSS-YYYYMMDD-NNNNNNNNNN` — the shop's
// 6-digit id, the order date, and a sequence of 10 digits today or of 8 digits in RMS's older
// numbers (RMS's own samples: `290333-20171006-10640141`). Nothing else is an order number:
// another sequence length, a date that is not a calendar date, or anything but digits.

#include <optional>
#include <string>
#include <string_view>

namespace musubi::rakuten {

// Why a text is not an order number, in English and in Japanese (for staff), never quoting
// the text itself (a review row or a chat message may hold anything).
struct OrderNumberProblem {
    std::string reason;
    std::string reason_ja;
};

// nullopt when `text` is an order number exactly (no spaces, ASCII '-').
std::optional<OrderNumberProblem> order_number_problem(std::string_view text);

inline bool is_order_number(std::string_view text) {
    return !order_number_problem(text).has_value();
}

// The shapes, for callers that scan typed text group by group.
inline constexpr std::size_t k_order_shop_digits = 6;
inline constexpr std::size_t k_order_date_digits = 8;
inline constexpr std::size_t k_order_sequence_digits_now = 10;
inline constexpr std::size_t k_order_sequence_digits_old = 8;

// True when the 8 digits are YYYYMMDD of a real calendar day from 1997 (the year Rakuten
// Ichiba opened) on.
bool order_date_digits_valid(std::string_view digits);

} // namespace musubi::rakuten
