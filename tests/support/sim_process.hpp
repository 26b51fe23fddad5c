#pragma once
// Starts a real musubi-sim process on free loopback ports for one test, and stops it after.
// The binary comes from $MUSUBI_SIM (set by CTest). Control routes are reached with
// control_get()/control_post() (plain HTTP on loopback).

#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <nlohmann/json.hpp>

#include "support/temp_dir.hpp"

namespace musubi::test {

// The RMS credentials the simulator's scenarios below accept.
inline constexpr const char* k_rms_service_secret = "SP000000_musubi_sim_secret";
inline constexpr const char* k_rms_license_key = "SL000000_musubi_sim_key";

// A scenario with RMS only: shop 123456, its orders generated from `seed`, the credentials
// above, the license key expiring at `key_expires` (JST; "" leaves the expiry out).
inline std::string rakuten_scenario(int seed,
                                    const std::string& key_expires = "2027-02-20T23:59:59") {
    return std::string("rakuten:\n"
                       "  shop_id: \"123456\"\n"
                       "  seed: ") +
           std::to_string(seed) + "\n  service_secret: " + k_rms_service_secret +
           "\n  license_keys:\n    - key: " + k_rms_license_key + "\n" +
           (key_expires.empty() ? "" : "      expires: \"" + key_expires + "\"\n");
}

class SimProcess {
public:
    // `scenario_yaml` is the simulator's scenario file (tests/sim/README.md); ports are
    // always chosen by the system.
    explicit SimProcess(const std::string& scenario_yaml = "{}\n") {
        const char* binary = std::getenv("MUSUBI_SIM");
        if (binary == nullptr) {
            throw std::runtime_error("MUSUBI_SIM is not set (run through ctest)");
        }
        const auto scenario = m_dir.write("scenario.yaml", scenario_yaml);
        const auto port_file = m_dir / "ports";
        const auto log = m_dir / "sim.log";
        m_pid = ::fork();
        if (m_pid == 0) {
            const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            ::execl(binary, binary, "--scenario", scenario.c_str(), "--listen", "127.0.0.1:0",
                    "--data-listen", "127.0.0.1:0", "--port-file", port_file.c_str(), nullptr);
            ::_exit(127);
        }
        for (int i = 0; i < 200 && !std::filesystem::exists(port_file); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        std::ifstream ports(port_file);
        if (!(ports >> m_api_port >> m_data_port)) {
            throw std::runtime_error("musubi-sim did not start: " + read_file(log));
        }
    }
    ~SimProcess() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            int status = 0;
            ::waitpid(m_pid, &status, 0);
        }
    }
    SimProcess(const SimProcess&) = delete;
    SimProcess& operator=(const SimProcess&) = delete;

    int api_port() const { return m_api_port; }
    int data_port() const { return m_data_port; }
    std::string api_url() const { return "http://127.0.0.1:" + std::to_string(m_api_port); }
    std::string data_url() const { return "http://127.0.0.1:" + std::to_string(m_data_port); }

    // GET/POST on the API port, e.g. control_get("/_sim/line/ledger"). Throws on non-2xx.
    nlohmann::json control_get(const std::string& path) const { return call("GET", path, ""); }
    nlohmann::json control_post(const std::string& path, const nlohmann::json& body = {}) const {
        return call("POST", path, body.is_null() ? "{}" : body.dump());
    }

private:
    nlohmann::json call(const std::string& method, const std::string& path,
                        const std::string& body) const {
        Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(m_api_port));
        Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
        request.setContentType("application/json");
        request.setContentLength(static_cast<std::streamsize>(body.size()));
        session.sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        std::istream& in = session.receiveResponse(response);
        std::stringstream text;
        text << in.rdbuf();
        if (response.getStatus() / 100 != 2) {
            throw std::runtime_error(method + " " + path + " answered " +
                                     std::to_string(response.getStatus()) + ": " + text.str());
        }
        return text.str().empty() ? nlohmann::json::object() : nlohmann::json::parse(text.str());
    }

    TempDir m_dir;
    pid_t m_pid = -1;
    int m_api_port = 0;
    int m_data_port = 0;
};

} // namespace musubi::test
