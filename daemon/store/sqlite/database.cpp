#include "daemon/store/sqlite/database.hpp"

#include <cstdint>
#include <thread>
#include <utility>

namespace musubi::store::sqlite {

Statement::Statement(Statement&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr))
    , m_statement(std::exchange(other.m_statement, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(m_statement);
        m_db = std::exchange(other.m_db, nullptr);
        m_statement = std::exchange(other.m_statement, nullptr);
    }
    return *this;
}

Statement::~Statement() {
    sqlite3_finalize(m_statement);
}

Statement& Statement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(m_statement, index, value);
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    sqlite3_bind_text(m_statement, index, value.data(), static_cast<int>(value.size()),
                      SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bind_null(int index) {
    sqlite3_bind_null(m_statement, index);
    return *this;
}

Statement& Statement::bind_optional(int index, const std::optional<std::string>& value) {
    return value ? bind(index, std::string_view(*value)) : bind_null(index);
}

tl::expected<bool, StoreError> Statement::step() {
    const int result = sqlite3_step(m_statement);
    if (result == SQLITE_ROW) {
        return true;
    }
    if (result == SQLITE_DONE) {
        return false;
    }
    StoreError error{std::string("database error: ") + sqlite3_errmsg(m_db), {}};
    sqlite3_reset(m_statement);
    return tl::unexpected(std::move(error));
}

tl::expected<void, StoreError> Statement::run() {
    while (true) {
        auto row = step();
        if (!row) {
            return tl::unexpected(row.error());
        }
        if (!*row) {
            break;
        }
    }
    reset();
    return {};
}

void Statement::reset() {
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
}

std::int64_t Statement::column_int64(int index) const {
    return sqlite3_column_int64(m_statement, index);
}

std::string Statement::column_text(int index) const {
    const auto* text = sqlite3_column_text(m_statement, index);
    const int size = sqlite3_column_bytes(m_statement, index);
    return text == nullptr
               ? std::string()
               : std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

bool Statement::column_is_null(int index) const {
    return sqlite3_column_type(m_statement, index) == SQLITE_NULL;
}

tl::expected<Database, StoreError> Database::open(const std::filesystem::path& path) {
    sqlite3* db = nullptr;
    const int result =
        sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (result != SQLITE_OK) {
        StoreError error{"cannot open the database " + path.string() + ": " +
                             (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(result)),
                         "check that the folder exists and the musubi service may write to it "
                         "(store.path)"};
        sqlite3_close(db);
        return tl::unexpected(std::move(error));
    }
    sqlite3_extended_result_codes(db, 1);
    return Database(db, path);
}

Database::Database(Database&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr))
    , m_path(std::move(other.m_path)) {}

Database& Database::operator=(Database&& other) noexcept {
    if (this != &other) {
        sqlite3_close(m_db);
        m_db = std::exchange(other.m_db, nullptr);
        m_path = std::move(other.m_path);
    }
    return *this;
}

Database::~Database() {
    sqlite3_close(m_db);
}

StoreError Database::error(std::string_view doing) const {
    return {std::string(doing) + " failed on " + m_path.string() + ": " + sqlite3_errmsg(m_db), {}};
}

tl::expected<void, StoreError> Database::exec(std::string_view sql) {
    char* message = nullptr;
    const std::string text(sql);
    if (sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        StoreError error{"database error on " + m_path.string() + ": " +
                             (message != nullptr ? message : "unknown"),
                         {}};
        sqlite3_free(message);
        return tl::unexpected(std::move(error));
    }
    return {};
}

tl::expected<Statement, StoreError> Database::prepare(std::string_view sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v3(m_db, sql.data(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK) {
        return tl::unexpected(error("preparing a statement"));
    }
    return Statement(m_db, statement);
}

tl::expected<std::int64_t, StoreError> Database::pragma_int(std::string_view name) {
    auto statement = prepare("PRAGMA " + std::string(name));
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    auto row = statement->step();
    if (!row) {
        return tl::unexpected(row.error());
    }
    return *row ? statement->column_int64(0) : 0;
}

tl::expected<std::string, StoreError> Database::pragma_text(std::string_view statement_text) {
    auto statement = prepare(statement_text);
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    auto row = statement->step();
    if (!row) {
        return tl::unexpected(row.error());
    }
    return *row ? statement->column_text(0) : std::string();
}

namespace {

constexpr auto k_busy_retry = std::chrono::microseconds(500);

// sqlite3_busy_handler's callback: `context` holds the timeout in microseconds.
int wait_briefly(void* context, int tries) {
    const auto timeout = std::chrono::microseconds(reinterpret_cast<std::intptr_t>(context));
    if (k_busy_retry * tries >= timeout) {
        return 0; // give up: the caller gets SQLITE_BUSY
    }
    std::this_thread::sleep_for(k_busy_retry);
    return 1;
}

} // namespace

void set_busy_wait(Database& db, std::chrono::milliseconds timeout) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
    sqlite3_busy_handler(db.handle(), wait_briefly,
                         reinterpret_cast<void*>(static_cast<std::intptr_t>(micros)));
}

tl::expected<Database, StoreError> open_connection(const std::filesystem::path& path,
                                                   std::chrono::milliseconds busy_timeout) {
    auto db = Database::open(path);
    if (!db) {
        return tl::unexpected(db.error());
    }
    set_busy_wait(*db, busy_timeout);
    for (const char* pragma : {"PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON"}) {
        if (auto applied = db->exec(pragma); !applied) {
            return tl::unexpected(applied.error());
        }
    }
    return db;
}

tl::expected<Transaction, StoreError> Transaction::begin(Database& db) {
    if (auto begun = db.exec("BEGIN IMMEDIATE"); !begun) {
        return tl::unexpected(begun.error());
    }
    return Transaction(db);
}

Transaction::Transaction(Transaction&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)) {}

Transaction::~Transaction() {
    if (m_db != nullptr) {
        (void)m_db->exec("ROLLBACK");
    }
}

tl::expected<void, StoreError> Transaction::commit() {
    if (auto committed = m_db->exec("COMMIT"); !committed) {
        return tl::unexpected(committed.error());
    }
    m_db = nullptr;
    return {};
}

} // namespace musubi::store::sqlite
