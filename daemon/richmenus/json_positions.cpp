#include "daemon/richmenus/json_positions.hpp"

#include <vector>

namespace musubi::richmenus {

namespace {

// A JSON pointer token escapes '~' and '/' (RFC 6901).
std::string pointer_token(std::string_view key) {
    std::string token;
    for (char c : key) {
        if (c == '~') {
            token += "~0";
        } else if (c == '/') {
            token += "~1";
        } else {
            token += c;
        }
    }
    return token;
}

class Scanner {
public:
    Scanner(std::string_view text, std::map<std::string, std::size_t>& offsets)
        : m_text(text)
        , m_offsets(offsets) {}

    void value(const std::string& pointer) {
        skip_space();
        if (m_at >= m_text.size()) {
            return;
        }
        const char c = m_text[m_at];
        if (c == '{') {
            object(pointer);
        } else if (c == '[') {
            array(pointer);
        } else if (c == '"') {
            string();
        } else {
            // number, true, false, null: up to the next delimiter
            while (m_at < m_text.size() && m_text[m_at] != ',' && m_text[m_at] != '}' &&
                   m_text[m_at] != ']' && !is_space(m_text[m_at])) {
                ++m_at;
            }
        }
    }

private:
    static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

    void skip_space() {
        while (m_at < m_text.size() && is_space(m_text[m_at])) {
            ++m_at;
        }
    }

    // Returns the raw key text (escapes other than \" and \\ are kept as written; keys of a
    // rich-menu definition are plain ASCII).
    std::string string() {
        std::string out;
        ++m_at; // opening quote
        while (m_at < m_text.size() && m_text[m_at] != '"') {
            if (m_text[m_at] == '\\' && m_at + 1 < m_text.size()) {
                ++m_at;
            }
            out += m_text[m_at];
            ++m_at;
        }
        ++m_at; // closing quote
        return out;
    }

    void object(const std::string& pointer) {
        ++m_at; // {
        while (true) {
            skip_space();
            if (m_at >= m_text.size() || m_text[m_at] == '}') {
                ++m_at;
                return;
            }
            if (m_text[m_at] != '"') {
                m_at = m_text.size(); // not valid JSON: stop
                return;
            }
            const std::size_t key_at = m_at;
            const std::string child = pointer + "/" + pointer_token(string());
            m_offsets.emplace(child, key_at);
            skip_space();
            ++m_at; // :
            value(child);
            skip_space();
            if (m_at < m_text.size() && m_text[m_at] == ',') {
                ++m_at;
            }
        }
    }

    void array(const std::string& pointer) {
        ++m_at; // [
        for (std::size_t index = 0;; ++index) {
            skip_space();
            if (m_at >= m_text.size() || m_text[m_at] == ']') {
                ++m_at;
                return;
            }
            const std::string child = pointer + "/" + std::to_string(index);
            m_offsets.emplace(child, m_at);
            value(child);
            skip_space();
            if (m_at < m_text.size() && m_text[m_at] == ',') {
                ++m_at;
            }
        }
    }

    std::string_view m_text;
    std::size_t m_at = 0;
    std::map<std::string, std::size_t>& m_offsets;
};

} // namespace

TextPlace place_of(std::string_view text, std::size_t offset) {
    TextPlace place{1, 1};
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte == '\n') {
            ++place.line;
            place.column = 1;
        } else if ((byte & 0xC0) != 0x80) { // not a UTF-8 continuation byte
            ++place.column;
        }
    }
    return place;
}

JsonPositions::JsonPositions(std::string_view text) {
    std::map<std::string, std::size_t> offsets;
    std::size_t start = 0;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        start = 3; // a byte-order mark is not part of the JSON
    }
    Scanner scanner(text.substr(start), offsets);
    scanner.value("");
    for (const auto& [pointer, offset] : offsets) {
        TextPlace place = place_of(text, offset + start);
        if (start > 0 && place.line == 1) {
            --place.column; // the mark is no character an editor shows
        }
        m_places.emplace(pointer, place);
    }
}

TextPlace JsonPositions::at(const std::string& pointer) const {
    std::string current = pointer;
    while (!current.empty()) {
        if (auto found = m_places.find(current); found != m_places.end()) {
            return found->second;
        }
        current.erase(current.rfind('/'));
    }
    return {1, 1};
}

} // namespace musubi::richmenus
