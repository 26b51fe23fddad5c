#pragma once
// Sends one signed webhook body to musubi, as LINE's platform would.

#include <chrono>
#include <string>

namespace musubi::sim::line {

struct WebhookResult {
    int status = 0;    // 0: no HTTP answer (see error)
    std::string body;  // what the webhook answered
    std::string error; // connection refused, timeout, ...
};

// Plain http:// URLs only: the simulator talks to musubi on loopback.
WebhookResult post_webhook(const std::string& url, const std::string& body,
                           const std::string& signature, std::chrono::milliseconds timeout);

} // namespace musubi::sim::line
