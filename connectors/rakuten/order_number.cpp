#include "connectors/rakuten/order_number.hpp"

#include <chrono>

namespace musubi::rakuten {

namespace {

bool all_digits(std::string_view text) {
    return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

int number(std::string_view digits) {
    int value = 0;
    for (const char c : digits) {
        value = value * 10 + (c - '0');
    }
    return value;
}

OrderNumberProblem shape_problem(std::string detail, std::string detail_ja) {
    return OrderNumberProblem{
        "not an order number: " + detail +
            " (RMS order numbers are 123456-20261122-0000000001, or with the older 8-digit "
            "sequence 123456-20171006-10640141)",
        "注文番号の形ではありません（" + detail_ja +
            "）。楽天の注文番号は 123456-20261122-0000000001 のような形です（古い注文は最後が8桁: "
            "123456-20171006-10640141）。"};
}

} // namespace

bool order_date_digits_valid(std::string_view digits) {
    if (digits.size() != k_order_date_digits || !all_digits(digits)) {
        return false;
    }
    const std::chrono::year_month_day date{
        std::chrono::year(number(digits.substr(0, 4))),
        std::chrono::month(static_cast<unsigned>(number(digits.substr(4, 2)))),
        std::chrono::day(static_cast<unsigned>(number(digits.substr(6, 2))))};
    return date.ok() && date.year() >= std::chrono::year(1997);
}

std::optional<OrderNumberProblem> order_number_problem(std::string_view text) {
    if (text.empty()) {
        return OrderNumberProblem{"the order number is empty", "注文番号が空です。"};
    }
    const auto first = text.find('-');
    const auto second = first == std::string_view::npos ? first : text.find('-', first + 1);
    if (second == std::string_view::npos || text.find('-', second + 1) != std::string_view::npos) {
        return shape_problem("it needs three groups of digits joined by '-'",
                             "数字を「-」でつないだ3つのまとまりが必要です");
    }
    const auto shop = text.substr(0, first);
    const auto date = text.substr(first + 1, second - first - 1);
    const auto sequence = text.substr(second + 1);
    if (!all_digits(shop) || !all_digits(date) || !all_digits(sequence)) {
        return shape_problem("only digits may stand between the '-'",
                             "「-」のあいだには数字だけを書きます");
    }
    if (shop.size() != k_order_shop_digits) {
        return shape_problem(
            "the shop id (first group) has " + std::to_string(shop.size()) + " digits, not 6",
            "最初のまとまり（店舗ID）が6桁ではなく" + std::to_string(shop.size()) + "桁です");
    }
    if (!order_date_digits_valid(date)) {
        return shape_problem("the second group is not an order date YYYYMMDD",
                             "2つ目のまとまりが注文日（YYYYMMDD）ではありません");
    }
    if (sequence.size() != k_order_sequence_digits_now &&
        sequence.size() != k_order_sequence_digits_old) {
        return shape_problem("the last group has " + std::to_string(sequence.size()) +
                                 " digits, not 10 (or 8 in older numbers)",
                             "最後のまとまりが10桁（古い注文は8桁）ではなく" +
                                 std::to_string(sequence.size()) + "桁です");
    }
    return std::nullopt;
}

} // namespace musubi::rakuten
