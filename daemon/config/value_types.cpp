#include "daemon/config/value_types.hpp"

#include <algorithm>
#include <charconv>

namespace musubi::config {

bool expect_scalar(const YAML::Node& node, const ReadContext& context, const std::string& what,
                   const std::string& hint) {
    if (node.IsScalar()) {
        return true;
    }
    context.error(node, "expected " + what + ", found " + describe_node(node), hint);
    return false;
}

bool StringType::read(const YAML::Node& node, std::string& out, const ReadContext& context) const {
    if (!expect_scalar(node, context, "a text",
                       "write the text after the colon, in quotes if it "
                       "contains ':' or '#'")) {
        return false;
    }
    if (node.Scalar().empty() && !allow_empty) {
        context.error(node, "this value must not be empty", "write a value after the colon");
        return false;
    }
    out = node.Scalar();
    return true;
}

bool IntType::read(const YAML::Node& node, std::int64_t& out, const ReadContext& context) const {
    // Wide ranges (amounts of money, counts) are not worth spelling out to staff.
    const bool narrow = max - min <= 1'000'000'000;
    const std::string hint =
        "write a whole number" +
        (narrow ? " from " + std::to_string(min) + " to " + std::to_string(max) : std::string()) +
        " without units or commas, e.g. " +
        std::to_string(narrow ? std::max(min, std::min(max, std::int64_t{3000})) : 3000);
    if (!expect_scalar(node, context, "a whole number", hint)) {
        return false;
    }
    const std::string& text = node.Scalar();
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
        context.error(node, "'" + text + "' is not a whole number", hint);
        return false;
    }
    if (value < min || value > max) {
        context.error(node, "'" + text + "' is out of range", hint);
        return false;
    }
    out = value;
    return true;
}

bool BoolType::read(const YAML::Node& node, bool& out, const ReadContext& context) const {
    const std::string hint = "write true or false";
    if (!expect_scalar(node, context, "true or false", hint)) {
        return false;
    }
    const std::string& text = node.Scalar();
    if (text == "true" || text == "yes") {
        out = true;
        return true;
    }
    if (text == "false" || text == "no") {
        out = false;
        return true;
    }
    context.error(node, "'" + text + "' is not true or false", hint);
    return false;
}

bool DurationType::read(const YAML::Node& node, Duration& out, const ReadContext& context) const {
    if (!expect_scalar(node, context, "a duration", k_duration_hint)) {
        return false;
    }
    auto parsed = parse_duration(node.Scalar());
    if (!parsed) {
        context.error(node, parsed.error(), k_duration_hint);
        return false;
    }
    if (*parsed < min) {
        context.error(node, "'" + node.Scalar() + "' is too short",
                      "write at least " + format_duration(min));
        return false;
    }
    out = *parsed;
    return true;
}

bool TimeOfDayType::read(const YAML::Node& node, TimeOfDay& out, const ReadContext& context) const {
    if (!expect_scalar(node, context, "a time of day", k_time_of_day_hint)) {
        return false;
    }
    auto parsed = parse_time_of_day(node.Scalar());
    if (!parsed) {
        context.error(node, parsed.error(), k_time_of_day_hint);
        return false;
    }
    out = *parsed;
    return true;
}

bool TimeWindowType::read(const YAML::Node& node, TimeWindow& out,
                          const ReadContext& context) const {
    if (!expect_scalar(node, context, "a time window", k_time_window_hint)) {
        return false;
    }
    auto parsed = parse_time_window(node.Scalar());
    if (!parsed) {
        context.error(node, parsed.error(), k_time_window_hint);
        return false;
    }
    out = *parsed;
    return true;
}

bool UrlType::read(const YAML::Node& node, std::string& out, const ReadContext& context) const {
    const std::string hint = "write a URL starting with https:// (or http:// for the simulator), "
                             "e.g. https://api.line.me";
    if (!expect_scalar(node, context, "a URL", hint)) {
        return false;
    }
    std::string text = node.Scalar();
    const bool scheme_ok = text.starts_with("https://") || text.starts_with("http://");
    const auto host_start = text.find("://") + 3;
    if (!scheme_ok || text.size() <= host_start || text.find(' ') != std::string::npos) {
        context.error(node, "'" + text + "' is not an http(s) URL", hint);
        return false;
    }
    while (text.ends_with('/')) {
        text.pop_back();
    }
    out = text;
    return true;
}

bool PathType::read(const YAML::Node& node, std::filesystem::path& out,
                    const ReadContext& context) const {
    const std::string hint = "write a file path, e.g. /var/lib/musubi/musubi.db (a relative path "
                             "is taken from the folder of this file)";
    if (!expect_scalar(node, context, "a path", hint)) {
        return false;
    }
    if (node.Scalar().empty()) {
        context.error(node, "the path must not be empty", hint);
        return false;
    }
    std::filesystem::path path(node.Scalar());
    out = path.is_absolute() ? path : (context.base_dir / path).lexically_normal();
    return true;
}

std::string ListenAddress::to_string() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool ListenType::read(const YAML::Node& node, ListenAddress& out,
                      const ReadContext& context) const {
    const std::string hint = "write host:port, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080";
    if (!expect_scalar(node, context, "a listen address", hint)) {
        return false;
    }
    const std::string& text = node.Scalar();
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        context.error(node, "'" + text + "' is not host:port", hint);
        return false;
    }
    std::string host = text.substr(0, colon);
    if (host.starts_with('[') && host.ends_with(']')) {
        host = host.substr(1, host.size() - 2);
    }
    int port = -1;
    const std::string port_text = text.substr(colon + 1);
    auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port < 0 ||
        port > 65535 || host.empty()) {
        context.error(node, "'" + text + "' is not host:port with a port from 0 to 65535", hint);
        return false;
    }
    out = {host, port};
    return true;
}

} // namespace musubi::config
