#pragma once
// The order generator: makes buyers and orders from one seed (the same seed and the same calls
// give the same orders), places new orders at a configured rate as simulated time passes, and
// runs each generated order's lifecycle (confirm, ship with a carrier and tracking number,
// payment, or cancel). Also makes the orders the control routes ask for by hand or in bulk.
// Not thread-safe: the service serialises.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "order_store.hpp"

namespace musubi::sim::rakuten {

struct GeneratorSettings {
    std::string shop_id = "123456";
    std::uint64_t seed = 1;
    double orders_per_hour = 0; // 0: no orders arrive by themselves
    double repeat_ratio = 0.3;  // share of orders placed by an existing buyer
    double cancel_ratio = 0.05; // share of generated orders that end cancelled (900)
    EpochSeconds confirm_after = 30 * k_minute;
    EpochSeconds ship_after = 24 * k_hour;    // after confirmation
    EpochSeconds payment_after = 24 * k_hour; // after shipping: 600
    EpochSeconds paid_after = 3 * k_day;      // after 600: 700
};

// What a hand-made order may fix; everything left empty is generated.
struct ManualOrder {
    std::optional<std::uint32_t> buyer_id;
    std::optional<std::string> phone; // reuses the buyer with this phone, or makes one
    std::optional<std::string> family_name, first_name, family_name_kana, first_name_kana;
    std::optional<std::string> email;
    std::vector<OrderItem> items;   // price 0 means the catalogue price
    std::optional<int> total_price; // goods + postage; postage is whatever is left
    std::optional<EpochSeconds> order_datetime;
    bool automatic_lifecycle = false;
    int sequence_digits = 10; // 8: an older order number (RMS's own samples have 8 digits)
};

// "090-1234-5678" or "09012345678" as RMS's phoneNumber1/2/3; nullopt if it is not a phone.
std::optional<std::array<std::string, 3>> split_phone(const std::string& phone);

class OrderGenerator {
public:
    OrderGenerator(GeneratorSettings settings, OrderStore& store);

    const GeneratorSettings& settings() const { return m_settings; }
    void set_rate(double orders_per_hour, EpochSeconds now);
    void set_repeat_ratio(double ratio) { m_settings.repeat_ratio = ratio; }
    void set_cancel_ratio(double ratio) { m_settings.cancel_ratio = ratio; }

    // Places the orders that arrived up to `now` and applies due lifecycle steps.
    void tick(EpochSeconds now);
    // `count` orders with order times spread over [from, to], each advanced to `now`.
    std::vector<std::uint32_t> backfill(std::size_t count, EpochSeconds from, EpochSeconds to,
                                        EpochSeconds now);
    // A hand-made order; nullopt with a reason when the request cannot be honoured.
    std::pair<std::optional<std::uint32_t>, std::string> add_manual(const ManualOrder& manual,
                                                                    EpochSeconds now);
    // Moves an order by hand (see move_order_to).
    bool move(std::uint32_t index, int progress, EpochSeconds at,
              const std::optional<std::string>& delivery_company,
              const std::optional<std::string>& shipping_number);

    // A tracking number in the style of the carrier.
    std::string tracking_number();

private:
    Buyer generate_buyer();
    std::uint32_t new_buyer();
    // A repeat order comes from a buyer the generator made: buyers of hand-made orders
    // (a test's or the demo's story) order only what the story says.
    std::uint32_t pick_buyer();
    std::uint32_t place(std::uint32_t buyer, EpochSeconds at, bool automatic);
    void plan(Order& order);
    void schedule(std::uint32_t index);
    std::string next_order_number(EpochSeconds at);
    std::string pick_carrier();
    std::string random_hex(std::size_t digits);
    std::size_t uniform(std::size_t count);
    double unit();

    GeneratorSettings m_settings;
    OrderStore& m_store;
    std::mt19937_64 m_random;
    std::vector<std::uint32_t> m_generated_buyers;
    std::optional<EpochSeconds> m_next_arrival;
    std::uint64_t m_sequence = 0;
    std::int64_t m_next_detail_id = 1;
    std::int64_t m_next_shipping_detail_id = 1;
    std::int64_t m_next_basket_id = 1;
    using Step = std::pair<EpochSeconds, std::uint32_t>;
    std::priority_queue<Step, std::vector<Step>, std::greater<>> m_steps;
};

} // namespace musubi::sim::rakuten
