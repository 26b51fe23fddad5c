#pragma once
// What the simulated LINE platform remembers: friends and what each received (the ledger),
// retry keys, tokens, rich menus, quota and the webhook events friends sent.
// Plain data; LineService guards it with one mutex.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace musubi::sim::line {

struct Delivery {
    long seq = 0;
    std::string endpoint; // push, multicast, reply
    nlohmann::json message;
    std::int64_t at_ms = 0;
    std::string retry_key; // empty: none
    std::string request_id;
    std::string message_id;
    std::string content_hash;
};

struct Friend {
    std::string user_id;
    std::string display_name;
    std::string language = "ja";
    bool blocked = false;
    bool listed = true;       // false: uses LINE only on desktop, absent from followers/ids
    std::string rich_menu_id; // per-user link; empty: none
    std::vector<Delivery> deliveries;
    std::map<std::string, long> content_counts; // content hash -> deliveries
    std::set<std::string> retry_keys;           // keys that delivered to this friend
    std::string last_request_id;                // tells a request's 2nd message from a resend
    long duplicate_deliveries = 0;
    long undelivered = 0; // sends answered 200 while blocked
    std::map<std::pair<int, std::string>, long> refused;
};

struct AcceptedKey {
    std::string request_id;
    nlohmann::json sent_messages; // null for multicast
    std::int64_t accepted_ms = 0;
};

struct IssuedToken {
    std::string user_id;
    std::int64_t issued_ms = 0;
    bool used = false;
    std::string chat_id; // a reply token issued in a group or room: replies go there
};

struct RichMenu {
    nlohmann::json object; // as created, with richMenuId
    std::string image;
    std::string image_type; // empty: no image yet
};

struct BulkOperation {
    std::chrono::steady_clock::time_point apply_at;
    std::string rich_menu_id; // empty: unlink
    std::vector<std::string> user_ids;
};

struct WebhookAttempt {
    int status = 0;
    std::string error;
    bool redelivery = false;
    std::int64_t at_ms = 0;
};

struct WebhookEvent {
    nlohmann::json event;
    std::vector<WebhookAttempt> attempts;
};

// --- A group chat or multi-person chat (room) the account was in (group_routes.cpp).
struct Chat {
    std::string id;   // C… (group) or R… (room)
    std::string type; // group | room
    std::set<std::string> members;
    bool bot_member = true;
    long leave_calls = 0;             // the bot left by POST /v2/bot/{group|room}/{id}/leave
    std::vector<Delivery> deliveries; // replies (and, wrongly, pushes) into the chat
};

struct LineState {
    std::map<std::string, Friend> friends;
    std::map<std::string, AcceptedKey> retry_keys;
    std::map<std::string, IssuedToken> reply_tokens;
    std::map<std::string, IssuedToken> link_tokens;
    std::map<std::string, std::int64_t> access_tokens; // stateless token -> expiry ms
    std::map<std::string, RichMenu> rich_menus;
    std::map<std::string, std::string> aliases; // alias id -> rich menu id
    std::string default_rich_menu;
    std::vector<BulkOperation> bulk_operations;
    std::map<std::string, WebhookEvent> webhook_events;
    std::vector<std::string> webhook_order; // ids in creation order
    std::map<std::pair<int, std::string>, long> refused;
    std::map<std::string, long> undelivered; // reason -> count
    long deliveries{0};
    long duplicate_deliveries{0};
    long same_key_deliveries{0};
    long retry_key_conflicts{0};
    long next_seq{0};
    long quota_usage{0};
    std::string quota_month; // yyyy-MM (JST) the usage belongs to
    // --- Groups and rooms, bot info (group_routes.cpp)
    std::map<std::string, Chat> chats;
    bool bot_info_down = false; // GET /v2/bot/info answers 500 while set
};

} // namespace musubi::sim::line
