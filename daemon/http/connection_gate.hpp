#pragma once
// The gate in front of the web server's threads: one thread accepts connections and waits,
// without reading, until a whole request head (and a small body sent with it) has arrived in
// the kernel's receive buffer; only then is the connection handed to a worker thread. A client
// that sends its request a byte at a time (slow-loris) therefore holds a file descriptor in the
// gate, never a worker thread, and is closed when its deadline passes.
//
// How it waits without reading: recv(MSG_PEEK) looks at the bytes without taking them (the
// worker's HTTP parser reads them later as if nothing happened), and SO_RCVLOWAT tells poll()
// to wake only when more bytes than already seen have arrived.
//
// Deadlines: a new connection must deliver its request within `request_deadline` of being
// accepted; a keep-alive connection given back after a response may stay idle for
// `idle_timeout`, and then has `request_deadline` from its first byte. Request heads larger
// than `max_head_bytes` are answered 431 and closed. At most `max_waiting` connections wait;
// beyond that the one waiting longest is closed (slow clients are the ones that wait long).

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

namespace musubi::http {

struct GateLimits {
    std::chrono::milliseconds request_deadline{10'000};
    std::chrono::milliseconds idle_timeout{15'000};
    std::size_t max_head_bytes = 16 * 1024;
    // A body with Content-Length that fits in this much (head included) is waited for too.
    std::size_t max_whole_request_bytes = 64 * 1024;
    std::size_t max_waiting = 256;
};

// How far a request has arrived, from the bytes seen so far (pure; exposed for tests).
enum class Arrival { incomplete, complete, head_too_large };
Arrival request_arrival(std::string_view seen, const GateLimits& limits);

class ConnectionGate {
public:
    // Hands a connection whose request has arrived to a worker; false when every worker is
    // busy and the queue is full: the connection then waits here (within its deadline) until
    // a place is free, instead of being dropped.
    using Ready = std::function<bool(const Poco::Net::StreamSocket&)>;

    ConnectionGate(Poco::Net::ServerSocket listener, GateLimits limits, Ready ready);
    ~ConnectionGate();
    ConnectionGate(const ConnectionGate&) = delete;
    ConnectionGate& operator=(const ConnectionGate&) = delete;

    void start();
    // Stops accepting and closes every waiting connection; give_back() closes from then on.
    void stop();

    // A keep-alive connection whose response was sent: it waits here for its next request.
    void give_back(Poco::Net::StreamSocket socket);

    // For the worker that has just answered on a keep-alive connection: true when the next
    // request has wholly arrived within `linger`, so that a busy client is served on the same
    // thread without a trip through the gate (two thread hand-offs a request). Anything less —
    // nothing yet, half a head — goes back to the gate, so a slow client still holds no worker
    // for longer than `linger`.
    bool next_request_arrived(const Poco::Net::StreamSocket& socket,
                              std::chrono::milliseconds linger) const;

    // Connections closed because their deadline passed or too many waited (for metrics/tests).
    std::int64_t cut_off() const { return m_cut_off.load(); }

private:
    struct Waiting {
        Poco::Net::StreamSocket socket;
        std::chrono::steady_clock::time_point since;
        std::chrono::steady_clock::time_point deadline;
        bool idle = false;     // given back, no byte of the next request yet
        bool complete = false; // the request has arrived; waits for a free worker
    };

    void run();
    void wake();
    void accept_all(std::chrono::steady_clock::time_point now);
    // True when the connection leaves the gate (handed on or closed).
    bool look_at(Waiting& waiting, std::chrono::steady_clock::time_point now);
    void make_room();
    // Hands on the complete requests that wait for a worker, oldest first, while places are
    // free; true when some still wait.
    bool hand_on_complete();

    Poco::Net::ServerSocket m_listener;
    GateLimits m_limits;
    Ready m_ready;
    std::vector<Waiting> m_waiting; // gate thread only
    std::mutex m_mutex;
    std::vector<Poco::Net::StreamSocket> m_given_back; // guarded by m_mutex
    bool m_stopped = false;                            // guarded by m_mutex
    std::atomic<std::int64_t> m_cut_off{0};
    int m_wake = -1; // eventfd: given-back sockets and stop() wake the gate thread
    std::thread m_thread;
};

} // namespace musubi::http
