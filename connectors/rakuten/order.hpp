#pragma once
// The parts of RMS's OrderModel (getOrder version 10) that musubi uses, and their parsing.
// Parsing is per order: one order with a field of the wrong type becomes an OrderProblem
// naming the order and the field, and every other order of the answer is still read.
//
// Orderer holds buyers' personal data so that the daemon can hash what it needs for
// matching. It must never be logged; problems and errors never quote field values.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <tl/expected.hpp>

#include "connectors/rakuten/datetime.hpp"
#include "connectors/rakuten/rms_error.hpp"

namespace musubi::rakuten {

// RMS writes -9999 for an amount that is not fixed yet (before the shop confirms the order);
// that, null and a missing field are all std::nullopt.
using Money = std::optional<std::int64_t>;
inline constexpr std::int64_t k_money_not_fixed = -9999;

enum OrderProgress : int {
    k_progress_awaiting_confirmation = 100,
    k_progress_rakuten_processing = 200,
    k_progress_awaiting_shipment = 300,
    k_progress_awaiting_change_confirmation = 400,
    k_progress_shipped = 500,
    k_progress_payment_processing = 600,
    k_progress_payment_done = 700,
    k_progress_awaiting_cancel_confirmation = 800,
    k_progress_cancelled = 900,
};

struct Orderer {
    std::string family_name;
    std::string first_name;
    std::string family_name_kana;
    std::string first_name_kana;
    std::string phone_number1; // e.g. "090"
    std::string phone_number2;
    std::string phone_number3;
    std::string email_address; // Rakuten's masked relay address
};

struct Item {
    std::int64_t item_detail_id = 0;
    std::int64_t item_id = 0;
    std::string item_number;
    std::string manage_number;
    std::string item_name;
    std::int64_t price = 0;
    std::int64_t units = 0;
};

struct Shipping {
    std::optional<std::int64_t> shipping_detail_id;
    std::string shipping_number;  // the carrier's tracking number
    std::string delivery_company; // string code, e.g. "1001" (Yamato)
    std::string delivery_company_name;
    std::optional<std::chrono::sys_days> shipping_date;
};

struct Package {
    std::int64_t basket_id = 0;
    std::vector<Item> items;
    std::vector<Shipping> shippings;
};

struct ChangeReason {
    std::int64_t change_type = 0; // 0 cancel requested, 1 cancel fixed, …
    std::optional<TimePoint> change_apply_datetime;
    std::optional<TimePoint> change_fix_datetime;
    std::optional<TimePoint> change_cmpl_datetime;
};

struct Order {
    std::string order_number; // SSSSSS-YYYYMMDD-NNNNNNNNNN; guessable, never proof of identity
    int order_progress = 0;   // see OrderProgress
    TimePoint order_datetime{};
    std::optional<TimePoint> shop_order_cfm_datetime;
    std::optional<TimePoint> order_fix_datetime;
    std::optional<TimePoint> shipping_inst_datetime;
    std::optional<TimePoint> shipping_cmpl_rpt_datetime; // shipping completion reported
    Money goods_price;
    Money postage_price;
    Money total_price;
    Money request_price;
    Money coupon_all_total_price;
    Orderer orderer;
    std::vector<Package> packages;
    std::vector<ChangeReason> change_reasons;
};

// Why one order of an answer could not be read, e.g.
// "order 123456-20261122-0000000001: 'totalPrice' is a string, expected a number".
struct OrderProblem {
    std::string order_number; // empty when the model has no readable orderNumber
    std::string message;
};

// Reads one OrderModel. `index` is its place in OrderModelList, used to name a model that
// has no usable orderNumber.
tl::expected<Order, OrderProblem> parse_order(const nlohmann::json& model, std::size_t index = 0);

// What one or more getOrder calls gave: the orders read, the orders that could not be read,
// and the numbers RMS does not know (INFO_102).
struct GetOrderResult {
    std::vector<Order> orders;
    std::vector<OrderProblem> problems;
    std::vector<std::string> not_found;
};

// Reads a 200 getOrder answer. Only a body that is not a JSON object with an
// OrderModelList array is an Error (kind malformed); anything wrong inside one order is a
// problem of that order.
tl::expected<GetOrderResult, Error> parse_get_order_response(std::string_view body);

} // namespace musubi::rakuten
