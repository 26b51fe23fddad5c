#include "daemon/linking/link_rules.hpp"

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "daemon/rakuten/buyer_key.hpp"

namespace musubi::linking {

namespace {

// Outcomes that count toward the limit: each one told the friend something about a guess.
const std::vector<std::string> k_failures{"failed", "taken"};

bool same_hash(std::string_view a, std::string_view b) {
    return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

store::LinkResult<AttemptResult> recorded(store::LinkTransaction& tx, std::int64_t friend_id,
                                          std::string_view method, AttemptResult result,
                                          std::int64_t at_ms) {
    if (auto done = tx.record_attempt(friend_id, method, outcome_name(result.outcome), at_ms);
        !done) {
        return tl::unexpected(done.error());
    }
    return result;
}

} // namespace

std::string_view outcome_name(Outcome outcome) {
    switch (outcome) {
    case Outcome::linked:
        return "linked";
    case Outcome::already_linked:
        return "already_linked";
    case Outcome::failed:
        return "failed";
    case Outcome::taken:
        return "taken";
    case Outcome::cooldown:
        return "cooldown";
    }
    return "failed";
}

std::string phone_last4_hash(std::string_view hashing_key, std::string_view last4) {
    return rakuten_poller::hmac_sha256_hex(hashing_key, "phone_last4:" + std::string(last4));
}

std::string member_key(std::string_view hashing_key, std::string_view member_id) {
    return rakuten_poller::hmac_sha256_hex(hashing_key, "member:" + std::string(member_id));
}

store::LinkResult<bool> in_cooldown(store::LinkTransaction& tx, const Settings& settings,
                                    std::int64_t friend_id, std::int64_t at_ms) {
    auto failures = tx.count_attempts(friend_id, at_ms - settings.attempt_window_ms, k_failures);
    if (!failures) {
        return tl::unexpected(failures.error());
    }
    return *failures >= settings.max_attempts;
}

void fetch_before_check(store::Links& links, const Settings& settings, std::int64_t friend_id,
                        std::string_view order_number, std::int64_t at_ms) {
    if (!settings.fetch_order) {
        return;
    }
    std::string number(order_number);
    {
        // Read only: rolled back when it goes out of scope.
        auto tx = links.begin();
        if (!tx) {
            return;
        }
        auto cooling = in_cooldown(**tx, settings, friend_id, at_ms);
        if (!cooling || *cooling) {
            return;
        }
        if (number.empty()) {
            auto session = (*tx)->session(friend_id);
            if (!session || !*session) {
                return;
            }
            number = (*session)->order_number;
        }
    }
    settings.fetch_order(number);
}

store::LinkResult<AttemptResult>
attempt_order_link(store::LinkTransaction& tx, const Settings& settings, std::int64_t friend_id,
                   std::string_view method, std::string_view order_number, std::string_view last4,
                   std::int64_t at_ms, std::string_view reply_token) {
    auto cooling = in_cooldown(tx, settings, friend_id, at_ms);
    if (!cooling) {
        return tl::unexpected(cooling.error());
    }
    if (*cooling) {
        return recorded(tx, friend_id, method, {Outcome::cooldown}, at_ms);
    }
    // The number may be a Rakuten order or one from the shop's own site (the EC feed).
    const std::string typed = phone_last4_hash(settings.hashing_key, last4);
    std::optional<std::int64_t> matched;
    for (const std::string_view source : {"rakuten", "ecfeed"}) {
        auto buyer = tx.order_buyer(source, order_number);
        if (!buyer) {
            return tl::unexpected(buyer.error());
        }
        if (*buyer && same_hash((*buyer)->phone_last4_hash, typed)) {
            matched = (*buyer)->buyer_id;
            break;
        }
    }
    if (!matched) {
        return recorded(tx, friend_id, method, {Outcome::failed}, at_ms);
    }
    const std::int64_t buyer_id = *matched;
    auto holders = tx.friends_linked_to(buyer_id);
    if (!holders) {
        return tl::unexpected(holders.error());
    }
    for (const std::int64_t holder : *holders) {
        if (holder != friend_id) {
            return recorded(tx, friend_id, method, {Outcome::taken}, at_ms);
        }
    }
    auto linked = link_buyer(tx, friend_id, buyer_id, method, order_number, at_ms, reply_token);
    if (!linked) {
        return linked;
    }
    return recorded(tx, friend_id, method, *linked, at_ms);
}

store::LinkResult<AttemptResult> link_buyer(store::LinkTransaction& tx, std::int64_t friend_id,
                                            std::int64_t buyer_id, std::string_view method,
                                            std::string_view order_number, std::int64_t at_ms,
                                            std::string_view reply_token) {
    auto active = tx.active_link(friend_id);
    if (!active) {
        return tl::unexpected(active.error());
    }
    if (*active && (*active)->buyer_id == buyer_id) {
        return AttemptResult{Outcome::already_linked, buyer_id, (*active)->link_id};
    }
    if (*active) {
        if (auto ended = unlink(tx, friend_id, "relink", at_ms); !ended) {
            return tl::unexpected(ended.error());
        }
    }
    auto link_id = tx.add_link(friend_id, buyer_id, method, at_ms);
    if (!link_id) {
        return tl::unexpected(link_id.error());
    }
    nlohmann::json payload{{"method", method}, {"buyer_id", buyer_id}, {"link_id", *link_id}};
    if (!order_number.empty()) {
        payload["order_number"] = order_number;
    }
    if (!reply_token.empty()) {
        payload["reply_token"] = reply_token;
    }
    store::FriendFact fact{"link:" + std::to_string(*link_id) + ":linked",
                           "friend.linked",
                           std::to_string(buyer_id),
                           friend_id,
                           at_ms,
                           payload.dump()};
    if (auto done = tx.record_fact(fact); !done) {
        return tl::unexpected(done.error());
    }
    return AttemptResult{Outcome::linked, buyer_id, *link_id};
}

store::LinkResult<std::optional<std::int64_t>> unlink(store::LinkTransaction& tx,
                                                      std::int64_t friend_id, std::string_view how,
                                                      std::int64_t at_ms) {
    auto active = tx.active_link(friend_id);
    if (!active) {
        return tl::unexpected(active.error());
    }
    if (!*active) {
        return std::optional<std::int64_t>();
    }
    const auto& link = **active;
    if (auto ended = tx.end_link(link.link_id, at_ms); !ended) {
        return tl::unexpected(ended.error());
    }
    nlohmann::json payload{{"method", how}, {"buyer_id", link.buyer_id}, {"link_id", link.link_id}};
    store::FriendFact fact{"link:" + std::to_string(link.link_id) + ":unlinked",
                           "friend.unlinked",
                           std::to_string(link.buyer_id),
                           friend_id,
                           at_ms,
                           payload.dump()};
    if (auto done = tx.record_fact(fact); !done) {
        return tl::unexpected(done.error());
    }
    return std::optional<std::int64_t>(link.link_id);
}

} // namespace musubi::linking
