#pragma once
// NULL-aware column reads and binds that every SQLite store part needs.

#include <cstdint>
#include <optional>
#include <string>

#include "daemon/store/sqlite/database.hpp"

namespace musubi::store::sqlite {

inline std::optional<std::int64_t> optional_int(const Statement& statement, int column) {
    if (statement.column_is_null(column)) {
        return std::nullopt;
    }
    return statement.column_int64(column);
}

inline std::optional<std::string> optional_text(const Statement& statement, int column) {
    if (statement.column_is_null(column)) {
        return std::nullopt;
    }
    return statement.column_text(column);
}

inline void bind_optional_int(Statement& statement, int index, std::optional<std::int64_t> value) {
    if (value) {
        statement.bind(index, *value);
    } else {
        statement.bind_null(index);
    }
}

} // namespace musubi::store::sqlite
