// Fuzz target: a template file as store staff write it (daemon/templates). The first byte
// says whether the rest is a .txt (Mustache text) or a .json (a LINE message object with
// Mustache in its strings). Loading, checking and rendering with the sample context must
// never crash; Mustache text that find_syntax_error accepts must render.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "daemon/templates/mustache_text.hpp"
#include "daemon/templates/template_set.hpp"
#include "tests/fuzz/fuzz_files.hpp"

namespace {

namespace templates = musubi::templates;

void check(bool condition) {
    if (!condition) {
        std::abort();
    }
}

const std::filesystem::path& folder() {
    static const std::filesystem::path path =
        musubi::fuzz::make_temp_folder("musubi-fuzz-templates");
    return path;
}

const nlohmann::json& sample() {
    static const nlohmann::json context = templates::TemplateSet::sample_context();
    return context;
}

void render_text(const std::string& source) {
    if (templates::find_syntax_error(source)) {
        return;
    }
    static const kainjow::mustache::data data = templates::to_mustache_data(sample());
    check(templates::render_mustache(source, data).has_value());
}

void load_and_render(bool as_json, const std::string& source) {
    const auto txt = folder() / "fuzz.txt";
    const auto json = folder() / "fuzz.json";
    std::filesystem::remove(as_json ? txt : json);
    musubi::fuzz::write_file(as_json ? json : txt, source);
    const auto set = templates::TemplateSet::load(folder());
    if (!set) {
        check(!set.error().empty());
        return;
    }
    check(set->contains("fuzz"));
    if (const auto messages = set->render("fuzz", sample())) {
        check(messages->is_array() && !messages->empty() && messages->size() <= 5);
    }
    (void)set->check("fuzz", sample());
    (void)set->check_names("fuzz", sample());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const bool as_json = (data[0] & 1) != 0;
    const std::string source(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (!as_json) {
        render_text(source);
    }
    load_and_render(as_json, source);
    return 0;
}
