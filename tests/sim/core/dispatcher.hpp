#pragma once
// Routes one Request: /_sim/health and /_sim/clock are answered here, /_sim/<name>/... goes to
// that service's control() with the prefix stripped, anything else is offered to each
// service's handle() in turn. Kept apart from the HTTP server so tests can drive it directly.

#include <atomic>
#include <vector>

#include "clock.hpp"
#include "service.hpp"

namespace musubi::sim {

class Dispatcher {
public:
    Dispatcher(Clock& clock, std::vector<Service*> services);

    Response dispatch(const Request& request);
    // Reported by /_sim/health once the listeners are bound.
    void set_ports(int api_port, int data_port);

private:
    Response clock_route(const Request& request);
    Response health() const;

    Clock& m_clock;
    std::vector<Service*> m_services;
    std::atomic<int> m_api_port{0};
    std::atomic<int> m_data_port{0};
};

// {"message": text}, the error shape both platforms' simulators use for the control API.
Response error_response(int status, const std::string& message);

} // namespace musubi::sim
