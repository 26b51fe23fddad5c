#include "daemon/rakuten/carriers.hpp"

#include <yaml-cpp/yaml.h>

namespace musubi::rakuten_poller {

namespace {

constexpr std::string_view k_placeholder = "{tracking_number}";

std::string percent_encode(const std::string& text) {
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string encoded;
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte >= '0' && byte <= '9') || (byte >= 'A' && byte <= 'Z') ||
            (byte >= 'a' && byte <= 'z') || byte == '-' || byte == '_' || byte == '.') {
            encoded += c;
        } else {
            encoded += '%';
            encoded += k_hex[byte >> 4];
            encoded += k_hex[byte & 0x0f];
        }
    }
    return encoded;
}

std::string where(const std::filesystem::path& file, const YAML::Node& node) {
    const auto mark = node.Mark();
    return file.string() + ":" + std::to_string(mark.line + 1) + ":" +
           std::to_string(mark.column + 1);
}

} // namespace

tl::expected<Carriers, std::string> Carriers::load(const std::filesystem::path& file) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(file.string());
    } catch (const YAML::BadFile&) {
        return tl::unexpected("cannot read " + file.string() +
                              "; install the shipped carriers.yaml beside musubi.yaml");
    } catch (const YAML::Exception& error) {
        return tl::unexpected(file.string() + ": " + error.what() + "; fix the YAML");
    }
    const YAML::Node list = root["carriers"];
    if (!list || !list.IsMap()) {
        return tl::unexpected(file.string() +
                              ": expected a map 'carriers:' of delivery company codes, e.g. "
                              "carriers: {\"1001\": {name: ヤマト運輸, tracking_url: …}}");
    }
    std::map<std::string, Carrier> by_code;
    for (const auto& entry : list) {
        const auto code = entry.first.as<std::string>();
        const YAML::Node& value = entry.second;
        if (!value.IsMap() || !value["name"] || !value["name"].IsScalar()) {
            return tl::unexpected(where(file, value) + ": carrier '" + code +
                                  "' needs {name: …, tracking_url: …}");
        }
        for (const auto& key : value) {
            const auto name = key.first.as<std::string>();
            if (name != "name" && name != "tracking_url") {
                return tl::unexpected(where(file, key.first) + ": unknown key '" + name +
                                      "' in carrier '" + code + "'; valid: name, tracking_url");
            }
        }
        Carrier carrier{value["name"].as<std::string>(),
                        value["tracking_url"] ? value["tracking_url"].as<std::string>() : ""};
        if (!carrier.tracking_url.empty() && carrier.tracking_url.rfind("https://", 0) != 0 &&
            carrier.tracking_url.rfind("http://", 0) != 0) {
            return tl::unexpected(where(file, value["tracking_url"]) + ": tracking_url of '" +
                                  code + "' must start with https://");
        }
        by_code.emplace(code, std::move(carrier));
    }
    return Carriers(std::move(by_code));
}

const Carrier* Carriers::find(const std::string& code) const {
    const auto found = m_by_code.find(code);
    return found == m_by_code.end() ? nullptr : &found->second;
}

std::string Carriers::tracking_url(const std::string& code,
                                   const std::string& tracking_number) const {
    const Carrier* carrier = find(code);
    if (carrier == nullptr) {
        return "";
    }
    std::string url = carrier->tracking_url;
    const auto at = url.find(k_placeholder);
    if (at != std::string::npos) {
        url.replace(at, k_placeholder.size(), percent_encode(tracking_number));
    }
    return url;
}

} // namespace musubi::rakuten_poller
