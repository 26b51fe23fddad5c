#include "dispatcher.hpp"

#include <nlohmann/json.hpp>

namespace musubi::sim {

namespace {

constexpr std::string_view k_control_prefix = "/_sim/";

nlohmann::json clock_json(const Clock& clock) {
    auto now = clock.now();
    return {{"now", format_jst(now)}, {"epoch_ms", to_epoch_ms(now)}, {"speed", clock.speed()}};
}

} // namespace

Response error_response(int status, const std::string& message) {
    return Response::json(status, {{"message", message}});
}

Dispatcher::Dispatcher(Clock& clock, std::vector<Service*> services)
    : m_clock(clock)
    , m_services(std::move(services)) {}

void Dispatcher::set_ports(int api_port, int data_port) {
    m_api_port = api_port;
    m_data_port = data_port;
}

Response Dispatcher::dispatch(const Request& request) {
    if (!request.path.starts_with(k_control_prefix)) {
        for (auto* service : m_services) {
            if (auto response = service->handle(request)) {
                return *response;
            }
        }
        return error_response(404, "Not found");
    }
    auto rest = request.path.substr(k_control_prefix.size());
    if (rest == "health") {
        return health();
    }
    if (rest == "clock") {
        return clock_route(request);
    }
    auto slash = rest.find('/');
    auto name = rest.substr(0, slash);
    for (auto* service : m_services) {
        if (service->name() != name) {
            continue;
        }
        Request inner = request;
        inner.path = slash == std::string::npos ? "/" : rest.substr(slash);
        if (auto response = service->control(inner)) {
            return *response;
        }
        return error_response(404, "No such control route: " + request.path);
    }
    return error_response(404, "No such control route: " + request.path);
}

Response Dispatcher::health() const {
    nlohmann::json services = nlohmann::json::array();
    for (auto* service : m_services) {
        services.push_back(std::string(service->name()));
    }
    return Response::json(200,
                          {{"status", "ok"},
                           {"services", services},
                           {"ports", {{"api", m_api_port.load()}, {"data", m_data_port.load()}}},
                           {"clock", clock_json(m_clock)}});
}

// POST bodies: {"advance": "3d"} or {"advance_ms": N}, {"set": "yyyy-MM-ddTHH:mm:ss+0900"} or
// {"set_epoch_ms": N}, {"speed": x}; several may be combined and apply in that order.
Response Dispatcher::clock_route(const Request& request) {
    if (request.method == "GET") {
        return Response::json(200, clock_json(m_clock));
    }
    if (request.method != "POST") {
        return error_response(405, "GET or POST /_sim/clock");
    }
    auto body = nlohmann::json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
    if (!body.is_object()) {
        return error_response(400, "the body must be a JSON object");
    }
    for (const auto& [key, value] : body.items()) {
        if (key != "advance" && key != "advance_ms" && key != "set" && key != "set_epoch_ms" &&
            key != "speed") {
            return error_response(400, "unknown key '" + key +
                                           "'; valid keys: advance, advance_ms, set, "
                                           "set_epoch_ms, speed");
        }
    }
    if (body.contains("advance")) {
        auto by = body["advance"].is_string() ? parse_duration(body["advance"].get<std::string>())
                                              : std::nullopt;
        if (!by || by->count() < 0) {
            return error_response(400,
                                  "advance must be a duration such as \"90s\", \"3h\", \"2d\"");
        }
        m_clock.advance(*by);
    }
    if (body.contains("advance_ms")) {
        if (!body["advance_ms"].is_number_integer() || body["advance_ms"].get<long long>() < 0) {
            return error_response(400, "advance_ms must be a non-negative integer");
        }
        m_clock.advance(std::chrono::milliseconds(body["advance_ms"].get<long long>()));
    }
    if (body.contains("set")) {
        auto to =
            body["set"].is_string() ? parse_jst(body["set"].get<std::string>()) : std::nullopt;
        if (!to) {
            return error_response(400, "set must look like 2026-11-22T10:05:06+0900");
        }
        m_clock.set(*to);
    }
    if (body.contains("set_epoch_ms")) {
        if (!body["set_epoch_ms"].is_number_integer()) {
            return error_response(400, "set_epoch_ms must be an integer");
        }
        m_clock.set(from_epoch_ms(body["set_epoch_ms"].get<long long>()));
    }
    if (body.contains("speed")) {
        if (!body["speed"].is_number() || body["speed"].get<double>() < 0) {
            return error_response(400, "speed must be a non-negative number");
        }
        m_clock.set_speed(body["speed"].get<double>());
    }
    return Response::json(200, clock_json(m_clock));
}

} // namespace musubi::sim
