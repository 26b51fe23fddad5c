#pragma once
// What linking needs from the configuration, copied once so that a reload builds new linkers
// instead of changing a running one.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config/config.hpp"

namespace musubi::linking {

struct Settings {
    std::string hashing_key; // privacy.hashing_key: phone digits and member ids are hashed with it
    std::string shop_name;
    std::string page_url; // empty: no web form
    std::int64_t page_token_ttl_ms = 30 * 60 * 1000;
    std::int64_t session_ttl_ms = 10 * 60 * 1000;
    std::int64_t max_attempts = 5;
    std::int64_t attempt_window_ms = 60 * 60 * 1000;
    std::vector<std::string> unlink_keywords{"連携解除"};
    std::string site_token; // empty: no account-link endpoint
    // Asks RMS for an order the store does not know yet, before the check (set by the
    // daemon when RMS is on; empty: only stored orders link).
    std::function<void(std::string_view order_number)> fetch_order;

    static Settings from(const config::Config& config);
};

} // namespace musubi::linking
