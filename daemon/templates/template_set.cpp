#include "daemon/templates/template_set.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "daemon/config/suggest.hpp"
#include "daemon/richmenus/json_positions.hpp"
#include "daemon/templates/message_limits.hpp"
#include "daemon/templates/mustache_text.hpp"
#include "daemon/templates/variable_names.hpp"

namespace musubi::templates {

namespace {

using nlohmann::json;

struct Place {
    int line = 0;
    int column = 0;
};

// Line and column (in characters, both 1-based) of a byte offset, the way an editor shows it.
Place place_of(std::string_view source, std::size_t offset) {
    offset = std::min(offset, source.size());
    Place place{1, 1};
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < offset; ++i) {
        if (source[i] == '\n') {
            ++place.line;
            line_start = i + 1;
        }
    }
    for (std::size_t i = line_start; i < offset; ++i) {
        if ((static_cast<unsigned char>(source[i]) & 0xC0u) != 0x80u) {
            ++place.column;
        }
    }
    return place;
}

TemplateError error_at(const std::filesystem::path& file, std::string_view source,
                       std::size_t offset, std::string message, std::string hint) {
    const auto place = place_of(source, offset);
    return {file.string(), std::move(message), std::move(hint), place.line, place.column};
}

std::optional<std::string> read_whole(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

// Files saved by Windows editors: drop the byte-order mark, make line ends LF.
std::string normalized(std::string text) {
    if (text.starts_with("\xEF\xBB\xBF")) {
        text.erase(0, 3);
    }
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r') {
            out += '\n';
            if (i + 1 < text.size() && text[i + 1] == '\n') {
                ++i;
            }
        } else {
            out += text[i];
        }
    }
    return out;
}

// The offset of the first byte that is not valid UTF-8, if any.
std::optional<std::size_t> invalid_utf8_at(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        if (lead < 0x80) {
            extra = 0;
        } else if (lead >= 0xC2 && lead <= 0xDF) {
            extra = 1;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            extra = 2;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            extra = 3;
        } else {
            return i;
        }
        for (std::size_t k = 1; k <= extra; ++k) {
            if (i + k >= text.size() ||
                (static_cast<unsigned char>(text[i + k]) & 0xC0u) != 0x80u) {
                return i;
            }
        }
        i += extra + 1;
    }
    return std::nullopt;
}

// nlohmann's what() is "[json.exception.parse_error.101] parse error at line 1, column 5:
// syntax error while parsing value - invalid literal; last read: '…'". Keep the problem only:
// the position is reported separately, and "last read" may end inside a UTF-8 character.
std::string parse_problem(const std::string& what) {
    const auto column = what.find("column ");
    const auto colon = what.find(": ", column == std::string::npos ? 0 : column);
    auto problem = colon == std::string::npos ? what : what.substr(colon + 2);
    if (const auto dash = problem.find(" - ");
        problem.starts_with("syntax error") && dash != std::string::npos) {
        problem.erase(0, dash + 3);
    }
    if (const auto last_read = problem.find("; last read:"); last_read != std::string::npos) {
        problem.erase(last_read);
    }
    return problem;
}

std::string json_hint(std::string_view source, std::size_t offset, const std::string& problem) {
    if (problem.find("control character") != std::string::npos) {
        return "a line break inside text must be written as \\n (and a tab as \\t)";
    }
    if (problem.find("UTF-8") != std::string::npos) {
        return "save the file as UTF-8";
    }
    if (problem.find("end of input") != std::string::npos) {
        return "the file ends too early; check that every {, [ and \" is closed";
    }
    const char here = offset < source.size() ? source[offset] : '\0';
    auto before = std::min(offset, source.size());
    while (before > 0 && std::isspace(static_cast<unsigned char>(source[before - 1]))) {
        --before;
    }
    if ((here == '}' || here == ']') && before > 0 && source[before - 1] == ',') {
        return std::string("remove the comma before this '") + here +
               "': JSON allows no comma after the last item";
    }
    if (here == '"' && before > 0 &&
        (source[before - 1] == '"' || source[before - 1] == '}' || source[before - 1] == ']')) {
        return "a comma is missing before this item";
    }
    if (static_cast<unsigned char>(here) >= 0x80 || here == '\'') {
        return "JSON needs straight double quotes \" around keys and text (not “ ” or ')";
    }
    return "keys and text go in straight double quotes, with a comma between items and none "
           "after the last";
}

// nlohmann reports the end of the offending token; an editor should point at its start.
std::size_t token_start(std::string_view source, std::size_t end) {
    if (end >= source.size() || end == 0) {
        return end;
    }
    if (source[end] == '"') {
        auto start = end - 1;
        while (start > 0 && !(source[start] == '"' && source[start - 1] != '\\')) {
            --start;
        }
        return start;
    }
    const auto in_literal = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.';
    };
    auto start = end;
    while (in_literal(source[start]) && start > 0 && in_literal(source[start - 1])) {
        --start;
    }
    return start;
}

TemplateError json_syntax_error(const std::filesystem::path& file, std::string_view source,
                                const json::parse_error& error) {
    // `byte` counts the characters read, the offending one included.
    const std::size_t offset = token_start(source, error.byte > 0 ? error.byte - 1 : 0);
    const auto problem = parse_problem(error.what());
    return error_at(file, source, offset, "not valid JSON: " + problem,
                    json_hint(source, offset, problem));
}

// Where string `text` (as JSON writes it) starts inside `source`, to point at an error in it.
std::optional<std::size_t> offset_in_source(std::string_view source, const std::string& text,
                                            std::size_t offset_in_text) {
    const auto written = json(text).dump();
    const auto at = source.find(written);
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    const auto prefix = json(text.substr(0, offset_in_text)).dump();
    return at + prefix.size() - 1;
}

void check_strings(const json& value, const std::filesystem::path& file, std::string_view source,
                   std::vector<TemplateError>& errors);

void check_string(const std::string& text, const std::filesystem::path& file,
                  std::string_view source, std::vector<TemplateError>& errors) {
    if (text.find("{{") == std::string::npos) {
        return;
    }
    const auto syntax = find_syntax_error(text);
    if (!syntax) {
        return;
    }
    const auto offset = offset_in_source(source, text, syntax->offset);
    if (!offset) {
        errors.push_back({file.string(), syntax->message + " in \"" + text + "\"", syntax->hint});
        return;
    }
    errors.push_back(error_at(file, source, *offset, syntax->message, syntax->hint));
}

void check_strings(const json& value, const std::filesystem::path& file, std::string_view source,
                   std::vector<TemplateError>& errors) {
    if (value.is_string()) {
        check_string(value.get_ref<const std::string&>(), file, source, errors);
    } else if (value.is_object()) {
        for (const auto& [key, member] : value.items()) {
            check_string(key, file, source, errors);
            check_strings(member, file, source, errors);
        }
    } else if (value.is_array()) {
        for (const auto& element : value) {
            check_strings(element, file, source, errors);
        }
    }
}

bool is_message_list(const json& value) {
    if (value.is_object()) {
        return true;
    }
    return value.is_array() && !value.empty() && value.size() <= 5 &&
           std::all_of(value.begin(), value.end(), [](const json& m) { return m.is_object(); });
}

std::optional<TemplateError> check_text_source(const std::filesystem::path& file,
                                               const std::string& source) {
    if (const auto bad = invalid_utf8_at(source)) {
        return error_at(
            file, source, *bad, "the file is not UTF-8 text",
            "save it as UTF-8 (in Windows Notepad: 名前を付けて保存 → 文字コード UTF-8)");
    }
    if (const auto syntax = find_syntax_error(source)) {
        return error_at(file, source, syntax->offset, syntax->message, syntax->hint);
    }
    return std::nullopt;
}

std::vector<TemplateError> check_json_source(const std::filesystem::path& file,
                                             const std::string& source, json& value) {
    try {
        value = json::parse(source, nullptr, true, true);
    } catch (const json::parse_error& error) {
        return {json_syntax_error(file, source, error)};
    } catch (const json::out_of_range&) {
        // A number beyond a double (e.g. 1e999) is out_of_range.406, not a parse_error.
        return {{file.string(), "not valid JSON: a number is too large",
                 "write numbers LINE accepts, e.g. a size or a count", 0, 0}};
    }
    if (!is_message_list(value)) {
        return {{file.string(), "the file is not a LINE message object or a list of 1 to 5",
                 "write one message {\"type\": …} or a list [{…}, {…}] of at most 5", 0, 0}};
    }
    std::vector<TemplateError> errors;
    check_strings(value, file, source, errors);
    return errors;
}

// Spaces and blank lines at the ends of a .txt file are layout, not message.
std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of("\n");
    if (first == std::string::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t\n");
    return text.substr(first, last - first + 1);
}

// The strings of a JSON template that are Mustache (the others are copied as they are).
void mustache_strings(const json& value, std::vector<std::string>& out) {
    if (value.is_string()) {
        if (value.get_ref<const std::string&>().find("{{") != std::string::npos) {
            out.push_back(value.get<std::string>());
        }
    } else if (value.is_object()) {
        for (const auto& [key, member] : value.items()) {
            if (key.find("{{") != std::string::npos) {
                out.push_back(key);
            }
            mustache_strings(member, out);
        }
    } else if (value.is_array()) {
        for (const auto& element : value) {
            mustache_strings(element, out);
        }
    }
}

json render_strings(const json& value, const kainjow::mustache::data& context,
                    std::string& failure) {
    const auto render_one = [&](const std::string& text) -> std::string {
        if (text.find("{{") == std::string::npos) {
            return text;
        }
        auto rendered = render_mustache(text, context);
        if (!rendered) {
            failure = rendered.error();
            return {};
        }
        return *rendered;
    };
    if (value.is_string()) {
        return render_one(value.get_ref<const std::string&>());
    }
    if (value.is_object()) {
        json out = json::object();
        for (const auto& [key, member] : value.items()) {
            out[render_one(key)] = render_strings(member, context, failure);
        }
        return out;
    }
    if (value.is_array()) {
        json out = json::array();
        for (const auto& element : value) {
            out.push_back(render_strings(element, context, failure));
        }
        return out;
    }
    return value;
}

} // namespace

std::string TemplateError::to_string() const {
    std::string text = file;
    if (line > 0) {
        text += ':' + std::to_string(line) + ':' + std::to_string(column);
    }
    text += ": " + message;
    if (!hint.empty()) {
        text += "; " + hint;
    }
    return text;
}

tl::expected<TemplateSet, std::vector<TemplateError>>
TemplateSet::load(const std::filesystem::path& folder) {
    std::error_code error;
    if (!std::filesystem::is_directory(folder, error)) {
        return tl::unexpected(std::vector<TemplateError>{
            {folder.string(), "the templates folder does not exist",
             "create it, or point `templates:` in musubi.yaml at the folder that holds the "
             ".txt and .json templates",
             0, 0}});
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
        const auto& path = entry.path();
        const auto extension = path.extension();
        if ((extension == ".txt" || extension == ".json") && entry.is_regular_file() &&
            !path.filename().string().starts_with(".")) {
            files.push_back(path);
        }
    }
    std::sort(files.begin(), files.end());

    TemplateSet set;
    set.m_folder = folder;
    std::vector<TemplateError> errors;
    for (const auto& file : files) {
        const auto name = file.stem().string();
        if (set.m_templates.contains(name)) {
            errors.push_back({file.string(), "both " + name + ".txt and " + name + ".json exist",
                              "keep one of them; musubi cannot tell which one to send", 0, 0});
            continue;
        }
        const auto content = read_whole(file);
        if (!content) {
            errors.push_back({file.string(), "the file cannot be read",
                              "check that it exists and that musubi may read it", 0, 0});
            continue;
        }
        Template tpl;
        tpl.file = file;
        tpl.is_json = file.extension() == ".json";
        if (tpl.is_json) {
            tpl.source = *content; // to place errors at line:col
            auto found = check_json_source(file, *content, tpl.value);
            errors.insert(errors.end(), found.begin(), found.end());
        } else {
            tpl.source = normalized(*content);
            if (auto found = check_text_source(file, tpl.source)) {
                errors.push_back(std::move(*found));
            }
        }
        set.m_templates.emplace(name, std::move(tpl));
    }
    if (!errors.empty()) {
        return tl::unexpected(std::move(errors));
    }
    return set;
}

bool TemplateSet::contains(std::string_view name) const {
    return m_templates.find(name) != m_templates.end();
}

std::vector<std::string> TemplateSet::names() const {
    std::vector<std::string> names;
    for (const auto& [name, _] : m_templates) {
        names.push_back(name);
    }
    return names;
}

const TemplateSet::Template* TemplateSet::find(std::string_view name) const {
    const auto it = m_templates.find(name);
    return it == m_templates.end() ? nullptr : &it->second;
}

TemplateError TemplateSet::unknown(std::string_view name) const {
    const std::string wanted(name);
    const auto known = names();
    const auto close = config::closest_match(wanted, known);
    return {
        m_folder.string(),
        "no template '" + wanted + "' (looked for " + wanted + ".txt and " + wanted + ".json)",
        (close.empty() ? "" : "did you mean '" + close + "'? ") +
            (known.empty() ? "create the template file" : "templates are: " + config::join(known)),
        0, 0};
}

tl::expected<json, TemplateError> TemplateSet::render_unchecked(const Template& tpl,
                                                                const json& context) const {
    const auto data = to_mustache_data(context.is_object() ? context : json::object());
    if (!tpl.is_json) {
        auto text = render_mustache(tpl.source, data);
        if (!text) {
            return tl::unexpected(TemplateError{tpl.file.string(),
                                                "the template cannot be rendered: " + text.error(),
                                                "check its {{…}} tags", 0, 0});
        }
        return json::array({{{"type", "text"}, {"text", trimmed(*text)}}});
    }
    std::string failure;
    auto rendered = render_strings(tpl.value, data, failure);
    if (!failure.empty()) {
        return tl::unexpected(TemplateError{tpl.file.string(),
                                            "the template cannot be rendered: " + failure,
                                            "check its {{…}} tags", 0, 0});
    }
    return rendered.is_array() ? rendered : json::array({std::move(rendered)});
}

std::vector<TemplateError> TemplateSet::check(std::string_view name, const json& context) const {
    const auto* tpl = find(name);
    if (tpl == nullptr) {
        return {unknown(name)};
    }
    auto messages = render_unchecked(*tpl, context);
    if (!messages) {
        return {messages.error()};
    }
    std::vector<TemplateError> errors;
    for (auto& violation : check_message_limits(*messages)) {
        const auto place = place_of_path(*tpl, violation.path);
        errors.push_back({tpl->file.string(), std::move(violation.message),
                          std::move(violation.hint), place.first, place.second,
                          std::move(violation.path)});
    }
    return errors;
}

std::pair<int, int> TemplateSet::place_of_path(const Template& tpl, const std::string& path) {
    if (!tpl.is_json || path.empty() || path == "messages") {
        return {0, 0};
    }
    auto pointer = pointer_of(path);
    if (tpl.value.is_object()) {
        // One message object written without the list: "/0/…" is the object itself.
        const auto slash = pointer.find('/', 1);
        pointer = slash == std::string::npos ? std::string() : pointer.substr(slash);
    }
    const richmenus::JsonPositions positions(tpl.source);
    const auto place = positions.at(pointer);
    return {place.line, place.column};
}

TemplateError TemplateSet::locate(std::string_view name, const std::string& path) const {
    const auto* tpl = find(name);
    if (tpl == nullptr) {
        return {m_folder.string(), {}, {}, 0, 0};
    }
    const auto place = place_of_path(*tpl, path);
    return {tpl->file.string(), {}, {}, place.first, place.second, path};
}

const nlohmann::json* TemplateSet::source_value(std::string_view name,
                                                const std::string& path) const {
    const auto* tpl = find(name);
    if (tpl == nullptr || !tpl->is_json) {
        return nullptr;
    }
    auto pointer = pointer_of(path);
    if (tpl->value.is_object()) {
        const auto slash = pointer.find('/', 1);
        pointer = slash == std::string::npos ? std::string() : pointer.substr(slash);
    }
    try {
        const auto& value = tpl->value.at(nlohmann::json::json_pointer(pointer));
        return &value;
    } catch (const nlohmann::json::exception&) {
        return nullptr;
    }
}

std::vector<TemplateError> TemplateSet::check_names(std::string_view name,
                                                    const json& sample) const {
    const auto* tpl = find(name);
    if (tpl == nullptr) {
        return {unknown(name)};
    }
    std::vector<std::string> sources;
    if (tpl->is_json) {
        mustache_strings(tpl->value, sources);
    } else {
        sources.push_back(tpl->source);
    }
    std::vector<TemplateError> errors;
    std::set<std::string> reported;
    for (const auto& source : sources) {
        for (const auto& unknown_name : unknown_names(source, sample)) {
            if (!reported.insert(unknown_name.name).second) {
                continue;
            }
            errors.push_back({tpl->file.string(),
                              "{{" + unknown_name.name + "}} is not a value musubi fills in",
                              (unknown_name.suggestion.empty()
                                   ? std::string()
                                   : "did you mean {{" + unknown_name.suggestion + "}}? ") +
                                  "the values are listed in README.md in the templates folder",
                              0, 0});
        }
    }
    return errors;
}

tl::expected<json, TemplateError> TemplateSet::render(std::string_view name,
                                                      const json& context) const {
    const auto* tpl = find(name);
    if (tpl == nullptr) {
        return tl::unexpected(unknown(name));
    }
    auto messages = render_unchecked(*tpl, context);
    if (!messages) {
        return messages;
    }
    auto violations = check_message_limits(*messages);
    if (violations.empty()) {
        return messages;
    }
    auto first = std::move(violations.front());
    if (violations.size() > 1) {
        first.message += " (and " + std::to_string(violations.size() - 1) + " more problem" +
                         (violations.size() == 2 ? "" : "s") + ")";
    }
    return tl::unexpected(
        TemplateError{tpl->file.string(), std::move(first.message), std::move(first.hint), 0, 0});
}

} // namespace musubi::templates
