#include "daemon/templates/text_count.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>

namespace musubi::templates {

namespace {

bool is_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0x80u) == 0; });
}

// One character BreakIterator per thread: creating one loads ICU's rules, and an iterator
// may not be shared between threads (templates are rendered from several at once).
icu::BreakIterator* character_breaks() {
    thread_local const std::unique_ptr<icu::BreakIterator> iterator = [] {
        UErrorCode status = U_ZERO_ERROR;
        std::unique_ptr<icu::BreakIterator> created(
            icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
        return U_SUCCESS(status) ? std::move(created) : nullptr;
    }();
    return iterator.get();
}

} // namespace

std::size_t utf16_length(std::string_view utf8) {
    if (is_ascii(utf8)) {
        return utf8.size();
    }
    const auto text = icu::UnicodeString::fromUTF8(
        icu::StringPiece(utf8.data(), static_cast<std::int32_t>(utf8.size())));
    return static_cast<std::size_t>(text.length());
}

std::size_t grapheme_count(std::string_view utf8) {
    if (is_ascii(utf8)) {
        // In ASCII only CR LF is a cluster of two characters.
        std::size_t count = utf8.size();
        for (std::size_t i = 0; i + 1 < utf8.size(); ++i) {
            if (utf8[i] == '\r' && utf8[i + 1] == '\n') {
                --count;
            }
        }
        return count;
    }
    // ICU reads the UTF-8 in place through a UText; no UTF-16 copy is made.
    UErrorCode status = U_ZERO_ERROR;
    const std::unique_ptr<UText, UText* (*)(UText*)> text(
        utext_openUTF8(nullptr, utf8.data(), static_cast<std::int64_t>(utf8.size()), &status),
        &utext_close);
    auto* breaks = character_breaks();
    if (breaks != nullptr && U_SUCCESS(status)) {
        breaks->setText(text.get(), status);
    }
    if (breaks == nullptr || U_FAILURE(status)) {
        // ICU without its data: count code points rather than fail (never fewer clusters).
        return static_cast<std::size_t>(
            icu::UnicodeString::fromUTF8(
                icu::StringPiece(utf8.data(), static_cast<std::int32_t>(utf8.size())))
                .countChar32());
    }
    std::size_t clusters = 0;
    for (auto boundary = breaks->first(); boundary != icu::BreakIterator::DONE;
         boundary = breaks->next()) {
        clusters += boundary > 0 ? 1 : 0; // every boundary after the start ends a cluster
    }
    return clusters;
}

std::string with_thousands(std::size_t number) {
    const auto digits = std::to_string(number);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out += ',';
        }
        out += digits[i];
    }
    return out;
}

} // namespace musubi::templates
