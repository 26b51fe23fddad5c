#include "wire_modes.hpp"

#include <stdexcept>

namespace musubi::sim::rakuten {

namespace {

bool known_function(const std::string& name) {
    return name == k_function_search_order || name == k_function_get_order ||
           name == k_function_license_expiry;
}

const char* k_functions_list = "searchOrder, getOrder, licenseExpiry";

} // namespace

std::string datetime_offset(const WireModes& modes) {
    return modes.colon_offset ? "+09:00" : "+0900";
}

nlohmann::json wire_modes_json(const WireModes& modes) {
    return nlohmann::json{{"datetimeOffset", datetime_offset(modes)},
                          {"functionsNotEnabled", modes.functions_not_enabled}};
}

std::optional<std::string> apply_wire_modes_patch(WireModes& modes, const nlohmann::json& patch) {
    if (!patch.is_object()) {
        return "send a JSON object with datetimeOffset and/or functionsNotEnabled";
    }
    WireModes next = modes;
    for (const auto& [key, value] : patch.items()) {
        if (key == "datetimeOffset") {
            if (value != "+0900" && value != "+09:00") {
                return "datetimeOffset must be \"+0900\" or \"+09:00\"";
            }
            next.colon_offset = value == "+09:00";
        } else if (key == "functionsNotEnabled") {
            if (!value.is_array()) {
                return std::string("functionsNotEnabled must be a list of: ") + k_functions_list;
            }
            next.functions_not_enabled.clear();
            for (const auto& name : value) {
                if (!name.is_string() || !known_function(name.get<std::string>())) {
                    return std::string("functionsNotEnabled takes: ") + k_functions_list;
                }
                next.functions_not_enabled.insert(name.get<std::string>());
            }
        } else {
            return "unknown key '" + key + "'; valid: datetimeOffset, functionsNotEnabled";
        }
    }
    modes = std::move(next);
    return std::nullopt;
}

WireModes parse_wire_modes(const YAML::Node& node) {
    if (!node.IsMap()) {
        throw std::runtime_error("rakuten.modes must be a mapping");
    }
    nlohmann::json patch = nlohmann::json::object();
    for (const auto& entry : node) {
        const auto key = entry.first.as<std::string>();
        if (key == "datetime_offset") {
            patch["datetimeOffset"] = entry.second.as<std::string>();
        } else if (key == "functions_not_enabled") {
            if (!entry.second.IsSequence()) {
                throw std::runtime_error(
                    std::string("rakuten.modes.functions_not_enabled must be a list of: ") +
                    k_functions_list);
            }
            nlohmann::json names = nlohmann::json::array();
            for (const auto& name : entry.second) {
                names.push_back(name.as<std::string>());
            }
            patch["functionsNotEnabled"] = names;
        } else {
            throw std::runtime_error("unknown key '" + key +
                                     "' in rakuten.modes; valid keys: datetime_offset, "
                                     "functions_not_enabled");
        }
    }
    WireModes modes;
    if (auto problem = apply_wire_modes_patch(modes, patch)) {
        throw std::runtime_error("rakuten.modes: " + *problem);
    }
    return modes;
}

} // namespace musubi::sim::rakuten
