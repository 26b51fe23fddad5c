#pragma once
// A frozen-clock RMS service and request helpers for the sim.rakuten tests. The tests call
// the Service exactly as the HTTP server core does: handle() for RMS paths, control() with
// the /_sim/rakuten prefix already stripped.

#include <chrono>
#include <memory>
#include <string>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "core/clock.hpp"
#include "core/service.hpp"
#include "rakuten/jst_time.hpp"
#include "rakuten/license.hpp"
#include "rakuten/rms_service.hpp"

namespace musubi::sim::rakuten::test {

using nlohmann::json;

inline const std::string k_secret = "SP000000_musubi_sim_secret";
inline const std::string k_key = "SL000000_musubi_sim_key";
inline const std::string k_start = "2026-11-22T10:00:00+0900";
inline const std::string k_search = "/es/2.0/order/searchOrder/";
inline const std::string k_get = "/es/2.0/order/getOrder/";

inline std::chrono::system_clock::time_point time_of(const std::string& rms_datetime) {
    return std::chrono::system_clock::time_point{
        std::chrono::seconds{*parse_rms_datetime(rms_datetime)}};
}

struct Sim {
    Clock clock;
    std::unique_ptr<Service> service;

    explicit Sim(const std::string& yaml = "") {
        clock.set_speed(0);
        clock.set(time_of(k_start));
        service = make_rms_service(clock, yaml.empty() ? YAML::Node() : YAML::Load(yaml));
    }

    EpochSeconds now() const { return to_epoch(clock.now()); }
    std::string at(EpochSeconds offset_from_now) const {
        return format_rms_datetime(now() + offset_from_now);
    }
    void advance(EpochSeconds seconds) {
        clock.advance(std::chrono::seconds(seconds));
        service->tick();
    }

    Response api(const std::string& method, const std::string& path, const std::string& body,
                 const std::string* authorization = nullptr,
                 const std::string& content_type = "application/json; charset=utf-8") {
        Request request;
        request.method = method;
        request.host = "127.0.0.1";
        auto question = path.find('?');
        request.path = path.substr(0, question);
        if (question != std::string::npos) {
            auto query = path.substr(question + 1);
            auto equals = query.find('=');
            request.query[query.substr(0, equals)] = query.substr(equals + 1);
        }
        request.headers["authorization"] =
            authorization ? *authorization : esa_authorization(k_secret, k_key);
        if (!content_type.empty()) {
            request.headers["content-type"] = content_type;
        }
        request.body = body;
        auto response = service->handle(request);
        BOOST_REQUIRE(response.has_value());
        return *response;
    }

    Response search(const json& body) { return api("POST", k_search, body.dump()); }
    Response get(const json& body) { return api("POST", k_get, body.dump()); }

    Response control_raw(const std::string& method, const std::string& path,
                         const json& body = nullptr) {
        Request request;
        request.method = method;
        auto question = path.find('?');
        request.path = path.substr(0, question);
        if (question != std::string::npos) {
            std::string query = path.substr(question + 1);
            std::size_t start = 0;
            while (start < query.size()) {
                auto amp = query.find('&', start);
                auto pair =
                    query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
                auto equals = pair.find('=');
                request.query[pair.substr(0, equals)] = pair.substr(equals + 1);
                if (amp == std::string::npos) {
                    break;
                }
                start = amp + 1;
            }
        }
        request.body = body.is_null() ? "" : body.dump();
        auto response = service->control(request);
        BOOST_REQUIRE(response.has_value());
        return *response;
    }

    // A control call that must succeed (2xx); returns its JSON.
    json control(const std::string& method, const std::string& path, const json& body = nullptr) {
        Response response = control_raw(method, path, body);
        BOOST_TEST_REQUIRE((response.status >= 200 && response.status < 300),
                           path << " answered " << response.status << ": " << response.body);
        return json::parse(response.body);
    }

    // A hand-made order; returns its order number.
    std::string add_order(json body = json::object()) {
        return control("POST", "/orders", body)["orderNumber"].get<std::string>();
    }
};

inline json body_of(const Response& response) {
    return json::parse(response.body);
}

inline std::string first_code(const Response& response) {
    return body_of(response)["MessageModelList"][0]["messageCode"].get<std::string>();
}

// A searchOrder body for dateType `type` over [start, end].
inline json search_body(int type, const std::string& start, const std::string& end,
                        int records = 1000, int page = 1) {
    return json{{"dateType", type},
                {"startDatetime", start},
                {"endDatetime", end},
                {"PaginationRequestModel",
                 {{"requestRecordsAmount", records},
                  {"requestPage", page},
                  {"SortModelList", {{{"sortColumn", 1}, {"sortDirection", 1}}}}}}};
}

} // namespace musubi::sim::rakuten::test
