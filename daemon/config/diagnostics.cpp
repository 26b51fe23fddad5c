#include "daemon/config/diagnostics.hpp"

namespace musubi::config {

std::string Diagnostic::to_string() const {
    std::string text = where.file;
    if (where.line > 0) {
        text += ':' + std::to_string(where.line) + ':' + std::to_string(where.column);
    }
    text += ": " + message;
    if (!hint.empty()) {
        text += "; " + hint;
    }
    return text;
}

void Diagnostics::add(Position where, std::string message, std::string hint) {
    m_items.push_back({std::move(where), std::move(message), std::move(hint)});
}

std::string Diagnostics::to_string() const {
    std::string text;
    for (const auto& item : m_items) {
        text += item.to_string();
        text += '\n';
    }
    return text;
}

} // namespace musubi::config
