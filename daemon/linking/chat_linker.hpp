#pragma once
// Linking in chat. The friend-event processor hands every text message of a following friend
// to handle() first; messages that are not about linking go on to the keyword scenarios.
//
//   order number (anywhere in the text)  → a session opens; reply: ask for the phone digits
//                                          (an order number with the digits in the same
//                                          message is checked at once)
//   4 digits (or a whole phone number)   → while a fresh session is open: the check of
//                                          link_rules.hpp; without a session: not linking
//   exactly an unlink keyword            → the active link ends; reply unlink_done (or
//                                          unlink_not_linked)
//
// Each decision, its attempt record, link, fact and reply row (kind reply, scenario "linking",
// retry key from "linking/<webhookEventId>/<step>") commit in one transaction. A redelivered
// event finds its reply decided already and changes nothing.

#include <cstdint>
#include <memory>
#include <string_view>

#include <tl/expected.hpp>

#include "daemon/linking/replies.hpp"
#include "daemon/linking/settings.hpp"
#include "daemon/store/links.hpp"
#include "daemon/templates/template_set.hpp"

namespace musubi::linking {

class ChatLinker {
public:
    // `templates` may be null (built-in texts only).
    ChatLinker(store::Links& links, Settings settings,
               std::shared_ptr<const templates::TemplateSet> templates);

    // true: a linking message, answered (or answered before, for a redelivered event);
    // false: not about linking, nothing written. `at_ms` is the event's timestamp.
    tl::expected<bool, store::StoreError> handle(std::int64_t friend_id,
                                                 std::string_view webhook_event_id,
                                                 std::string_view text,
                                                 std::string_view reply_token, std::int64_t at_ms);

private:
    struct Event {
        std::int64_t friend_id;
        std::string_view event_id;
        std::string_view reply_token;
        std::int64_t at_ms;
    };

    bool is_unlink_keyword(std::string_view text) const;
    store::LinkResult<bool> answer_unlink(store::LinkTransaction& tx, const Event& event);
    store::LinkResult<bool> answer_order_number(store::LinkTransaction& tx, const Event& event,
                                                std::string_view order_number,
                                                std::string_view rest);
    store::LinkResult<bool> answer_digits(store::LinkTransaction& tx, const Event& event,
                                          std::string_view last4);
    store::LinkResult<bool> answer_check(store::LinkTransaction& tx, const Event& event,
                                         std::string_view order_number, std::string_view last4);
    // Writes the reply row; always answers true (the message was about linking).
    // `not_sent_because`: the row is stored skipped with this reason (another part answers).
    store::LinkResult<bool> reply(store::LinkTransaction& tx, const Event& event, Reply reply,
                                  std::string_view order_number,
                                  std::string_view not_sent_because = {});

    store::Links& m_links;
    Settings m_settings;
    std::shared_ptr<const templates::TemplateSet> m_templates;
};

// The retry key of a linking reply to one webhook event.
std::string reply_retry_key(std::string_view webhook_event_id, Reply reply);

} // namespace musubi::linking
