#pragma once
// Linking friends to buyers: chat sessions, attempts, account-link nonces, links, and the facts
// and replies each decision writes. The rules live in daemon/linking/; this part only gives
// them one write transaction at a time (begin()), so that what a decision read (an open
// session, the failures so far, who holds an order's buyer) cannot change before its link, its
// fact and its reply commit together.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/store/new_message.hpp"
#include "daemon/store/store_error.hpp"

namespace musubi::store {

template <typename T>
using LinkResult = tl::expected<T, StoreError>;

struct LinkFriend {
    std::int64_t id = 0;
    std::string line_user_id;
    std::string display_name; // empty when unknown
};

// An order number a friend gave in chat, waiting for the phone digits.
struct LinkSession {
    std::string order_number;
    std::int64_t started_at_ms = 0;
};

struct ActiveLink {
    std::int64_t link_id = 0;
    std::int64_t buyer_id = 0;
    std::string method;
};

// The buyer of a stored order, with the keyed hash the phone digits must match (empty when
// the order carried no phone number).
struct OrderBuyer {
    std::int64_t buyer_id = 0;
    std::string phone_last4_hash;
};

// A fact about a friend (friend.linked, friend.unlinked), recorded once by natural key.
struct FriendFact {
    std::string natural_key;
    std::string kind;
    std::string subject;
    std::int64_t friend_id = 0;
    std::int64_t occurred_at_ms = 0;
    std::string payload_json = "{}";
};

// One write transaction. Destroying it without commit() rolls everything back.
class LinkTransaction {
public:
    virtual ~LinkTransaction() = default;

    virtual LinkResult<std::optional<LinkFriend>> friend_by_id(std::int64_t friend_id) = 0;
    virtual LinkResult<std::optional<LinkFriend>> friend_by_line_user(std::string_view user_id) = 0;

    virtual LinkResult<std::optional<LinkSession>> session(std::int64_t friend_id) = 0;
    // Replaces any session the friend had.
    virtual LinkResult<void> start_session(std::int64_t friend_id, std::string_view order_number,
                                           std::int64_t at_ms) = 0;
    virtual LinkResult<void> end_session(std::int64_t friend_id) = 0;

    // `method`: chat | web | account_link; `outcome`: e.g. linked, failed, taken, cooldown.
    virtual LinkResult<void> record_attempt(std::int64_t friend_id, std::string_view method,
                                            std::string_view outcome, std::int64_t at_ms) = 0;
    // Attempts at or after `since_ms` whose outcome is one of `outcomes`.
    virtual LinkResult<std::int64_t> count_attempts(std::int64_t friend_id, std::int64_t since_ms,
                                                    const std::vector<std::string>& outcomes) = 0;

    virtual LinkResult<std::optional<OrderBuyer>> order_buyer(std::string_view source,
                                                              std::string_view order_number) = 0;
    // The buyer with this buyer key, created when there is none.
    virtual LinkResult<std::int64_t> upsert_buyer(std::string_view buyer_key,
                                                  std::int64_t at_ms) = 0;

    virtual LinkResult<std::optional<ActiveLink>> active_link(std::int64_t friend_id) = 0;
    // The friends actively linked to the buyer.
    virtual LinkResult<std::vector<std::int64_t>> friends_linked_to(std::int64_t buyer_id) = 0;
    // `method`: chat | web | account_link | buyer_key | cli. Answers the new link's id.
    virtual LinkResult<std::int64_t> add_link(std::int64_t friend_id, std::int64_t buyer_id,
                                              std::string_view method, std::int64_t at_ms) = 0;
    // Ends the link (unlinked_at); the row stays as history.
    virtual LinkResult<void> end_link(std::int64_t link_id, std::int64_t at_ms) = 0;

    virtual LinkResult<void> add_nonce(std::string_view nonce, std::string_view member_key,
                                       std::int64_t at_ms) = 0;
    // Marks an unused nonce used and answers its member key and creation time; nullopt when
    // the nonce is unknown or was used before.
    struct UsedNonce {
        std::string member_key;
        std::int64_t created_at_ms = 0;
    };
    virtual LinkResult<std::optional<UsedNonce>> use_nonce(std::string_view nonce,
                                                           std::int64_t at_ms) = 0;

    // true: recorded; false: a fact with this natural key exists.
    virtual LinkResult<bool> record_fact(const FriendFact& fact) = 0;
    // true: an outbox row with one of these retry keys exists (the message was decided before).
    virtual LinkResult<bool> any_message(const std::vector<std::string>& retry_keys) = 0;
    // true: written; false: a row with its retry key exists already.
    virtual LinkResult<bool> add_message(const NewMessage& message) = 0;

    virtual LinkResult<void> commit() = 0;
};

class Links {
public:
    virtual ~Links() = default;

    // Takes the write lock (other writers wait). One transaction at a time per Links.
    virtual LinkResult<std::unique_ptr<LinkTransaction>> begin() = 0;
};

} // namespace musubi::store
