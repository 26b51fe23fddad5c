// Fuzz target: what an unauthenticated caller controls at the webhook port — the raw body and
// the x-line-signature header. The input is "<header>\n<body>": the signature check must
// never crash on any header and must accept the body's own signature; the body parser must
// never crash, and every event it accepts must have an id and survive re-parsing.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "connectors/line/webhook_signature.hpp"
#include "daemon/webhook/webhook_endpoint.hpp"

namespace {

constexpr std::string_view k_channel_secret = "fuzz-channel-secret";

void check(bool condition) {
    if (!condition) {
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t newline = input.find('\n');
    const std::string_view header =
        newline == std::string_view::npos ? std::string_view{} : input.substr(0, newline);
    const std::string body(newline == std::string_view::npos ? input : input.substr(newline + 1));

    using musubi::line::webhook_signature;
    using musubi::line::webhook_signature_matches;
    const bool header_matches = webhook_signature_matches(k_channel_secret, body, header);
    check(header_matches == (header == webhook_signature(k_channel_secret, body)));
    check(webhook_signature_matches(k_channel_secret, body,
                                    webhook_signature(k_channel_secret, body)));

    const auto events = musubi::webhook::parse_events(body);
    if (events) {
        for (const auto& event : *events) {
            check(!event.event_id.empty());
            check(nlohmann::json::accept(event.body));
        }
    }
    return 0;
}
