#include "settings.hpp"

#include <initializer_list>
#include <string_view>

namespace musubi::sim::rakuten {

namespace {

std::string where(const YAML::Node& node) {
    auto mark = node.Mark();
    if (mark.is_null()) {
        return "rakuten";
    }
    return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

void check_keys(const YAML::Node& node, std::string_view section,
                std::initializer_list<std::string_view> valid) {
    if (!node.IsMap()) {
        throw SettingsError(std::string(section) + " (" + where(node) + ") must be a mapping");
    }
    for (const auto& entry : node) {
        auto key = entry.first.as<std::string>();
        bool known = false;
        std::string list;
        for (auto name : valid) {
            known = known || key == name;
            list += (list.empty() ? "" : ", ") + std::string(name);
        }
        if (!known) {
            throw SettingsError("unknown key '" + key + "' in " + std::string(section) + " (" +
                                where(entry.first) + "); valid keys: " + list);
        }
    }
}

template <typename T>
void read(const YAML::Node& parent, const char* key, T& out) {
    const YAML::Node node = parent[key];
    if (!node) {
        return;
    }
    try {
        out = node.as<T>();
    } catch (const YAML::Exception&) {
        throw SettingsError(std::string("bad value for '") + key + "' (" + where(node) + ")");
    }
}

void read_ratio(const YAML::Node& parent, const char* key, double& out) {
    read(parent, key, out);
    if (out < 0 || out > 1) {
        throw SettingsError(std::string("'") + key + "' must be between 0 and 1");
    }
}

void read_duration(const YAML::Node& parent, const char* key, EpochSeconds unit,
                   EpochSeconds& out) {
    double amount = -1;
    read(parent, key, amount);
    if (parent[key]) {
        if (amount < 0) {
            throw SettingsError(std::string("'") + key + "' must not be negative");
        }
        out = EpochSeconds(amount * double(unit));
    }
}

void read_generator(const YAML::Node& node, RmsSettings& settings) {
    check_keys(node, "rakuten.generator",
               {"orders_per_hour", "repeat_ratio", "cancel_ratio", "confirm_after_minutes",
                "ship_after_hours", "payment_after_hours", "paid_after_hours", "backfill_count",
                "backfill_days"});
    GeneratorSettings& g = settings.generator;
    read(node, "orders_per_hour", g.orders_per_hour);
    if (g.orders_per_hour < 0) {
        throw SettingsError("'orders_per_hour' must not be negative");
    }
    read_ratio(node, "repeat_ratio", g.repeat_ratio);
    read_ratio(node, "cancel_ratio", g.cancel_ratio);
    read_duration(node, "confirm_after_minutes", k_minute, g.confirm_after);
    read_duration(node, "ship_after_hours", k_hour, g.ship_after);
    read_duration(node, "payment_after_hours", k_hour, g.payment_after);
    read_duration(node, "paid_after_hours", k_hour, g.paid_after);
    read(node, "backfill_count", settings.backfill_count);
    read(node, "backfill_days", settings.backfill_days);
    if (settings.backfill_days < 1 || settings.backfill_days > 730) {
        throw SettingsError("'backfill_days' must be between 1 and 730");
    }
}

void read_licenses(const YAML::Node& node, RmsSettings& settings) {
    if (!node.IsSequence() || node.size() == 0) {
        throw SettingsError("rakuten.license_keys (" + where(node) +
                            ") must be a non-empty list of {key, expires}");
    }
    settings.license_keys.clear();
    for (const auto& entry : node) {
        check_keys(entry, "rakuten.license_keys[]", {"key", "expires"});
        LicenseSpec spec;
        read(entry, "key", spec.key);
        if (spec.key.empty()) {
            throw SettingsError("rakuten.license_keys[] (" + where(entry) + ") needs a key");
        }
        if (entry["expires"]) {
            auto text = entry["expires"].as<std::string>();
            spec.expires = parse_jst_local_datetime(text);
            if (!spec.expires) {
                throw SettingsError("bad expires '" + text + "' (" + where(entry["expires"]) +
                                    "); write JST like 2027-02-20T23:59:59");
            }
        }
        settings.license_keys.push_back(std::move(spec));
    }
}

void read_faults(const YAML::Node& node, FaultSettings& faults) {
    check_keys(node, "rakuten.faults",
               {"error_rate", "error_status", "slow_rate", "slow_ms", "drop_rate", "maintenance",
                "license_expired", "seed"});
    read_ratio(node, "error_rate", faults.error_rate);
    read(node, "error_status", faults.error_status);
    read_ratio(node, "slow_rate", faults.slow_rate);
    read(node, "slow_ms", faults.slow_ms);
    read_ratio(node, "drop_rate", faults.drop_rate);
    read(node, "maintenance", faults.maintenance);
    read(node, "license_expired", faults.license_expired);
    read(node, "seed", faults.seed);
}

void read_limits(const YAML::Node& node, LimitSettings& limits) {
    check_keys(node, "rakuten.limits", {"per_second", "per_minute", "cap_total_records"});
    read(node, "per_second", limits.per_second);
    read(node, "per_minute", limits.per_minute);
    read(node, "cap_total_records", limits.cap_total_records);
    if (limits.per_second < 0 || limits.per_minute < 0) {
        throw SettingsError("'per_second' and 'per_minute' must not be negative (0 = off)");
    }
}

void read_reviews(const YAML::Node& node, RmsSettings& settings) {
    check_keys(node, "rakuten.reviews", {"directory", "encoding"});
    read(node, "directory", settings.reviews_directory);
    std::string encoding(csv_encoding_name(settings.reviews_encoding));
    read(node, "encoding", encoding);
    auto parsed = parse_csv_encoding(encoding);
    if (!parsed) {
        throw SettingsError("bad rakuten.reviews.encoding '" + encoding +
                            "'; valid: cp932, utf-8, utf-8-bom");
    }
    settings.reviews_encoding = *parsed;
}

void read_script(const YAML::Node& node, RmsSettings& settings) {
    if (!node.IsSequence()) {
        throw SettingsError("rakuten.script (" + where(node) + ") must be a list of steps");
    }
    for (const auto& entry : node) {
        ScriptStep step;
        if (auto problem = parse_script_step(yaml_to_json(entry), step)) {
            throw SettingsError("rakuten.script step (" + where(entry) + "): " + *problem);
        }
        settings.script.push_back(std::move(step));
    }
}

} // namespace

RmsSettings parse_rms_settings(const YAML::Node& node) {
    RmsSettings settings;
    if (!node || node.IsNull()) {
        return settings;
    }
    check_keys(node, "rakuten",
               {"shop_id", "shop_url", "seed", "service_secret", "license_keys", "generator",
                "faults", "limits", "reviews", "script", "modes"});
    read(node, "shop_id", settings.generator.shop_id);
    if (settings.generator.shop_id.size() != 6 ||
        settings.generator.shop_id.find_first_not_of("0123456789") != std::string::npos) {
        throw SettingsError("rakuten.shop_id must be six digits, e.g. \"123456\"");
    }
    read(node, "shop_url", settings.shop_url);
    read(node, "seed", settings.generator.seed);
    settings.faults.seed = settings.generator.seed + 1;
    read(node, "service_secret", settings.service_secret);
    if (node["license_keys"]) {
        read_licenses(node["license_keys"], settings);
    }
    if (node["generator"]) {
        read_generator(node["generator"], settings);
    }
    if (node["faults"]) {
        read_faults(node["faults"], settings.faults);
    }
    if (node["limits"]) {
        read_limits(node["limits"], settings.limits);
    }
    if (node["reviews"]) {
        read_reviews(node["reviews"], settings);
    }
    if (node["script"]) {
        read_script(node["script"], settings);
    }
    if (node["modes"]) {
        try {
            settings.modes = parse_wire_modes(node["modes"]);
        } catch (const std::runtime_error& error) {
            throw SettingsError(error.what());
        }
    }
    return settings;
}

} // namespace musubi::sim::rakuten
