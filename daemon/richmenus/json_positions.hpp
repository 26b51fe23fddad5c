#pragma once
// Where each value of a JSON text is, so that a mistake in a rich-menu definition can be
// reported at file:line:col like a YAML one. nlohmann/json keeps no positions; this small
// scanner walks the (already valid) text once and records, for every JSON pointer, the place
// of the member's key (or of the array element's value).

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace musubi::richmenus {

struct TextPlace {
    int line = 0;   // 1-based
    int column = 0; // 1-based, in characters (UTF-8 code points), as an editor counts
};

// Line and column of a byte offset in `text`.
TextPlace place_of(std::string_view text, std::size_t offset);

class JsonPositions {
public:
    // `text` must be valid JSON (parse it with nlohmann first); an invalid text gives the
    // positions found before the mistake.
    explicit JsonPositions(std::string_view text);

    // The place of `pointer` ("/areas/2/action/uri"); a pointer that was not found falls back
    // to its nearest recorded parent, and the root to 1:1.
    TextPlace at(const std::string& pointer) const;

private:
    std::map<std::string, TextPlace> m_places;
};

} // namespace musubi::richmenus
