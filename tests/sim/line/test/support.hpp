#pragma once
// Helpers for the LINE simulator's tests: calling a Service directly, and starting the real
// musubi-sim process (path in $MUSUBI_SIM) on port 0 and speaking HTTP to it.

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "core/dispatcher.hpp"
#include "core/service.hpp"

namespace musubi::sim::line::test {

inline constexpr const char* k_token = "musubi-sim-token";
inline constexpr const char* k_user = "U0123456789abcdef0123456789abcdef";
inline constexpr const char* k_other = "Ufedcba9876543210fedcba9876543210";

using Headers = std::map<std::string, std::string>;

// A LINE service on its own clock, driven through the Dispatcher as the server would.
struct Sim {
    explicit Sim(const std::string& yaml = "");
    Response call(const std::string& method, const std::string& path, const std::string& body = "",
                  Headers headers = {}, const std::string& listener = "api");
    // Authorised JSON call.
    Response api(const std::string& method, const std::string& path, const nlohmann::json& body,
                 Headers headers = {});
    Response control(const std::string& method, const std::string& path,
                     const nlohmann::json& body = nlohmann::json::object());
    nlohmann::json ledger(const std::string& user_id);
    Response push(const std::string& to, const nlohmann::json& messages,
                  const std::string& retry_key = "");

    Clock clock;
    std::unique_ptr<Service> service;
    std::unique_ptr<Dispatcher> dispatcher;
};

nlohmann::json text(const std::string& value);
nlohmann::json body_of(const Response& response);
std::string header_of(const Response& response, const std::string& name);
// A PNG header of the given size (enough for the simulator's dimension check).
std::string png(long width, long height);

struct HttpResult {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers; // lower-case names
};

// A running musubi-sim process on port 0; killed (SIGTERM) on destruction.
class SimProcess {
public:
    explicit SimProcess(const std::string& scenario_yaml = "");
    ~SimProcess();
    SimProcess(const SimProcess&) = delete;
    SimProcess& operator=(const SimProcess&) = delete;

    int api_port() const { return m_api_port; }
    int data_port() const { return m_data_port; }
    std::string first_line() const { return m_first_line; }
    HttpResult request(const std::string& method, const std::string& path,
                       const std::string& body = "", Headers headers = {}, bool data = false,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    int m_pid = -1;
    int m_api_port = 0;
    int m_data_port = 0;
    std::string m_first_line;
    std::string m_dir;
};

} // namespace musubi::sim::line::test
