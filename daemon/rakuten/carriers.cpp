#include "daemon/rakuten/carriers.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

#include <yaml-cpp/yaml.h>

namespace musubi::rakuten_poller {

namespace {

constexpr const char* k_url_example =
    "https://jizen.kuronekoyamato.co.jp/jizen/servlet/crjz.b.NQ0010?id={tracking_number}";

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

config::Position position(const std::filesystem::path& file, const YAML::Node& node) {
    const auto mark = node.Mark();
    if (mark.is_null()) {
        return {file.string(), 0, 0};
    }
    return {file.string(), mark.line + 1, mark.column + 1};
}

bool host_character(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == ':' || c == '[' || c == ']';
}

// What is wrong with the URL's shape (not the placeholder), or "".
std::string url_shape_problem(const std::string& url) {
    std::string rest;
    if (url.rfind("https://", 0) == 0) {
        rest = url.substr(8);
    } else if (url.rfind("http://", 0) == 0) {
        rest = url.substr(7);
    } else {
        return "it does not start with https://";
    }
    for (const char c : url) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte == 0x7f) {
            return "it contains a space or a control character";
        }
        if (byte >= 0x80) {
            return "it contains non-ASCII characters (percent-encode them)";
        }
        if (c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' || c == '|') {
            return std::string("it contains the character ") + c;
        }
    }
    const auto host_end = rest.find_first_of("/?#");
    const std::string host = rest.substr(0, host_end);
    if (host.empty() || host.find('.') == std::string::npos) {
        return "it has no host name after https://";
    }
    for (const char c : host) {
        if (!host_character(c)) {
            return "its host name '" + host + "' is not a host name";
        }
    }
    return "";
}

// Braces other than the one placeholder: a misspelt placeholder stays in the link as it is.
bool has_other_braces(const std::string& url) {
    std::string without = url;
    for (auto at = without.find(k_tracking_placeholder); at != std::string::npos;
         at = without.find(k_tracking_placeholder)) {
        without.erase(at, k_tracking_placeholder.size());
    }
    return without.find_first_of("{}") != std::string::npos;
}

std::size_t count_placeholders(const std::string& url) {
    std::size_t count = 0;
    for (auto at = url.find(k_tracking_placeholder); at != std::string::npos;
         at = url.find(k_tracking_placeholder, at + 1)) {
        ++count;
    }
    return count;
}

} // namespace

std::optional<TrackingUrlProblem> check_tracking_url(const std::string& code,
                                                     const std::string& url, bool search_page) {
    const std::string what = "tracking_url of carrier '" + code + "'";
    if (const auto shape = url_shape_problem(url); !shape.empty()) {
        return TrackingUrlProblem{what + " is not a well-formed URL: " + shape,
                                  std::string("write the carrier's tracking page as a URL, e.g. ") +
                                      k_url_example};
    }
    if (has_other_braces(url)) {
        return TrackingUrlProblem{what + " has a placeholder other than {tracking_number}",
                                  "write the placeholder exactly as {tracking_number}"};
    }
    const std::size_t placeholders = count_placeholders(url);
    if (search_page && placeholders > 0) {
        return TrackingUrlProblem{
            what + " has {tracking_number} but the entry says search_page: true",
            "remove 'search_page: true' (the link opens the parcel's own page) or remove "
            "{tracking_number} from the URL"};
    }
    if (!search_page && placeholders == 0) {
        return TrackingUrlProblem{
            what + " has no {tracking_number}",
            std::string("put {tracking_number} where the parcel's number goes, e.g. ") +
                k_url_example +
                ", or add 'search_page: true' if the carrier has no page per "
                "parcel"};
    }
    if (placeholders > 1) {
        return TrackingUrlProblem{what + " has {tracking_number} more than once",
                                  "keep one {tracking_number}"};
    }
    return std::nullopt;
}

tl::expected<Carriers, config::Diagnostics> Carriers::load(const std::filesystem::path& file) {
    config::Diagnostics problems;
    YAML::Node root;
    {
        std::ifstream probe(file);
        if (!probe) {
            const std::string reason = std::strerror(errno);
            problems.add({file.string(), 0, 0}, "cannot read the file (" + reason + ")",
                         "check the path and that the musubi service may read it");
            return tl::unexpected(problems);
        }
    }
    try {
        root = YAML::LoadFile(file.string());
    } catch (const YAML::ParserException& error) {
        problems.add({file.string(), error.mark.line + 1, error.mark.column + 1},
                     "this is not valid YAML (" + error.msg + ")",
                     "check the indentation (spaces, not tabs) and put text that contains ': ' "
                     "or ' #' in quotes");
        return tl::unexpected(problems);
    } catch (const YAML::Exception& error) {
        problems.add({file.string(), 0, 0}, "this is not valid YAML (" + error.msg + ")",
                     "check the indentation (spaces, not tabs) and put text that contains ': ' "
                     "or ' #' in quotes");
        return tl::unexpected(problems);
    }
    const YAML::Node list = root["carriers"];
    if (!list || !list.IsMap()) {
        problems.add(position(file, list ? list : root),
                     "missing required key 'carriers' in 'carriers.yaml'",
                     "start the file with 'carriers:' and one entry per delivery company code "
                     "below it");
        return tl::unexpected(problems);
    }
    std::map<std::string, Carrier> by_code;
    for (const auto& entry : list) {
        const auto code = entry.first.as<std::string>();
        const std::string section = "carriers." + code;
        const YAML::Node& value = entry.second;
        if (!value.IsMap()) {
            problems.add(position(file, value),
                         "expected the '" + section + "' settings as a mapping, found " +
                             (value.IsSequence() ? "a list" : "a single value"),
                         "write one \"key: value\" per line below '" + code + ":'");
            continue;
        }
        Carrier carrier;
        bool ok = true;
        for (const auto& key : value) {
            const auto name = key.first.as<std::string>();
            if (name == "name" && key.second.IsScalar()) {
                carrier.name = key.second.as<std::string>();
            } else if (name == "tracking_url" && key.second.IsScalar()) {
                carrier.tracking_url = key.second.as<std::string>();
            } else if (name == "search_page" && key.second.IsScalar()) {
                const auto flag = key.second.as<std::string>();
                if (flag == "true" || flag == "false") {
                    carrier.search_page = flag == "true";
                } else {
                    problems.add(position(file, key.second), "'" + flag + "' is not true or false",
                                 "write true or false");
                    ok = false;
                }
            } else if (name == "name" || name == "tracking_url" || name == "search_page") {
                problems.add(position(file, key.second),
                             "expected a text, found " +
                                 std::string(key.second.IsSequence()
                                                 ? "a list"
                                                 : "a mapping (key: value lines)"),
                             "write a value after the colon");
                ok = false;
            } else {
                problems.add(position(file, key.first),
                             "unknown key '" + name + "' in '" + section + "'",
                             "valid keys are: name, tracking_url, search_page");
                ok = false;
            }
        }
        if (carrier.name.empty()) {
            problems.add(position(file, value), "missing required key 'name' in '" + section + "'",
                         "add a line 'name: <text>'");
            ok = false;
        }
        if (!carrier.tracking_url.empty()) {
            if (auto problem =
                    check_tracking_url(code, carrier.tracking_url, carrier.search_page)) {
                problems.add(position(file, value["tracking_url"]), problem->message,
                             problem->hint);
                ok = false;
            }
        }
        if (ok) {
            by_code.emplace(code, std::move(carrier));
        }
    }
    if (!problems.empty()) {
        return tl::unexpected(problems);
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
    const auto at = url.find(k_tracking_placeholder);
    if (at != std::string::npos) {
        url.replace(at, k_tracking_placeholder.size(), percent_encode(tracking_number));
    }
    return url;
}

} // namespace musubi::rakuten_poller
