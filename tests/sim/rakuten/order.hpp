#pragma once
// The simulator's picture of one RMS order and its buyer: what getOrder reports (version 10)
// and what searchOrder filters on. Plain data; the store keeps the indexes in step.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jst_time.hpp"

namespace musubi::sim::rakuten {

// Order progress codes (orderProgress).
inline constexpr int k_progress_awaiting_confirmation = 100;
inline constexpr int k_progress_rakuten_processing = 200;
inline constexpr int k_progress_awaiting_shipment = 300;
inline constexpr int k_progress_awaiting_change = 400;
inline constexpr int k_progress_shipped = 500;
inline constexpr int k_progress_payment_processing = 600;
inline constexpr int k_progress_payment_done = 700;
inline constexpr int k_progress_awaiting_cancel = 800;
inline constexpr int k_progress_cancelled = 900;

bool is_progress_code(std::int64_t code);

// RMS writes -9999 in money fields that are not fixed yet.
inline constexpr int k_price_not_fixed = -9999;

struct Buyer {
    std::uint32_t id = 0;
    std::string family_name, first_name, family_name_kana, first_name_kana;
    std::string zip_code1, zip_code2, prefecture, city, sub_address;
    std::string phone1, phone2, phone3;
    std::string email; // masked relay address, stable per buyer
    std::string sex;   // "男" / "女"
    int birth_year = 0, birth_month = 0, birth_day = 0;
    std::vector<std::uint32_t> orders; // store indexes, in creation order

    std::string phone() const { return phone1 + "-" + phone2 + "-" + phone3; }
};

struct OrderItem {
    std::int64_t item_detail_id = 0;
    std::int64_t item_id = 0;
    std::string item_number, manage_number, item_name;
    int price = 0;
    int units = 1;
};

struct Shipment {
    std::int64_t shipping_detail_id = 0;
    std::string delivery_company; // string code, e.g. "1001"
    std::string shipping_number;
    EpochSeconds shipping_date = 0; // any instant of the JST shipping day
};

// When the automatic lifecycle moves an order on; a field left empty never happens.
struct LifecyclePlan {
    bool automatic = false;
    std::optional<EpochSeconds> confirm_at, cancel_at, ship_at, payment_at, paid_at;
    std::string delivery_company = "1001";
    std::string shipping_number;
};

struct Order {
    std::string order_number;
    std::uint32_t buyer = 0;
    int progress = k_progress_awaiting_confirmation;
    EpochSeconds order_datetime = 0;
    std::optional<EpochSeconds> shop_order_cfm_datetime, order_fix_datetime, shipping_inst_datetime,
        shipping_cmpl_rpt_datetime, payment_fix_datetime;
    std::optional<EpochSeconds> cancel_requested_datetime, cancel_fixed_datetime;
    std::int64_t basket_id = 0;
    std::vector<OrderItem> items;
    std::vector<Shipment> shipments;
    int postage_price = 0;
    int coupon_price = 0;
    int used_points = 0;
    bool price_fixed = false; // before the order is fixed, totals read -9999
    LifecyclePlan plan;

    int goods_price() const;
    int total_price() const { return goods_price() + postage_price; }
    int request_price() const { return total_price() - coupon_price - used_points; }
};

// Carrier name for a delivery company code, empty if the code is unknown.
std::string delivery_company_name(const std::string& code);

} // namespace musubi::sim::rakuten
