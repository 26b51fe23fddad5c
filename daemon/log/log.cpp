#include "daemon/log/log.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace musubi::log {

namespace {

constexpr const char* k_placeholder = "[redacted]";

// journald reads a "<N>" prefix as the line's syslog priority.
class JournalPriorityFlag : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& message, const std::tm&,
                spdlog::memory_buf_t& destination) override {
        const char* prefix = "<6>";
        switch (message.level) {
        case spdlog::level::trace:
        case spdlog::level::debug:
            prefix = "<7>";
            break;
        case spdlog::level::warn:
            prefix = "<4>";
            break;
        case spdlog::level::err:
            prefix = "<3>";
            break;
        case spdlog::level::critical:
            prefix = "<2>";
            break;
        default:
            break;
        }
        destination.append(prefix, prefix + 3);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<JournalPriorityFlag>();
    }
};

// Replaces every registered secret in a line before it reaches the real sink.
class RedactingSink : public spdlog::sinks::base_sink<std::mutex> {
public:
    void set_inner(std::shared_ptr<spdlog::sinks::sink> inner) {
        std::lock_guard lock(mutex_);
        m_inner = std::move(inner);
    }
    void add_secret(const std::string& value) {
        std::lock_guard lock(mutex_);
        // Every reload registers the secrets again; keep each once.
        if (std::find(m_secrets.begin(), m_secrets.end(), value) == m_secrets.end()) {
            m_secrets.push_back(value);
        }
    }

protected:
    void sink_it_(const spdlog::details::log_msg& message) override {
        std::string payload(message.payload.data(), message.payload.size());
        for (const auto& secret : m_secrets) {
            for (auto at = payload.find(secret); at != std::string::npos;
                 at = payload.find(secret, at)) {
                payload.replace(at, secret.size(), k_placeholder);
            }
        }
        spdlog::details::log_msg scrubbed(message.time, message.source, message.logger_name,
                                          message.level, payload);
        m_inner->log(scrubbed);
    }
    void flush_() override { m_inner->flush(); }

private:
    std::shared_ptr<spdlog::sinks::sink> m_inner;
    std::vector<std::string> m_secrets;
};

spdlog::level::level_enum to_spdlog(config::LogLevel level) {
    switch (level) {
    case config::LogLevel::trace:
        return spdlog::level::trace;
    case config::LogLevel::debug:
        return spdlog::level::debug;
    case config::LogLevel::info:
        return spdlog::level::info;
    case config::LogLevel::warn:
        return spdlog::level::warn;
    case config::LogLevel::error:
        return spdlog::level::err;
    }
    return spdlog::level::info;
}

struct Registry {
    std::mutex mutex;
    std::shared_ptr<RedactingSink> sink = std::make_shared<RedactingSink>();
    std::map<std::string, std::shared_ptr<spdlog::logger>> loggers;
    config::LogConfig config;
    std::atomic<bool> json{false};

    Registry() { apply_output({}); }

    void apply_output(Output output) {
        auto inner = output.sink ? output.sink : std::make_shared<spdlog::sinks::stdout_sink_mt>();
        const bool journald = under_journald();
        const bool timestamps = config.timestamps == config::Timestamps::always ||
                                (config.timestamps == config::Timestamps::automatic && !journald);
        auto formatter = std::make_unique<spdlog::pattern_formatter>();
        formatter->add_flag<JournalPriorityFlag>('*');
        std::string pattern;
        if (config.format == config::LogFormat::json) {
            pattern = std::string("{") + (timestamps ? "\"ts\":\"%Y-%m-%dT%H:%M:%S.%e%z\"," : "") +
                      "\"level\":\"%l\",\"logger\":\"%n\",%v}";
        } else {
            pattern = std::string(timestamps ? "ts=%Y-%m-%dT%H:%M:%S.%e%z " : "") +
                      "level=%l logger=%n %v";
        }
        if (journald && !timestamps && output.sink == nullptr) {
            pattern = "%*" + pattern;
        }
        formatter->set_pattern(pattern);
        inner->set_formatter(std::move(formatter));
        sink->set_inner(std::move(inner));
        json = config.format == config::LogFormat::json;
    }

    spdlog::level::level_enum level_for(const std::string& name) const {
        const std::string family = name.substr(0, name.find(':'));
        auto it = config.levels.find(family);
        return to_spdlog(it == config.levels.end() ? config.level : it->second);
    }

    std::shared_ptr<spdlog::logger> get(const std::string& name) {
        std::lock_guard lock(mutex);
        auto& logger = loggers[name];
        if (!logger) {
            logger = std::make_shared<spdlog::logger>(name, sink);
            logger->set_level(level_for(name));
            logger->flush_on(spdlog::level::trace);
        }
        return logger;
    }
};

Registry& registry() {
    static Registry instance;
    return instance;
}

bool needs_quotes(std::string_view value) {
    if (value.empty()) {
        return true;
    }
    for (char c : value) {
        if (c == ' ' || c == '=' || c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
            return true;
        }
    }
    return false;
}

void append_quoted(std::string& out, std::string_view value) {
    out += '"';
    for (char c : value) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += c;
        }
    }
    out += '"';
}

std::string format_json_fields(std::string_view event, std::initializer_list<Field> fields) {
    std::string out = "\"event\":" + nlohmann::json(std::string(event)).dump();
    for (const auto& field : fields) {
        out += ',' + nlohmann::json(field.key).dump() + ':' +
               nlohmann::json(field.value)
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    return out;
}

} // namespace

Field secret(std::string_view key, const config::Secret& value) {
    return Field(key, value.empty() ? "[unset]" : k_placeholder);
}

Field personal(std::string_view key, std::string_view value) {
    return Field(key, value.empty() ? "[unset]" : "[personal]");
}

void setup(const config::LogConfig& config, Output output) {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    r.config = config;
    r.apply_output(std::move(output));
    for (auto& [name, logger] : r.loggers) {
        logger->set_level(r.level_for(name));
    }
}

void add_redaction(const std::string& value) {
    if (value.size() >= 4) {
        registry().sink->add_secret(value);
    }
}

bool under_journald() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    return stream != nullptr && *stream != '\0';
}

std::string format_key_values(std::string_view event, std::initializer_list<Field> fields) {
    std::string out = "event=";
    out += event;
    for (const auto& field : fields) {
        out += ' ';
        out += field.key;
        out += '=';
        if (needs_quotes(field.value)) {
            append_quoted(out, field.value);
        } else {
            out += field.value;
        }
    }
    return out;
}

Logger::Logger(std::string name)
    : m_logger(registry().get(name)) {}

void Logger::debug(std::string_view event, std::initializer_list<Field> fields) const {
    write(spdlog::level::debug, event, fields);
}
void Logger::info(std::string_view event, std::initializer_list<Field> fields) const {
    write(spdlog::level::info, event, fields);
}
void Logger::warn(std::string_view event, std::initializer_list<Field> fields) const {
    write(spdlog::level::warn, event, fields);
}
void Logger::error(std::string_view event, std::initializer_list<Field> fields) const {
    write(spdlog::level::err, event, fields);
}

void Logger::write(spdlog::level::level_enum level, std::string_view event,
                   std::initializer_list<Field> fields) const {
    if (!m_logger->should_log(level)) {
        return;
    }
    const std::string line =
        registry().json ? format_json_fields(event, fields) : format_key_values(event, fields);
    m_logger->log(level, spdlog::string_view_t(line.data(), line.size()));
}

} // namespace musubi::log
