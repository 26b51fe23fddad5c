#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "daemon/config/section.hpp"

namespace musubi::config {

namespace {

// "${CREDENTIALS_DIRECTORY}/line_token" → the systemd credentials folder;
// "${CREDENTIALS_DIRECTORY:-secrets}/line_token" falls back to "secrets" outside systemd.
// Unset names without a fallback stay as written, so "cannot read" shows what was meant.
std::string expand_environment(const std::string& text) {
    std::string result;
    std::size_t position = 0;
    while (position < text.size()) {
        const auto start = text.find("${", position);
        const auto end = start == std::string::npos ? start : text.find('}', start);
        if (end == std::string::npos) {
            result += text.substr(position);
            break;
        }
        result += text.substr(position, start - position);
        std::string name = text.substr(start + 2, end - start - 2);
        std::optional<std::string> fallback;
        if (const auto separator = name.find(":-"); separator != std::string::npos) {
            fallback = name.substr(separator + 2);
            name.resize(separator);
        }
        const char* value = std::getenv(name.c_str());
        if (value != nullptr && *value != '\0') {
            result += value;
        } else {
            result += fallback.value_or(text.substr(start, end - start + 1));
        }
        position = end + 1;
    }
    return result;
}

} // namespace

bool read_secret(const YAML::Node& map, const std::string& key, const std::string& env_name,
                 Secret& out, const ReadContext& context) {
    out = Secret{};
    const YAML::Node inline_node = map.IsMap() ? map[key] : YAML::Node();
    const YAML::Node file_node = map.IsMap() ? map[key + "_file"] : YAML::Node();
    const bool has_inline = inline_node.IsDefined() && !inline_node.IsNull();
    const bool has_file = file_node.IsDefined() && !file_node.IsNull();
    if (has_inline && has_file) {
        context.error(file_node, "both '" + key + "' and '" + key + "_file' are set",
                      "keep only one of them");
        return false;
    }
    if (const char* env_value = std::getenv(env_name.c_str());
        env_value != nullptr && *env_value != '\0') {
        out = Secret(env_value, "env " + env_name);
        return true;
    }
    if (has_inline) {
        if (!inline_node.IsScalar() || inline_node.Scalar().empty()) {
            context.error(inline_node, "'" + key + "' must be the secret as one line of text",
                          "write the value in quotes, or put it in a file and use '" + key +
                              "_file: /path'");
            return false;
        }
        out = Secret(inline_node.Scalar(), "inline");
        return true;
    }
    if (has_file) {
        if (!file_node.IsScalar() || file_node.Scalar().empty()) {
            context.error(file_node, "'" + key + "_file' must be a file path",
                          "write e.g. '" + key + "_file: /etc/musubi/secrets/" + key + "'");
            return false;
        }
        std::filesystem::path path(expand_environment(file_node.Scalar()));
        if (path.is_relative()) {
            path = context.base_dir / path;
        }
        std::ifstream file(path, std::ios::binary);
        std::ostringstream content;
        if (!file || !(content << file.rdbuf())) {
            context.error(file_node, "cannot read the secret file '" + path.string() + "'",
                          "create it with the secret on one line, readable by the musubi "
                          "service, or write the path of an existing file");
            return false;
        }
        std::string value = content.str();
        while (!value.empty() && (value.back() == '\n' || value.back() == '\r' ||
                                  value.back() == ' ' || value.back() == '\t')) {
            value.pop_back();
        }
        if (value.empty()) {
            context.error(file_node, "the secret file '" + path.string() + "' is empty",
                          "put the secret on the first line of the file");
            return false;
        }
        out = Secret(std::move(value), "file " + path.string());
        return true;
    }
    return true;
}

} // namespace musubi::config
