#pragma once
// The effective configuration of one musubi instance (one shop), as read from musubi.yaml and
// the scenario files it includes. Every key, its type, default and description is declared
// once in schema.cpp; this header only holds the values.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/config/duration.hpp"
#include "daemon/config/scenario.hpp"
#include "daemon/config/secret.hpp"
#include "daemon/config/value_types.hpp"
#include "daemon/richmenus/menu_config.hpp"
#include "daemon/segments/segment.hpp"

namespace musubi::campaigns {
struct CampaignSet; // campaigns.yaml, read by daemon/campaigns/campaign_config.hpp
}

namespace musubi::config {

struct ShopConfig {
    std::string id;   // short name used in logs, metrics and the systemd instance
    std::string name; // shown to friends in messages ({{shop.name}})
};

struct StoreConfig {
    std::filesystem::path path;
    Duration busy_timeout{};
};

enum class LogFormat { key_value, json };
enum class LogLevel { trace, debug, info, warn, error };
enum class Timestamps { automatic, always, never };

struct LogConfig {
    LogFormat format = LogFormat::key_value;
    LogLevel level = LogLevel::info;
    std::map<std::string, LogLevel> levels; // per logger, e.g. {rakuten: debug}
    Timestamps timestamps = Timestamps::automatic;
};

struct PrivacyConfig {
    Secret hashing_key; // keys the HMACs of buyers' e-mail and phone numbers
};

struct RakutenConfig {
    bool enabled = false;
    std::string base_url;
    Secret service_secret;
    Secret license_key;
    Duration poll_interval{};
    Duration request_interval{};
    Duration timeout{};
    Duration overlap{};
    Duration backfill_horizon{};
};

enum class TokenMode { long_lived, stateless };
// What musubi does when the account is added to a group chat or a room (a join event).
enum class GroupPolicy { stay, leave };

// Reading the account's existing friends from LINE's followers list (line.followers_import).
struct FollowersImportConfig {
    bool enabled = true;
    Duration interval{};                  // between runs, on musubi's clock
    std::int64_t profiles_per_second = 0; // lazy display-name reads of imported friends
};

struct LineConfig {
    std::string api_base_url;
    std::string data_api_base_url;
    std::string channel_id;
    Secret channel_secret;
    Secret channel_access_token;
    TokenMode token_mode = TokenMode::long_lived;
    std::int64_t push_per_second = 0;
    Duration timeout{};
    GroupPolicy groups = GroupPolicy::stay; // line.groups
    FollowersImportConfig followers_import;
};

// Another tool on the same LINE channel (webhook.forward): verified bodies are passed on to it
// unchanged (daemon/webhook/forwarder.hpp).
struct ForwardTarget {
    std::string url;                 // as written (path and query kept)
    std::vector<std::string> events; // event types it takes; empty: every type
};

struct WebhookConfig {
    ListenAddress listen;
    std::string path;
    std::int64_t max_body_bytes = 0;
    // webhook.forward
    std::vector<ForwardTarget> forward;
    Duration forward_give_up_after{}; // a body not delivered by then is dropped (logged)
    Duration forward_retry_max{};     // backoff ceiling between attempts
};

struct AdminConfig {
    ListenAddress listen;
    Secret token;
};

struct ClockConfig {
    std::string follow; // musubi-sim's base URL; empty: the system clock
};

struct DispatchConfig {
    std::int64_t workers = 0;        // sends in flight at once
    Duration retry_initial{};        // first backoff after a 5xx, timeout or 429
    Duration retry_max{};            // backoff ceiling
    Duration expire_after{};         // a row first tried longer ago is not resent blindly
    Duration quota_check_interval{}; // how often to look again after the monthly limit
};

struct LinkingConfig {
    std::string page_url;          // public URL of the link page; empty: no web form
    Duration page_token_ttl{};     // how long a link-page token is valid
    Duration session_ttl{};        // how long an order number waits for the digits
    std::int64_t max_attempts = 0; // failed attempts per friend within attempt_window
    Duration attempt_window{};
    std::vector<std::string> unlink_keywords;
    Secret site_token; // the shop site's bearer token for account-link calls
};

struct ReviewsConfig {
    std::filesystem::path drop_dir; // review CSVs dropped here are imported
    Duration scan_interval{};
};

// The generic EC feed for shops with their own site (connectors/ecfeed/README.md).
struct EcfeedConfig {
    std::optional<std::string> url;                // GET <url>?since=<cursor>; unset: not polled
    Secret token;                                  // sent as "Authorization: Bearer"; optional
    Duration poll_interval{};                      // also how often drop_dir is looked at
    Duration timeout{};                            // per request
    std::optional<std::filesystem::path> drop_dir; // *.jsonl files put here are read; unset: none
    Duration backfill_horizon{};                   // older orders build the picture only
};

// How long personal data is kept (DESIGN.md "Privacy"). Purging keeps the counts
// and fact kinds for analytics, and drops names, hashes, items and tracking numbers.
struct RetentionConfig {
    Duration orders_after{};   // an order older than this loses its personal data
    Duration unlinked_after{}; // a friend who unlinked this long ago loses the link's buyer data
    Duration interval{};       // how often the purge runs
};

// How the rich-menu reconciler keeps each friend's menu matching their segment.
struct RichMenuSyncConfig {
    Duration interval{};              // how often it looks for work when nothing woke it
    Duration spot_check_interval{};   // how often LINE is asked which menu a few friends have
    std::int64_t spot_check_size = 0; // friends asked per spot check
};

struct Config {
    std::filesystem::path file; // the musubi.yaml that was loaded
    ShopConfig shop;
    StoreConfig store;
    LogConfig log;
    PrivacyConfig privacy;
    RakutenConfig rakuten;
    LineConfig line;
    WebhookConfig webhook;
    AdminConfig admin;
    ClockConfig clock;
    DispatchConfig dispatch;
    LinkingConfig linking;
    ReviewsConfig reviews;
    EcfeedConfig ecfeed;
    RetentionConfig retention;
    std::filesystem::path templates_dir;
    std::string scenarios_pattern; // as written, e.g. "scenarios/*.yaml"
    std::vector<Scenario> scenarios;
    std::optional<std::filesystem::path> segments_file;  // segments.yaml; unset: no segments
    std::vector<segments::Segment> segments;             // from segments_file, in order
    std::optional<std::filesystem::path> richmenus_file; // richmenus.yaml; unset: menus left alone
    richmenus::RichMenuSet rich_menus;                   // from richmenus_file
    RichMenuSyncConfig richmenu_sync;
    std::optional<std::filesystem::path> campaigns_file;     // campaigns.yaml; unset: none declared
    std::shared_ptr<const campaigns::CampaignSet> campaigns; // from campaigns_file
};

} // namespace musubi::config
