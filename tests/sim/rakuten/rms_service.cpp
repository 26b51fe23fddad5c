#include "rms_service.hpp"

#include <algorithm>
#include <cctype>

#include "order_api.hpp"
#include "rms_service_impl.hpp"

namespace musubi::sim::rakuten {

namespace {

using nlohmann::json;

// The ledger keeps the most recent API requests only, so long demos stay small.
constexpr std::size_t k_ledger_limit = 10000;

const std::string k_search_path = "/es/2.0/order/searchOrder/";
const std::string k_get_path = "/es/2.0/order/getOrder/";
const std::string k_expiry_path = "/es/1.0/license-management/license-key/expiry-date";

bool json_content_type(const Request& request) {
    const std::string* type = request.header("content-type");
    return type != nullptr && type->rfind("application/json", 0) == 0;
}

// RMS documents `application/json; charset=utf-8` and may refuse a request without the
// charset with 415 (the contract); the spelling without the space is accepted too.
bool utf8_charset(const Request& request) {
    const std::string* type = request.header("content-type");
    if (type == nullptr) {
        return false;
    }
    std::string lower;
    for (const char c : *type) {
        if (c != ' ') {
            lower += char(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    return lower.find(";charset=utf-8") != std::string::npos;
}

// The functions a shop must enable in RMS; an API request to one that is not is ES04-01.
// Which HTTP status RMS sends with it is not known (the contract): 403 here, so a client must
// look at the code, not the status, to tell it from throttling.
Response function_not_enabled() {
    return Response::json(403,
                          es_error_body("ES04-01", "This function is not enabled for the shop. "
                                                   "(利用設定で機能が有効になっていません)"));
}

Response unauthorised() {
    return Response::json(401, es_error_body("AuthError", "Un-Authorised"));
}

} // namespace

RmsService::RmsService(Clock& clock, RmsSettings settings)
    : m_clock(clock)
    , m_initial(std::move(settings))
    , m_settings(m_initial)
    , m_licenses(m_initial.service_secret) {
    std::lock_guard lock(m_mutex);
    reset_locked();
}

EpochSeconds RmsService::now() const {
    return to_epoch(m_clock.now());
}

void RmsService::reset_locked() {
    EpochSeconds at = now();
    m_settings = m_initial;
    m_store.clear();
    m_generator = std::make_unique<OrderGenerator>(m_settings.generator, m_store);
    m_licenses = Licenses(m_settings.service_secret);
    for (const auto& spec : m_settings.license_keys) {
        // A key issued now lasts 90 days, to the end of that JST day.
        EpochSeconds expires =
            spec.expires.value_or(jst_day_start(at + k_license_lifetime) + k_day - 1);
        m_licenses.add(LicenseKey{spec.key, expires, 0});
    }
    m_faults.configure(m_settings.faults);
    m_throttle.configure(m_settings.limits);
    m_throttle.reset();
    m_modes = m_settings.modes;
    m_review_random.seed(m_settings.generator.seed + 2);
    m_ledger.clear();
    m_requests = 0;
    m_issued_keys = 0;
    m_last_order_number.clear();
    m_pending.clear();
    m_script_done.clear();
    for (const auto& step : m_settings.script) {
        schedule_step(step, at);
    }
    if (m_settings.backfill_count > 0) {
        m_generator->backfill(m_settings.backfill_count, at - m_settings.backfill_days * k_day, at,
                              at);
    }
    catch_up(at);
}

void RmsService::tick() {
    std::lock_guard lock(m_mutex);
    catch_up(now());
}

void RmsService::schedule_step(ScriptStep step, EpochSeconds loaded) {
    EpochSeconds due = step.at.value_or(loaded + step.after);
    PendingStep pending{due, m_step_sequence++, std::move(step)};
    auto position =
        std::upper_bound(m_pending.begin(), m_pending.end(), pending,
                         [](const PendingStep& a, const PendingStep& b) {
                             return a.due != b.due ? a.due < b.due : a.sequence < b.sequence;
                         });
    m_pending.insert(position, std::move(pending));
}

void RmsService::catch_up(EpochSeconds at) {
    m_generator->tick(at);
    while (!m_pending.empty() && m_pending.front().due <= at) {
        PendingStep pending = std::move(m_pending.front());
        m_pending.erase(m_pending.begin());
        if (pending.step.every > 0) {
            ScriptStep again = pending.step;
            again.at = pending.due + again.every;
            schedule_step(std::move(again), at);
        }
        ScriptStep& step = pending.step;
        Request request;
        request.method = step.method;
        request.path = step.route;
        for (auto found = request.path.find("{last}"); found != std::string::npos;
             found = request.path.find("{last}")) {
            request.path.replace(found, 6, m_last_order_number);
        }
        // A step that ran late still happens at its own time, as far as the orders can tell.
        if (request.path == "/orders" && !step.body.contains("orderDatetime")) {
            step.body["orderDatetime"] = format_rms_datetime(pending.due);
        }
        if (request.path.ends_with("/progress") && !step.body.contains("at")) {
            step.body["at"] = format_rms_datetime(pending.due);
        }
        request.body = step.body.dump();
        ScriptOutcome outcome{pending.due, at, request.method, request.path, 0, nullptr};
        try {
            auto response = control_locked(request);
            outcome.status = response ? response->status : 404;
            outcome.answer = response ? json::parse(response->body, nullptr, false) : json(nullptr);
        } catch (const std::exception& error) {
            outcome.status = 400;
            outcome.answer = json{{"error", error.what()}};
        }
        m_script_done.push_back(std::move(outcome));
        if (m_script_done.size() > k_ledger_limit) {
            m_script_done.pop_front();
        }
    }
}

std::optional<Response> RmsService::handle(const Request& request) {
    if (request.path.rfind("/es/", 0) != 0) {
        return std::nullopt;
    }
    std::lock_guard lock(m_mutex);
    EpochSeconds at = now();
    catch_up(at);
    std::string fault;
    Response response = answer_api(request, at, fault);
    record(request, response, fault, at);
    return response;
}

Response RmsService::answer_api(const Request& request, EpochSeconds at, std::string& fault) {
    bool is_search = request.path == k_search_path;
    bool is_get = request.path == k_get_path;
    bool is_expiry = request.path == k_expiry_path;
    if (!is_search && !is_get && !is_expiry) {
        return Response::json(
            404, es_error_body("NotFound", "The requested resource is not found: " + request.path));
    }
    if ((is_expiry && request.method != "GET") || (!is_expiry && request.method != "POST")) {
        Response refused =
            Response::json(405, es_error_body("MethodNotAllowed", "Method Not Allowed"));
        refused.headers.emplace_back("Allow", is_expiry ? "GET" : "POST");
        return refused;
    }

    if (auto refused = m_throttle.admit(std::chrono::steady_clock::now())) {
        fault = "throttled";
        return *refused;
    }
    Faults::Decision decision = m_faults.decide();
    if (decision.replacement) {
        fault = decision.replacement->drop_connection ? "drop"
                : m_faults.settings().maintenance     ? "maintenance"
                                                      : "error";
        return *decision.replacement;
    }
    Response response;
    AuthResult auth = m_licenses.check(request.header("authorization"), at);
    if (m_faults.license_expired()) {
        fault = "license_expired";
        response = unauthorised();
    } else if (auth != AuthResult::ok) {
        response = unauthorised();
    } else if (m_modes.functions_not_enabled.count(is_search ? k_function_search_order
                                                   : is_get  ? k_function_get_order
                                                             : k_function_license_expiry) > 0) {
        fault = "function_not_enabled";
        response = function_not_enabled();
    } else if (is_expiry) {
        response = license_expiry(request);
    } else if (!json_content_type(request)) {
        // Without a JSON body type RMS cannot read the request at all.
        response = is_search ? search_order(m_store, at, "") : get_order(m_store, "");
    } else if (!utf8_charset(request)) {
        response = Response::json(415, es_error_body("UnsupportedMediaType",
                                                     "Content-Type must be application/json; "
                                                     "charset=utf-8"));
    } else {
        response = is_search ? search_order(m_store, at, request.body,
                                            m_throttle.settings().cap_total_records)
                             : get_order(m_store, request.body, m_modes.colon_offset);
    }
    if (decision.delay.count() > 0) {
        fault = "slow";
        response.delay = decision.delay;
    }
    return response;
}

Response RmsService::license_expiry(const Request& request) {
    auto it = request.query.find("licenseKey");
    if (it == request.query.end() || it->second.empty()) {
        return Response::json(400, es_error_body("BadRequest", "licenseKey is required"));
    }
    const LicenseKey* key = m_licenses.find(it->second);
    if (key == nullptr) {
        return Response::json(404, es_error_body("NotFound", "licenseKey is not found"));
    }
    return Response::json(200, json{{"expiryDate", format_jst_local_datetime(key->expires)}});
}

void RmsService::record(const Request& request, const Response& response, const std::string& fault,
                        EpochSeconds at) {
    ++m_requests;
    m_ledger.push_back(LedgerEntry{at, request.method, request.path,
                                   response.drop_connection ? 0 : response.status, fault});
    if (m_ledger.size() > k_ledger_limit) {
        m_ledger.pop_front();
    }
}

std::optional<Response> RmsService::control(const Request& request) {
    std::lock_guard lock(m_mutex);
    try {
        catch_up(now());
        return control_locked(request);
    } catch (const std::exception& error) {
        return Response::json(400, json{{"error", error.what()}});
    }
}

std::unique_ptr<Service> make_rms_service(Clock& clock, const YAML::Node& settings) {
    return std::make_unique<RmsService>(clock, parse_rms_settings(settings));
}

} // namespace musubi::sim::rakuten
