#include "daemon/linking/chat_linker.hpp"

#include "daemon/linking/link_rules.hpp"
#include "daemon/linking/text_input.hpp"
#include "daemon/log/log.hpp"
#include "daemon/outbox/retry_key.hpp"

namespace musubi::linking {

namespace {

// LINE accepts a reply token for about a minute after the event; keep a margin.
constexpr std::int64_t k_reply_validity_ms = 50'000;

const log::Logger& logger() {
    static const log::Logger instance("linking");
    return instance;
}

Reply reply_for(Outcome outcome) {
    switch (outcome) {
    case Outcome::linked:
    case Outcome::already_linked:
        return Reply::linked;
    case Outcome::failed:
        return Reply::failed;
    case Outcome::taken:
        return Reply::taken;
    case Outcome::cooldown:
        return Reply::cooldown;
    }
    return Reply::failed;
}

} // namespace

std::string reply_retry_key(std::string_view webhook_event_id, Reply reply) {
    return outbox::derive_retry_key("linking/" + std::string(webhook_event_id) + "/" +
                                    std::string(step_name(reply)));
}

ChatLinker::ChatLinker(store::Links& links, Settings settings,
                       std::shared_ptr<const templates::TemplateSet> templates)
    : m_links(links)
    , m_settings(std::move(settings))
    , m_templates(std::move(templates)) {}

tl::expected<bool, store::StoreError>
ChatLinker::handle(std::int64_t friend_id, std::string_view webhook_event_id, std::string_view text,
                   std::string_view reply_token, std::int64_t at_ms) {
    const bool unlinking = is_unlink_keyword(text);
    const auto order = find_order_number(text);
    const auto last4 = phone_last4(text);
    if (!unlinking && !order && !last4) {
        return false; // the common case: no transaction at all
    }
    // Digits make a check: the order may be one RMS has and the store not yet.
    if (order && phone_last4(order->rest)) {
        fetch_before_check(m_links, m_settings, friend_id, order->order_number, at_ms);
    } else if (!order && last4 && !unlinking) {
        fetch_before_check(m_links, m_settings, friend_id, {}, at_ms);
    }
    auto tx = m_links.begin();
    if (!tx) {
        return tl::unexpected(tx.error());
    }
    std::vector<std::string> decided;
    for (const Reply possible : k_all_replies) {
        decided.push_back(reply_retry_key(webhook_event_id, possible));
    }
    auto seen = (*tx)->any_message(decided);
    if (!seen) {
        return tl::unexpected(seen.error());
    }
    if (*seen) {
        return true; // a redelivered event: answered the first time
    }
    const Event event{friend_id, webhook_event_id, reply_token, at_ms};
    store::LinkResult<bool> answered = false;
    if (unlinking) {
        answered = answer_unlink(**tx, event);
    } else if (order) {
        answered = answer_order_number(**tx, event, order->order_number, order->rest);
    } else {
        answered = answer_digits(**tx, event, *last4);
    }
    if (!answered || !*answered) {
        return answered; // rolled back: nothing of a non-linking message is kept
    }
    if (auto committed = (*tx)->commit(); !committed) {
        return tl::unexpected(committed.error());
    }
    return true;
}

bool ChatLinker::is_unlink_keyword(std::string_view text) const {
    const std::string typed = trim(text);
    for (const auto& keyword : m_settings.unlink_keywords) {
        if (!typed.empty() && typed == trim(keyword)) {
            return true;
        }
    }
    return false;
}

store::LinkResult<bool> ChatLinker::answer_unlink(store::LinkTransaction& tx, const Event& event) {
    if (auto ended = tx.end_session(event.friend_id); !ended) {
        return tl::unexpected(ended.error());
    }
    auto link = unlink(tx, event.friend_id, "chat", event.at_ms);
    if (!link) {
        return tl::unexpected(link.error());
    }
    if (*link) {
        logger().info("friend_unlinked",
                      {{"friend_id", event.friend_id}, {"link_id", **link}, {"method", "chat"}});
    }
    return reply(tx, event, *link ? Reply::unlinked : Reply::not_linked, "");
}

store::LinkResult<bool> ChatLinker::answer_order_number(store::LinkTransaction& tx,
                                                        const Event& event,
                                                        std::string_view order_number,
                                                        std::string_view rest) {
    if (const auto last4 = phone_last4(rest)) {
        return answer_check(tx, event, order_number, *last4);
    }
    auto cooling = in_cooldown(tx, m_settings, event.friend_id, event.at_ms);
    if (!cooling) {
        return tl::unexpected(cooling.error());
    }
    if (*cooling) {
        if (auto done = tx.record_attempt(event.friend_id, "chat", "cooldown", event.at_ms);
            !done) {
            return tl::unexpected(done.error());
        }
        return reply(tx, event, Reply::cooldown, order_number);
    }
    if (auto started = tx.start_session(event.friend_id, order_number, event.at_ms); !started) {
        return tl::unexpected(started.error());
    }
    return reply(tx, event, Reply::ask_phone, order_number);
}

store::LinkResult<bool> ChatLinker::answer_digits(store::LinkTransaction& tx, const Event& event,
                                                  std::string_view last4) {
    auto session = tx.session(event.friend_id);
    if (!session) {
        return tl::unexpected(session.error());
    }
    if (!*session) {
        return false; // four digits out of the blue: perhaps a keyword or a coupon code
    }
    if (event.at_ms - (*session)->started_at_ms > m_settings.session_ttl_ms) {
        if (auto ended = tx.end_session(event.friend_id); !ended) {
            return tl::unexpected(ended.error());
        }
        if (auto done = tx.record_attempt(event.friend_id, "chat", "expired", event.at_ms); !done) {
            return tl::unexpected(done.error());
        }
        return reply(tx, event, Reply::expired, (*session)->order_number);
    }
    return answer_check(tx, event, (*session)->order_number, last4);
}

store::LinkResult<bool> ChatLinker::answer_check(store::LinkTransaction& tx, const Event& event,
                                                 std::string_view order_number,
                                                 std::string_view last4) {
    auto result = attempt_order_link(tx, m_settings, event.friend_id, "chat", order_number, last4,
                                     event.at_ms, event.reply_token);
    if (!result) {
        return tl::unexpected(result.error());
    }
    // A failure keeps the session, so the friend can correct the digits (within the limit).
    if (result->outcome != Outcome::failed) {
        if (auto ended = tx.end_session(event.friend_id); !ended) {
            return tl::unexpected(ended.error());
        }
    } else {
        auto open = tx.session(event.friend_id);
        if (!open) {
            return tl::unexpected(open.error());
        }
        if (!*open) { // the digits came with the order number: wait for a correction
            if (auto started = tx.start_session(event.friend_id, order_number, event.at_ms);
                !started) {
                return tl::unexpected(started.error());
            }
        }
    }
    logger().info("link_attempt", {{"friend_id", event.friend_id},
                                   {"method", "chat"},
                                   {"order_number", order_number},
                                   {"outcome", outcome_name(result->outcome)}});
    if (result->outcome == Outcome::linked) {
        // The friend.linked fact's scenario (link-thanks) answers, with the reply token. The
        // row is kept, not sent, so that a redelivered event finds its answer decided.
        return reply(tx, event, Reply::linked, order_number,
                     "answered by the friend.linked scenario (link-thanks)");
    }
    return reply(tx, event, reply_for(result->outcome), order_number);
}

store::LinkResult<bool> ChatLinker::reply(store::LinkTransaction& tx, const Event& event,
                                          Reply reply, std::string_view order_number,
                                          std::string_view not_sent_because) {
    auto friend_row = tx.friend_by_id(event.friend_id);
    if (!friend_row) {
        return tl::unexpected(friend_row.error());
    }
    const std::string display_name = *friend_row ? (*friend_row)->display_name : "";
    const auto context = reply_context(order_number, display_name, m_settings.shop_name);
    store::NewMessage message;
    message.retry_key = reply_retry_key(event.event_id, reply);
    message.friend_id = event.friend_id;
    message.scenario = "linking";
    message.step = std::string(step_name(reply));
    message.kind = "reply";
    message.payload = render_reply(m_templates.get(), reply, context).dump();
    message.due_at = event.at_ms;
    if (!event.reply_token.empty()) {
        message.reply_token = std::string(event.reply_token);
        message.reply_until = event.at_ms + k_reply_validity_ms;
    }
    if (!not_sent_because.empty()) {
        message.state = "skipped";
        message.reason = std::string(not_sent_because);
    }
    if (auto written = tx.add_message(message); !written) {
        return tl::unexpected(written.error());
    }
    return true;
}

} // namespace musubi::linking
