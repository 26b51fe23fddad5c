#pragma once
// LINE's limits on message objects (shared/platform/line-messaging.md, "Message objects"),
// checked on the daemon's side so that a message LINE would refuse is caught when the
// template is rendered, not when the send fails. The rules are the ones the simulator's
// validator applies; the wording is for the operator who has to fix the template.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace musubi::templates {

struct LimitViolation {
    std::string path;    // the JSON property, e.g. "messages[0].template.actions[0].label"
    std::string message; // e.g. "messages[0].text is 5,012 characters; LINE allows 5,000"
    std::string hint;    // what to change
};

// `messages`: the array that would go into a push's "messages". Every broken rule is listed.
std::vector<LimitViolation> check_message_limits(const nlohmann::json& messages);

// How LINE counts: message text in UTF-16 code units (an emoji outside the BMP is two).
std::size_t utf16_length(std::string_view utf8);
// Labels in user-perceived characters: combining marks, variation selectors, emoji modifiers
// and tags join the previous character, a ZWJ joins the next one, and two regional
// indicators make one flag. An approximation of Unicode grapheme clusters good for labels.
std::size_t grapheme_count(std::string_view utf8);
// 5012 → "5,012", the way the limits are written in LINE's documentation.
std::string with_thousands(std::size_t number);

} // namespace musubi::templates
