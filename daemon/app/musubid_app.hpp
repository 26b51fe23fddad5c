#pragma once
// musubid: the daemon's process. Options select what it does — run (the default), check the
// configuration, dump it, print the version — and everything it does is in musubi_core.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <Poco/Util/ServerApplication.h>

namespace musubi::app {

inline constexpr const char* k_default_config = "/etc/musubi/musubi.yaml";
// --check-config --online could not ask LINE (no connection, a refused access token, LINE
// busy): the configuration was not judged. sysexits' EX_UNAVAILABLE.
inline constexpr int k_exit_line_unavailable = 69;

class MusubidApp : public Poco::Util::ServerApplication {
public:
    MusubidApp();

protected:
    void defineOptions(Poco::Util::OptionSet& options) override;
    void handleOption(const std::string& name, const std::string& value) override;
    int main(const std::vector<std::string>& arguments) override;

private:
    enum class Mode { run, check_config, dump_config, version, help };

    int check_config() const;
    int dump_config() const;
    int run_daemon();

    Mode m_mode = Mode::run;
    bool m_online = false; // --check-config --online: ask LINE's validate endpoints too
    std::filesystem::path m_config_path = k_default_config;
};

} // namespace musubi::app
