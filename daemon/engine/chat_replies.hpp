#pragma once
// The answer to a text written in a group chat or a room (issue 17). A group is not a
// one-to-one conversation: its writer is not a friend because they spoke there, and nothing
// personal may be answered into it. Only a keyword scenario with `in_groups: true` answers
// there: the first such scenario (in configuration order) one of whose keywords the text
// contains. Its steps' templates (checked at --check-config to use no friend or order value)
// are rendered with shop.name and the step's vars only, and go into ONE reply row — no
// friend, the event's reply token, at most 5 messages — so the token is used once. The row
// is never pushed (the dispatcher expires it with its token).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config/config.hpp"
#include "daemon/store/new_message.hpp"
#include "daemon/templates/template_set.hpp"

namespace musubi::engine {

struct ChatText {
    std::string event_id; // webhookEventId: the reply's retry key derives from it
    std::string text;
    std::string reply_token;
    std::int64_t at_ms = 0; // the event's timestamp
};

// A keyword scenario's trigger test: the text contains one of its keywords.
bool keywords_match(const config::Scenario& scenario, std::string_view text);

// The reply row for `message`, or none (no in_groups scenario matches, or no reply token).
std::vector<store::NewMessage> chat_replies(const config::Config& config,
                                            const templates::TemplateSet& templates,
                                            const ChatText& message, std::int64_t now_ms);

} // namespace musubi::engine
