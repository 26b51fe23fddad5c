#include "unicode_count.hpp"

#include <memory>
#include <stdexcept>
#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>

namespace musubi::sim::line::unicode {

namespace {

icu::UnicodeString to_icu(std::string_view utf8) {
    return icu::UnicodeString::fromUTF8(
        icu::StringPiece(utf8.data(), static_cast<std::int32_t>(utf8.size())));
}

} // namespace

std::size_t utf16_units(std::string_view utf8) {
    return static_cast<std::size_t>(to_icu(utf8).length());
}

std::size_t code_points(std::string_view utf8) {
    auto text = to_icu(utf8);
    return static_cast<std::size_t>(text.countChar32());
}

std::size_t grapheme_clusters(std::string_view utf8) {
    auto text = to_icu(utf8);
    if (text.isEmpty()) {
        return 0;
    }
    UErrorCode status = U_ZERO_ERROR;
    // A BreakIterator is not thread-safe; the simulator serves requests on several threads.
    thread_local std::unique_ptr<icu::BreakIterator> iterator(
        icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
    if (U_FAILURE(status) || !iterator) {
        throw std::runtime_error(std::string("ICU character break iterator: ") +
                                 u_errorName(status));
    }
    iterator->setText(text);
    std::size_t clusters = 0;
    iterator->first();
    while (iterator->next() != icu::BreakIterator::DONE) {
        ++clusters;
    }
    return clusters;
}

} // namespace musubi::sim::line::unicode
