#include <sstream>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>

#include "daemon/log/log.hpp"

using namespace musubi;

namespace {

// Sends log lines into a string for the duration of a test, with the given format.
struct CapturedLog {
    std::ostringstream lines;
    explicit CapturedLog(config::LogFormat format = config::LogFormat::key_value,
                         config::Timestamps timestamps = config::Timestamps::never) {
        config::LogConfig settings;
        settings.format = format;
        settings.timestamps = timestamps;
        settings.level = config::LogLevel::debug;
        log::setup(settings, {std::make_shared<spdlog::sinks::ostream_sink_mt>(lines)});
    }
    ~CapturedLog() { log::setup(config::LogConfig{}); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(logging)

BOOST_AUTO_TEST_CASE(one_line_of_key_values_per_event) {
    CapturedLog captured;
    log::Logger("rakuten:shop1")
        .info("poll.done", {{"orders", 12}, {"window", "2026-11-22 10:00"}});
    BOOST_TEST(captured.lines.str() == "level=info logger=rakuten:shop1 event=poll.done orders=12 "
                                       "window=\"2026-11-22 10:00\"\n");
}

BOOST_AUTO_TEST_CASE(values_with_quotes_and_newlines_stay_on_one_line) {
    BOOST_TEST(log::format_key_values("x", {{"a", "say \"hi\"\nbye"}, {"b", ""}}) ==
               "event=x a=\"say \\\"hi\\\"\\nbye\" b=\"\"");
}

BOOST_AUTO_TEST_CASE(json_lines_parse_as_json) {
    CapturedLog captured(config::LogFormat::json, config::Timestamps::always);
    log::Logger("store").warn("store.slow", {{"ms", 250}, {"path", "/var/lib/musubi/あ.db"}});
    const auto line = nlohmann::json::parse(captured.lines.str());
    BOOST_TEST(line["level"] == "warning");
    BOOST_TEST(line["logger"] == "store");
    BOOST_TEST(line["event"] == "store.slow");
    BOOST_TEST(line["ms"] == "250");
    BOOST_TEST(line["path"] == "/var/lib/musubi/あ.db");
    BOOST_TEST(line.contains("ts"));
}

BOOST_AUTO_TEST_CASE(secrets_and_personal_data_print_placeholders) {
    CapturedLog captured;
    const config::Secret token("line-token-abcdef", "inline");
    log::Logger("line").info(
        "token.renewed", {log::secret("token", token), log::personal("phone", "090-1234-5678")});
    BOOST_TEST(captured.lines.str() == "level=info logger=line event=token.renewed "
                                       "token=[redacted] phone=[personal]\n");
}

BOOST_AUTO_TEST_CASE(a_registered_secret_is_scrubbed_from_any_line) {
    CapturedLog captured;
    log::add_redaction("SL-very-secret-license");
    log::Logger("rakuten").error("request.failed",
                                 {{"url", "https://x/?licenseKey=SL-very-secret-license&a=1"}});
    BOOST_TEST(captured.lines.str() == "level=error logger=rakuten event=request.failed "
                                       "url=\"https://x/?licenseKey=[redacted]&a=1\"\n");
}

BOOST_AUTO_TEST_CASE(levels_per_logger_family) {
    std::ostringstream lines;
    config::LogConfig settings;
    settings.timestamps = config::Timestamps::never;
    settings.level = config::LogLevel::warn;
    settings.levels["rakuten"] = config::LogLevel::debug;
    log::setup(settings, {std::make_shared<spdlog::sinks::ostream_sink_mt>(lines)});
    log::Logger("rakuten:shop2").debug("shown");
    log::Logger("line").info("hidden");
    log::setup(config::LogConfig{});
    BOOST_TEST(lines.str() == "level=debug logger=rakuten:shop2 event=shown\n");
}

BOOST_AUTO_TEST_SUITE_END()
