#pragma once
// What LINE would refuse in a message object, checked on the daemon's side so that such a
// message is caught when the template is rendered (or at --check-config), never sent to a 400.
// The rules come from LINE's OpenAPI specification (shared/platform/line-openapi/
// messaging-api.yml: required members, the types of each discriminator, URI formats) and,
// for the limits the specification does not state, from the contract page
// (shared/platform/line-messaging.md, "Message objects"). Counting is LINE's: UTF-16 code
// units for message text, grapheme clusters for labels, titles and displayText
// (text_count.hpp). The wording is for the operator who has to fix the template.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/templates/text_count.hpp"

namespace musubi::templates {

struct LimitViolation {
    std::string path;    // the JSON property, e.g. "messages[0].template.actions[0].label"
    std::string message; // e.g. "messages[0].text is 5,012 characters; LINE allows 5,000"
    std::string hint;    // what to change
};

// `messages`: the array that would go into a push's "messages". Every broken rule is listed.
std::vector<LimitViolation> check_message_limits(const nlohmann::json& messages);

// What in `uri` breaks the specification's `format: uri` (RFC 3986), in words ("a space",
// "'商'", …), or "" when nothing does.
std::string bad_uri_character(const std::string& uri);

// The JSON pointer of a property path: "messages[0].contents.footer" → "/0/contents/footer"
// (relative to the messages array).
std::string pointer_of(std::string_view path);

} // namespace musubi::templates
