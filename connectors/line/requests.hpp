#pragma once
// The Messaging API's wire requests, built as plain values: method, path, headers, body.
// Building is kept apart from sending so that what goes on the wire can be checked without a
// server. The Authorization header is not set here: the client adds it when it sends.
//
// Message objects arrive already rendered (a JSON array of LINE message objects, or a single
// object); nothing here renders or checks them — LINE does, and answers 400 with details.
// What is checked is what would make the request itself malformed: the retry key's shape,
// the recipient counts, and bodies that cannot be written as UTF-8 JSON.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "connectors/http/http_client.hpp"

namespace musubi::line {

inline constexpr std::size_t k_max_multicast_recipients = 500;
inline constexpr std::size_t k_max_bulk_users = 500;

struct PushOptions {
    bool notification_disabled = false;
    std::optional<std::string> custom_aggregation_unit; // LINE takes at most one
};

enum class ImageType { png, jpeg };

// A request that could not be built; the text says why (no tokens, no message contents).
using BuiltRequest = tl::expected<http::Request, std::string>;

BuiltRequest push_request(std::string_view to, const nlohmann::json& messages,
                          std::string_view retry_key, const PushOptions& options = {});
BuiltRequest multicast_request(const std::vector<std::string>& to, const nlohmann::json& messages,
                               std::string_view retry_key, const PushOptions& options = {});
// Replies carry no retry key: LINE answers 400 to one; a reply token is single use anyway.
BuiltRequest reply_request(std::string_view reply_token, const nlohmann::json& messages,
                           bool notification_disabled = false);

http::Request profile_request(std::string_view user_id);
http::Request link_token_request(std::string_view user_id);
http::Request quota_request();
http::Request quota_consumption_request();
// GET /v2/bot/followers/ids?limit=…[&start=…]; `start` empty: the first page.
http::Request followers_request(int limit, std::string_view start);

// `POST /v2/bot/message/validate/push` {messages}: checks message objects without sending.
BuiltRequest validate_push_request(const nlohmann::json& messages);

BuiltRequest create_rich_menu_request(const nlohmann::json& definition);
// `POST /v2/bot/richmenu/validate` with the create body: checks it without creating a menu.
BuiltRequest validate_rich_menu_request(const nlohmann::json& definition);
http::Request delete_rich_menu_request(std::string_view rich_menu_id);
// Goes to the data API host (api-data.line.me), not the API host.
http::Request upload_rich_menu_image_request(std::string_view rich_menu_id, ImageType type,
                                             std::string image);
http::Request set_default_rich_menu_request(std::string_view rich_menu_id);
http::Request link_rich_menu_request(std::string_view user_id, std::string_view rich_menu_id);
http::Request unlink_rich_menu_request(std::string_view user_id);
http::Request get_user_rich_menu_request(std::string_view user_id);
BuiltRequest bulk_link_rich_menu_request(std::string_view rich_menu_id,
                                         const std::vector<std::string>& user_ids);
BuiltRequest bulk_unlink_rich_menu_request(const std::vector<std::string>& user_ids);
BuiltRequest create_rich_menu_alias_request(std::string_view alias_id,
                                            std::string_view rich_menu_id);
BuiltRequest update_rich_menu_alias_request(std::string_view alias_id,
                                            std::string_view rich_menu_id);

// --- Bot info, groups and rooms, alias reads (issue 17, groups and events)
enum class ChatType { group, room };
// `GET /v2/bot/info`: the bot's own user ID (a webhook body's `destination`).
http::Request bot_info_request();
// `POST /v2/bot/group/{groupId}/leave` or `/v2/bot/room/{roomId}/leave`.
http::Request leave_chat_request(ChatType type, std::string_view chat_id);
// `GET /v2/bot/richmenu/alias/{richMenuAliasId}` (404 when the alias does not exist).
http::Request get_rich_menu_alias_request(std::string_view alias_id);

// `POST /oauth2/v3/token` for a stateless channel access token (15 minutes).
http::Request stateless_token_request(std::string_view channel_id, std::string_view channel_secret);

// Percent-encodes everything but A-Z a-z 0-9 - . _ ~: for path segments (so that an id can
// never change which path is called) and form values.
std::string percent_encode(std::string_view text);

} // namespace musubi::line
