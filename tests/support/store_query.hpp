#pragma once
// Reads a store file the way a test looks at it: on a connection of its own, beside the one the
// code under test holds (or the musubid process), waiting out a writer's lock.

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/store/sqlite/database.hpp"

namespace musubi::test {

// The first column of every row of `sql`, as text ("" for NULL). Throws on an SQL error.
inline std::vector<std::string> column(const std::filesystem::path& db_file,
                                       const std::string& sql) {
    auto db = store::sqlite::Database::open(db_file);
    if (!db) {
        throw std::runtime_error("cannot open " + db_file.string() + ": " + db.error().message);
    }
    store::sqlite::set_busy_wait(*db, std::chrono::milliseconds(5000));
    auto statement = db->prepare(sql);
    if (!statement) {
        throw std::runtime_error(statement.error().message + " in: " + sql);
    }
    std::vector<std::string> values;
    while (true) {
        auto row = statement->step();
        if (!row) {
            throw std::runtime_error(row.error().message + " in: " + sql);
        }
        if (!*row) {
            return values;
        }
        values.push_back(statement->column_text(0));
    }
}

} // namespace musubi::test
