#pragma once
// Own-site members (LINE's account-link flow, contract in line-messaging.md):
//   1. the shop's site calls POST /account-link (Authorization: Bearer <linking.site_token>)
//      with {"line_user_id", "member_id"}; musubi asks LINE for a link token, registers a
//      random nonce for the member (stored as a keyed hash of the member id, never the id),
//      and answers {"linkToken", "nonce", "url"}; the site redirects the member to the url;
//   2. LINE sends an accountLink event; on result "ok" with a known, unused, fresh nonce the
//      friend is linked to the buyer "member:<member key>" (method account_link), with the
//      friend.linked fact. Anything else links nothing and is logged.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "daemon/clock/clock.hpp"
#include "daemon/linking/settings.hpp"
#include "daemon/store/links.hpp"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
} // namespace Poco::Net

namespace musubi::line {
class MessagingClient;
}

namespace musubi::linking {

// Issues a LINE link token for a user; the error side says what went wrong (for the log).
using LinkTokenIssuer =
    std::function<tl::expected<std::string, std::string>(std::string_view line_user_id)>;
// The issuer backed by the Messaging API client (which must outlive it).
LinkTokenIssuer link_token_issuer(line::MessagingClient& client);

// An HTTP answer: status and JSON body.
struct JsonAnswer {
    int status = 200;
    std::string body;
};

class AccountLinkEndpoint {
public:
    AccountLinkEndpoint(store::Links& links, Settings settings, LinkTokenIssuer issuer,
                        std::shared_ptr<const clock::Clock> clock);

    // POST /account-link
    void post(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
    // What the route answers for this Authorization header value and body (for tests).
    JsonAnswer answer(std::string_view authorization, std::string_view body);

private:
    store::Links& m_links;
    Settings m_settings;
    LinkTokenIssuer m_issuer;
    std::shared_ptr<const clock::Clock> m_clock;
};

enum class AccountLinkResult {
    linked,
    already_linked,
    refused_failed, // LINE said result "failed"
    refused_nonce,  // unknown, used or stale nonce
    taken,          // the member's buyer is linked to another friend
};

class AccountLinker {
public:
    AccountLinker(store::Links& links, Settings settings);

    // For an accountLink event: `result` is LINE's "ok" or "failed", `at_ms` the event's time.
    tl::expected<AccountLinkResult, store::StoreError>
    on_account_link(std::int64_t friend_id, std::string_view webhook_event_id,
                    std::string_view nonce, std::string_view result, std::int64_t at_ms);

private:
    store::Links& m_links;
    Settings m_settings;
};

// How long after its creation a nonce is accepted: LINE's link token lives 10 minutes; the
// rest is room for clocks that disagree a little.
inline constexpr std::int64_t k_nonce_ttl_ms = 20 * 60 * 1000;

} // namespace musubi::linking
