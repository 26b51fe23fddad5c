#pragma once
// Configuration errors in Japanese for store staff whose locale says Japanese.
//
// The loader writes every diagnostic in English (its callers keep using
// `context.error(where, message, hint)` unchanged); this layer recognises the English shapes
// at render time and rewrites them. Names staff typed (keys, values, file names) are kept
// exactly as they appear in the English text, and the "file:line:col: " prefix never changes.
// A message or hint whose shape is not recognised is shown in English, so a new message is
// never lost; tests/unit/config/messages_ja_test.cpp produces the common mistakes through the
// real loader and fails when one of them is no longer recognised.

#include <optional>
#include <string>
#include <string_view>

namespace musubi::config {

struct Diagnostic;

enum class Language { english, japanese };

// POSIX order: LC_ALL, else LC_MESSAGES, else LANG (the first that is set and not empty);
// Japanese when it starts with "ja" (ja, ja_JP, ja_JP.UTF-8).
Language language_from_locale(const char* lc_all, const char* lc_messages, const char* lang);
Language language_from_environment();

// The Japanese text of one English message or hint, or nothing when its shape is unknown.
std::optional<std::string> message_in_japanese(std::string_view english);
std::optional<std::string> hint_in_japanese(std::string_view english);

// "file:line:col: <message>。<hint>" with whatever could be translated in Japanese.
std::string to_japanese(const Diagnostic& diagnostic);

// True when both the message and the hint (if any) have a Japanese text.
bool fully_translated(const Diagnostic& diagnostic);

// "5 errors in the configuration; nothing was changed or started" in the given language.
std::string summary_line(std::size_t error_count, Language language);

} // namespace musubi::config
