#pragma once
// Schema version 3, the part for RichMenus (see schema_v3.hpp and rich_menus.hpp).

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v3_richmenus = R"SQL(
-- Every rich menu musubi created on LINE, by the richmenus.yaml name it was made for and the
-- content hash (definition and image) it was made from. A menu's life:
--   created    LINE answered its richMenuId; the image is not uploaded yet
--   uploaded   the image is on LINE; alias and default not pointed at it yet
--   current    the menu in use for its name (at most one per name)
--   superseded a newer menu of the same name is current: its friends must be moved, then
--              it is deleted
--   retired    deleted on LINE
CREATE TABLE rich_menus (
    rich_menu_id  TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    state         TEXT NOT NULL
                  CHECK (state IN ('created', 'uploaded', 'current', 'superseded', 'retired')),
    created_at    INTEGER NOT NULL,
    current_at    INTEGER,
    superseded_at INTEGER,
    retired_at    INTEGER
);
CREATE UNIQUE INDEX rich_menus_one_current ON rich_menus (name) WHERE state = 'current';
CREATE INDEX rich_menus_by_name ON rich_menus (name, state);

-- Where each richmenuswitch alias points on LINE, as musubi last set it.
CREATE TABLE rich_menu_aliases (
    alias        TEXT PRIMARY KEY,
    rich_menu_id TEXT NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- LINE's default menu for all friends, as musubi last set it (one row at most).
CREATE TABLE rich_menu_default (
    only         INTEGER PRIMARY KEY CHECK (only = 1),
    rich_menu_id TEXT NOT NULL,
    set_at       INTEGER NOT NULL
);
)SQL";

} // namespace musubi::store::sqlite
