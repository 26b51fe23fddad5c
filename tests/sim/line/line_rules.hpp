#pragma once
// What the simulator accepts in a request body, the way LINE decides it: the body is validated
// against its schema in LINE's OpenAPI specification (openapi_schemas.hpp), then the contract
// page's limits the specification lacks are applied (line_rules.cpp, each rule citing its
// source). The answer is LINE's 400 shape: one detail per broken rule, naming the JSON property
// (e.g. "messages[0].template.columns[2].actions[0].label").

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "openapi_schemas.hpp"

namespace musubi::sim::line {

// `body` as the specification's named request schema, e.g. "ValidateMessageRequest",
// "PushMessageRequest", "RichMenuRequest".
std::vector<ErrorDetail> check_request(const nlohmann::json& body, const std::string& schema);
// `messages` is a request's "messages" member (possibly missing/null), checked as
// ValidateMessageRequest's.
std::vector<ErrorDetail> validate_messages(const nlohmann::json& messages);
// A rich-menu object as sent to POST /v2/bot/richmenu (and /richmenu/validate).
std::vector<ErrorDetail> validate_rich_menu(const nlohmann::json& menu);
// {"message":"The request body has N error(s)","details":[...]}
nlohmann::json error_body(const std::vector<ErrorDetail>& details);

} // namespace musubi::sim::line
