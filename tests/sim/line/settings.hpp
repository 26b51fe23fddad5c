#pragma once
// The `line:` section of the scenario file (tests/sim/README.md lists every key).

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "rate_limiter.hpp"

namespace musubi::sim::line {

struct FriendSeed {
    std::string user_id;
    std::string display_name;
    std::string language = "ja";
    bool blocked = false;
};

// Seeded, so a test that sets rates gets the same faults on every run.
struct FaultSettings {
    double rate_500 = 0;
    double rate_timeout = 0;
    std::chrono::milliseconds timeout{30000};
    bool drop = false;           // timeouts close the connection instead of answering late
    bool after_delivery = false; // the message is delivered, then the answer is lost
    long burst_429 = 0;          // the next N matching requests get 429
    std::uint64_t seed = 1;
    std::set<std::string> endpoints; // families (as in rate limits); empty: all
};

// Friends the account already has when the simulation starts (`line.existing_friends`):
// `count` followers with generated ids and names, every `unlisted_every`-th of them (0: none)
// using LINE only on desktop, so GET /v2/bot/followers/ids leaves them out.
struct ExistingFriends {
    long count = 0;
    long unlisted_every = 0;
    std::uint64_t seed = 1;
};

struct LineSettings {
    std::string channel_id = "2000000000";
    std::string channel_secret = "8c570fa6dd201bb328f1c1eac23a96d8";
    std::vector<std::string> channel_access_tokens = {"musubi-sim-token"};
    std::string bot_user_id = "U8e742f61d673b39c7fff3cecb7536ef0";
    std::string webhook_url; // empty: friends' events cannot be sent until set by control
    std::chrono::milliseconds webhook_timeout{5000};
    std::chrono::milliseconds reply_token_ttl{60000};
    std::chrono::milliseconds retry_key_ttl{24LL * 3600 * 1000};
    std::chrono::milliseconds link_token_ttl{10LL * 60 * 1000};
    std::chrono::milliseconds access_token_ttl{15LL * 60 * 1000};
    std::chrono::milliseconds bulk_delay{300}; // real time before a 202 bulk link applies
    bool rate_limits_enabled = true;
    std::map<std::string, Rate> rates; // overrides of RateLimiter::defaults()
    std::string quota_type = "none";
    long quota_value = 0;
    std::vector<FriendSeed> friends;
    ExistingFriends existing_friends;
    bool followers_api = true; // false: the account is not verified/premium (403)
    FaultSettings faults;
};

// Throws ScenarioError (core/options.hpp) naming line:col and the valid keys.
LineSettings parse_line_settings(const YAML::Node& node);
// Shared by the scenario file and POST /_sim/line/faults; throws std::invalid_argument.
FaultSettings parse_faults_json(const std::string& json_text);
bool is_user_id(const std::string& text);
// The n-th generated existing friend's user id (n from 0), the same for a seed on every run.
std::string existing_friend_id(std::uint64_t seed, long n);

} // namespace musubi::sim::line
