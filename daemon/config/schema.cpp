#include "daemon/config/schema.hpp"

#include <memory>

#include <Poco/Exception.h>
#include <Poco/URI.h>

namespace musubi::config {

namespace {

template <class T>
SectionType<T> nested(Section<T> section) {
    return SectionType<T>{std::make_shared<const Section<T>>(std::move(section))};
}

EnumType<LogLevel> log_level_type() {
    return {{{"trace", LogLevel::trace},
             {"debug", LogLevel::debug},
             {"info", LogLevel::info},
             {"warn", LogLevel::warn},
             {"error", LogLevel::error}}};
}

Section<ShopConfig> shop_section() {
    Section<ShopConfig> section("shop");
    section
        .key("id", &ShopConfig::id, StringType{}, Required{},
             "short name of the shop, used in logs, metrics and the systemd instance name")
        .key("name", &ShopConfig::name, StringType{}, Required{},
             "the shop's name as friends see it in messages ({{shop.name}})");
    return section;
}

Section<StoreConfig> store_section() {
    Section<StoreConfig> section("store");
    section
        .key("path", &StoreConfig::path, PathType{}, Default{"/var/lib/musubi/musubi.db"},
             "the SQLite database file; its folder must be writable")
        .key("busy_timeout", &StoreConfig::busy_timeout, DurationType{}, Default{"5s"},
             "how long a write waits for another writer before failing");
    return section;
}

Section<LogConfig> log_section() {
    Section<LogConfig> section("log");
    section
        .key("format", &LogConfig::format,
             EnumType<LogFormat>{{{"kv", LogFormat::key_value}, {"json", LogFormat::json}}},
             Default{"kv"}, "one line per event as key=value fields (kv) or as JSON")
        .key("level", &LogConfig::level, log_level_type(), Default{"info"},
             "the least important level written")
        .key("levels", &LogConfig::levels, MapType<EnumType<LogLevel>>{log_level_type()},
             Default{"{}"}, "a level per logger, e.g. {rakuten: debug, line: warn}")
        .key("timestamps", &LogConfig::timestamps,
             EnumType<Timestamps>{{{"auto", Timestamps::automatic},
                                   {"always", Timestamps::always},
                                   {"never", Timestamps::never}}},
             Default{"auto"}, "auto leaves timestamps out under systemd, where journald adds them");
    return section;
}

Section<PrivacyConfig> privacy_section() {
    Section<PrivacyConfig> section("privacy");
    section.secret("hashing_key", &PrivacyConfig::hashing_key,
                   "the install's secret key for hashing buyers' e-mail and phone numbers (at "
                   "least 32 characters; never change it, or links by buyer key are lost)");
    return section;
}

Section<RakutenConfig> rakuten_section() {
    Section<RakutenConfig> section("rakuten");
    section
        .key("enabled", &RakutenConfig::enabled, BoolType{}, Default{"false"},
             "poll Rakuten RMS for orders")
        .key("base_url", &RakutenConfig::base_url, UrlType{},
             Default{"https://api.rms.rakuten.co.jp"},
             "the RMS Web Service (the simulator's address in tests and the demo)")
        .secret("service_secret", &RakutenConfig::service_secret,
                "the RMS service secret (it does not change)")
        .secret("license_key", &RakutenConfig::license_key,
                "the RMS license key (renewed in RMS every 90 days)")
        .key("poll_interval", &RakutenConfig::poll_interval, DurationType{std::chrono::seconds(1)},
             Default{"1m"}, "how often to look for new, shipped and cancelled orders")
        .key("request_interval", &RakutenConfig::request_interval, DurationType{}, Default{"1s"},
             "the least time between two requests to RMS (be polite)")
        .key("timeout", &RakutenConfig::timeout, DurationType{std::chrono::seconds(1)},
             Default{"30s"}, "how long one RMS request may take")
        .key("overlap", &RakutenConfig::overlap, DurationType{}, Default{"10m"},
             "how far back each poll re-reads, for orders RMS indexes late")
        .key("backfill_horizon", &RakutenConfig::backfill_horizon, DurationType{}, Default{"2d"},
             "on first start, orders older than this only build the customer picture and "
             "trigger no messages");
    return section;
}

Section<FollowersImportConfig> followers_import_section() {
    Section<FollowersImportConfig> section("line.followers_import");
    section
        .key("enabled", &FollowersImportConfig::enabled, BoolType{}, Default{"true"},
             "on first start and then every `interval`, read the account's existing friends "
             "from LINE's followers list (verified or premium accounts only) and record the "
             "unknown ones as friends with a friend.imported fact; they get no greeting")
        .key("interval", &FollowersImportConfig::interval, DurationType{std::chrono::hours(1)},
             Default{"1d"}, "how often the followers list is read again for friends musubi missed")
        .key("profiles_per_second", &FollowersImportConfig::profiles_per_second, IntType{1, 1000},
             Default{"20"},
             "how many imported friends' profiles (display names) are read a second, in the "
             "background after the import");
    return section;
}

Section<LineConfig> line_section() {
    Section<LineConfig> section("line");
    section
        .key("api_base_url", &LineConfig::api_base_url, UrlType{}, Default{"https://api.line.me"},
             "the Messaging API (the simulator's address in tests and the demo)")
        .key("data_api_base_url", &LineConfig::data_api_base_url, UrlType{},
             Default{"https://api-data.line.me"}, "the Messaging API's host for images")
        .key("channel_id", &LineConfig::channel_id, StringType{true}, Default{"\"\""},
             "the channel ID (needed for stateless tokens)")
        .secret("channel_secret", &LineConfig::channel_secret,
                "the channel secret; webhooks are signed with it")
        .secret("channel_access_token", &LineConfig::channel_access_token,
                "a long-lived channel access token (token_mode: long_lived)")
        .key("token_mode", &LineConfig::token_mode,
             EnumType<TokenMode>{
                 {{"long_lived", TokenMode::long_lived}, {"stateless", TokenMode::stateless}}},
             Default{"long_lived"},
             "long_lived uses channel_access_token; stateless issues short tokens from "
             "channel_id and channel_secret")
        .key("push_per_second", &LineConfig::push_per_second, IntType{1, 2000}, Default{"2000"},
             "the most push requests a second (LINE allows 2,000)")
        .key("timeout", &LineConfig::timeout, DurationType{std::chrono::seconds(1)}, Default{"10s"},
             "how long one LINE request may take")
        .key("groups", &LineConfig::groups,
             EnumType<GroupPolicy>{{{"stay", GroupPolicy::stay}, {"leave", GroupPolicy::leave}}},
             Default{"stay"},
             "when someone adds the account to a group chat or room: stay (answer only "
             "in_groups keyword scenarios there) or leave it at once")
        .key("followers_import", &LineConfig::followers_import, nested(followers_import_section()),
             Default{"{}"}, "the account's existing friends: reading LINE's followers list");
    return section;
}

// --- webhook.forward: other tools on the same channel -------------------------------------

// The event types of LINE's webhook.yml (the `Event` discriminator), for a target's filter.
EnumType<std::string> forward_event_type() {
    EnumType<std::string> type;
    for (const char* name :
         {"message", "unsend", "follow", "unfollow", "join", "leave", "memberJoined", "memberLeft",
          "postback", "videoPlayComplete", "beacon", "accountLink", "membership", "module",
          "activated", "deactivated", "botSuspended", "botResumed", "delivery"}) {
        type.values.emplace_back(name, name);
    }
    return type;
}

// The other tool's full webhook URL, kept exactly as written (its path and query are where
// that tool expects LINE's calls).
struct ForwardUrlType {
    using value_type = std::string;
    std::string type_name() const { return "URL"; }
    bool read(const YAML::Node& node, std::string& out, const ReadContext& context) const {
        const std::string hint = "write the other tool's webhook URL as set in the LINE "
                                 "Developers console before, e.g. "
                                 "https://other-tool.example/callback";
        if (!expect_scalar(node, context, "a URL", hint)) {
            return false;
        }
        const std::string& text = node.Scalar();
        bool ok = false;
        try {
            const Poco::URI uri(text);
            ok = (uri.getScheme() == "https" || uri.getScheme() == "http") &&
                 !uri.getHost().empty() && uri.getUserInfo().empty() && uri.getFragment().empty() &&
                 text.find_first_of(" \t") == std::string::npos;
        } catch (const Poco::Exception&) {
            ok = false;
        }
        if (!ok) {
            context.error(node, "'" + text + "' is not an http(s) URL", hint);
            return false;
        }
        out = text;
        return true;
    }
    void dump(const std::string& value, YAML::Emitter& out) const { out << value; }
};

Section<ForwardTarget> forward_target_section() {
    Section<ForwardTarget> section("webhook.forward");
    section
        .key("url", &ForwardTarget::url, ForwardUrlType{}, Required{},
             "where the other tool takes LINE's webhooks (http:// only for tests)")
        .key("events", &ForwardTarget::events,
             ListType<EnumType<std::string>>{forward_event_type()}, Default{"[]"},
             "only bodies with at least one event of these types go there (empty: all)");
    return section;
}

// The list of targets; one URL may appear once (its queue is kept by URL).
struct ForwardListType {
    using value_type = std::vector<ForwardTarget>;
    static constexpr bool is_block = true;
    ListType<SectionType<ForwardTarget>> list{SectionType<ForwardTarget>{
        std::make_shared<const Section<ForwardTarget>>(forward_target_section())}};

    std::string type_name() const { return list.type_name(); }
    bool read(const YAML::Node& node, value_type& out, const ReadContext& context) const {
        if (node.IsNull()) {
            out.clear();
            return true;
        }
        bool ok = list.read(node, out, context);
        if (!node.IsSequence()) {
            return ok;
        }
        for (std::size_t i = 0; i < out.size(); ++i) {
            for (std::size_t j = 0; j < i; ++j) {
                if (!out[i].url.empty() && out[i].url == out[j].url) {
                    const YAML::Node item = node[i];
                    const YAML::Node at = item.IsMap() && item["url"] ? item["url"] : item;
                    context.error(at, "the URL '" + out[i].url + "' is in webhook.forward twice",
                                  "write each URL once; list all its event types under one "
                                  "'events:'");
                    ok = false;
                }
            }
        }
        return ok;
    }
    void dump(const value_type& value, YAML::Emitter& out) const { list.dump(value, out); }
};

// ------------------------------------------------------------------------------------------

Section<WebhookConfig> webhook_section() {
    Section<WebhookConfig> section("webhook");
    section
        .key("listen", &WebhookConfig::listen, ListenType{}, Default{"127.0.0.1:8080"},
             "where LINE's webhooks arrive (behind nginx or Caddy for TLS)")
        .key("path", &WebhookConfig::path, StringType{}, Default{"/webhook"},
             "the webhook URL's path, as set in the LINE Developers console")
        .key("max_body_bytes", &WebhookConfig::max_body_bytes, IntType{1024, 16 << 20},
             Default{"1048576"}, "larger webhook bodies are refused")
        // webhook.forward (daemon/webhook/forwarder.hpp)
        .key("forward", &WebhookConfig::forward, ForwardListType{}, Default{"[]"},
             "other tools on the same LINE channel: each verified body is passed on to them "
             "unchanged, with LINE's signature ({url, events: [message, postback]})")
        .key("forward_give_up_after", &WebhookConfig::forward_give_up_after,
             DurationType{std::chrono::minutes(1)}, Default{"1d"},
             "a body a tool has not taken by then is dropped, with a log line")
        .key("forward_retry_max", &WebhookConfig::forward_retry_max,
             DurationType{std::chrono::seconds(1)}, Default{"10m"},
             "the longest wait between two tries while a tool is down");
    return section;
}

Section<AdminConfig> admin_section() {
    Section<AdminConfig> section("admin");
    section
        .key("listen", &AdminConfig::listen, ListenType{}, Default{"127.0.0.1:8081"},
             "the status page, metrics and operator API (loopback by default)")
        .secret("token", &AdminConfig::token,
                "the bearer token the status page and operator API ask for");
    return section;
}

Section<ClockConfig> clock_section() {
    Section<ClockConfig> section("clock");
    section.key("follow", &ClockConfig::follow, StringType{true}, Default{"\"\""},
                "leave empty in production; the demo and tests follow musubi-sim's clock by "
                "giving its base URL, e.g. http://127.0.0.1:18480");
    return section;
}

Section<DispatchConfig> dispatch_section() {
    Section<DispatchConfig> section("dispatch");
    section
        .key("workers", &DispatchConfig::workers, IntType{1, 64}, Default{"8"},
             "how many messages are sent at once (each over a kept-alive connection)")
        .key("retry_initial", &DispatchConfig::retry_initial,
             DurationType{std::chrono::milliseconds(10)}, Default{"1s"},
             "the first wait before resending after a LINE error, a timeout or a 429")
        .key("retry_max", &DispatchConfig::retry_max, DurationType{std::chrono::seconds(1)},
             Default{"10m"}, "the longest wait between two resends")
        .key("expire_after", &DispatchConfig::expire_after, DurationType{std::chrono::hours(1)},
             Default{"23h"},
             "a message first tried longer ago is marked expired, not resent (LINE forgets a "
             "retry key after 24 hours)")
        .key("quota_check_interval", &DispatchConfig::quota_check_interval,
             DurationType{std::chrono::seconds(1)}, Default{"10m"},
             "after the monthly message limit is reached, how often to look whether sending "
             "may resume");
    return section;
}

Section<LinkingConfig> linking_section() {
    Section<LinkingConfig> section("linking");
    section
        .key("page_url", &LinkingConfig::page_url, StringType{true}, Default{"\"\""},
             "the public https URL of the link page (the webhook address behind your proxy, "
             "path /link); empty turns the web form off")
        .key("page_token_ttl", &LinkingConfig::page_token_ttl,
             DurationType{std::chrono::minutes(1)}, Default{"30m"},
             "how long a link-page button stays valid")
        .key("session_ttl", &LinkingConfig::session_ttl, DurationType{std::chrono::minutes(1)},
             Default{"10m"}, "how long musubi waits for the phone digits after an order number")
        .key("max_attempts", &LinkingConfig::max_attempts, IntType{1, 100}, Default{"5"},
             "failed linking attempts a friend may make within attempt_window")
        .key("attempt_window", &LinkingConfig::attempt_window,
             DurationType{std::chrono::minutes(1)}, Default{"1h"},
             "the period max_attempts counts over; after that many failures the friend waits")
        .key("unlink_keywords", &LinkingConfig::unlink_keywords, ListType<StringType>{},
             Default{"[連携解除]"}, "a message that is exactly one of these unlinks the friend")
        .secret("site_token", &LinkingConfig::site_token,
                "the bearer token the shop's own site sends to /account-link (own-site member "
                "linking); without it that endpoint is off");
    return section;
}

Section<ReviewsConfig> reviews_section() {
    Section<ReviewsConfig> section("reviews");
    section
        .key("drop_dir", &ReviewsConfig::drop_dir, PathType{}, Default{"reviews"},
             "review CSVs exported from RMS and put here are imported, then moved to done/ "
             "(or rejected/ with a .reason file); default: reviews/ beside store.path")
        .key("scan_interval", &ReviewsConfig::scan_interval, DurationType{std::chrono::seconds(1)},
             Default{"1m"}, "how often the folder is looked at");
    return section;
}

Section<RetentionConfig> retention_section() {
    Section<RetentionConfig> section("retention");
    section
        .key("orders_after", &RetentionConfig::orders_after, DurationType{std::chrono::hours(24)},
             Default{"1095d"},
             "orders older than this lose their personal data (buyer name, hashes, items, "
             "tracking number); counts are kept")
        .key("unlinked_after", &RetentionConfig::unlinked_after, DurationType{}, Default{"30d"},
             "a friend who unlinked this long ago loses the link's buyer data")
        .key("interval", &RetentionConfig::interval, DurationType{std::chrono::minutes(1)},
             Default{"1d"}, "how often the purge runs");
    return section;
}

Section<RichMenuSyncConfig> richmenu_sync_section() {
    Section<RichMenuSyncConfig> section("richmenu_sync");
    section
        .key("interval", &RichMenuSyncConfig::interval, DurationType{std::chrono::seconds(1)},
             Default{"10s"}, "how often friends whose segment changed get their rich menu")
        .key("spot_check_interval", &RichMenuSyncConfig::spot_check_interval,
             DurationType{std::chrono::minutes(1)}, Default{"1h"},
             "how often LINE is asked which menu a few friends really have (drift is repaired)")
        .key("spot_check_size", &RichMenuSyncConfig::spot_check_size, IntType{1, 10000},
             Default{"100"}, "how many friends each spot check asks about");
    return section;
}

Section<EcfeedConfig> ecfeed_section() {
    Section<EcfeedConfig> section("ecfeed");
    section
        .key("url", &EcfeedConfig::url, UrlType{}, Optional{},
             "the shop site's feed of orders, shipments and reviews (JSON Lines, see "
             "connectors/ecfeed/README.md), read as <url>?since=<cursor>; unset: not polled")
        .secret("token", &EcfeedConfig::token,
                "a bearer token the feed requires (sent as 'Authorization: Bearer'); optional")
        .key("poll_interval", &EcfeedConfig::poll_interval, DurationType{std::chrono::seconds(1)},
             Default{"1m"}, "how often the feed and the drop folder are looked at")
        .key("timeout", &EcfeedConfig::timeout, DurationType{std::chrono::seconds(1)},
             Default{"30s"}, "how long one feed request may take")
        .key("drop_dir", &EcfeedConfig::drop_dir, PathType{}, Optional{},
             "*.jsonl feed files put here are read, then moved to done/ (or rejected/ with a "
             ".reason file); unset: no drop folder")
        .key("backfill_horizon", &EcfeedConfig::backfill_horizon, DurationType{}, Default{"2d"},
             "on first start, orders older than this only build the customer picture and "
             "trigger no messages (older reviews are not recorded)");
    return section;
}

void check_config(const Config& config, const YAML::Node& map, const ReadContext& context) {
    const auto where = [&](const char* key) {
        const YAML::Node node = map.IsMap() ? map[key] : YAML::Node();
        return node.IsDefined() ? node : map;
    };
    const auto require_secret = [&](const Secret& secret, const char* section, const char* key,
                                    const std::string& why) {
        const YAML::Node section_node = where(section);
        // A key that was written but could not be read has had its own error already.
        const bool written =
            section_node.IsMap() &&
            (section_node[key].IsDefined() || section_node[std::string(key) + "_file"].IsDefined());
        if (secret.empty() && !written) {
            std::string env = std::string("MUSUBI_") + section + "_" + key;
            for (char& c : env) {
                c = static_cast<char>(std::toupper(c));
            }
            context.error(where(section),
                          std::string("missing '") + key + "' in '" + section + "' " + why,
                          std::string("add '") + key + ": ...' or '" + key +
                              "_file: /path' under '" + section + ":', or set $" + env);
        }
    };
    if (config.rakuten.enabled) {
        require_secret(config.rakuten.service_secret, "rakuten", "service_secret",
                       "(needed while rakuten.enabled is true)");
        require_secret(config.rakuten.license_key, "rakuten", "license_key",
                       "(needed while rakuten.enabled is true)");
    }
    require_secret(config.line.channel_secret, "line", "channel_secret",
                   "(webhooks cannot be checked without it)");
    if (config.line.token_mode == TokenMode::long_lived) {
        require_secret(config.line.channel_access_token, "line", "channel_access_token",
                       "(needed with token_mode: long_lived)");
    } else if (config.line.channel_id.empty()) {
        context.error(where("line"),
                      "missing 'channel_id' in 'line' (needed with token_mode: "
                      "stateless)",
                      "add 'channel_id: <the channel ID from the LINE Developers console>'");
    }
    require_secret(config.privacy.hashing_key, "privacy", "hashing_key",
                   "(buyers' e-mail and phone numbers are hashed with it)");
    if (!config.privacy.hashing_key.empty() && config.privacy.hashing_key.reveal().size() < 32) {
        context.error(where("privacy"), "'hashing_key' in 'privacy' is shorter than 32 characters",
                      "use a long random value, e.g. the output of 'openssl rand -hex 32'");
    }
    require_secret(config.admin.token, "admin", "token",
                   "(the status page and operator API are protected by it)");
}

} // namespace

const Section<Config>& config_section() {
    static const Section<Config> section = [] {
        Section<Config> top("musubi.yaml");
        top.key("shop", &Config::shop, nested(shop_section()), Required{}, "the shop")
            .key("store", &Config::store, nested(store_section()), Default{"{}"},
                 "where musubi keeps its data")
            .key("log", &Config::log, nested(log_section()), Default{"{}"}, "logging")
            .key("privacy", &Config::privacy, nested(privacy_section()), Default{"{}"},
                 "personal data handling")
            .key("rakuten", &Config::rakuten, nested(rakuten_section()), Default{"{}"},
                 "the Rakuten RMS connector")
            .key("line", &Config::line, nested(line_section()), Default{"{}"},
                 "the LINE official account")
            .key("webhook", &Config::webhook, nested(webhook_section()), Default{"{}"},
                 "the webhook endpoint LINE calls")
            .key("admin", &Config::admin, nested(admin_section()), Default{"{}"},
                 "the status page and operator API")
            .key("clock", &Config::clock, nested(clock_section()), Default{"{}"},
                 "where musubi's time comes from (tests and the demo only)")
            .key("dispatch", &Config::dispatch, nested(dispatch_section()), Default{"{}"},
                 "sending messages")
            .key("linking", &Config::linking, nested(linking_section()), Default{"{}"},
                 "linking friends to buyers (ID連携)")
            .key("reviews", &Config::reviews, nested(reviews_section()), Default{"{}"},
                 "importing RMS review CSVs")
            .key("ecfeed", &Config::ecfeed, nested(ecfeed_section()), Default{"{}"},
                 "the generic EC feed of the shop's own site")
            .key("retention", &Config::retention, nested(retention_section()), Default{"{}"},
                 "how long personal data is kept")
            .key("templates", &Config::templates_dir, PathType{}, Default{"templates"},
                 "the folder of message templates (<name>.txt or <name>.json)")
            .key("scenarios", &Config::scenarios_pattern, StringType{}, Default{"scenarios/*.yaml"},
                 "which scenario files to read, relative to this file's folder")
            .key("segments", &Config::segments_file, PathType{}, Optional{},
                 "the segments file (segments.yaml), relative to this file's folder")
            .key("richmenus", &Config::richmenus_file, PathType{}, Optional{},
                 "the rich menus file (richmenus.yaml): menus, images and the menu per segment")
            .key("richmenu_sync", &Config::richmenu_sync, nested(richmenu_sync_section()),
                 Default{"{}"}, "keeping each friend's rich menu in step with their segment")
            .key("campaigns", &Config::campaigns_file, PathType{}, Optional{},
                 "the campaigns file (campaigns.yaml): sends to a segment at a JST time")
            .check(check_config);
        return top;
    }();
    return section;
}

} // namespace musubi::config
