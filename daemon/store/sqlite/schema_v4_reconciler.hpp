#pragma once
// Schema version 4, the part for RichMenuLinks (see schema_v4.hpp and rich_menu_links.hpp).

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v4_reconciler = R"SQL(
-- The per-user rich menu musubi last set for each friend on LINE. No row: never set (LINE
-- shows the default menu). menu NULL: unlinked on purpose, so the default shows.
-- stale 1: LINE may no longer hold it (blocked, or the menu was deleted meanwhile): the
-- reconciler applies the desired menu again. checked_at: the last spot check (0: never).
CREATE TABLE friend_rich_menus (
    friend_id    INTEGER PRIMARY KEY REFERENCES friends(id),
    menu         TEXT,
    rich_menu_id TEXT,
    stale        INTEGER NOT NULL DEFAULT 0,
    linked_at    INTEGER NOT NULL DEFAULT 0,
    checked_at   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX friend_rich_menus_by_menu ON friend_rich_menus (rich_menu_id, friend_id)
    WHERE rich_menu_id IS NOT NULL;
CREATE INDEX friend_rich_menus_by_check ON friend_rich_menus (checked_at, friend_id);

-- Every change musubi made to a friend's menu on LINE, for operators (musubictl richmenu
-- changes). from/to are menu names (NULL: unlinked, the default shows; a LINE id when the
-- menu found was not musubi's).
CREATE TABLE rich_menu_changes (
    id        INTEGER PRIMARY KEY,
    friend_id INTEGER NOT NULL REFERENCES friends(id),
    from_menu TEXT,
    to_menu   TEXT,
    why       TEXT NOT NULL,
    at        INTEGER NOT NULL
);
CREATE INDEX rich_menu_changes_by_friend ON rich_menu_changes (friend_id, id);
)SQL";

} // namespace musubi::store::sqlite
