// Fuzz target: the YAML a shop writes (daemon/config and the readers it calls). A copy of the
// example configuration (config/) lives in a private temporary folder; the first byte of the
// input picks which of its files the rest replaces — musubi.yaml, a scenario, segments.yaml
// or richmenus.yaml — and the whole configuration is loaded and validated. Any text must
// give a Config or diagnostics, never a crash; a Config must dump.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "daemon/config/loader.hpp"
#include "tests/fuzz/fuzz_files.hpp"

namespace {

namespace fs = std::filesystem;

void check(bool condition) {
    if (!condition) {
        std::abort();
    }
}

// The files an input may replace, relative to the configuration folder.
constexpr std::array<std::string_view, 4> k_fuzzed_files = {"musubi.yaml", "scenarios/fuzz.yaml",
                                                            "segments.yaml", "richmenus.yaml"};

struct ConfigCopy {
    fs::path config_dir;
    std::array<std::string, k_fuzzed_files.size()> originals;
};

const ConfigCopy& config_copy() {
    static const ConfigCopy copy = [] {
        const fs::path source = fs::path(MUSUBI_SOURCE_DIR);
        const fs::path root = musubi::fuzz::make_temp_folder("musubi-fuzz-config");
        ConfigCopy made;
        made.config_dir = root / "config";
        fs::create_directories(made.config_dir / "scenarios");
        for (const char* name :
             {"musubi.yaml", "segments.yaml", "richmenus.yaml", "carriers.yaml"}) {
            fs::copy_file(source / "config" / name, made.config_dir / name);
        }
        fs::copy(source / "config/secrets", made.config_dir / "secrets");
        fs::copy_file(source / "config/scenarios/order-thanks.yaml",
                      made.config_dir / "scenarios/fuzz.yaml");
        fs::create_directory_symlink(source / "templates", root / "templates");
        for (std::size_t i = 0; i < k_fuzzed_files.size(); ++i) {
            made.originals[i] = musubi::fuzz::read_file(made.config_dir / k_fuzzed_files[i]);
        }
        ::unsetenv("CREDENTIALS_DIRECTORY");
        return made;
    }();
    return copy;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const ConfigCopy& copy = config_copy();
    const std::size_t which = data[0] % k_fuzzed_files.size();
    const fs::path fuzzed = copy.config_dir / k_fuzzed_files[which];
    musubi::fuzz::write_file(fuzzed,
                             std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));

    const auto config = musubi::config::load_config(copy.config_dir / "musubi.yaml");
    if (config) {
        (void)musubi::config::dump_config(*config);
    } else {
        check(!config.error().empty());
        // MUSUBI_FUZZ_SHOW=1 prints why an input was refused (to check that seeds load).
        if (std::getenv("MUSUBI_FUZZ_SHOW") != nullptr) {
            std::fputs(config.error().to_string().c_str(), stderr);
        }
    }

    musubi::fuzz::write_file(fuzzed, copy.originals[which]);
    return 0;
}
