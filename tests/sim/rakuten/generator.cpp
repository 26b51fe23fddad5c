#include "generator.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "catalog.hpp"
#include "lifecycle.hpp"

namespace musubi::sim::rakuten {

namespace {

// Cap on arrivals placed by one tick, so a clock jumped years ahead cannot hang the simulator.
constexpr std::size_t k_max_arrivals_per_tick = 200000;

std::string digits_of(std::uint64_t value, int width) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%0*llu", width, static_cast<unsigned long long>(value));
    return buffer;
}

} // namespace

std::optional<std::array<std::string, 3>> split_phone(const std::string& phone) {
    std::array<std::string, 3> parts;
    std::size_t part = 0;
    for (char c : phone) {
        if (c == '-') {
            if (++part > 2) {
                return std::nullopt;
            }
        } else if (c >= '0' && c <= '9') {
            parts[part] += c;
        } else {
            return std::nullopt;
        }
    }
    std::string digits = parts[0] + parts[1] + parts[2];
    if (digits.size() < 10 || digits.size() > 11) {
        return std::nullopt;
    }
    if (part == 0) {
        // No hyphens: mobile numbers are 3-4-4, landlines here 2-4-4.
        std::size_t head = digits.size() == 11 ? 3 : 2;
        return std::array<std::string, 3>{digits.substr(0, head), digits.substr(head, 4),
                                          digits.substr(head + 4)};
    }
    if (part != 2 || parts[0].empty() || parts[1].empty() || parts[2].empty()) {
        return std::nullopt;
    }
    return parts;
}

OrderGenerator::OrderGenerator(GeneratorSettings settings, OrderStore& store)
    : m_settings(std::move(settings))
    , m_store(store)
    , m_random(m_settings.seed) {}

std::size_t OrderGenerator::uniform(std::size_t count) {
    return std::uniform_int_distribution<std::size_t>(0, count - 1)(m_random);
}

double OrderGenerator::unit() {
    return std::uniform_real_distribution<double>(0.0, 1.0)(m_random);
}

std::string OrderGenerator::random_hex(std::size_t digits) {
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < digits; ++i) {
        out += k_hex[uniform(16)];
    }
    return out;
}

std::uint32_t OrderGenerator::new_buyer() {
    const auto id = m_store.add_buyer(generate_buyer());
    m_generated_buyers.push_back(id);
    return id;
}

Buyer OrderGenerator::generate_buyer() {
    Buyer buyer;
    bool male = unit() < 0.4;
    const auto& family = family_names()[uniform(family_names().size())];
    auto given_names = male ? male_given_names() : female_given_names();
    const auto& given = given_names[uniform(given_names.size())];
    const auto& address = addresses()[uniform(addresses().size())];
    buyer.family_name = family.name;
    buyer.family_name_kana = family.kana;
    buyer.first_name = given.name;
    buyer.first_name_kana = given.kana;
    buyer.sex = male ? "男" : "女";
    buyer.zip_code1 = address.zip1;
    buyer.zip_code2 = address.zip2;
    buyer.prefecture = address.prefecture;
    buyer.city = address.city;
    buyer.sub_address = address.sub_address;
    static constexpr const char* k_mobile_prefixes[] = {"090", "080", "070"};
    do {
        buyer.phone1 = k_mobile_prefixes[uniform(3)];
        buyer.phone2 = digits_of(uniform(10000), 4);
        buyer.phone3 = digits_of(uniform(10000), 4);
    } while (m_store.find_buyer_by_phone(phone_digits(buyer.phone())));
    // RMS hands shops a relay address instead of the buyer's own; it is stable per buyer.
    buyer.email = random_hex(32) + "s1@pc.fw.rakuten.ne.jp";
    buyer.birth_year = 1950 + int(uniform(55));
    buyer.birth_month = 1 + int(uniform(12));
    buyer.birth_day = 1 + int(uniform(28));
    return buyer;
}

std::uint32_t OrderGenerator::pick_buyer() {
    if (!m_generated_buyers.empty() && unit() < m_settings.repeat_ratio) {
        return m_generated_buyers[static_cast<std::size_t>(uniform(m_generated_buyers.size()))];
    }
    return new_buyer();
}

std::string OrderGenerator::next_order_number(EpochSeconds at) {
    return m_settings.shop_id + "-" + format_jst_compact_date(at) + "-" +
           digits_of(++m_sequence, 10);
}

std::string OrderGenerator::pick_carrier() {
    // Roughly the carriers a small Rakuten shop uses.
    double roll = unit();
    if (roll < 0.45) {
        return "1001";
    }
    if (roll < 0.70) {
        return "1002";
    }
    if (roll < 0.90) {
        return "1003";
    }
    return "1028";
}

std::string OrderGenerator::tracking_number() {
    return digits_of(1000 + uniform(9000), 4) + digits_of(uniform(100000000), 8);
}

void OrderGenerator::plan(Order& order) {
    LifecyclePlan& plan = order.plan;
    plan.automatic = true;
    auto jitter = [&](EpochSeconds base) { return EpochSeconds(double(base) * (0.5 + unit())); };
    EpochSeconds confirm = order.order_datetime + jitter(m_settings.confirm_after);
    plan.confirm_at = confirm;
    plan.delivery_company = pick_carrier();
    plan.shipping_number = tracking_number();
    if (unit() < m_settings.cancel_ratio) {
        // Cancelled somewhere between the order and the planned shipment.
        plan.cancel_at =
            order.order_datetime +
            EpochSeconds(unit() * double(confirm - order.order_datetime + m_settings.ship_after));
        return;
    }
    EpochSeconds ship = confirm + jitter(m_settings.ship_after);
    plan.ship_at = ship;
    plan.payment_at = ship + jitter(m_settings.payment_after);
    plan.paid_at = *plan.payment_at + jitter(m_settings.paid_after);
}

std::uint32_t OrderGenerator::place(std::uint32_t buyer, EpochSeconds at, bool automatic) {
    Order order;
    order.order_number = next_order_number(at);
    order.buyer = buyer;
    order.order_datetime = at;
    order.basket_id = m_next_basket_id++;
    std::size_t kinds = 1 + (unit() < 0.3 ? 1 : 0) + (unit() < 0.1 ? 1 : 0);
    auto items = catalog_items();
    std::size_t first = uniform(items.size());
    for (std::size_t k = 0; k < kinds; ++k) {
        const auto& entry = items[(first + k * 5) % items.size()];
        order.items.push_back(OrderItem{m_next_detail_id++, entry.item_id,
                                        std::string(entry.item_number),
                                        std::string(entry.manage_number), std::string(entry.name),
                                        entry.price, unit() < 0.8 ? 1 : 2 + int(uniform(2))});
    }
    order.postage_price = order.goods_price() >= 3980 ? 0 : 660;
    if (order.goods_price() >= 3000 && unit() < 0.1) {
        order.coupon_price = 300;
    }
    if (unit() < 0.2) {
        order.used_points = int(uniform(300));
    }
    if (automatic) {
        plan(order);
    }
    return m_store.add_order(std::move(order));
}

void OrderGenerator::schedule(std::uint32_t index) {
    if (auto at = next_step_at(m_store.order(index))) {
        m_steps.emplace(*at, index);
    }
}

void OrderGenerator::set_rate(double orders_per_hour, EpochSeconds now) {
    m_settings.orders_per_hour = orders_per_hour;
    m_next_arrival.reset();
    tick(now);
}

void OrderGenerator::tick(EpochSeconds now) {
    if (m_settings.orders_per_hour > 0) {
        auto gap = [&] {
            double hours = -std::log(1.0 - unit()) / m_settings.orders_per_hour;
            return std::max<EpochSeconds>(1, EpochSeconds(hours * double(k_hour)));
        };
        if (!m_next_arrival) {
            m_next_arrival = now + gap();
        }
        for (std::size_t placed = 0; *m_next_arrival <= now && placed < k_max_arrivals_per_tick;
             ++placed) {
            auto index = place(pick_buyer(), *m_next_arrival, true);
            schedule(index);
            *m_next_arrival += gap();
        }
    }
    while (!m_steps.empty() && m_steps.top().first <= now) {
        auto index = m_steps.top().second;
        m_steps.pop();
        m_store.update(
            index, [&](Order& order) { apply_due_steps(order, now, m_next_shipping_detail_id); });
        schedule(index);
    }
}

std::vector<std::uint32_t> OrderGenerator::backfill(std::size_t count, EpochSeconds from,
                                                    EpochSeconds to, EpochSeconds now) {
    std::vector<EpochSeconds> times(count);
    for (auto& at : times) {
        at = from + EpochSeconds(unit() * double(to - from));
    }
    std::sort(times.begin(), times.end());
    std::vector<std::uint32_t> placed;
    placed.reserve(count);
    for (auto at : times) {
        auto index = place(pick_buyer(), at, true);
        m_store.update(
            index, [&](Order& order) { apply_due_steps(order, now, m_next_shipping_detail_id); });
        schedule(index);
        placed.push_back(index);
    }
    return placed;
}

std::pair<std::optional<std::uint32_t>, std::string>
OrderGenerator::add_manual(const ManualOrder& manual, EpochSeconds now) {
    std::uint32_t buyer_id = 0;
    if (manual.buyer_id) {
        if (*manual.buyer_id >= m_store.buyer_count()) {
            return {std::nullopt, "no buyer with id " + std::to_string(*manual.buyer_id)};
        }
        buyer_id = *manual.buyer_id;
    } else if (auto known = manual.phone ? m_store.find_buyer_by_phone(phone_digits(*manual.phone))
                                         : std::nullopt) {
        buyer_id = *known;
    } else {
        Buyer buyer = generate_buyer();
        if (manual.phone) {
            auto parts = split_phone(*manual.phone);
            if (!parts) {
                return {std::nullopt, "phone must be like 090-1234-5678 (10 or 11 digits)"};
            }
            buyer.phone1 = (*parts)[0];
            buyer.phone2 = (*parts)[1];
            buyer.phone3 = (*parts)[2];
        }
        buyer.family_name = manual.family_name.value_or(buyer.family_name);
        buyer.first_name = manual.first_name.value_or(buyer.first_name);
        buyer.family_name_kana = manual.family_name_kana.value_or(buyer.family_name_kana);
        buyer.first_name_kana = manual.first_name_kana.value_or(buyer.first_name_kana);
        buyer.email = manual.email.value_or(buyer.email);
        buyer_id = m_store.add_buyer(std::move(buyer));
    }

    EpochSeconds at = manual.order_datetime.value_or(now);
    Order order;
    order.order_number = manual.sequence_digits == 8
                             ? m_settings.shop_id + "-" + format_jst_compact_date(at) + "-" +
                                   digits_of(++m_sequence, 8)
                             : next_order_number(at);
    order.buyer = buyer_id;
    order.order_datetime = at;
    order.basket_id = m_next_basket_id++;
    auto catalog = catalog_items();
    for (const auto& wanted : manual.items) {
        OrderItem item = wanted;
        auto entry = std::find_if(catalog.begin(), catalog.end(), [&](const CatalogItem& known) {
            return known.manage_number == wanted.manage_number;
        });
        if (entry != catalog.end()) {
            item.item_id = entry->item_id;
            item.item_number = entry->item_number;
            item.item_name = item.item_name.empty() ? std::string(entry->name) : item.item_name;
            item.price = item.price == 0 ? entry->price : item.price;
        } else if (item.item_name.empty() || item.price <= 0) {
            return {std::nullopt, "item '" + wanted.manage_number +
                                      "' is not in the catalogue: give itemName and price"};
        }
        item.item_detail_id = m_next_detail_id++;
        item.units = std::max(1, item.units);
        order.items.push_back(std::move(item));
    }
    if (order.items.empty()) {
        const auto& entry = catalog.front();
        order.items.push_back(OrderItem{m_next_detail_id++, entry.item_id,
                                        std::string(entry.item_number),
                                        std::string(entry.manage_number), std::string(entry.name),
                                        manual.total_price.value_or(entry.price), 1});
    }
    order.postage_price = manual.total_price ? *manual.total_price - order.goods_price()
                                             : (order.goods_price() >= 3980 ? 0 : 660);
    if (order.postage_price < 0) {
        return {std::nullopt, "totalPrice is less than the items' prices"};
    }
    if (manual.automatic_lifecycle) {
        plan(order);
    }
    auto index = m_store.add_order(std::move(order));
    m_store.update(index,
                   [&](Order& placed) { apply_due_steps(placed, now, m_next_shipping_detail_id); });
    schedule(index);
    return {index, ""};
}

bool OrderGenerator::move(std::uint32_t index, int progress, EpochSeconds at,
                          const std::optional<std::string>& delivery_company,
                          const std::optional<std::string>& shipping_number) {
    bool moved = false;
    m_store.update(index, [&](Order& order) {
        std::string company = delivery_company.value_or(order.plan.delivery_company);
        std::string number = shipping_number.value_or(
            order.plan.shipping_number.empty() ? tracking_number() : order.plan.shipping_number);
        moved = move_order_to(order, progress, at, company, number, m_next_shipping_detail_id);
    });
    return moved;
}

} // namespace musubi::sim::rakuten
