#pragma once
// A thin RAII layer over SQLite's C API: one connection, prepared statements, errors as values.
// Kept small on purpose: the SQL lives with the store that uses it.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>
#include <tl/expected.hpp>

#include "daemon/store/store_error.hpp"

namespace musubi::store::sqlite {

class Statement {
public:
    Statement() = default;
    Statement(sqlite3* db, sqlite3_stmt* statement)
        : m_db(db)
        , m_statement(statement) {}
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    // Parameters are 1-based, as in SQL's "?1".
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, std::string_view value);
    Statement& bind_null(int index);
    Statement& bind_optional(int index, const std::optional<std::string>& value);

    // true: a row is available; false: done.
    tl::expected<bool, StoreError> step();
    // Runs to completion, then resets for reuse.
    tl::expected<void, StoreError> run();
    void reset();

    std::int64_t column_int64(int index) const;
    std::string column_text(int index) const;
    bool column_is_null(int index) const;

private:
    sqlite3* m_db = nullptr;
    sqlite3_stmt* m_statement = nullptr;
};

class Database {
public:
    // Opens (and creates) the file read-write.
    static tl::expected<Database, StoreError> open(const std::filesystem::path& path);

    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    tl::expected<void, StoreError> exec(std::string_view sql);
    tl::expected<Statement, StoreError> prepare(std::string_view sql);
    // The value of a PRAGMA that returns one integer, e.g. "user_version".
    tl::expected<std::int64_t, StoreError> pragma_int(std::string_view name);
    tl::expected<std::string, StoreError> pragma_text(std::string_view statement);

    sqlite3* handle() const { return m_db; }
    const std::filesystem::path& path() const { return m_path; }
    StoreError error(std::string_view doing) const;

private:
    Database(sqlite3* db, std::filesystem::path path)
        : m_db(db)
        , m_path(std::move(path)) {}
    sqlite3* m_db = nullptr;
    std::filesystem::path m_path;
};

// Makes a writer that finds the database locked wait up to `timeout`, trying again every
// half millisecond. (SQLite's own busy timeout sleeps 1, 2, 5, 10, ... 100 ms between tries,
// which turns a lock held for a millisecond into a wait of tens of milliseconds.)
void set_busy_wait(Database& db, std::chrono::milliseconds timeout);

// Opens one more connection to an existing store file, set up as every musubi connection is:
// busy timeout (writers wait for each other instead of failing), synchronous NORMAL (WAL),
// foreign keys on. Each worker (engine, dispatcher, webhook, linking) has its own connection,
// so readers never wait and writers queue inside SQLite.
tl::expected<Database, StoreError> open_connection(const std::filesystem::path& path,
                                                   std::chrono::milliseconds busy_timeout);

// One write transaction: BEGIN IMMEDIATE on construction (the write lock is taken before
// anything is read, so what is read cannot change before the commit), ROLLBACK unless
// commit() succeeded.
class Transaction {
public:
    static tl::expected<Transaction, StoreError> begin(Database& db);
    Transaction(Transaction&& other) noexcept;
    Transaction& operator=(Transaction&&) = delete;
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();

    tl::expected<void, StoreError> commit();

private:
    explicit Transaction(Database& db)
        : m_db(&db) {}
    Database* m_db = nullptr;          // null once committed or moved from
    std::int64_t m_changes_before = 0; // rows changed on the connection before BEGIN
};

// Whether the store can be written, for the whole process: every connection reports here.
// A write that SQLite refuses because the disk is full (SQLITE_FULL), the file or its folder
// is read-only (SQLITE_READONLY, SQLITE_CANTOPEN), or the disk failed (SQLITE_IOERR) marks
// the store not writable and logs `store.not_writable` once, with what to do. The workers
// keep what they could not write and retry (nothing is lost, nothing is sent meanwhile); the
// first write that commits after the last refusal logs
// `store.writable_again` and marks it writable.
enum class WriteProblem { none, disk_full, read_only, io_error };

struct WriteHealth {
    WriteProblem problem = WriteProblem::none; // none: writable
    std::int64_t refused_writes = 0;           // since start, all connections
    std::string detail;                        // SQLite's message for the last refusal
};

WriteHealth write_health();
const char* write_problem_name(WriteProblem problem);
// For tests: forget what was reported.
void reset_write_health();

} // namespace musubi::store::sqlite
