#pragma once
// Checks message objects against the limits in shared/platform/line-messaging.md ("Message
// objects") and reports them the way LINE does: one detail per broken rule, each naming the
// JSON property (e.g. "messages[0].template.columns[2].actions").

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace musubi::sim::line {

struct ErrorDetail {
    std::string message;
    std::string property;
};

// `messages` is the request's "messages" member (possibly missing/null).
std::vector<ErrorDetail> validate_messages(const nlohmann::json& messages);
// A rich-menu object as sent to POST /v2/bot/richmenu (and /richmenu/validate).
std::vector<ErrorDetail> validate_rich_menu(const nlohmann::json& menu);
// {"message":"The request body has N error(s)","details":[...]}
nlohmann::json error_body(const std::vector<ErrorDetail>& details);

} // namespace musubi::sim::line
