#pragma once
// The link page: a friend opens GET /link?t=<token> from a button (see page_token.hpp), types
// the order number and the phone's last four digits, and POSTs them back with the token. The
// check is the chat's (link_rules.hpp, method "web"), with the same per-friend limits. Pages
// are self-contained (inline CSS, no scripts, no external resources) under a strict CSP, never
// cached, and never sent as a Referer (the token is in the URL). Everything shown is escaped.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/clock/clock.hpp"
#include "daemon/linking/page_token.hpp"
#include "daemon/linking/settings.hpp"
#include "daemon/store/links.hpp"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
} // namespace Poco::Net

namespace musubi::linking {

// A rendered page and its HTTP status.
struct Page {
    int status = 200;
    std::string html;
};

class LinkPage {
public:
    LinkPage(store::Links& links, Settings settings, std::shared_ptr<const clock::Clock> clock);

    // GET /link?t=TOKEN
    void get(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
    // POST /link (application/x-www-form-urlencoded: t, order, digits)
    void post(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

    // What the routes answer, without HTTP (for tests).
    Page show(std::string_view token) const;
    Page submit(std::string_view token, std::string_view order, std::string_view digits);

private:
    store::Links& m_links;
    Settings m_settings;
    std::shared_ptr<const clock::Clock> m_clock;
    PageTokens m_tokens;
};

// HTML-escapes & < > " '.
std::string escape_html(std::string_view text);

} // namespace musubi::linking
