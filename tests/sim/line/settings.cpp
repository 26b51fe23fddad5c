#include "settings.hpp"

#include <cstdio>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "../core/options.hpp"

namespace musubi::sim::line {

namespace {

[[noreturn]] void fail(const YAML::Node& node, const std::string& what) {
    auto mark = node.Mark();
    throw ScenarioError("scenario:" + std::to_string(mark.line + 1) + ":" +
                        std::to_string(mark.column + 1) + ": " + what);
}

void check_keys(const YAML::Node& node, const std::set<std::string>& valid, const std::string& in) {
    if (!node.IsMap()) {
        fail(node, in + " must be a mapping");
    }
    for (const auto& entry : node) {
        auto key = entry.first.as<std::string>();
        if (!valid.contains(key)) {
            std::string list;
            for (const auto& name : valid) {
                list += (list.empty() ? "" : ", ") + name;
            }
            fail(entry.first, "unknown key '" + key + "' in " + in + "; valid keys: " + list);
        }
    }
}

std::chrono::milliseconds duration(const YAML::Node& node) {
    auto parsed = parse_duration(node.as<std::string>());
    if (!parsed) {
        fail(node, "a duration such as 250ms, 90s, 10m, 24h or 1d");
    }
    return *parsed;
}

FaultSettings parse_faults(const YAML::Node& node) {
    check_keys(node,
               {"rate_500", "rate_timeout", "timeout", "drop", "after_delivery", "burst_429",
                "seed", "endpoints"},
               "line.faults");
    FaultSettings faults;
    if (node["rate_500"]) {
        faults.rate_500 = node["rate_500"].as<double>();
    }
    if (node["rate_timeout"]) {
        faults.rate_timeout = node["rate_timeout"].as<double>();
    }
    if (node["timeout"]) {
        faults.timeout = duration(node["timeout"]);
    }
    if (node["drop"]) {
        faults.drop = node["drop"].as<bool>();
    }
    if (node["after_delivery"]) {
        faults.after_delivery = node["after_delivery"].as<bool>();
    }
    if (node["burst_429"]) {
        faults.burst_429 = node["burst_429"].as<long>();
    }
    if (node["seed"]) {
        faults.seed = node["seed"].as<std::uint64_t>();
    }
    if (node["endpoints"]) {
        for (const auto& family : node["endpoints"]) {
            faults.endpoints.insert(family.as<std::string>());
        }
    }
    return faults;
}

void parse_rate_limits(const YAML::Node& node, LineSettings& settings) {
    if (!node.IsMap()) {
        fail(node, "line.rate_limits must be a mapping");
    }
    for (const auto& entry : node) {
        auto key = entry.first.as<std::string>();
        if (key == "enabled") {
            settings.rate_limits_enabled = entry.second.as<bool>();
            continue;
        }
        if (!RateLimiter::defaults().contains(key)) {
            std::string list = "enabled";
            for (const auto& [family, rate] : RateLimiter::defaults()) {
                list += ", " + family;
            }
            fail(entry.first, "unknown key '" + key + "' in line.rate_limits; valid keys: " + list);
        }
        auto rate = parse_rate(entry.second.as<std::string>());
        if (!rate) {
            fail(entry.second, "a rate such as 2000/s, 60/min or 100/h");
        }
        settings.rates[key] = *rate;
    }
}

FriendSeed parse_friend(const YAML::Node& node) {
    check_keys(node, {"userId", "displayName", "language", "blocked"}, "line.friends[]");
    FriendSeed seed;
    if (!node["userId"] || !is_user_id(node["userId"].as<std::string>())) {
        fail(node, "each friend needs a userId: U followed by 32 lower-case hex digits");
    }
    seed.user_id = node["userId"].as<std::string>();
    seed.display_name = node["displayName"] ? node["displayName"].as<std::string>() : "ユーザー";
    if (node["language"]) {
        seed.language = node["language"].as<std::string>();
    }
    if (node["blocked"]) {
        seed.blocked = node["blocked"].as<bool>();
    }
    return seed;
}

void parse_quota(const YAML::Node& node, LineSettings& settings) {
    check_keys(node, {"type", "value"}, "line.quota");
    if (node["type"]) {
        settings.quota_type = node["type"].as<std::string>();
        if (settings.quota_type != "none" && settings.quota_type != "limited") {
            fail(node["type"], "line.quota.type is none or limited");
        }
    }
    if (node["value"]) {
        settings.quota_value = node["value"].as<long>();
    }
}

// `existing_friends: 2500` or `{count: 2500, unlisted_every: 10, seed: 7}`.
ExistingFriends parse_existing_friends(const YAML::Node& node) {
    ExistingFriends existing;
    if (node.IsScalar()) {
        existing.count = node.as<long>();
    } else {
        check_keys(node, {"count", "unlisted_every", "seed"}, "line.existing_friends");
        if (node["count"]) {
            existing.count = node["count"].as<long>();
        }
        if (node["unlisted_every"]) {
            existing.unlisted_every = node["unlisted_every"].as<long>();
        }
        if (node["seed"]) {
            existing.seed = node["seed"].as<std::uint64_t>();
        }
    }
    if (existing.count < 0 || existing.count > 10'000'000) {
        fail(node, "line.existing_friends.count is 0..10000000");
    }
    if (existing.unlisted_every < 0) {
        fail(node, "line.existing_friends.unlisted_every is 0 (none) or more");
    }
    return existing;
}

std::uint64_t mix64(std::uint64_t x) { // splitmix64's finaliser
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

} // namespace

std::string existing_friend_id(std::uint64_t seed, long n) {
    // Two mixes of (seed, n): distinct n give distinct first halves (mix64 is a bijection),
    // and the ids are spread over the key space as LINE's are, not in creation order.
    const auto high = mix64(seed * 0x100000001b3ULL ^ static_cast<std::uint64_t>(n));
    const auto low = mix64(high ^ seed);
    char text[34];
    std::snprintf(text, sizeof text, "U%016llx%016llx", static_cast<unsigned long long>(high),
                  static_cast<unsigned long long>(low));
    return text;
}

bool is_user_id(const std::string& text) {
    if (text.size() != 33 || text[0] != 'U') {
        return false;
    }
    for (std::size_t i = 1; i < text.size(); ++i) {
        char c = text[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

LineSettings parse_line_settings(const YAML::Node& node) {
    LineSettings settings;
    if (!node || node.IsNull()) {
        return settings;
    }
    check_keys(node,
               {"channel_id", "channel_secret", "channel_access_tokens", "bot_user_id",
                "webhook_url", "webhook_timeout", "reply_token_ttl", "retry_key_ttl",
                "link_token_ttl", "access_token_ttl", "bulk_delay", "rate_limits", "quota",
                "friends", "existing_friends", "followers_api", "faults"},
               "line");
    try {
        for (const char* key : {"channel_id", "channel_secret", "bot_user_id", "webhook_url"}) {
            if (!node[key]) {
                continue;
            }
            auto value = node[key].as<std::string>();
            if (std::string(key) == "channel_id") {
                settings.channel_id = value;
            } else if (std::string(key) == "channel_secret") {
                settings.channel_secret = value;
            } else if (std::string(key) == "bot_user_id") {
                settings.bot_user_id = value;
            } else {
                settings.webhook_url = value;
            }
        }
        if (node["channel_access_tokens"]) {
            settings.channel_access_tokens =
                node["channel_access_tokens"].as<std::vector<std::string>>();
        }
        std::pair<const char*, std::chrono::milliseconds*> durations[] = {
            {"webhook_timeout", &settings.webhook_timeout},
            {"reply_token_ttl", &settings.reply_token_ttl},
            {"retry_key_ttl", &settings.retry_key_ttl},
            {"link_token_ttl", &settings.link_token_ttl},
            {"access_token_ttl", &settings.access_token_ttl},
            {"bulk_delay", &settings.bulk_delay}};
        for (auto [key, target] : durations) {
            if (node[key]) {
                *target = duration(node[key]);
            }
        }
        if (node["rate_limits"]) {
            parse_rate_limits(node["rate_limits"], settings);
        }
        if (node["quota"]) {
            parse_quota(node["quota"], settings);
        }
        if (node["friends"]) {
            for (const auto& entry : node["friends"]) {
                settings.friends.push_back(parse_friend(entry));
            }
        }
        if (node["existing_friends"]) {
            settings.existing_friends = parse_existing_friends(node["existing_friends"]);
        }
        if (node["followers_api"]) {
            const auto mode = node["followers_api"].as<std::string>();
            if (mode != "available" && mode != "forbidden") {
                fail(node["followers_api"], "line.followers_api is available or forbidden");
            }
            settings.followers_api = mode == "available";
        }
        if (node["faults"]) {
            settings.faults = parse_faults(node["faults"]);
        }
    } catch (const YAML::BadConversion& error) {
        throw ScenarioError("scenario:" + std::to_string(error.mark.line + 1) + ":" +
                            std::to_string(error.mark.column + 1) +
                            ": wrong type in the line: section (see tests/sim/README.md)");
    }
    return settings;
}

FaultSettings parse_faults_json(const std::string& json_text) {
    auto body = nlohmann::json::parse(json_text.empty() ? "{}" : json_text, nullptr, false);
    if (!body.is_object()) {
        throw std::invalid_argument("the body must be a JSON object");
    }
    FaultSettings faults;
    for (const auto& [key, value] : body.items()) {
        if (key == "rate_500" && value.is_number()) {
            faults.rate_500 = value.get<double>();
        } else if (key == "rate_timeout" && value.is_number()) {
            faults.rate_timeout = value.get<double>();
        } else if (key == "timeout_ms" && value.is_number_integer()) {
            faults.timeout = std::chrono::milliseconds(value.get<long long>());
        } else if (key == "drop" && value.is_boolean()) {
            faults.drop = value.get<bool>();
        } else if (key == "after_delivery" && value.is_boolean()) {
            faults.after_delivery = value.get<bool>();
        } else if (key == "burst_429" && value.is_number_integer()) {
            faults.burst_429 = value.get<long>();
        } else if (key == "seed" && value.is_number_unsigned()) {
            faults.seed = value.get<std::uint64_t>();
        } else if (key == "endpoints" && value.is_array()) {
            for (const auto& family : value) {
                faults.endpoints.insert(family.get<std::string>());
            }
        } else {
            throw std::invalid_argument(
                "bad key or type '" + key +
                "'; valid keys: rate_500 (0..1), rate_timeout (0..1), timeout_ms, drop (bool), "
                "after_delivery (bool), burst_429 (count), seed (unsigned), endpoints (array)");
        }
    }
    return faults;
}

} // namespace musubi::sim::line
