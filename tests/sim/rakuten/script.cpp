#include "script.hpp"

#include <charconv>
#include <chrono>

#include "../core/clock.hpp"

namespace musubi::sim::rakuten {

using nlohmann::json;

std::optional<std::string> parse_script_step(const json& value, ScriptStep& step) {
    if (!value.is_object()) {
        return "a script step must be an object with route, body and at or after";
    }
    for (const auto& [key, item] : value.items()) {
        if (key == "at") {
            step.at = item.is_string() ? parse_rms_datetime(item.get<std::string>()) : std::nullopt;
            if (!step.at) {
                return "at must look like 2026-11-22T10:05:06+0900";
            }
        } else if (key == "after") {
            // The simulator's one duration syntax (core/clock.hpp): a bare number is milliseconds.
            std::optional<std::chrono::milliseconds> after;
            if (item.is_number_integer() && item.get<std::int64_t>() >= 0) {
                after = std::chrono::milliseconds(item.get<std::int64_t>());
            } else if (item.is_string()) {
                after = parse_duration(item.get<std::string>());
            }
            if (!after) {
                return "after must be a duration like 90s, 10m, 2h, 3d (a bare number is ms)";
            }
            step.after = std::chrono::duration_cast<std::chrono::seconds>(*after).count();
        } else if (key == "every") {
            std::optional<std::chrono::milliseconds> every;
            if (item.is_number_integer() && item.get<std::int64_t>() >= 0) {
                every = std::chrono::milliseconds(item.get<std::int64_t>());
            } else if (item.is_string()) {
                every = parse_duration(item.get<std::string>());
            }
            if (!every || *every < std::chrono::seconds(1)) {
                return "every must be a duration of at least 1s, like 30m or 1d";
            }
            step.every = std::chrono::duration_cast<std::chrono::seconds>(*every).count();
        } else if (key == "method") {
            step.method = item.is_string() ? item.get<std::string>() : "";
            if (step.method != "POST" && step.method != "GET") {
                return "method must be POST or GET";
            }
        } else if (key == "route") {
            step.route = item.is_string() ? item.get<std::string>() : "";
        } else if (key == "body") {
            if (!item.is_object()) {
                return "body must be an object";
            }
            step.body = item;
        } else {
            return "unknown script key '" + key + "'; valid: at, after, every, method, route, body";
        }
    }
    if (step.route.empty() || step.route[0] != '/') {
        return "route must be a control route such as /orders";
    }
    if (step.route.rfind("/script", 0) == 0 || step.route == "/reset") {
        return "a script cannot run " + step.route;
    }
    return std::nullopt;
}

json yaml_to_json(const YAML::Node& node) {
    if (node.IsMap()) {
        json object = json::object();
        for (const auto& entry : node) {
            object[entry.first.as<std::string>()] = yaml_to_json(entry.second);
        }
        return object;
    }
    if (node.IsSequence()) {
        json array = json::array();
        for (const auto& entry : node) {
            array.push_back(yaml_to_json(entry));
        }
        return array;
    }
    if (!node.IsScalar()) {
        return nullptr;
    }
    const std::string& text = node.Scalar();
    // Quoted scalars stay strings ("0001", "1001"), as the writer meant.
    if (node.Tag() == "!") {
        return text;
    }
    if (text == "true" || text == "false") {
        return text == "true";
    }
    std::int64_t integer = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), integer);
    if (error == std::errc() && end == text.data() + text.size() && !text.empty()) {
        return integer;
    }
    try {
        std::size_t used = 0;
        double number = std::stod(text, &used);
        if (used == text.size()) {
            return number;
        }
    } catch (const std::exception&) {
    }
    return text;
}

json script_step_json(const ScriptStep& step, EpochSeconds due) {
    return json{{"due", format_rms_datetime(due)},
                {"every", step.every},
                {"method", step.method},
                {"route", step.route},
                {"body", step.body}};
}

} // namespace musubi::sim::rakuten
