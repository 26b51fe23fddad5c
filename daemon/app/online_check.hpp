#pragma once
// `musubid --check-config --online` and `musubictl config check --online`: after the offline
// checks, ask LINE itself. Each template, rendered for a sample friend, goes to
// `POST /v2/bot/message/validate/push`; each rich menu's create body to
// `POST /v2/bot/richmenu/validate`. Nothing is sent or created. LINE's verdict (its
// `details[].property` and `message`) is printed at the file and line:col the property was
// written at. A template the offline checks already refused is not sent.

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "connectors/line/messaging_client.hpp"
#include "daemon/config/config.hpp"
#include "daemon/config/diagnostics.hpp"
#include "daemon/templates/template_set.hpp"

namespace musubi::app {

struct OnlineCheck {
    // At the property's file:line:col, "LINE refused <property>: <LINE's message>", one per
    // detail LINE gave.
    std::vector<config::Diagnostic> refusals;
    std::size_t templates = 0;  // templates LINE was asked about
    std::size_t rich_menus = 0; // rich menus LINE was asked about
    // Set when LINE could not be asked (no connection, a refused access token, 5xx, 429):
    // the configuration is not judged, and the caller exits with its own code for it.
    std::optional<std::string> unavailable;
};

// `skip`: templates not to send (the offline checks refused them already).
OnlineCheck check_online(const config::Config& config, const templates::TemplateSet& templates,
                         const std::set<std::string>& skip);
// The same with a given client (tests).
OnlineCheck check_online(const config::Config& config, const templates::TemplateSet& templates,
                         const std::set<std::string>& skip, line::MessagingClient& client);

// Template errors as configuration diagnostics (to print them in the reader's language).
std::vector<config::Diagnostic> as_diagnostics(const std::vector<templates::TemplateError>& errors);

// The templates named in `errors` (offline errors), by file stem.
std::set<std::string> templates_in(const std::vector<templates::TemplateError>& errors);

} // namespace musubi::app
