#pragma once
// Another tool's webhook receiver on loopback, for tests of webhook.forward: it checks LINE's
// signature with the channel secret using its own HMAC (OpenSSL, as LINE documents it — not
// musubi's code) and records every body it got. It can be taken down (its port closed: the
// connection is refused), brought back on the same port, and made to hold its answers (a
// delivery in flight).
//
//   test::WebhookReceiver tool;                  // listening on a free port
//   config.webhook_options = "forward: [{url: \"" + tool.url() + "\"}]";
//   ... tool.received() ...                      // bodies, content types, signature verdicts

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

namespace musubi::test {

inline constexpr const char* k_receiver_secret =
    "8c570fa6dd201bb328f1c1eac23a96d8"; // the tests' channel

// The other tool's own check, as LINE documents it: Base64(HMAC-SHA256(secret, raw body)).
inline std::string line_signature(const std::string& secret, const std::string& body) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &length);
    std::string encoded(4 * ((length + 2) / 3), '\0');
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), mac,
                    static_cast<int>(length));
    return encoded;
}

struct Received {
    std::string body;
    std::string content_type;
    bool signature_ok = false;
};

// Another tool's webhook receiver on loopback. It can be taken down (its port closed: the
// connection is refused) and brought back on the same port.
class WebhookReceiver {
public:
    WebhookReceiver() { up(); }
    ~WebhookReceiver() { down(); }

    // From the n-th body on (0-based), record the body but hold the answer until release():
    // a delivery in flight, as when the tool is slow.
    void hold_from(std::size_t n) {
        std::lock_guard lock(m_mutex);
        m_hold_from = n;
    }
    void release() {
        {
            std::lock_guard lock(m_mutex);
            m_hold_from = SIZE_MAX;
        }
        m_released.notify_all();
    }

    void up() {
        Poco::Net::ServerSocket socket;
        socket.bind(Poco::Net::SocketAddress("127.0.0.1", m_port), true);
        socket.listen(64);
        m_port = socket.address().port();
        auto* params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(2);
        m_server.emplace(new Factory(*this), socket, params);
        m_server->start();
    }
    void down() {
        release();
        if (m_server) {
            m_server->stopAll(true);
            m_server.reset();
        }
    }
    std::string url(const std::string& path = "/callback") const {
        return "http://127.0.0.1:" + std::to_string(m_port) + path;
    }
    std::vector<Received> received() const {
        std::lock_guard lock(m_mutex);
        return m_received;
    }
    std::size_t count() const {
        std::lock_guard lock(m_mutex);
        return m_received.size();
    }

private:
    class Handler final : public Poco::Net::HTTPRequestHandler {
    public:
        explicit Handler(WebhookReceiver& receiver)
            : m_receiver(receiver) {}
        void handleRequest(Poco::Net::HTTPServerRequest& request,
                           Poco::Net::HTTPServerResponse& response) override {
            Received got;
            Poco::StreamCopier::copyToString(request.stream(), got.body);
            got.content_type = request.getContentType();
            got.signature_ok =
                request.get("x-line-signature", "") == line_signature(k_receiver_secret, got.body);
            {
                std::unique_lock lock(m_receiver.m_mutex);
                m_receiver.m_received.push_back(std::move(got));
                m_receiver.m_released.wait_for(lock, std::chrono::seconds(30), [&] {
                    return m_receiver.m_received.size() <= m_receiver.m_hold_from;
                });
            }
            response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
            response.setContentLength(2);
            response.send() << "{}";
        }

    private:
        WebhookReceiver& m_receiver;
    };
    class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
    public:
        explicit Factory(WebhookReceiver& receiver)
            : m_receiver(receiver) {}
        Poco::Net::HTTPRequestHandler*
        createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
            return new Handler(m_receiver);
        }

    private:
        WebhookReceiver& m_receiver;
    };

    Poco::UInt16 m_port = 0;
    mutable std::mutex m_mutex;
    std::condition_variable m_released;
    std::size_t m_hold_from = SIZE_MAX;
    std::vector<Received> m_received;
    std::optional<Poco::Net::HTTPServer> m_server;
};

// Polls `done` every 25 ms until it holds (true) or `patience` has passed (false).
template <class Done>
bool eventually(Done done, std::chrono::seconds patience = std::chrono::seconds(60)) {
    const auto give_up = std::chrono::steady_clock::now() + patience;
    while (!done()) {
        if (std::chrono::steady_clock::now() > give_up) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return true;
}

} // namespace musubi::test
