#pragma once
// The rich menus musubi created on LINE, remembered so that provisioning is idempotent: a
// menu whose content hash (definition and image) is unchanged is reused; a changed one is a
// new menu, and the old one stays `superseded` until its friends were moved and the caller
// retires it. A crash between two LINE calls resumes where it stopped (created → uploaded →
// current), so no menu is created twice for the same content.
//
// For the rich-menu reconciler: current_id(name) is the richMenuId friends of that menu must
// be linked to; pending_moves() lists every menu still waiting for its friends to be moved
// (it survives restarts), after which the provisioner's retire() deletes it on LINE.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/store/store_error.hpp"

namespace musubi::store {

enum class RichMenuState { created, uploaded, current, superseded, retired };

struct RichMenuRecord {
    std::string rich_menu_id;
    std::string name; // richmenus.yaml name
    std::string content_hash;
    RichMenuState state = RichMenuState::created;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> current_at;
    std::optional<std::int64_t> superseded_at;
    std::optional<std::int64_t> retired_at;
};

// "Menu <name> moved from <from_id> to <to_id>: re-link its friends". `to_id` is empty when
// the name left richmenus.yaml (its friends fall back to the default menu).
struct RichMenuMove {
    std::string name;
    std::string from_id;
    std::string to_id;
    std::int64_t since = 0; // when from_id was superseded

    bool operator==(const RichMenuMove&) const = default;
};

class RichMenus {
public:
    virtual ~RichMenus() = default;

    // Every menu not yet retired, oldest first.
    virtual tl::expected<std::vector<RichMenuRecord>, StoreError> menus() = 0;
    virtual tl::expected<std::optional<std::string>, StoreError>
    current_id(const std::string& name) = 0;
    virtual tl::expected<std::vector<RichMenuMove>, StoreError> pending_moves() = 0;

    // LINE answered `rich_menu_id` for a new menu of `name` with `content_hash`.
    virtual tl::expected<void, StoreError> record_created(const std::string& name,
                                                          const std::string& content_hash,
                                                          const std::string& rich_menu_id,
                                                          std::int64_t at) = 0;
    virtual tl::expected<void, StoreError> mark_uploaded(const std::string& rich_menu_id,
                                                         std::int64_t at) = 0;
    // In one transaction: `rich_menu_id` becomes current for its name and the one that was
    // current before (if any) becomes superseded. Answers the superseded id.
    virtual tl::expected<std::optional<std::string>, StoreError>
    make_current(const std::string& rich_menu_id, std::int64_t at) = 0;
    // The current menu of a name that left richmenus.yaml becomes superseded (no successor).
    virtual tl::expected<std::optional<std::string>, StoreError>
    supersede_name(const std::string& name, std::int64_t at) = 0;
    virtual tl::expected<void, StoreError> mark_retired(const std::string& rich_menu_id,
                                                        std::int64_t at) = 0;

    virtual tl::expected<std::optional<std::string>, StoreError>
    alias_target(const std::string& alias) = 0;
    virtual tl::expected<void, StoreError>
    record_alias(const std::string& alias, const std::string& rich_menu_id, std::int64_t at) = 0;
    virtual tl::expected<std::optional<std::string>, StoreError> default_menu() = 0;
    virtual tl::expected<void, StoreError> record_default(const std::string& rich_menu_id,
                                                          std::int64_t at) = 0;
};

// "created", "uploaded", … as stored in the `state` column.
inline std::string_view rich_menu_state_name(RichMenuState state) {
    switch (state) {
    case RichMenuState::created:
        return "created";
    case RichMenuState::uploaded:
        return "uploaded";
    case RichMenuState::current:
        return "current";
    case RichMenuState::superseded:
        return "superseded";
    case RichMenuState::retired:
        return "retired";
    }
    return "created";
}

} // namespace musubi::store
