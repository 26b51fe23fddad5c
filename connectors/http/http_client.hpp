#pragma once
// One keep-alive HTTP(S) connection to one service, with a timeout on every call and TLS
// certificate verification on. Connectors build their wire calls on it; it knows nothing of
// what the bodies mean. Not thread-safe: use one Client per thread.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace Poco::Net {
class HTTPClientSession;
}

namespace musubi::http {

struct Request {
    std::string method = "GET";
    std::string target; // path and query, e.g. "/v2/bot/message/push"
    std::vector<std::pair<std::string, std::string>> headers;
    std::string content_type; // empty: no body
    std::string body;
};

struct Response {
    int status = 0;
    std::map<std::string, std::string> headers; // names lower-cased
    std::string body;

    const std::string* header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? nullptr : &it->second;
    }
};

enum class TransportErrorKind { timeout, connection, tls, invalid_url };

struct TransportError {
    TransportErrorKind kind;
    std::string message; // never contains request headers or bodies
};

class Client {
public:
    // `base_url` is scheme://host[:port][/prefix]; the prefix is put before every target.
    Client(std::string base_url, std::chrono::milliseconds timeout);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Sends one request. A kept-alive connection that the server closed meanwhile is
    // re-opened and the request sent once more: callers only send requests that are safe to
    // repeat (reads, or writes carrying a retry key).
    tl::expected<Response, TransportError> send(const Request& request);

    const std::string& base_url() const { return m_base_url; }

private:
    tl::expected<Response, TransportError> send_once(const Request& request);
    tl::expected<void, TransportError> connect();

    std::string m_base_url;
    std::string m_scheme;
    std::string m_host;
    unsigned short m_port = 0;
    std::string m_prefix;
    std::chrono::milliseconds m_timeout;
    std::unique_ptr<Poco::Net::HTTPClientSession> m_session;
};

} // namespace musubi::http
