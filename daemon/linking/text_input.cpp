#include "daemon/linking/text_input.hpp"

#include <array>
#include <cctype>
#include <string>
#include <vector>

#include "connectors/rakuten/order_number.hpp"

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

// Reads the run of digits at `at` (possibly empty) and moves past it.
std::string read_run(const std::string& text, std::size_t& at) {
    const std::size_t from = at;
    while (at < text.size() && is_digit(text[at])) {
        ++at;
    }
    return text.substr(from, at - from);
}

// The optional separator between the groups of an order number: " *-? *". True when it
// consumed something and a digit follows (so that the runs on either side are separate).
bool skip_separator(const std::string& text, std::size_t& at) {
    std::size_t next = at;
    while (next < text.size() && text[next] == ' ') {
        ++next;
    }
    if (next < text.size() && text[next] == '-') {
        ++next;
    }
    while (next < text.size() && text[next] == ' ') {
        ++next;
    }
    if (next == at || next >= text.size() || !is_digit(text[next])) {
        return false;
    }
    at = next;
    return true;
}

// The canonical order number that `runs` of digits spell when read as shop id, date and
// sequence, with every break between runs falling between two groups (a group may be split
// from the next by a separator or not: phone keyboards that only have digits).
std::optional<std::string> as_order_number(const std::vector<std::string>& runs) {
    std::string digits;
    std::vector<std::size_t> breaks;
    for (const auto& run : runs) {
        if (!digits.empty()) {
            breaks.push_back(digits.size());
        }
        digits += run;
    }
    constexpr std::size_t shop = rakuten::k_order_shop_digits;
    constexpr std::size_t date_end = shop + rakuten::k_order_date_digits;
    for (const std::size_t sequence :
         {rakuten::k_order_sequence_digits_now, rakuten::k_order_sequence_digits_old}) {
        if (digits.size() != date_end + sequence) {
            continue;
        }
        bool fits = true;
        for (const std::size_t at : breaks) {
            fits = fits && (at == shop || at == date_end);
        }
        const std::string number = digits.substr(0, shop) + "-" +
                                   digits.substr(shop, rakuten::k_order_date_digits) + "-" +
                                   digits.substr(date_end);
        if (fits && rakuten::is_order_number(number)) {
            return number;
        }
    }
    return std::nullopt;
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
    // place where a run of digits starts is tried once, and a try reads at most three runs
    // and the separators between them, so the scan is linear in the text.
    //
    // The shape is rakuten::is_order_number's: a 10-digit sequence today, 8 in RMS's older
    // numbers. The longest reading wins (three runs before two before one), so the phone
    // digits typed after an order number are not taken for part of it.
    const std::string normalized = normalize_input(text);
    for (std::size_t start = 0; start < normalized.size(); ++start) {
        if (!is_digit(normalized[start]) || (start > 0 && is_digit(normalized[start - 1]))) {
            continue;
        }
        std::size_t at = start;
        std::vector<std::string> runs;
        std::vector<std::size_t> ends;
        runs.push_back(read_run(normalized, at));
        ends.push_back(at);
        while (runs.size() < 3 && skip_separator(normalized, at)) {
            runs.push_back(read_run(normalized, at));
            ends.push_back(at);
        }
        for (std::size_t count = runs.size(); count > 0; --count) {
            const std::vector<std::string> head(runs.begin(),
                                                runs.begin() + static_cast<std::ptrdiff_t>(count));
            if (const auto number = as_order_number(head)) {
                FoundOrderNumber found;
                found.order_number = *number;
                found.rest = normalized.substr(0, start) + " " + normalized.substr(ends[count - 1]);
                return found;
            }
        }
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
