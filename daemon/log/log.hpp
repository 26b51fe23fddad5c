#pragma once
// Logging: one line per event, `event=<name>` followed by key=value fields (or one JSON
// object). No timestamps under systemd, where journald adds its own; a syslog priority prefix
// there instead, so `journalctl -p warning` works.
//
// Privacy and secrets: a value that is a secret or a buyer's personal data must go through
// log::secret() or log::personal(), which print a placeholder. As a second line of defence,
// every secret loaded from the configuration is registered with add_redaction(), and the sink
// scrubs it from any line that still contains it.

#include <chrono>
#include <concepts>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/common.h>
#include <spdlog/sinks/sink.h>

#include "daemon/config/config.hpp"

namespace spdlog {
class logger;
}

namespace musubi::log {

struct Field {
    std::string key;
    std::string value;

    Field(std::string_view k, std::string_view v)
        : key(k)
        , value(v) {}
    Field(std::string_view k, const char* v)
        : key(k)
        , value(v) {}
    Field(std::string_view k, const std::string& v)
        : key(k)
        , value(v) {}
    Field(std::string_view k, const std::filesystem::path& v)
        : key(k)
        , value(v.string()) {}
    Field(std::string_view k, bool v)
        : key(k)
        , value(v ? "true" : "false") {}
    template <std::integral I>
    Field(std::string_view k, I v)
        : key(k)
        , value(std::to_string(v)) {}
    Field(std::string_view k, std::chrono::milliseconds v)
        : key(k)
        , value(config::format_duration(v)) {}
};

// A secret value never reaches the log; only the fact that it is there.
Field secret(std::string_view key, const config::Secret& value);
// Personal data (names, phone numbers, addresses, e-mail) never reaches the log.
Field personal(std::string_view key, std::string_view value);

// Where lines go. The default writes to stdout; tests give a stream of their own.
struct Output {
    std::shared_ptr<spdlog::sinks::sink> sink; // nullptr: stdout
};

// Applies format, levels and timestamps; may be called again on reload.
void setup(const config::LogConfig& config, Output output = {});
// Registers a value that must never appear in a log line (values under 4 characters ignored).
void add_redaction(const std::string& value);
// True when stdout is connected to journald (systemd sets JOURNAL_STREAM).
bool under_journald();

// "key=value" text of fields, quoted where needed (exposed for tests and the CLI).
std::string format_key_values(std::string_view event, std::initializer_list<Field> fields);

class Logger {
public:
    // `name` as shown in lines, e.g. "store", "rakuten:shop1"; its level comes from
    // log.levels by the part before ':'.
    explicit Logger(std::string name);

    void debug(std::string_view event, std::initializer_list<Field> fields = {}) const;
    void info(std::string_view event, std::initializer_list<Field> fields = {}) const;
    void warn(std::string_view event, std::initializer_list<Field> fields = {}) const;
    void error(std::string_view event, std::initializer_list<Field> fields = {}) const;

private:
    void write(spdlog::level::level_enum level, std::string_view event,
               std::initializer_list<Field> fields) const;
    std::shared_ptr<spdlog::logger> m_logger;
};

} // namespace musubi::log
