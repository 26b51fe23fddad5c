#pragma once
// Raw HTTP over loopback for the security tests: requests exactly as written (broken ones
// too), slow clients that send a byte at a time, and the answer as the client saw it.

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

namespace musubi::test {

// Sends `request` as it is and reads until the server closes the connection (or `patience`
// passes without a byte: then what arrived so far).
inline std::string exchange(int port, const std::string& request,
                            std::chrono::seconds patience = std::chrono::seconds(20)) {
    std::signal(SIGPIPE, SIG_IGN); // a server that closes early is an answer, not a crash
    Poco::Net::StreamSocket socket;
    socket.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
    socket.setReceiveTimeout(Poco::Timespan(patience.count(), 0));
    socket.sendBytes(request.data(), static_cast<int>(request.size()));
    std::string answer;
    char buffer[4096];
    try {
        for (int got; (got = socket.receiveBytes(buffer, sizeof buffer)) > 0;) {
            answer.append(buffer, static_cast<std::size_t>(got));
        }
    } catch (const Poco::Exception&) {
        // timed out or reset: the answer so far
    }
    return answer;
}

// The status code of a raw answer ("HTTP/1.1 413 ..." → 413), or 0.
inline int status_of(const std::string& answer) {
    if (answer.size() < 12 || answer.rfind("HTTP/1.", 0) != 0) {
        return 0;
    }
    return std::stoi(answer.substr(9, 3));
}

// The body of a raw answer (after the blank line).
inline std::string body_of(const std::string& answer) {
    const auto end = answer.find("\r\n\r\n");
    return end == std::string::npos ? std::string() : answer.substr(end + 4);
}

// Connections that send `start` and then one more byte of `trickle` every `pause`, until
// stopped or closed by the server: slow-loris. With `after_answer` the trickle starts once
// the server has answered `start` (a kept-alive connection's next request). closed() counts
// the connections the server closed.
class SlowClients {
public:
    SlowClients(int port, int count, std::string start, std::string trickle,
                std::chrono::milliseconds pause = std::chrono::milliseconds(50),
                bool after_answer = false)
        : m_trickle(std::move(trickle))
        , m_pause(pause)
        , m_after_answer(after_answer) {
        std::signal(SIGPIPE, SIG_IGN);
        for (int i = 0; i < count; ++i) {
            auto socket = std::make_unique<Poco::Net::StreamSocket>();
            socket->connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
            socket->sendBytes(start.data(), static_cast<int>(start.size()));
            m_sockets.push_back(std::move(socket));
        }
        m_open.assign(m_sockets.size(), true);
        m_got_answer.assign(m_sockets.size(), false);
        m_thread = std::thread([this] { run(); });
    }
    ~SlowClients() {
        m_stop = true;
        m_thread.join();
    }
    SlowClients(const SlowClients&) = delete;
    SlowClients& operator=(const SlowClients&) = delete;

    int closed() const { return m_closed.load(); }
    int count() const { return static_cast<int>(m_sockets.size()); }
    // Whether any server answered one of them (a slow client should get no answer).
    bool answered() const { return m_answered.load(); }

private:
    void run() {
        for (std::size_t step = 0; !m_stop; ++step) {
            const char byte = m_trickle[step % m_trickle.size()];
            if (m_closed == count()) {
                return;
            }
            for (std::size_t i = 0; i < m_sockets.size(); ++i) {
                if (!m_open[i]) {
                    continue;
                }
                auto& socket = *m_sockets[i];
                try {
                    while (socket.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ)) {
                        char buffer[4096];
                        if (socket.receiveBytes(buffer, sizeof buffer) <= 0) {
                            close(i); // closed by the server
                            break;
                        }
                        m_got_answer[i] = true;
                        m_answered = true;
                    }
                    if (m_open[i] && (m_got_answer[i] || !m_after_answer)) {
                        socket.sendBytes(&byte, 1);
                    }
                } catch (const Poco::Exception&) {
                    close(i); // reset by the server
                }
            }
            std::this_thread::sleep_for(m_pause);
        }
    }
    void close(std::size_t i) {
        m_open[i] = false;
        ++m_closed;
    }

    std::string m_trickle;
    std::chrono::milliseconds m_pause;
    std::vector<std::unique_ptr<Poco::Net::StreamSocket>> m_sockets;
    bool m_after_answer;
    std::vector<bool> m_open;
    std::vector<bool> m_got_answer;
    std::atomic<int> m_closed{0};
    std::atomic<bool> m_answered{false};
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

} // namespace musubi::test
