#include "daemon/linking/text_input.hpp"

#include <array>
#include <cctype>
#include <regex>

namespace musubi::linking {

namespace {

struct Replacement {
    std::string_view from;
    char to;
};

// UTF-8 spellings of what friends type for '-' and ' '.
constexpr std::array<Replacement, 11> k_replacements{{
    {"\xEF\xBC\x8D", '-'}, // － FULLWIDTH HYPHEN-MINUS
    {"\xE3\x83\xBC", '-'}, // ー KATAKANA-HIRAGANA PROLONGED SOUND MARK
    {"\xEF\xBD\xB0", '-'}, // ｰ HALFWIDTH PROLONGED SOUND MARK
    {"\xE2\x80\x90", '-'}, // ‐ HYPHEN
    {"\xE2\x80\x91", '-'}, // ‑ NON-BREAKING HYPHEN
    {"\xE2\x80\x92", '-'}, // ‒ FIGURE DASH
    {"\xE2\x80\x93", '-'}, // – EN DASH
    {"\xE2\x80\x94", '-'}, // — EM DASH
    {"\xE2\x88\x92", '-'}, // − MINUS SIGN
    {"\xE3\x80\x80", ' '}, // IDEOGRAPHIC SPACE
    {"\xC2\xA0", ' '},     // NO-BREAK SPACE
}};

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

} // namespace

std::string normalize_input(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        // Full-width digits U+FF10..U+FF19 are EF BC 90..99 in UTF-8.
        if (c == 0xEF && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xBC) {
            const auto last = static_cast<unsigned char>(text[i + 2]);
            if (last >= 0x90 && last <= 0x99) {
                out += static_cast<char>('0' + (last - 0x90));
                i += 3;
                continue;
            }
        }
        bool replaced = false;
        for (const auto& replacement : k_replacements) {
            if (text.substr(i, replacement.from.size()) == replacement.from) {
                out += replacement.to;
                i += replacement.from.size();
                replaced = true;
                break;
            }
        }
        if (!replaced) {
            out += is_space(text[i]) ? ' ' : text[i];
            ++i;
        }
    }
    return out;
}

std::string trim(std::string_view text) {
    const std::string normalized = normalize_input(text);
    const auto begin = normalized.find_first_not_of(' ');
    if (begin == std::string::npos) {
        return {};
    }
    return normalized.substr(begin, normalized.find_last_not_of(' ') - begin + 1);
}

std::optional<FoundOrderNumber> find_order_number(std::string_view text) {
    static const std::regex k_pattern("([0-9]{6}) *-? *([0-9]{8}) *-? *([0-9]{10})(?![0-9])");
    const std::string normalized = normalize_input(text);
    auto begin = normalized.cbegin();
    std::smatch match;
    while (std::regex_search(begin, normalized.cend(), match, k_pattern)) {
        const auto start = match[0].first;
        if (start == normalized.cbegin() ||
            !std::isdigit(static_cast<unsigned char>(*(start - 1)))) {
            FoundOrderNumber found;
            found.order_number = match[1].str() + "-" + match[2].str() + "-" + match[3].str();
            found.rest = std::string(normalized.cbegin(), start) + " " +
                         std::string(match[0].second, normalized.cend());
            return found;
        }
        begin = start + 1;
    }
    return std::nullopt;
}

std::optional<std::string> phone_last4(std::string_view text) {
    std::string digits;
    for (const char c : normalize_input(text)) {
        if (c >= '0' && c <= '9') {
            digits += c;
        } else if (c != ' ' && c != '-') {
            return std::nullopt;
        }
    }
    if (digits.size() == 4 || ((digits.size() == 10 || digits.size() == 11) && digits[0] == '0')) {
        return digits.substr(digits.size() - 4);
    }
    return std::nullopt;
}

} // namespace musubi::linking
