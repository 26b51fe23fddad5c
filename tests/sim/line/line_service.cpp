#include "line_service.hpp"

#include "../core/spool.hpp"
#include "line_service_impl.hpp"

namespace musubi::sim::line {

namespace {

constexpr std::size_t k_max_body = 2 * 1024 * 1024;

std::vector<Route> make_routes() {
    using S = LineService;
    return {
        {"POST", "/v2/bot/message/push", "push", &S::push, true, true},
        {"POST", "/v2/bot/message/multicast", "multicast", &S::multicast, true, true},
        {"POST", "/v2/bot/message/reply", "reply", &S::reply, false, true},
        {"POST", "/v2/bot/message/validate/push", "", &S::validate, false, true},
        {"POST", "/v2/bot/message/validate/multicast", "", &S::validate, false, true},
        {"POST", "/v2/bot/message/validate/reply", "", &S::validate, false, true},
        {"POST", "/v2/bot/message/validate/broadcast", "", &S::validate, false, true},
        {"POST", "/v2/bot/message/validate/narrowcast", "", &S::validate, false, true},
        {"GET", "/v2/bot/message/quota", "quota", &S::quota, false, false},
        {"GET", "/v2/bot/message/quota/consumption", "quota", &S::consumption, false, false},
        {"GET", "/v2/bot/profile/{}", "profile", &S::profile, false, false},
        {"GET", "/v2/bot/followers/ids", "followers", &S::followers, false, false},
        {"POST", "/v2/bot/user/{}/linkToken", "", &S::link_token, false, false},
        {"POST", "/v2/bot/richmenu", "richmenu_create", &S::create_rich_menu, false, true},
        {"POST", "/v2/bot/richmenu/validate", "", &S::validate_rich_menu_route, false, true},
        {"GET", "/v2/bot/richmenu/list", "", &S::list_rich_menus, false, false},
        {"POST", "/v2/bot/richmenu/bulk/link", "richmenu_link", &S::bulk_link, false, true},
        {"POST", "/v2/bot/richmenu/bulk/unlink", "richmenu_link", &S::bulk_unlink, false, true},
        {"GET", "/v2/bot/richmenu/alias/list", "", &S::list_aliases, false, false},
        {"POST", "/v2/bot/richmenu/alias", "alias", &S::create_alias, false, true},
        {"POST", "/v2/bot/richmenu/alias/{}", "alias", &S::update_alias, false, true},
        {"GET", "/v2/bot/richmenu/alias/{}", "", &S::get_alias, false, false},
        {"DELETE", "/v2/bot/richmenu/alias/{}", "", &S::delete_alias, false, false},
        {"GET", "/v2/bot/richmenu/{}", "", &S::get_rich_menu, false, false},
        {"DELETE", "/v2/bot/richmenu/{}", "richmenu_create", &S::delete_rich_menu, false, false},
        {"POST", "/v2/bot/user/all/richmenu/{}", "", &S::set_default, false, false},
        {"GET", "/v2/bot/user/all/richmenu", "", &S::get_default, false, false},
        {"DELETE", "/v2/bot/user/all/richmenu", "", &S::clear_default, false, false},
        {"POST", "/v2/bot/user/{}/richmenu/{}", "richmenu_link", &S::link_user, false, false},
        {"DELETE", "/v2/bot/user/{}/richmenu", "richmenu_link", &S::unlink_user, false, false},
        {"GET", "/v2/bot/user/{}/richmenu", "richmenu_link", &S::get_user_menu, false, false},
        {"POST", "/v2/bot/richmenu/{}/content", "image_upload", &S::upload_image, false, false,
         true},
        {"GET", "/v2/bot/richmenu/{}/content", "", &S::download_image, false, false, true},
        // group_routes.cpp
        {"GET", "/v2/bot/info", "", &S::bot_info, false, false},
        {"POST", "/v2/bot/group/{}/leave", "", &S::leave_group, false, false},
        {"POST", "/v2/bot/room/{}/leave", "", &S::leave_room, false, false},
    };
}

std::string month_of(Clock::time_point at) {
    return format_jst(at).substr(0, 7);
}

} // namespace

bool match_path(std::string_view path, std::string_view pattern, std::vector<std::string>& params) {
    params.clear();
    while (!pattern.empty()) {
        auto brace = pattern.find("{}");
        if (brace == std::string_view::npos) {
            return path == pattern;
        }
        if (path.substr(0, brace) != pattern.substr(0, brace)) {
            return false;
        }
        path.remove_prefix(brace);
        pattern.remove_prefix(brace + 2);
        auto end = path.find('/');
        auto segment = path.substr(0, end);
        if (segment.empty()) {
            return false;
        }
        params.emplace_back(segment);
        path.remove_prefix(segment.size());
    }
    return path.empty();
}

Response line_error(int status, const std::string& message) {
    return Response::json(status, {{"message", message}});
}

LineService::LineService(Clock& clock, LineSettings settings)
    : m_clock(clock)
    , m_settings(std::move(settings))
    , m_faults(m_settings.faults)
    , m_fault_random(m_settings.faults.seed)
    , m_routes(make_routes()) {
    m_limiter.set_enabled(m_settings.rate_limits_enabled);
    for (const auto& [family, rate] : m_settings.rates) {
        m_limiter.set_rate(family, rate);
    }
    refresh_switches();
    seed_friends();
}

void LineService::seed_friends() {
    for (const auto& seed : m_settings.friends) {
        Friend user;
        user.user_id = seed.user_id;
        user.display_name = seed.display_name;
        user.language = seed.language;
        user.blocked = seed.blocked;
        m_state.friends[seed.user_id] = user;
    }
    add_existing_friends(m_settings.existing_friends);
}

long LineService::add_existing_friends(const ExistingFriends& existing) {
    long added = 0;
    for (long n = 0; n < existing.count; ++n) {
        auto id = existing_friend_id(existing.seed, n);
        auto& user = m_state.friends[id];
        if (!user.user_id.empty()) {
            continue;
        }
        user.user_id = std::move(id);
        user.display_name = "既存の友だち" + std::to_string(n + 1);
        user.listed = existing.unlisted_every <= 0 || (n + 1) % existing.unlisted_every != 0;
        ++added;
    }
    return added;
}

void LineService::refresh_switches() {
    m_faults_active = m_faults.rate_500 > 0 || m_faults.rate_timeout > 0 || m_faults.burst_429 > 0;
    m_limits_active = m_limiter.enabled();
}

std::optional<Response> LineService::handle(const Request& request) {
    spool_line_request(request); // $MUSUBI_SPEC_SPOOL: every body for the spec check
    bool data = request.listener == "data";
    if (!data && request.path == "/oauth2/v3/token" && request.method == "POST") {
        return issue_access_token(request);
    }
    if (!request.path.starts_with("/v2/bot/")) {
        return data ? std::optional(line_error(404, "Not found")) : std::nullopt;
    }
    Call call;
    call.request_id = m_ids.uuid();
    call.now_ms = now_ms();
    const Route* found = nullptr;
    for (const auto& route : m_routes) {
        if (route.data_host == data && route.method == request.method &&
            match_path(request.path, route.pattern, call.params)) {
            found = &route;
            break;
        }
    }
    auto response = found ? process(*found, request, call) : line_error(404, "Not found");
    response.headers.emplace_back("X-Line-Request-Id", call.request_id);
    if (response.status >= 400 && response.status != 409) {
        record_refusal(call, response);
    }
    return response;
}

// Names the recipients before anything can refuse the call, so that a 401, 429 or 500 is
// counted against the friends it was meant for.
static void attribute(const Route& route, const Request& request, Call& call) {
    if (route.json_body && request.body.size() <= k_max_body) {
        call.body = nlohmann::json::parse(request.body, nullptr, false);
    }
    if (!call.body.is_object()) {
        return;
    }
    for (const char* key : {"to", "userIds"}) {
        auto it = call.body.find(key);
        if (it == call.body.end()) {
            continue;
        }
        if (it->is_string()) {
            call.user_ids.push_back(it->get<std::string>());
        } else if (it->is_array()) {
            for (const auto& id : *it) {
                if (id.is_string()) {
                    call.user_ids.push_back(id.get<std::string>());
                }
            }
        }
    }
}

Response LineService::process(const Route& route, const Request& request, Call& call) {
    attribute(route, request, call);
    if (auto denied = authenticate(request)) {
        return *denied;
    }
    bool after_delivery = false;
    Response late_fault;
    if (auto fault = inject_fault(route, after_delivery, late_fault)) {
        return *fault;
    }
    if (!route.family.empty() && m_limits_active) {
        std::lock_guard lock(m_mutex);
        if (!m_limiter.take(route.family, m_clock.now())) {
            return line_error(429, k_rate_limited);
        }
    }
    if (request.body.size() > k_max_body) {
        return line_error(413, "Request Entity Too Large");
    }
    if (auto key_error = check_retry_key(route, request, call)) {
        return *key_error;
    }
    if (route.json_body) {
        if (call.body.is_discarded() || !call.body.is_object()) {
            return line_error(400, "The request body has 1 error(s)");
        }
    }
    auto response = (this->*route.handler)(request, call);
    if (after_delivery && response.status < 300) {
        return late_fault;
    }
    return response;
}

std::optional<Response> LineService::authenticate(const Request& request) {
    const auto* header = request.header("authorization");
    if (!header || !header->starts_with("Bearer ") || header->size() <= 7) {
        return line_error(401, "Authorization header required. Must follow the scheme, "
                               "'Authorization: Bearer <ACCESS TOKEN>'");
    }
    auto token = header->substr(7);
    for (const auto& accepted : m_settings.channel_access_tokens) {
        if (token == accepted) {
            return std::nullopt;
        }
    }
    std::lock_guard lock(m_mutex);
    auto issued = m_state.access_tokens.find(token);
    if (issued != m_state.access_tokens.end() && issued->second > now_ms()) {
        return std::nullopt;
    }
    return line_error(401, "Authentication failed due to the following reason: invalid token. "
                           "Confirm that the access token in the authorization header is valid.");
}

std::optional<Response> LineService::inject_fault(const Route& route, bool& after_delivery,
                                                  Response& late_fault) {
    if (!m_faults_active) {
        return std::nullopt;
    }
    std::lock_guard lock(m_mutex);
    if (!m_faults.endpoints.empty() && !m_faults.endpoints.contains(route.family)) {
        return std::nullopt;
    }
    if (m_faults.burst_429 > 0) {
        --m_faults.burst_429;
        refresh_switches();
        return line_error(429, k_rate_limited);
    }
    std::uniform_real_distribution<double> roll(0.0, 1.0);
    std::optional<Response> fault;
    if (m_faults.rate_500 > 0 && roll(m_fault_random) < m_faults.rate_500) {
        fault = line_error(500, "Internal server error");
    } else if (m_faults.rate_timeout > 0 && roll(m_fault_random) < m_faults.rate_timeout) {
        fault = line_error(500, "Internal server error (simulated timeout)");
        fault->delay = m_faults.timeout;
        fault->drop_connection = m_faults.drop;
    }
    if (fault && m_faults.after_delivery) {
        after_delivery = true;
        late_fault = *fault;
        return std::nullopt;
    }
    return fault;
}

std::optional<Response> LineService::check_retry_key(const Route& route, const Request& request,
                                                     Call& call) {
    const auto* key = request.header("x-line-retry-key");
    if (!key) {
        return std::nullopt;
    }
    if (!route.retry_key_allowed) {
        return line_error(400, "X-Line-Retry-Key header is not supported for this endpoint");
    }
    if (!is_uuid(*key)) {
        return line_error(400, "The value for the 'X-Line-Retry-Key' header is invalid");
    }
    call.retry_key = *key;
    return std::nullopt;
}

std::optional<Response> LineService::repeated_key(const Call& call) {
    if (call.retry_key.empty()) {
        return std::nullopt;
    }
    auto it = m_state.retry_keys.find(call.retry_key);
    if (it == m_state.retry_keys.end() ||
        call.now_ms - it->second.accepted_ms >= m_settings.retry_key_ttl.count()) {
        return std::nullopt;
    }
    ++m_state.retry_key_conflicts;
    nlohmann::json body = {{"message", "The retry key is already accepted"}};
    if (!it->second.sent_messages.is_null()) {
        body["sentMessages"] = it->second.sent_messages;
    }
    auto response = Response::json(409, body);
    response.headers.emplace_back("X-Line-Accepted-Request-Id", it->second.request_id);
    return response;
}

void LineService::accept_key(const Call& call, const nlohmann::json& sent_messages) {
    if (!call.retry_key.empty()) {
        m_state.retry_keys[call.retry_key] =
            AcceptedKey{call.request_id, sent_messages, call.now_ms};
    }
}

std::optional<Response> LineService::charge_quota(long recipients) {
    auto month = month_of(m_clock.now());
    if (month != m_state.quota_month) {
        m_state.quota_month = month;
        m_state.quota_usage = 0;
    }
    if (m_settings.quota_type == "limited" &&
        m_state.quota_usage + recipients > m_settings.quota_value) {
        return line_error(429, k_monthly_limit);
    }
    m_state.quota_usage += recipients;
    return std::nullopt;
}

std::vector<std::string> content_hashes(const nlohmann::json& messages) {
    std::vector<std::string> hashes;
    for (const auto& message : messages) {
        hashes.push_back(sha256_hex(message.dump()).substr(0, 16));
    }
    return hashes;
}

void LineService::deliver(Friend& user, const std::string& endpoint, const nlohmann::json& message,
                          const Call& call, const std::string& message_id,
                          const std::string& hash) {
    Delivery delivery;
    delivery.seq = ++m_state.next_seq;
    delivery.endpoint = endpoint;
    delivery.message = message;
    delivery.at_ms = call.now_ms;
    delivery.retry_key = call.retry_key;
    delivery.request_id = call.request_id;
    delivery.message_id = message_id;
    delivery.content_hash = hash;
    if (++user.content_counts[delivery.content_hash] > 1) {
        ++user.duplicate_deliveries;
        ++m_state.duplicate_deliveries;
    }
    // A key that delivers again after LINE forgot it (24 h) is legal but worth seeing.
    if (!call.retry_key.empty() && !user.retry_keys.insert(call.retry_key).second &&
        user.last_request_id != call.request_id) {
        ++m_state.same_key_deliveries;
    }
    user.last_request_id = call.request_id;
    ++m_state.deliveries;
    user.deliveries.push_back(std::move(delivery));
}

void LineService::record_refusal(const Call& call, const Response& response) {
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    std::string message = body.is_object() ? body.value("message", std::string()) : std::string();
    std::pair<int, std::string> reason{response.status, message};
    std::lock_guard lock(m_mutex);
    ++m_state.refused[reason];
    for (const auto& user_id : call.user_ids) {
        auto it = m_state.friends.find(user_id);
        if (it != m_state.friends.end()) {
            ++it->second.refused[reason];
        }
    }
}

void LineService::tick() {
    std::lock_guard lock(m_mutex);
    auto now = std::chrono::steady_clock::now();
    auto& pending = m_state.bulk_operations;
    for (auto it = pending.begin(); it != pending.end();) {
        if (it->apply_at > now) {
            ++it;
            continue;
        }
        for (const auto& user_id : it->user_ids) {
            auto user = m_state.friends.find(user_id);
            // Bulk links apply only to users that are friends; others are skipped silently.
            if (user != m_state.friends.end()) {
                user->second.rich_menu_id = it->rich_menu_id;
            }
        }
        it = pending.erase(it);
    }
}

std::unique_ptr<Service> make_line_service(Clock& clock, const YAML::Node& settings) {
    return std::make_unique<LineService>(clock, parse_line_settings(settings));
}

} // namespace musubi::sim::line
