#pragma once
// The raw material of simulated orders: Japanese names with katakana readings, addresses and
// a small shop catalogue. Fixed tables so that a seed always yields the same orders.

#include <span>
#include <string_view>

namespace musubi::sim::rakuten {

struct NameEntry {
    std::string_view name;
    std::string_view kana;
};

struct AddressEntry {
    std::string_view zip1, zip2, prefecture, city, sub_address;
};

struct CatalogItem {
    std::string_view manage_number;
    std::string_view item_number;
    long item_id;
    std::string_view name;
    int price;
};

std::span<const NameEntry> family_names();
std::span<const NameEntry> male_given_names();
std::span<const NameEntry> female_given_names();
std::span<const AddressEntry> addresses();
std::span<const CatalogItem> catalog_items();

} // namespace musubi::sim::rakuten
