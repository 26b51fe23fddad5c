#include "daemon/linking/text_input.hpp"

#include <array>
#include <cctype>
#include <string>

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

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Reads exactly `count` digits at `at` into `out`.
bool read_digits(const std::string& text, std::size_t& at, std::size_t count, std::string& out) {
    if (text.size() - at < count) {
        return false;
    }
    for (std::size_t i = 0; i < count; ++i) {
        if (!is_digit(text[at + i])) {
            return false;
        }
    }
    out = text.substr(at, count);
    at += count;
    return true;
}

// The optional separator between the groups of an order number: " *-? *". Always succeeds.
bool skip_separator(const std::string& text, std::size_t& at) {
    while (at < text.size() && text[at] == ' ') {
        ++at;
    }
    if (at < text.size() && text[at] == '-') {
        ++at;
    }
    while (at < text.size() && text[at] == ' ') {
        ++at;
    }
    return true;
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
    // A hand-written scan rather than std::regex: libstdc++'s regex backtracks, and the
    // pattern " *-? *" after six digits made "123456" followed by 4,990 spaces (one LINE
    // message) cost 3.5 s of the webhook worker (found while fuzzing, tests/fuzz). Each
    // place where a run of digits starts is tried once, and a try reads no further than its
    // 24 digits and the separators between them, so the scan is linear in the text.
    const std::string normalized = normalize_input(text);
    for (std::size_t start = 0; start < normalized.size(); ++start) {
        if (!is_digit(normalized[start]) || (start > 0 && is_digit(normalized[start - 1]))) {
            continue;
        }
        std::size_t at = start;
        std::string groups[3];
        if (!read_digits(normalized, at, 6, groups[0]) || !skip_separator(normalized, at) ||
            !read_digits(normalized, at, 8, groups[1]) || !skip_separator(normalized, at) ||
            !read_digits(normalized, at, 10, groups[2])) {
            continue;
        }
        if (at < normalized.size() && is_digit(normalized[at])) {
            continue; // part of a longer run of digits
        }
        FoundOrderNumber found;
        found.order_number = groups[0] + "-" + groups[1] + "-" + groups[2];
        found.rest = normalized.substr(0, start) + " " + normalized.substr(at);
        return found;
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
