#include "daemon/config/duration.hpp"

#include <array>
#include <charconv>
#include <utility>

namespace musubi::config {

namespace {

using namespace std::chrono_literals;

struct Unit {
    std::string_view suffix;
    Duration length;
};

// Longest suffix first so "ms" is not read as "m" followed by garbage.
constexpr std::array<Unit, 6> k_units{
    {{"ms", 1ms}, {"s", 1s}, {"m", 1min}, {"h", 1h}, {"d", 24h}, {"w", 168h}}};

} // namespace

tl::expected<Duration, std::string> parse_duration(std::string_view text) {
    if (text.empty()) {
        return tl::unexpected(std::string("an empty value is not a duration"));
    }
    Duration total{0};
    std::string_view rest = text;
    while (!rest.empty()) {
        long long amount = 0;
        auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), amount);
        if (error != std::errc() || end == rest.data()) {
            return tl::unexpected("'" + std::string(text) + "' is not a duration");
        }
        rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
        const Unit* unit = nullptr;
        for (const auto& candidate : k_units) {
            if (rest.starts_with(candidate.suffix)) {
                unit = &candidate;
                break;
            }
        }
        if (unit == nullptr) {
            return tl::unexpected("'" + std::string(text) + "' is not a duration");
        }
        rest.remove_prefix(unit->suffix.size());
        if (amount < 0 || amount > 3650LL * 24 * 3600 * 1000 / unit->length.count()) {
            return tl::unexpected("'" + std::string(text) + "' is out of range (0 to 3650d)");
        }
        total += unit->length * amount;
    }
    return total;
}

std::string format_duration(Duration duration) {
    if (duration.count() == 0) {
        return "0s";
    }
    std::string text;
    Duration rest = duration;
    for (auto it = k_units.rbegin(); it != k_units.rend(); ++it) {
        if (it->suffix == "w") {
            continue; // "14d" reads better than "2w" in a dump; weeks are accepted on input only
        }
        auto count = rest / it->length;
        if (count > 0) {
            text += std::to_string(count) + std::string(it->suffix);
            rest -= it->length * count;
        }
    }
    return text;
}

} // namespace musubi::config
