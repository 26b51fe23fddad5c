#include "support.hpp"

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <yaml-cpp/yaml.h>

#include "line/line_service.hpp"

namespace musubi::sim::line::test {

Sim::Sim(const std::string& yaml)
    : service(make_line_service(clock, yaml.empty() ? YAML::Node() : YAML::Load(yaml)["line"]))
    , dispatcher(std::make_unique<Dispatcher>(clock, std::vector<Service*>{service.get()})) {}

Response Sim::call(const std::string& method, const std::string& path, const std::string& body,
                   Headers headers, const std::string& listener) {
    Request request;
    request.method = method;
    request.path = path;
    request.body = body;
    request.listener = listener;
    for (auto& [name, value] : headers) {
        std::string lower;
        for (char c : name) {
            lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        request.headers[lower] = value;
    }
    return dispatcher->dispatch(request);
}

Response Sim::api(const std::string& method, const std::string& path, const nlohmann::json& body,
                  Headers headers) {
    headers.emplace("Authorization", std::string("Bearer ") + k_token);
    headers.emplace("Content-Type", "application/json");
    return call(method, path, body.is_null() ? "" : body.dump(), headers);
}

Response Sim::control(const std::string& method, const std::string& path,
                      const nlohmann::json& body) {
    return call(method, "/_sim/line" + path, body.dump());
}

nlohmann::json Sim::ledger(const std::string& user_id) {
    return nlohmann::json::parse(control("GET", "/ledger/" + user_id).body);
}

Response Sim::push(const std::string& to, const nlohmann::json& messages,
                   const std::string& retry_key) {
    Headers headers;
    if (!retry_key.empty()) {
        headers["X-Line-Retry-Key"] = retry_key;
    }
    // A braced single message arrives here as the object itself; the API wants an array.
    auto list = messages.is_array() ? messages : nlohmann::json::array({messages});
    return api("POST", "/v2/bot/message/push", {{"to", to}, {"messages", list}}, headers);
}

nlohmann::json text(const std::string& value) {
    return {{"type", "text"}, {"text", value}};
}

nlohmann::json body_of(const Response& response) {
    return nlohmann::json::parse(response.body, nullptr, false);
}

std::string header_of(const Response& response, const std::string& name) {
    for (const auto& [key, value] : response.headers) {
        if (key == name) {
            return value;
        }
    }
    return "";
}

std::string png(long width, long height) {
    std::string data = "\x89PNG\r\n\x1a\n";
    data += std::string("\0\0\0\x0dIHDR", 8);
    for (long value : {width, height}) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            data += static_cast<char>((value >> shift) & 0xFF);
        }
    }
    data += std::string(64, '\0');
    return data;
}

SimProcess::SimProcess(const std::string& scenario_yaml) {
    const char* binary = std::getenv("MUSUBI_SIM");
    if (!binary) {
        throw std::runtime_error("MUSUBI_SIM (path to musubi-sim) is not set");
    }
    char pattern[] = "/tmp/musubi-sim-test-XXXXXX";
    m_dir = mkdtemp(pattern);
    auto scenario = m_dir + "/scenario.yaml";
    std::ofstream(scenario) << scenario_yaml;
    auto port_file = m_dir + "/port";
    auto out_file = m_dir + "/stdout";
    std::fflush(nullptr); // the child must not write out our buffered output again
    m_pid = fork();
    if (m_pid == 0) {
        std::freopen(out_file.c_str(), "w", stdout);
        execl(binary, binary, "--scenario", scenario.c_str(), "--listen", "127.0.0.1:0",
              "--data-listen", "127.0.0.1:0", "--port-file", port_file.c_str(),
              static_cast<char*>(nullptr));
        std::_Exit(127);
    }
    for (int i = 0; i < 500; ++i) {
        std::ifstream in(port_file);
        if (in >> m_api_port >> m_data_port) {
            std::ifstream out(out_file);
            std::getline(out, m_first_line);
            return;
        }
        int status = 0;
        if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            throw std::runtime_error("musubi-sim exited before listening");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("musubi-sim did not write its port file");
}

SimProcess::~SimProcess() {
    if (m_pid > 0) {
        kill(m_pid, SIGTERM);
        int status = 0;
        waitpid(m_pid, &status, 0);
    }
    std::error_code ignored;
    std::system(("rm -rf '" + m_dir + "'").c_str());
}

HttpResult SimProcess::request(const std::string& method, const std::string& path,
                               const std::string& body, Headers headers, bool data,
                               std::chrono::milliseconds timeout) {
    Poco::Net::HTTPClientSession session(
        "127.0.0.1", static_cast<Poco::UInt16>(data ? m_data_port : m_api_port));
    session.setTimeout(Poco::Timespan(0, static_cast<long>(timeout.count()) * 1000));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers) {
        request.set(name, value);
    }
    request.setContentLength64(static_cast<Poco::Int64>(body.size()));
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    auto& in = session.receiveResponse(response);
    HttpResult result;
    result.status = static_cast<int>(response.getStatus());
    Poco::StreamCopier::copyToString(in, result.body);
    for (const auto& [name, value] : response) {
        std::string lower;
        for (char c : name) {
            lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        result.headers[lower] = value;
    }
    return result;
}

} // namespace musubi::sim::line::test
