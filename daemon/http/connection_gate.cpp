#include "daemon/http/connection_gate.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <Poco/Exception.h>
#include <Poco/Net/StreamSocketImpl.h>

namespace musubi::http {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds k_longest_sleep{1000};
constexpr std::chrono::milliseconds k_retry_handing_on{2};

bool iequal_prefix(std::string_view text, std::size_t at, std::string_view word) {
    if (text.size() - at < word.size()) {
        return false;
    }
    for (std::size_t i = 0; i < word.size(); ++i) {
        const char c = text[at + i];
        const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        if (lower != word[i]) {
            return false;
        }
    }
    return true;
}

// The value of a header in `head` (names compared without case), or empty.
std::string_view header_value(std::string_view head, std::string_view lower_name) {
    for (std::size_t line = head.find('\n'); line != std::string_view::npos;
         line = head.find('\n', line + 1)) {
        const std::size_t start = line + 1;
        if (iequal_prefix(head, start, lower_name) && start + lower_name.size() < head.size() &&
            head[start + lower_name.size()] == ':') {
            std::size_t from = start + lower_name.size() + 1;
            std::size_t to = head.find('\n', from);
            to = to == std::string_view::npos ? head.size() : to;
            while (from < to && (head[from] == ' ' || head[from] == '\t')) {
                ++from;
            }
            while (to > from && (head[to - 1] == '\r' || head[to - 1] == ' ')) {
                --to;
            }
            return head.substr(from, to - from);
        }
    }
    return {};
}

void close_quietly(Poco::Net::StreamSocket& socket) {
    try {
        socket.close();
    } catch (const Poco::Exception&) {
    }
}

void set_low_water_mark(const Poco::Net::StreamSocket& socket, int bytes) {
    ::setsockopt(socket.impl()->sockfd(), SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof bytes);
}

} // namespace

Arrival request_arrival(std::string_view seen, const GateLimits& limits) {
    // Blank lines before the request line are allowed (RFC 9112 2.2).
    std::size_t first = 0;
    while (first < seen.size() && (seen[first] == '\r' || seen[first] == '\n')) {
        ++first;
    }
    std::size_t end = seen.find("\n\r\n", first);
    std::size_t head_size = end == std::string_view::npos ? end : end + 3;
    if (const auto bare = seen.find("\n\n", first);
        bare != std::string_view::npos && bare + 2 < head_size) {
        head_size = bare + 2;
    }
    if (head_size == std::string_view::npos) {
        return seen.size() >= limits.max_head_bytes ? Arrival::head_too_large : Arrival::incomplete;
    }
    if (head_size > limits.max_head_bytes) {
        return Arrival::head_too_large;
    }
    const auto head = seen.substr(0, head_size);
    // A client that waits for "100 Continue", or a chunked body: the worker reads the body
    // (read_body() has its own deadline).
    if (!header_value(head, "expect").empty() || !header_value(head, "transfer-encoding").empty()) {
        return Arrival::complete;
    }
    const auto length_text = header_value(head, "content-length");
    std::size_t length = 0;
    if (length_text.empty() ||
        std::from_chars(length_text.data(), length_text.data() + length_text.size(), length).ec !=
            std::errc()) {
        return Arrival::complete; // no body, or one the parser will refuse
    }
    if (head_size + length > limits.max_whole_request_bytes) {
        return Arrival::complete; // too large to wait for here; 413 or read_body() decide
    }
    return seen.size() >= head_size + length ? Arrival::complete : Arrival::incomplete;
}

ConnectionGate::ConnectionGate(Poco::Net::ServerSocket listener, GateLimits limits, Ready ready)
    : m_listener(std::move(listener))
    , m_limits(limits)
    , m_ready(std::move(ready)) {}

ConnectionGate::~ConnectionGate() {
    stop();
}

void ConnectionGate::start() {
    m_wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    m_listener.setBlocking(false);
    m_thread = std::thread([this] { run(); });
}

void ConnectionGate::stop() {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopped) {
            return;
        }
        m_stopped = true;
        wake();
    }
    if (m_thread.joinable()) {
        m_thread.join();
    }
    for (auto& waiting : m_waiting) {
        close_quietly(waiting.socket);
    }
    m_waiting.clear();
    std::lock_guard lock(m_mutex);
    for (auto& socket : m_given_back) {
        close_quietly(socket);
    }
    m_given_back.clear();
    if (m_wake >= 0) {
        ::close(m_wake);
        m_wake = -1;
    }
}

void ConnectionGate::give_back(Poco::Net::StreamSocket socket) {
    bool taken = false;
    {
        std::lock_guard lock(m_mutex);
        if (!m_stopped) {
            m_given_back.push_back(socket);
            taken = true;
            wake();
        }
    }
    if (!taken) {
        close_quietly(socket); // stopped meanwhile
    }
}

bool ConnectionGate::next_request_arrived(const Poco::Net::StreamSocket& socket,
                                          std::chrono::milliseconds linger) const {
    const auto fd = socket.impl()->sockfd();
    pollfd polled{fd, POLLIN, 0};
    if (::poll(&polled, 1, static_cast<int>(linger.count())) != 1 ||
        (polled.revents & POLLIN) == 0) {
        return false;
    }
    thread_local std::string seen;
    seen.resize(m_limits.max_whole_request_bytes);
    const auto got = ::recv(fd, seen.data(), seen.size(), MSG_PEEK | MSG_DONTWAIT);
    if (got <= 0) {
        return false; // closed, or nothing after all: the gate sees to it
    }
    return request_arrival(std::string_view(seen.data(), static_cast<std::size_t>(got)),
                           m_limits) == Arrival::complete;
}

// Called with m_mutex held, so that stop() cannot close the eventfd meanwhile.
void ConnectionGate::wake() {
    const std::uint64_t one = 1;
    if (m_wake >= 0) {
        [[maybe_unused]] const auto written = ::write(m_wake, &one, sizeof one);
    }
}

void ConnectionGate::run() {
    std::vector<pollfd> polled;
    for (;;) {
        auto now = Clock::now();
        {
            std::lock_guard lock(m_mutex);
            if (m_stopped) {
                return;
            }
            for (auto& socket : m_given_back) {
                m_waiting.push_back({std::move(socket), now, now + m_limits.idle_timeout, true});
            }
            m_given_back.clear();
        }
        make_room();
        // Complete requests waiting for a worker are tried again soon; workers finish often.
        auto wake_at = now + (hand_on_complete() ? k_retry_handing_on : k_longest_sleep);
        polled.assign({{m_listener.impl()->sockfd(), POLLIN, 0}, {m_wake, POLLIN, 0}});
        for (const auto& waiting : m_waiting) {
            polled.push_back({waiting.socket.impl()->sockfd(), POLLIN, 0});
            wake_at = std::min(wake_at, waiting.deadline);
        }
        const auto timeout = std::chrono::ceil<std::chrono::milliseconds>(wake_at - now);
        const int ready = ::poll(polled.data(), polled.size(),
                                 static_cast<int>(std::max<std::int64_t>(0, timeout.count())));
        if (ready < 0 && errno != EINTR) {
            return;
        }
        now = Clock::now();
        if (polled[1].revents != 0) {
            std::uint64_t count = 0;
            [[maybe_unused]] const auto read = ::read(m_wake, &count, sizeof count);
        }
        // Connections that have news or whose time is up leave the gate or wait on.
        std::vector<Waiting> staying;
        staying.reserve(m_waiting.size());
        for (std::size_t i = 0; i < m_waiting.size(); ++i) {
            auto& waiting = m_waiting[i];
            if (polled[i + 2].revents != 0 && look_at(waiting, now)) {
                continue;
            }
            if (now >= waiting.deadline) {
                close_quietly(waiting.socket);
                if (!waiting.idle) {
                    ++m_cut_off;
                }
                continue;
            }
            staying.push_back(std::move(waiting));
        }
        m_waiting = std::move(staying);
        if (polled[0].revents != 0) {
            accept_all(now);
        }
    }
}

void ConnectionGate::accept_all(Clock::time_point now) {
    for (int i = 0; i < 64; ++i) {
        const int fd = ::accept4(m_listener.impl()->sockfd(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                // Out of descriptors: the longest waiting gives way, the new one waits in the
                // listen backlog until then.
                if (!m_waiting.empty()) {
                    close_quietly(m_waiting.front().socket);
                    m_waiting.erase(m_waiting.begin());
                    ++m_cut_off;
                }
            }
            return;
        }
        Poco::Net::StreamSocket socket(new Poco::Net::StreamSocketImpl(fd));
        m_waiting.push_back({std::move(socket), now, now + m_limits.request_deadline, false});
        make_room();
    }
}

void ConnectionGate::make_room() {
    while (m_waiting.size() > m_limits.max_waiting) {
        // The first in the list waits longest: new ones are appended.
        const auto oldest =
            std::min_element(m_waiting.begin(), m_waiting.end(),
                             [](const Waiting& a, const Waiting& b) { return a.since < b.since; });
        close_quietly(oldest->socket);
        m_waiting.erase(oldest);
        ++m_cut_off;
    }
}

bool ConnectionGate::hand_on_complete() {
    bool still_waiting = false;
    std::vector<Waiting> staying;
    staying.reserve(m_waiting.size());
    for (auto& waiting : m_waiting) {
        if (waiting.complete && !still_waiting) {
            set_low_water_mark(waiting.socket, 1);
            if (m_ready(waiting.socket)) {
                continue;
            }
            still_waiting = true; // no place now: the later ones need not try
        }
        staying.push_back(std::move(waiting));
    }
    m_waiting = std::move(staying);
    return still_waiting;
}

bool ConnectionGate::look_at(Waiting& waiting, Clock::time_point now) {
    std::string seen(m_limits.max_whole_request_bytes, '\0');
    const auto fd = waiting.socket.impl()->sockfd();
    const auto got = ::recv(fd, seen.data(), seen.size(), MSG_PEEK | MSG_DONTWAIT);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        return false;
    }
    if (got <= 0) {
        close_quietly(waiting.socket); // the client went away (or the connection failed)
        return true;
    }
    seen.resize(static_cast<std::size_t>(got));
    if (waiting.idle) {
        // The first byte of the next request on a kept-alive connection: its deadline starts.
        waiting.idle = false;
        waiting.deadline = now + m_limits.request_deadline;
    }
    switch (request_arrival(seen, m_limits)) {
    case Arrival::complete:
        if (waiting.complete) {
            return false; // already waiting for a worker (hand_on_complete)
        }
        set_low_water_mark(waiting.socket, 1);
        if (m_ready(waiting.socket)) {
            return true;
        }
        // Every worker busy and the queue full: it waits here, without waking poll() again.
        waiting.complete = true;
        set_low_water_mark(waiting.socket, static_cast<int>(seen.size()) + 1);
        return false;
    case Arrival::head_too_large: {
        const std::string body = R"({"message":"Request Header Fields Too Large"})";
        const std::string answer =
            "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: application/json\r\n"
            "Content-Length: " +
            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
        ::send(fd, answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        // Taking the bytes seen lets close() end with FIN, not a reset that could destroy
        // the answer before the client reads it.
        ::recv(fd, seen.data(), seen.size(), MSG_DONTWAIT);
        ::shutdown(fd, SHUT_WR);
        close_quietly(waiting.socket);
        return true;
    }
    case Arrival::incomplete:
        break;
    }
    // Wake again only when more than what was seen has arrived.
    set_low_water_mark(waiting.socket, static_cast<int>(seen.size()) + 1);
    return false;
}

} // namespace musubi::http
