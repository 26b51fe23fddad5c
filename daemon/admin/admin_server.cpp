#include "daemon/admin/admin_server.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "daemon/linking/crypto.hpp"
#include "daemon/log/log.hpp"
#include "daemon/store/sqlite/database.hpp"

namespace musubi::admin {

namespace {

using Poco::Net::HTTPResponse;

bool token_matches(std::string_view given, const std::string& token) {
    return !token.empty() && linking::constant_time_equal(given, token);
}

bool bearer_authorized(const Poco::Net::HTTPServerRequest& request, const std::string& token) {
    constexpr std::string_view k_scheme = "Bearer ";
    const std::string& given = request.get("Authorization", "");
    return given.starts_with(k_scheme) &&
           token_matches(std::string_view(given).substr(k_scheme.size()), token);
}

// HTTP Basic auth with the token as the password: what a browser sends after its prompt.
bool basic_authorized(const Poco::Net::HTTPServerRequest& request, const std::string& token) {
    try {
        if (!request.hasCredentials()) {
            return false;
        }
        std::string scheme;
        std::string info;
        request.getCredentials(scheme, info);
        if (Poco::icompare(scheme, "Basic") != 0) {
            return false;
        }
        const Poco::Net::HTTPBasicCredentials credentials(info);
        return token_matches(credentials.getPassword(), token);
    } catch (const Poco::Exception&) {
        return false; // not valid Base64 or no "user:password"
    }
}

} // namespace

AdminServer::AdminServer(const config::AdminConfig& config, Snapshot snapshot, StatusSource status)
    : m_web(config.listen, "admin")
    , m_token(config.token.reveal())
    , m_snapshot(std::move(snapshot))
    , m_status(std::move(status)) {
    m_web.add("GET", "/healthz", [](auto& request, auto& response) {
        // A store that refuses writes (disk full, read-only) stops all sending: a probe must
        // see that, not "ok".
        if (const auto health = store::sqlite::write_health();
            health.problem != store::sqlite::WriteProblem::none) {
            http::send(request, response, HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
                       std::string("store not writable: ") +
                           store::sqlite::write_problem_name(health.problem) + "\n",
                       "text/plain");
            return;
        }
        http::send(request, response, HTTPResponse::HTTP_OK, "ok\n", "text/plain");
    });
    m_web.add("GET", "/metrics", [this](auto& request, auto& response) {
        if (!bearer_authorized(request, m_token)) {
            response.set("WWW-Authenticate", "Bearer");
            http::send(request, response, HTTPResponse::HTTP_UNAUTHORIZED,
                       http::message_json("missing or wrong bearer token (admin.token)"));
            return;
        }
        http::send(request, response, HTTPResponse::HTTP_OK, render_metrics(m_snapshot()),
                   "text/plain; version=0.0.4; charset=utf-8");
    });
    if (m_status) {
        add_status_routes();
    }
}

void AdminServer::add_status_routes() {
    // The page has no scripts and loads nothing: the policy says so to the browser too.
    const auto guarded = [this](auto render, std::string content_type) {
        return [this, render, content_type](Poco::Net::HTTPServerRequest& request,
                                            Poco::Net::HTTPServerResponse& response) {
            response.set("Cache-Control", "no-store");
            response.set("X-Content-Type-Options", "nosniff");
            if (!bearer_authorized(request, m_token) && !basic_authorized(request, m_token)) {
                response.set("WWW-Authenticate", "Basic realm=\"musubi\", charset=\"UTF-8\"");
                http::send(request, response, HTTPResponse::HTTP_UNAUTHORIZED,
                           http::message_json("the status page needs the admin token "
                                              "(admin.token): as a bearer token, or as the "
                                              "password of the browser's login prompt"));
                return;
            }
            response.set("Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
            http::send(request, response, HTTPResponse::HTTP_OK, render(m_status()), content_type);
        };
    };
    const auto page = guarded(&render_status_page, "text/html; charset=utf-8");
    m_web.add("GET", "/", page);
    m_web.add("GET", "/status", page);
    m_web.add("GET", "/status.json",
              guarded(&render_status_json, "application/json; charset=utf-8"));
}

tl::expected<void, std::string> AdminServer::start() {
    if (auto started = m_web.start(); !started) {
        return tl::unexpected(started.error() +
                              "; stop what listens there, or set another host:port in "
                              "admin.listen");
    }
    m_logger.info(
        "admin.listening",
        {{"address", m_web.address().to_string()},
         {"paths", m_status ? "/healthz /metrics / /status /status.json" : "/healthz /metrics"}});
    return {};
}

void AdminServer::stop() {
    m_web.stop();
}

} // namespace musubi::admin
