#include "daemon/linking/settings.hpp"

namespace musubi::linking {

Settings Settings::from(const config::Config& config) {
    Settings settings;
    settings.hashing_key = config.privacy.hashing_key.reveal();
    settings.shop_name = config.shop.name;
    settings.page_url = config.linking.page_url;
    settings.page_token_ttl_ms = config.linking.page_token_ttl.count();
    settings.session_ttl_ms = config.linking.session_ttl.count();
    settings.max_attempts = config.linking.max_attempts;
    settings.attempt_window_ms = config.linking.attempt_window.count();
    settings.unlink_keywords = config.linking.unlink_keywords;
    settings.site_token = config.linking.site_token.reveal();
    return settings;
}

} // namespace musubi::linking
