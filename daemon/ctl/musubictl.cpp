#include "daemon/ctl/musubictl.hpp"

#include <ostream>

#include "daemon/clock/clock.hpp"
#include "daemon/config/loader.hpp"
#include "daemon/linking/unlink.hpp"
#include "daemon/log/log.hpp"
#include "daemon/reviews/review_import.hpp"

namespace musubi::ctl {

namespace {

constexpr const char* k_usage = "usage: musubictl unlink <LINE userId> [--config FILE]\n"
                                "       musubictl import-reviews <review CSV> [--config FILE]\n"
                                "  (FILE defaults to /etc/musubi/musubi.yaml)\n";

} // namespace

int run_musubictl(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    std::string config_file = "/etc/musubi/musubi.yaml";
    std::vector<std::string> words;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size()) {
            config_file = args[++i];
        } else if (args[i].rfind("--config=", 0) == 0) {
            config_file = args[i].substr(9);
        } else {
            words.push_back(args[i]);
        }
    }
    if (words.size() != 2 || (words[0] != "unlink" && words[0] != "import-reviews")) {
        err << k_usage;
        return 2;
    }
    auto config = config::load_config(config_file);
    if (!config) {
        err << config.error().to_string();
        err << "musubictl: the configuration has errors; nothing was changed\n";
        return 1;
    }
    log::setup(config->log);
    const auto clock = clock::make_clock(config->clock.follow);
    auto store = store::open_store(config->store, clock);
    if (!store) {
        err << "musubictl: " << store.error().to_string() << "\n";
        return 1;
    }
    if (words[0] == "import-reviews") {
        return reviews::import_reviews_command(words[1], (*store)->reviews(), out);
    }
    auto done = linking::unlink_friend(**store, words[1], clock->now_ms());
    if (!done) {
        err << "musubictl: " << done.error().to_string() << "; nothing was changed\n";
        return 1;
    }
    switch (*done) {
    case linking::UnlinkResult::unlinked:
        out << "unlinked " << words[1] << " (the link is kept as history)\n";
        return 0;
    case linking::UnlinkResult::not_linked:
        out << words[1] << " was not linked; nothing to do\n";
        return 0;
    case linking::UnlinkResult::unknown_friend:
        err << "musubictl: no friend with LINE userId " << words[1] << " in "
            << (*store)->info().location << "; check the id (it starts with U)\n";
        return 1;
    }
    return 1;
}

} // namespace musubi::ctl
