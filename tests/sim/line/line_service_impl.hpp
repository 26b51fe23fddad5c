#pragma once
// Internal: the LINE service's class, split over line_service.cpp (dispatch, auth, faults,
// quota), messaging_routes.cpp, rich_menu_routes.cpp and control_routes.cpp.

#include <atomic>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "../core/clock.hpp"
#include "../core/service.hpp"
#include "ids.hpp"
#include "line_rules.hpp"
#include "line_state.hpp"
#include "rate_limiter.hpp"
#include "settings.hpp"

namespace musubi::sim::line {

// What one API call did, for the ledger's refusal counters.
struct Call {
    std::vector<std::string> params; // the {} parts of the matched route
    std::vector<std::string> user_ids;
    std::string request_id;
    std::string retry_key;
    nlohmann::json body;     // parsed JSON body (null when none or not JSON)
    std::int64_t now_ms = 0; // simulated time the call arrived: one clock read per call
};

class LineService;
using RouteHandler = Response (LineService::*)(const Request&, Call&);

struct Route {
    std::string method;
    std::string pattern; // "{}" matches one path segment
    std::string family;  // rate-limit family; empty: not limited
    RouteHandler handler = nullptr;
    bool retry_key_allowed = false;
    bool json_body = false;
    bool data_host = false; // served by the data listener (api-data.line.me) only
};

constexpr const char* k_rate_limited = "The API rate limit has been exceeded. Try again later.";
constexpr const char* k_monthly_limit = "You have reached your monthly limit.";

bool match_path(std::string_view path, std::string_view pattern, std::vector<std::string>& params);
Response line_error(int status, const std::string& message);
// Hashes of each message's canonical JSON (nlohmann keeps keys sorted), made before taking the
// service's lock: the ledger uses them to recognise the same content delivered twice.
std::vector<std::string> content_hashes(const nlohmann::json& messages);

class LineService final : public Service {
public:
    LineService(Clock& clock, LineSettings settings);

    std::string_view name() const override { return "line"; }
    std::optional<Response> handle(const Request& request) override;
    std::optional<Response> control(const Request& request) override;
    void tick() override;

    // --- messaging_routes.cpp
    Response push(const Request& request, Call& call);
    Response multicast(const Request& request, Call& call);
    Response reply(const Request& request, Call& call);
    Response validate(const Request& request, Call& call);
    Response profile(const Request& request, Call& call);
    Response followers(const Request& request, Call& call);
    Response quota(const Request& request, Call& call);
    Response consumption(const Request& request, Call& call);
    Response link_token(const Request& request, Call& call);
    Response issue_access_token(const Request& request);

    // --- rich_menu_routes.cpp
    Response create_rich_menu(const Request& request, Call& call);
    Response validate_rich_menu_route(const Request& request, Call& call);
    Response get_rich_menu(const Request& request, Call& call);
    Response list_rich_menus(const Request& request, Call& call);
    Response delete_rich_menu(const Request& request, Call& call);
    Response upload_image(const Request& request, Call& call);
    Response download_image(const Request& request, Call& call);
    Response set_default(const Request& request, Call& call);
    Response get_default(const Request& request, Call& call);
    Response clear_default(const Request& request, Call& call);
    Response link_user(const Request& request, Call& call);
    Response unlink_user(const Request& request, Call& call);
    Response get_user_menu(const Request& request, Call& call);
    Response bulk_link(const Request& request, Call& call);
    Response bulk_unlink(const Request& request, Call& call);
    Response create_alias(const Request& request, Call& call);
    Response update_alias(const Request& request, Call& call);
    Response get_alias(const Request& request, Call& call);
    Response list_aliases(const Request& request, Call& call);
    Response delete_alias(const Request& request, Call& call);

    // --- group_routes.cpp: bot info, leaving groups and rooms
    Response bot_info(const Request& request, Call& call);
    Response leave_group(const Request& request, Call& call);
    Response leave_room(const Request& request, Call& call);

private:
    // --- line_service.cpp
    std::optional<Response> authenticate(const Request& request);
    std::optional<Response> inject_fault(const Route& route, bool& after_delivery,
                                         Response& late_fault);
    std::optional<Response> check_retry_key(const Route& route, const Request& request, Call& call);
    // Under m_mutex: the quota for `recipients` more deliveries; nullopt when allowed.
    std::optional<Response> charge_quota(long recipients);
    // Under m_mutex: records one message delivered to a friend.
    void deliver(Friend& user, const std::string& endpoint, const nlohmann::json& message,
                 const Call& call, const std::string& message_id, const std::string& hash);
    void record_refusal(const Call& call, const Response& response);
    // Under m_mutex: the 409 for a retry key accepted within the TTL; nullopt otherwise.
    std::optional<Response> repeated_key(const Call& call);
    // Under m_mutex: remembers an accepted retry key.
    void accept_key(const Call& call, const nlohmann::json& sent_messages);
    Response process(const Route& route, const Request& request, Call& call);
    std::int64_t now_ms() const { return to_epoch_ms(m_clock.now()); }
    void seed_friends();
    // Under m_mutex (or before serving): creates the generated existing friends; answers how
    // many were new.
    long add_existing_friends(const ExistingFriends& existing);
    // Under m_mutex: after m_faults or the limiter changed.
    void refresh_switches();

    // --- control_routes.cpp
    Response friend_event(const Request& request, const std::string& user_id,
                          const std::string& kind);
    Response send_events(const std::vector<std::string>& ids, bool redelivery, bool bad_signature,
                         long duplicates, const std::string& destination = {});
    nlohmann::json ledger_json(const std::string& user_id);
    nlohmann::json friend_json(const Friend& user) const;
    Response create_friend(const Request& request);
    Response existing_friends(const Request& request);
    Response set_config(const Request& request);
    Response set_quota(const Request& request);
    Response set_rate_limits(const Request& request);
    void reset();

    // --- group_routes.cpp: groups and rooms with friends in them, any webhook event
    std::optional<Response> chat_control(const Request& request);
    Response leave_chat(const Call& call, const std::string& type);
    // Under m_mutex: a reply whose token was issued in a chat goes into that chat.
    Response reply_into_chat(const std::string& chat_id, const nlohmann::json& messages,
                             const Call& call, const std::vector<std::string>& hashes);
    // Under m_mutex: a push addressed to a group or room id; nullopt when `to` is no chat.
    std::optional<Response> push_into_chat(const std::string& to, const Call& call,
                                           const std::vector<std::string>& hashes);
    nlohmann::json chats_json() const; // under m_mutex
    // Completes `event` (id, time, delivery context, mode, reply token when `replyable`),
    // stores it and, unless body.send is false, sends it; answers as the friend actions do.
    Response emit_event(nlohmann::json event, const nlohmann::json& body, bool replyable);

    Clock& m_clock;
    LineSettings m_settings;
    std::mutex m_mutex;
    LineState m_state;
    RateLimiter m_limiter;
    FaultSettings m_faults;
    // Mirrors of "any fault set" and "limits on", so that the common call (no faults, limits
    // off in benchmarks) takes no lock for them.
    std::atomic<bool> m_faults_active{false};
    std::atomic<bool> m_limits_active{true};
    std::mt19937_64 m_fault_random;
    IdSource m_ids;
    std::vector<Route> m_routes;
};

} // namespace musubi::sim::line
