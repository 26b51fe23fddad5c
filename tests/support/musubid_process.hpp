#pragma once
// A real musubid for one test, against a SimProcess: its own home folder (config/musubi.yaml,
// templates/, state/musubi.db), started, waited for until ready, its ports read from its log,
// stopped with SIGTERM (or killed with SIGKILL, for crash tests) and started again on the same
// store. The binary comes from $MUSUBID, shipped files from $MUSUBI_SOURCE_DIR (both set by
// CTest). When the object goes, the log is kept in $MUSUBI_TEST_LOGS for it.zz_log_scan, which
// checks every log of the suite for secrets and personal data.
//
//   test::MusubidProcess musubid("my-test");  // log kept as my-test-<folder>.log
//   musubid.copy_shipped("templates");        // source tree → the same place in home
//   test::MusubidConfig config;               // the common musubi.yaml; change what differs
//   config.log_level = "debug";
//   musubid.start(sim, config);
//   musubid.wait_ready();                     // event=ready; the ports read from the log
//   sim.control_post("/_sim/line/config", {{"webhook_url", musubid.webhook_url()}});
//   ... musubid.column("SELECT ...") ...
//   BOOST_TEST(musubid.stop() == 0);          // SIGTERM; the exit code

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <signal.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "support/sim_process.hpp"
#include "support/store_query.hpp"
#include "support/temp_dir.hpp"

namespace musubi::test {

// The source tree ($MUSUBI_SOURCE_DIR): shipped configuration, templates, test fixtures.
inline std::filesystem::path source_dir() {
    const char* source = std::getenv("MUSUBI_SOURCE_DIR");
    if (source == nullptr) {
        throw std::runtime_error("MUSUBI_SOURCE_DIR is not set (run through ctest)");
    }
    return source;
}

// The musubi.yaml the integration tests run: one shop, the store in the home folder, kv logs
// without timestamps, LINE at the simulator, the webhook (at /webhook/line) and the admin API
// on ports the system picks, templates and scenarios from the home folder. The fields are what
// tests change; `extra` is appended as it is (further top-level blocks, whole YAML lines).
struct MusubidConfig {
    std::string shop_id = "it-shop";
    std::string log_level = "info";
    std::string hashing_key = "it-hashing-key-0123456789abcdef0123456789abcdef";
    std::string channel_secret = "8c570fa6dd201bb328f1c1eac23a96d8"; // the simulator's tests use
    std::string webhook_listen = "127.0.0.1:0";
    std::string webhook_options; // more keys of the webhook block, e.g. "max_body_bytes: 4096"
    std::string admin_token = "it-admin-token-0123";
    bool rakuten = false;      // RMS at the simulator, polled every second
    bool follow_clock = false; // the simulator's clock (its frozen or fast time), not the system's
    // line.followers_import: off unless a test is about the account's existing friends, so
    // that other tests see only the friends their events make.
    std::string followers_import = "{enabled: false}";
    std::string extra;

    std::string yaml(const SimProcess& sim, const std::filesystem::path& db) const {
        std::string text;
        text += "shop: {id: " + shop_id + ", name: テスト商店}\n";
        text += "store: {path: " + db.string() + "}\n";
        text += "log: {format: kv, level: " + log_level + ", timestamps: never}\n";
        text += "privacy: {hashing_key: " + hashing_key + "}\n";
        text += "line:\n";
        text += "  api_base_url: " + sim.api_url() + "\n";
        text += "  data_api_base_url: " + sim.data_url() + "\n";
        text += "  channel_secret: " + channel_secret + "\n";
        text += "  channel_access_token: musubi-sim-token\n";
        text += "  followers_import: " + followers_import + "\n";
        text += "webhook: {listen: \"" + webhook_listen + "\", path: /webhook/line" +
                (webhook_options.empty() ? "" : ", " + webhook_options) + "}\n";
        text += "admin: {listen: \"127.0.0.1:0\", token: " + admin_token + "}\n";
        text += "templates: ../templates\n";
        text += "scenarios: scenarios/*.yaml\n";
        if (rakuten) {
            text += "rakuten:\n";
            text += "  enabled: true\n";
            text += "  base_url: " + sim.api_url() + "\n";
            text += "  service_secret: " + std::string(k_rms_service_secret) + "\n";
            text += "  license_key: " + std::string(k_rms_license_key) + "\n";
            text += "  poll_interval: 1s\n";
            text += "  request_interval: 0ms\n";
            text += "  backfill_horizon: 1d\n";
        } else {
            text += "rakuten: {enabled: false}\n";
        }
        if (follow_clock) {
            text += "clock: {follow: \"" + sim.api_url() + "\"}\n";
        }
        return text + extra;
    }
};

class MusubidProcess {
public:
    // The kept log is named $MUSUBI_TEST_LOGS/<log_name>-<home folder's name>.log.
    explicit MusubidProcess(std::string log_name)
        : m_log_name(std::move(log_name))
        , m_log(m_home / "musubid.log") {
        std::filesystem::create_directories(m_home / "config");
    }
    ~MusubidProcess() {
        if (m_pid > 0) {
            signal_and_wait(SIGTERM);
        }
        if (const char* kept = std::getenv("MUSUBI_TEST_LOGS"); kept != nullptr) {
            std::error_code ignored;
            std::filesystem::copy_file(
                m_log,
                std::filesystem::path(kept) /
                    (m_log_name + "-" + m_home.path().filename().string() + ".log"),
                std::filesystem::copy_options::overwrite_existing, ignored);
        }
    }
    MusubidProcess(const MusubidProcess&) = delete;
    MusubidProcess& operator=(const MusubidProcess&) = delete;

    // --- the home folder, to fill before start() ---
    const TempDir& home() const { return m_home; }
    std::filesystem::path config_path() const { return m_home / "config" / "musubi.yaml"; }
    std::filesystem::path db_path() const { return m_home / "state" / "musubi.db"; }
    // Copies a file or folder of the source tree to the same place in the home folder, e.g.
    // "templates", "config/scenarios", "config/carriers.yaml".
    void copy_shipped(const std::string& relative) const {
        std::filesystem::create_directories((m_home / relative).parent_path());
        std::filesystem::copy(source_dir() / relative, m_home / relative,
                              std::filesystem::copy_options::recursive);
    }

    // --- the process ---
    // Writes musubi.yaml and starts musubid on it, without waiting. Again after stop() or
    // kill(): the same store; the log goes on in the same file.
    void start(const SimProcess& sim, const MusubidConfig& config = {}) {
        start(config.yaml(sim, db_path()));
    }
    void start(const std::string& musubi_yaml) {
        const char* binary = std::getenv("MUSUBID");
        if (binary == nullptr) {
            throw std::runtime_error("MUSUBID is not set (run through ctest)");
        }
        if (m_pid > 0) {
            throw std::logic_error("musubid is already running");
        }
        m_home.write("config/musubi.yaml", musubi_yaml);
        std::error_code none;
        m_log_start = std::filesystem::exists(m_log) ? std::filesystem::file_size(m_log, none) : 0;
        m_webhook_port = m_admin_port = 0;
        const auto config = config_path();
        m_pid = ::fork();
        if (m_pid == 0) {
            const int fd = ::open(m_log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            ::execl(binary, binary, "--config", config.c_str(), nullptr);
            ::_exit(127);
        }
    }
    // Waits (10 s at most) until this run's log has `text`; false if it has not by then.
    // Throws when musubid exits first, with its log.
    bool wait_for_log(std::string_view text) {
        for (int i = 0; i < 400; ++i) {
            if (run_log().find(text) != std::string::npos) {
                return true;
            }
            if (!running()) {
                throw std::runtime_error("musubid exited:\n" + log());
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        return run_log().find(text) != std::string::npos;
    }
    // Waits for event=ready, then reads the ports the listeners logged. Throws when it does
    // not come.
    void wait_ready() {
        if (!wait_for_log("event=ready")) {
            throw std::runtime_error("musubid is not ready after 10 s:\n" + log());
        }
        const auto text = run_log();
        m_webhook_port = port_after(text, "event=webhook.listening address=127.0.0.1:");
        m_admin_port = port_after(text, "event=admin.listening address=127.0.0.1:");
    }
    bool running() {
        if (m_pid <= 0) {
            return false;
        }
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            m_exit_code = exit_code_of(status);
            return false;
        }
        return true;
    }
    // SIGTERM and wait: the exit code (-1 when a signal ended it).
    int stop() { return signal_and_wait(SIGTERM); }
    // SIGKILL and wait: a crash, nothing flushed or closed.
    void kill() { signal_and_wait(SIGKILL); }
    // Waits for musubid to end by itself: the exit code (-1 when a signal ended it).
    int wait_exit() { return signal_and_wait(0); }
    void reload() const { ::kill(m_pid, SIGHUP); }

    // --- what it shows ---
    int webhook_port() const { return m_webhook_port; }
    int admin_port() const { return m_admin_port; }
    std::string webhook_url() const {
        return "http://127.0.0.1:" + std::to_string(m_webhook_port) + "/webhook/line";
    }
    // The whole log, every run.
    std::string log() const {
        return std::filesystem::exists(m_log) ? read_file(m_log) : std::string();
    }

    // The first column of every row of `sql` on musubid's store, as text ("" for NULL).
    std::vector<std::string> column(const std::string& sql) const {
        return test::column(db_path(), sql);
    }
    std::int64_t count(const std::string& sql) const { return std::stoll(column(sql).at(0)); }
    // Waits (`patience` at most) until `sql` answers exactly one row, `expected`: musubid's
    // workers act on their own threads. False if it does not by then, with `last` what it
    // answered last ("no row" for none).
    bool wait_for_value(const std::string& sql, const std::string& expected,
                        std::chrono::milliseconds patience, std::string& last) const {
        const auto give_up = std::chrono::steady_clock::now() + patience;
        while (true) {
            const auto got = column(sql);
            if (got.size() == 1 && got[0] == expected) {
                return true;
            }
            last = got.empty() ? "no row" : got[0];
            if (std::chrono::steady_clock::now() > give_up) {
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
    }

private:
    // What this run wrote (since the last start()).
    std::string run_log() const {
        const auto text = log();
        return m_log_start < text.size() ? text.substr(m_log_start) : std::string();
    }
    int signal_and_wait(int signal) {
        if (m_pid > 0) {
            if (signal != 0) {
                ::kill(m_pid, signal);
            }
            int status = 0;
            ::waitpid(m_pid, &status, 0);
            m_pid = -1;
            m_exit_code = exit_code_of(status);
        }
        return m_exit_code;
    }
    static int exit_code_of(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }
    static int port_after(const std::string& text, const std::string& marker) {
        const auto at = text.find(marker);
        if (at == std::string::npos) {
            throw std::runtime_error("no '" + marker + "' in:\n" + text);
        }
        return std::stoi(text.substr(at + marker.size()));
    }

    TempDir m_home;
    std::string m_log_name;
    std::filesystem::path m_log;
    std::size_t m_log_start = 0;
    pid_t m_pid = -1;
    int m_exit_code = -1;
    int m_webhook_port = 0;
    int m_admin_port = 0;
};

} // namespace musubi::test
