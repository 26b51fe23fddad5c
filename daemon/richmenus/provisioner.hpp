#pragma once
// Makes LINE's rich menus match richmenus.yaml, idempotently by content hash:
//   - a menu whose hash (canonical definition + image, see menu_config.hpp) is current on LINE
//     is reused, with no LINE call;
//   - a new or changed one is created, its image uploaded, then it becomes current (an image
//     cannot be replaced on LINE, so a change is always a new menu); its alias is re-pointed,
//     and LINE's default menu is set when it is the default;
//   - the menu it replaced stays on LINE, `superseded`, until the caller has moved its friends
//     and calls retire(): deleting it first would drop those friends to the default menu.
// Every step is recorded in the store before the next LINE call, so a crash or a 429 resumes
// where it stopped and never creates the same content twice.
//
// LINE allows 100 creates (and deletes) an hour. On a 429, a timeout or a 5xx, provision()
// stops and answers when to try again (exponential backoff); calling it again continues.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "connectors/line/messaging_client.hpp"
#include "daemon/clock/clock.hpp"
#include "daemon/log/log.hpp"
#include "daemon/richmenus/menu_config.hpp"
#include "daemon/store/rich_menus.hpp"

namespace musubi::richmenus {

struct ProvisionerSettings {
    std::chrono::milliseconds retry_initial{std::chrono::minutes(1)}; // after the first 429/5xx
    std::chrono::milliseconds retry_max{std::chrono::hours(1)};       // the create limit's window
};

struct ProvisionReport {
    std::vector<std::string> reused;  // names whose content is already current on LINE
    std::vector<std::string> created; // names that got a new menu in this pass
    // Every menu waiting for its friends to be moved (from this pass or an earlier one):
    // for the reconciler, "menu <name> moved from <from_id> to <to_id>".
    std::vector<store::RichMenuMove> moves;
    // Menus LINE refused for good (a 4xx other than 429): name and LINE's words. The others
    // are provisioned all the same.
    std::vector<std::string> refused;
    // Set when the pass stopped early (429, 5xx, timeout, store error): call provision()
    // again after this long. Unset: everything is in place.
    std::optional<std::chrono::milliseconds> retry_after;
    std::string stopped_because; // what stopped it, for the log and status

    bool complete() const { return !retry_after; }
};

class Provisioner {
public:
    Provisioner(line::MessagingClient& client, store::RichMenus& store,
                std::shared_ptr<const clock::Clock> clock, ProvisionerSettings settings = {});

    ProvisionReport provision(const RichMenuSet& set);

    // Deletes a superseded menu on LINE once its friends were moved (LINE's 404, already
    // gone, counts as done). A current menu is refused. The error says what went wrong;
    // `retry` tells whether trying later can help.
    struct RetireError {
        std::string message;
        bool retry = false;
    };
    tl::expected<void, RetireError> retire(const std::string& rich_menu_id);

private:
    enum class Step { done, skip, stop };

    Step ensure_menu(const RichMenu& menu, ProvisionReport& report);
    Step abandon_unfinished(const RichMenu& menu, ProvisionReport& report);
    Step point_alias(const RichMenu& menu, const std::string& rich_menu_id,
                     ProvisionReport& report);
    Step point_default(const std::string& rich_menu_id, ProvisionReport& report);
    // Classifies a failed call: permanent refusals skip the menu, the rest stop the pass.
    Step failed(const std::string& doing, const std::string& name, const line::ApiResult& result,
                ProvisionReport& report);
    Step store_failed(const store::StoreError& error, ProvisionReport& report);

    line::MessagingClient& m_client;
    store::RichMenus& m_store;
    std::shared_ptr<const clock::Clock> m_clock;
    ProvisionerSettings m_settings;
    int m_failed_passes = 0; // consecutive passes that stopped early, for the backoff
    log::Logger m_log{"richmenu"};
};

} // namespace musubi::richmenus
