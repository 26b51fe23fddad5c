#include "daemon/admin/admin_server.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "daemon/linking/crypto.hpp"
#include "daemon/log/log.hpp"

namespace musubi::admin {

namespace {

using Poco::Net::HTTPResponse;

bool authorized(const Poco::Net::HTTPServerRequest& request, const std::string& token) {
    constexpr std::string_view k_scheme = "Bearer ";
    const std::string& given = request.get("Authorization", "");
    return !token.empty() && given.starts_with(k_scheme) &&
           linking::constant_time_equal(std::string_view(given).substr(k_scheme.size()), token);
}

} // namespace

AdminServer::AdminServer(const config::AdminConfig& config, Snapshot snapshot)
    : m_web(config.listen, "admin")
    , m_token(config.token.reveal())
    , m_snapshot(std::move(snapshot)) {
    m_web.add("GET", "/healthz", [](auto& request, auto& response) {
        http::send(request, response, HTTPResponse::HTTP_OK, "ok\n", "text/plain");
    });
    m_web.add("GET", "/metrics", [this](auto& request, auto& response) {
        if (!authorized(request, m_token)) {
            response.set("WWW-Authenticate", "Bearer");
            http::send(request, response, HTTPResponse::HTTP_UNAUTHORIZED,
                       http::message_json("missing or wrong bearer token (admin.token)"));
            return;
        }
        http::send(request, response, HTTPResponse::HTTP_OK, render_metrics(m_snapshot()),
                   "text/plain; version=0.0.4; charset=utf-8");
    });
}

tl::expected<void, std::string> AdminServer::start() {
    if (auto started = m_web.start(); !started) {
        return tl::unexpected(started.error() +
                              "; stop what listens there, or set another host:port in "
                              "admin.listen");
    }
    m_logger.info("admin.listening",
                  {{"address", m_web.address().to_string()}, {"paths", "/healthz /metrics"}});
    return {};
}

void AdminServer::stop() {
    m_web.stop();
}

} // namespace musubi::admin
