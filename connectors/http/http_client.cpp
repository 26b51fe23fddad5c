#include "connectors/http/http_client.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace musubi::http {

namespace {

Poco::Net::Context::Ptr tls_context() {
    // Verify the server against the system's CA store (Debian's ca-certificates).
    static Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "/etc/ssl/certs",
                               Poco::Net::Context::VERIFY_STRICT, 9, true, "HIGH:!aNULL:!MD5");
    return context;
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

} // namespace

Client::Client(std::string base_url, std::chrono::milliseconds timeout)
    : m_base_url(std::move(base_url))
    , m_timeout(timeout) {
    try {
        const Poco::URI uri(m_base_url);
        m_scheme = uri.getScheme();
        m_host = uri.getHost();
        m_port = uri.getPort();
        m_prefix = uri.getPath();
        while (!m_prefix.empty() && m_prefix.back() == '/') {
            m_prefix.pop_back();
        }
    } catch (const Poco::Exception&) {
        m_scheme.clear();
    }
}

Client::~Client() = default;

tl::expected<void, TransportError> Client::connect() {
    if (m_scheme == "https") {
        m_session = std::make_unique<Poco::Net::HTTPSClientSession>(m_host, m_port, tls_context());
    } else if (m_scheme == "http") {
        m_session = std::make_unique<Poco::Net::HTTPClientSession>(m_host, m_port);
    } else {
        return tl::unexpected(
            TransportError{TransportErrorKind::invalid_url, "not an http(s) URL: " + m_base_url});
    }
    const Poco::Timespan timeout(
        std::chrono::duration_cast<std::chrono::microseconds>(m_timeout).count());
    m_session->setTimeout(timeout, timeout, timeout);
    m_session->setKeepAlive(true);
    return {};
}

tl::expected<Response, TransportError> Client::send(const Request& request) {
    const bool reused = m_session != nullptr && m_session->connected();
    auto response = send_once(request);
    if (!response && reused && response.error().kind == TransportErrorKind::connection) {
        m_session.reset();
        response = send_once(request);
    }
    return response;
}

tl::expected<Response, TransportError> Client::send_once(const Request& request) {
    if (!m_session) {
        if (auto connected = connect(); !connected) {
            return tl::unexpected(connected.error());
        }
    }
    // The query is left out: RMS takes the license key as a query parameter.
    const std::string where = request.method + " " + m_base_url + m_prefix +
                              request.target.substr(0, request.target.find('?'));
    try {
        Poco::Net::HTTPRequest http_request(request.method, m_prefix + request.target,
                                            Poco::Net::HTTPMessage::HTTP_1_1);
        http_request.setKeepAlive(true);
        for (const auto& [name, value] : request.headers) {
            http_request.set(name, value);
        }
        if (!request.content_type.empty() || !request.body.empty()) {
            http_request.setContentType(request.content_type);
            http_request.setContentLength(static_cast<std::streamsize>(request.body.size()));
        }
        std::ostream& out = m_session->sendRequest(http_request);
        out.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
        Poco::Net::HTTPResponse http_response;
        std::istream& in = m_session->receiveResponse(http_response);
        Response response;
        response.status = static_cast<int>(http_response.getStatus());
        Poco::StreamCopier::copyToString(in, response.body);
        for (const auto& [name, value] : http_response) {
            response.headers[lower(name)] = value;
        }
        if (!http_response.getKeepAlive()) {
            m_session.reset();
        }
        return response;
    } catch (const Poco::TimeoutException&) {
        m_session.reset();
        return tl::unexpected(TransportError{TransportErrorKind::timeout, where + " timed out"});
    } catch (const Poco::Net::SSLException& error) {
        m_session.reset();
        return tl::unexpected(TransportError{TransportErrorKind::tls,
                                             where + ": TLS failed: " + error.displayText()});
    } catch (const Poco::Exception& error) {
        m_session.reset();
        return tl::unexpected(
            TransportError{TransportErrorKind::connection, where + ": " + error.displayText()});
    } catch (const std::exception& error) {
        m_session.reset();
        return tl::unexpected(
            TransportError{TransportErrorKind::connection, where + ": " + error.what()});
    }
}

} // namespace musubi::http
