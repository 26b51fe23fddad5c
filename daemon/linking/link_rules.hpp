#pragma once
// The rules every way of linking shares (chat, the web form, account link, the CLI), applied
// inside one store transaction so that the decision, the link, its fact and the attempt
// record commit together:
//   - a friend who failed max_attempts times within attempt_window gets no check at all
//     (order numbers are guessable and four digits are few: this is what stops guessing);
//   - an order links only when it is known and the digits' keyed hash matches its buyer's;
//     a wrong number and wrong digits are the same failure, so neither can be probed alone;
//   - a buyer actively linked to another friend is refused, without saying to whom;
//   - a friend has one active link: linking to another buyer ends the old link (history kept).
// friend.linked's subject is the buyer id (decimal), so one buyer's thanks is sent once however
// often the friend relinks; the payload says how and, for orders, which order.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/linking/settings.hpp"
#include "daemon/store/links.hpp"

namespace musubi::linking {

enum class Outcome {
    linked,         // a new link
    already_linked, // the friend was linked to this buyer already
    failed,         // unknown order or wrong digits (never said which)
    taken,          // the buyer is linked to another friend
    cooldown,       // too many failures: nothing was checked
};

// The outcome's name as link_attempts records it.
std::string_view outcome_name(Outcome outcome);

struct AttemptResult {
    Outcome outcome = Outcome::failed;
    std::int64_t buyer_id = 0; // linked, already_linked
    std::int64_t link_id = 0;  // linked, already_linked
};

// HMAC label shared with daemon/rakuten/buyer_key.cpp: the digits a friend types must hash
// exactly as the poller hashed the orderer's phone.
std::string phone_last4_hash(std::string_view hashing_key, std::string_view last4);
// Keyed hash of an own-site member id; the buyer key of such a member is "member:" + it.
std::string member_key(std::string_view hashing_key, std::string_view member_id);

// True when the friend has used up the failures allowed within the window ending at `at_ms`.
store::LinkResult<bool> in_cooldown(store::LinkTransaction& tx, const Settings& settings,
                                    std::int64_t friend_id, std::int64_t at_ms);

// Before a check: asks RMS for an order the store may not know yet (settings.fetch_order),
// outside any write transaction. `order_number` empty: the one of the friend's open session.
// Nothing is fetched for a friend who is cooling down, so a friend can make musubi ask RMS
// no more often than the attempt limit allows.
void fetch_before_check(store::Links& links, const Settings& settings, std::int64_t friend_id,
                        std::string_view order_number, std::int64_t at_ms);

// One attempt to link by order number and phone digits (`method`: chat | web), recorded in
// link_attempts whatever its outcome.
store::LinkResult<AttemptResult>
attempt_order_link(store::LinkTransaction& tx, const Settings& settings, std::int64_t friend_id,
                   std::string_view method, std::string_view order_number, std::string_view last4,
                   std::int64_t at_ms, std::string_view reply_token = {});

// Links the friend to the buyer (ending another active link), with its friend.linked fact.
// `order_number` is empty when the link is not by order. Does not check anything. A chat
// link passes the message's reply token: the fact carries it so that the link-thanks
// scenario answers with a free reply (the chat writes no reply of its own for a new link).
store::LinkResult<AttemptResult> link_buyer(store::LinkTransaction& tx, std::int64_t friend_id,
                                            std::int64_t buyer_id, std::string_view method,
                                            std::string_view order_number, std::int64_t at_ms,
                                            std::string_view reply_token = {});

// Ends the friend's active link with its friend.unlinked fact (`how`: chat | cli | relink);
// nullopt when the friend was not linked.
store::LinkResult<std::optional<std::int64_t>> unlink(store::LinkTransaction& tx,
                                                      std::int64_t friend_id, std::string_view how,
                                                      std::int64_t at_ms);

} // namespace musubi::linking
