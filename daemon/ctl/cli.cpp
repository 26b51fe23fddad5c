#include "daemon/ctl/cli.hpp"

#include <algorithm>

namespace musubi::ctl {

std::optional<std::string> Arguments::value(const std::string& option) const {
    const auto found = values.find(option);
    if (found == values.end() || found->second.empty()) {
        return std::nullopt;
    }
    return found->second.back();
}

std::vector<std::string> Arguments::all(const std::string& option) const {
    const auto found = values.find(option);
    return found == values.end() ? std::vector<std::string>() : found->second;
}

bool Arguments::flag(const std::string& option) const {
    return std::find(flags.begin(), flags.end(), option) != flags.end();
}

int Context::fail(int code, const std::string& message) const {
    err << "musubictl: " << message << '\n';
    if (json) {
        out << nlohmann::json{{"error", message}, {"exit_code", code}}.dump(2) << '\n';
    }
    return code;
}

int Context::store_failed(const store::StoreError& error) const {
    return fail(k_exit_store, "the store failed: " + error.to_string());
}

int Context::emit(const nlohmann::json& document, int code) const {
    out << document.dump(2) << '\n';
    return code;
}

} // namespace musubi::ctl
