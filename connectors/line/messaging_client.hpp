#pragma once
// The LINE Messaging API as musubi uses it: push, multicast and reply of already-rendered
// message objects, profiles, account-link tokens, quota, and rich menus. Each call answers
// with an ApiResult that says what the caller should do (see api_result.hpp); calls that
// return data answer tl::expected<data, ApiResult>, the error side being any outcome that is
// not a success.
//
// Thread-safe: one MessagingClient is shared by the daemon's threads. It keeps a small pool
// of kept-alive connections per host (API and data API), so parallel calls do not queue
// behind one connection. The client never retries on its own, except once after a 401 when
// the access token is stateless (renewing it cannot send twice: LINE refused the first call).
// Retries, backoff and the 24-hour rule belong to the caller, which repeats a push or
// multicast with the same retry key.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "connectors/line/access_token.hpp"
#include "connectors/line/api_result.hpp"
#include "connectors/line/connection_pool.hpp"
#include "connectors/line/requests.hpp"

namespace musubi::line {

struct ClientSettings {
    std::string api_base_url = "https://api.line.me";
    std::string data_base_url = "https://api-data.line.me"; // rich-menu images
    std::chrono::milliseconds timeout{10'000};              // per call, connect/send/receive
    std::size_t max_idle_connections = 4;                   // per host
};

struct Profile {
    std::string user_id;
    std::string display_name;
    std::string language;       // empty when LINE does not say
    std::string picture_url;    // empty when none
    std::string status_message; // empty when none
};

// One page of GET /v2/bot/followers/ids: only users of LINE for iOS and Android are listed.
struct FollowersPage {
    std::vector<std::string> user_ids;
    std::string next; // the continuation token; empty: the last page
};

struct Quota {
    bool limited = false; // "type": "limited"; otherwise "none" (no monthly limit)
    long value = 0;       // the monthly limit when limited
};

class MessagingClient {
public:
    MessagingClient(ClientSettings settings, std::shared_ptr<AccessToken> token);
    ~MessagingClient();
    MessagingClient(const MessagingClient&) = delete;
    MessagingClient& operator=(const MessagingClient&) = delete;

    // `messages`: a JSON array of 1..5 message objects (or one object). `retry_key`: a UUID
    // fixed by the caller when the message was decided, the same on every attempt.
    ApiResult push(std::string_view to, const nlohmann::json& messages, std::string_view retry_key,
                   const PushOptions& options = {});
    // 1..500 recipients; LINE answers `{}` (no message ids).
    ApiResult multicast(const std::vector<std::string>& to, const nlohmann::json& messages,
                        std::string_view retry_key, const PushOptions& options = {});
    // A reply token is single use and lives about a minute; replies cost no quota.
    ApiResult reply(std::string_view reply_token, const nlohmann::json& messages,
                    bool notification_disabled = false);

    // LINE's verdict on message objects and on a rich menu's create body, without sending or
    // creating anything: `sent` (200) when LINE would take them, `permanent` (400) with LINE's
    // `details[]` (property and message) when not.
    ApiResult validate_push(const nlohmann::json& messages);
    ApiResult validate_rich_menu(const nlohmann::json& definition);

    // A blocked or unknown user is `permanent` with status 404.
    tl::expected<Profile, ApiResult> profile(std::string_view user_id);
    // For LINE's account-link flow: single use, 10 minutes.
    tl::expected<std::string, ApiResult> link_token(std::string_view user_id);
    tl::expected<Quota, ApiResult> quota();
    // Messages counted against this month's quota so far (approximate, says LINE).
    tl::expected<long, ApiResult> quota_consumption();
    // Up to `limit` (1..1000) follower ids after the continuation token `start` (empty: from
    // the beginning). Accounts that are neither verified nor premium get a permanent 403.
    tl::expected<FollowersPage, ApiResult> followers(int limit, std::string_view start);

    // Rich menus. create answers the new richMenuId. An image cannot be replaced: a changed
    // menu is a new menu.
    tl::expected<std::string, ApiResult> create_rich_menu(const nlohmann::json& definition);
    tl::expected<void, ApiResult> delete_rich_menu(std::string_view rich_menu_id);
    tl::expected<void, ApiResult> upload_rich_menu_image(std::string_view rich_menu_id,
                                                         ImageType type, std::string image);
    tl::expected<void, ApiResult> set_default_rich_menu(std::string_view rich_menu_id);
    tl::expected<void, ApiResult> link_rich_menu(std::string_view user_id,
                                                 std::string_view rich_menu_id);
    tl::expected<void, ApiResult> unlink_rich_menu(std::string_view user_id);
    // The menu linked to this user, or nullopt when none is (LINE's 404).
    tl::expected<std::optional<std::string>, ApiResult> user_rich_menu(std::string_view user_id);
    // 1..500 users; LINE answers 202 and applies the change within seconds.
    tl::expected<void, ApiResult> bulk_link_rich_menu(std::string_view rich_menu_id,
                                                      const std::vector<std::string>& user_ids);
    tl::expected<void, ApiResult> bulk_unlink_rich_menu(const std::vector<std::string>& user_ids);
    tl::expected<void, ApiResult> create_rich_menu_alias(std::string_view alias_id,
                                                         std::string_view rich_menu_id);
    tl::expected<void, ApiResult> update_rich_menu_alias(std::string_view alias_id,
                                                         std::string_view rich_menu_id);

    // --- Bot info, groups and rooms, alias reads (issue 17, groups and events)
    // The bot's own user ID (`GET /v2/bot/info` → userId): every webhook body's destination.
    tl::expected<std::string, ApiResult> bot_user_id();
    // Makes the account leave a group chat or a multi-person chat.
    tl::expected<void, ApiResult> leave_chat(ChatType type, std::string_view chat_id);
    // The rich menu an alias points to, or nullopt when LINE has no such alias (404).
    tl::expected<std::optional<std::string>, ApiResult>
    rich_menu_alias_target(std::string_view alias_id);

private:
    enum class Host { api, data };

    ApiResult call(Host host, const http::Request& request);
    ApiResult call(Host host, const BuiltRequest& request);
    tl::expected<void, ApiResult> call_void(Host host, const BuiltRequest& request);

    std::shared_ptr<AccessToken> m_token;
    ConnectionPool m_api;
    ConnectionPool m_data;
};

} // namespace musubi::line
