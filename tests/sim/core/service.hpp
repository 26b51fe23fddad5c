#pragma once
// The simulator is a set of Services behind one HTTP server. Each Service plays one outside
// platform (Rakuten RMS, LINE) and owns its own control routes under /_sim/<name>/.
// The server turns every HTTP request into a Request, offers it to each Service in turn, and
// writes back the first Response it gets.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace musubi::sim {

struct Request {
    std::string method;                         // "GET", "POST", ...
    std::string host;                           // Host header as sent (used for api-data)
    std::string path;                           // decoded path, no query
    std::map<std::string, std::string> query;   // decoded query parameters
    std::map<std::string, std::string> headers; // names lower-cased
    std::string body;                           // raw bytes
    // Which listener took the request: "api" (the main port) or "data" (the second port that
    // stands in for api-data.line.me). Services that have no data host ignore it.
    std::string listener = "api";

    const std::string* header(std::string_view lower_name) const {
        auto it = headers.find(std::string(lower_name));
        return it == headers.end() ? nullptr : &it->second;
    }
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // Fault injection: wait this long before answering, or close the connection unanswered.
    std::chrono::milliseconds delay{0};
    bool drop_connection = false;

    static Response json(int status, const nlohmann::json& body) {
        Response response;
        response.status = status;
        response.body = body.dump();
        return response;
    }
};

class Service {
public:
    virtual ~Service() = default;
    // Short name used in control routes (/_sim/<name>/...) and the ledger ("rakuten", "line").
    virtual std::string_view name() const = 0;
    // A request to the platform's own API; nullopt when the path is not this service's.
    virtual std::optional<Response> handle(const Request& request) = 0;
    // A request under /_sim/<name>/ (the prefix stripped from request.path); nullopt = 404.
    virtual std::optional<Response> control(const Request& request) = 0;
    // Background work (webhook sending, bulk rich-menu application); called about every 10 ms.
    virtual void tick() {}
    // Stop background threads before destruction.
    virtual void stop() {}
};

} // namespace musubi::sim
