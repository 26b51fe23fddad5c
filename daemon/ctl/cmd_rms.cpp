// musubictl rms check-key: asks RMS (the license-key expiry function) whether it accepts the
// key musubid would use, or a new key from a file, before a restart hands it over. Issuing a
// new key in RMS makes the old one unusable at once and the new one may be refused for a
// while, so this is how a shop knows the hand-over will work before it makes it.
#include <fstream>

#include "connectors/rakuten/rms_client.hpp"
#include "daemon/ctl/commands.hpp"
#include "daemon/rakuten/license_watch.hpp"

namespace musubi::ctl {

namespace {

// The first line of `file` without surrounding white space, as musubid reads secret files.
std::optional<std::string> read_key_file(const std::filesystem::path& file, std::string& problem) {
    std::ifstream in(file);
    if (!in) {
        problem = "cannot read the key file " + file.string();
        return std::nullopt;
    }
    std::string line;
    std::getline(in, line);
    const auto begin = line.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos) {
        problem =
            "the key file " + file.string() + " is empty; put the license key on its first line";
        return std::nullopt;
    }
    return line.substr(begin, line.find_last_not_of(" \t\r\n") - begin + 1);
}

std::string jst_text(rakuten::TimePoint at) {
    std::string text = rakuten::format_rms_datetime(at); // 2027-02-20T23:59:59+0900
    return text.substr(0, 10) + " " + text.substr(11, 8) + " JST";
}

int check_key(Context& context) {
    const auto& rms = context.config->rakuten;
    if (rms.service_secret.empty()) {
        return context.fail(k_exit_config, "rakuten.service_secret is not set in " +
                                               context.config_file.string() +
                                               "; RMS needs it with every key");
    }
    std::string key;
    std::string source;
    if (const auto file = context.args.value("--key-file")) {
        std::string problem;
        const auto read = read_key_file(*file, problem);
        if (!read) {
            return context.fail(k_exit_failed, problem);
        }
        key = *read;
        source = "file " + *file;
    } else {
        if (rms.license_key.empty()) {
            return context.fail(k_exit_config,
                                "no license key in the configuration (rakuten.license_key_file); "
                                "give one with --key-file FILE");
        }
        key = rms.license_key.reveal();
        source = "the configuration (" + rms.license_key.source() + ")";
    }
    rakuten::ClientOptions options{
        rms.base_url, rms.timeout, rms.request_interval,
        rakuten::RetryPolicy{2, std::chrono::milliseconds(1000), std::chrono::milliseconds(5000)}};
    rakuten::RmsClient client(options, {rms.service_secret.reveal(), key});
    const auto expiry = client.license_expiry();
    if (!expiry) {
        const auto& error = expiry.error();
        std::string advice;
        if (error.kind == rakuten::ErrorKind::unauthorized) {
            advice = "RMS refused this key: it expired, is wrong, or was replaced by a newer key "
                     "(issuing a new key makes the old one unusable at once). A key issued a few "
                     "minutes ago may be refused for a while (reported: 10-30 minutes): try "
                     "again later before restarting musubi with it";
        } else if (error.kind == rakuten::ErrorKind::function_not_enabled) {
            advice = "RMS did not check the key: the license-key expiry function is not enabled "
                     "for this shop (" +
                     std::string(rakuten::k_rms_function_settings_screen) + ")";
        } else {
            advice = "the key could not be checked; try again later";
        }
        if (context.json) {
            return context.emit({{"key_source", source},
                                 {"accepted", false},
                                 {"kind", std::string(rakuten::to_string(error.kind))},
                                 {"status", error.status},
                                 {"error", error.message},
                                 {"advice", advice}},
                                k_exit_failed);
        }
        context.err << "musubictl: " << error.message << "\n" << advice << "\n";
        return k_exit_failed;
    }
    const auto status = rakuten_poller::assess_license(*expiry, context.clock->now_ms());
    const bool usable = status.state != rakuten_poller::LicenseState::expired;
    if (context.json) {
        return context.emit({{"key_source", source},
                             {"accepted", usable},
                             {"expires", rakuten::format_rms_datetime(*expiry)},
                             {"days_left", status.days_left},
                             {"state", std::string(rakuten_poller::to_string(status.state))}},
                            usable ? k_exit_ok : k_exit_failed);
    }
    if (!usable) {
        context.err << "musubictl: the key from " << source << " expired on " << jst_text(*expiry)
                    << "; issue a new one in RMS\n";
        return k_exit_failed;
    }
    context.out << "RMS accepts the key from " << source << ": it expires " << jst_text(*expiry)
                << ", " << status.days_left << (status.days_left == 1 ? " day" : " days")
                << " left\n";
    if (status.state == rakuten_poller::LicenseState::expiring) {
        context.out << "renew it soon: " << rakuten::license_handover_steps() << "\n";
    }
    return k_exit_ok;
}

} // namespace

std::vector<Command> rms_commands() {
    return {{"rms check-key",
             "[--key-file FILE]",
             "ask RMS whether it accepts the license key in use (or a new one from FILE) and "
             "how many days it has left",
             Needs::config,
             {"--key-file"},
             {},
             0,
             0,
             check_key}};
}

} // namespace musubi::ctl
