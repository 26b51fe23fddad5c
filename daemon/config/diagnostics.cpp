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

std::string Diagnostic::to_string(Language language) const {
    return language == Language::japanese ? to_japanese(*this) : to_string();
}

void Diagnostics::add(Position where, std::string message, std::string hint) {
    m_items.push_back({std::move(where), std::move(message), std::move(hint)});
}

std::string Diagnostics::to_string() const {
    return to_string(Language::english); // programs choose the reader's language (musubid_app)
}

std::string Diagnostics::to_string(Language language) const {
    std::string text;
    for (const auto& item : m_items) {
        text += item.to_string(language);
        text += '\n';
    }
    return text;
}

} // namespace musubi::config
