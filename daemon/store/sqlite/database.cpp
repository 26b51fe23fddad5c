#include "daemon/store/sqlite/database.hpp"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "daemon/log/log.hpp"

namespace musubi::store::sqlite {

namespace {

using SteadyClock = std::chrono::steady_clock;

// A write that commits this long after the last refusal says the store is writable again.
// (On a full disk SQLite may still fit a write into space it holds; each such write ends the
// episode, and the next refusal starts a new one.)
constexpr auto k_recovered_after = std::chrono::milliseconds(0);

struct HealthState {
    std::mutex mutex;
    WriteHealth health;
    SteadyClock::time_point first_refusal{};
    SteadyClock::time_point last_refusal{};
};

HealthState& health_state() {
    static HealthState state;
    return state;
}

// Read on every write that commits: the mutex is only taken while the store is not writable.
std::atomic<bool> g_not_writable{false};

// Prepared statements kept per connection, by their SQL text, for the next prepare() of the same
// text: parsing and planning a statement anew each time was a third of the engine's time per
// step at 1,000,000 friends (tests/bench/scale), and as much again for every webhook and order.
// A Statement gives its sqlite3_stmt back here, reset, when it ends; a connection's statements
// are finalized before it closes. Bounded, because a few callers build SQL text with values in
// it: beyond the bounds a statement is finalized as before.
class StatementCache {
public:
    sqlite3_stmt* take(sqlite3* db, std::string_view sql) {
        std::lock_guard lock(m_mutex);
        const auto connection = m_kept.find(db);
        if (connection == m_kept.end()) {
            return nullptr;
        }
        const auto kept = connection->second.find(std::string(sql));
        if (kept == connection->second.end() || kept->second.empty()) {
            return nullptr;
        }
        sqlite3_stmt* statement = kept->second.back();
        kept->second.pop_back();
        return statement;
    }

    void give_back(sqlite3_stmt* statement) {
        if (statement == nullptr) {
            return;
        }
        sqlite3_reset(statement);
        sqlite3_clear_bindings(statement);
        const char* sql = sqlite3_sql(statement);
        {
            std::lock_guard lock(m_mutex);
            auto& connection = m_kept[sqlite3_db_handle(statement)];
            std::size_t total = 0;
            for (const auto& [text, statements] : connection) {
                total += statements.size();
            }
            auto& same = connection[sql != nullptr ? sql : ""];
            if (sql != nullptr && same.size() < k_same_text && total < k_per_connection) {
                same.push_back(statement);
                return;
            }
        }
        sqlite3_finalize(statement);
    }

    // Before the connection closes (sqlite3_close refuses while statements are open).
    void finalize_all(sqlite3* db) {
        std::vector<sqlite3_stmt*> statements;
        {
            std::lock_guard lock(m_mutex);
            const auto connection = m_kept.find(db);
            if (connection == m_kept.end()) {
                return;
            }
            for (auto& [text, kept] : connection->second) {
                statements.insert(statements.end(), kept.begin(), kept.end());
            }
            m_kept.erase(connection);
        }
        for (auto* statement : statements) {
            sqlite3_finalize(statement);
        }
    }

private:
    static constexpr std::size_t k_same_text = 4;
    static constexpr std::size_t k_per_connection = 200;
    std::mutex m_mutex;
    std::unordered_map<sqlite3*, std::unordered_map<std::string, std::vector<sqlite3_stmt*>>>
        m_kept;
};

StatementCache& statement_cache() {
    static StatementCache cache;
    return cache;
}

const log::Logger& store_logger() {
    static const log::Logger logger("store");
    return logger;
}

// The problem behind a refused write, from SQLite's extended result code and, for an I/O
// error, the system's errno (a read-only file system or an immutable file show as a failed
// write; a full disk can too).
WriteProblem classify(int code, int system_errno) {
    switch (code & 0xff) {
    case SQLITE_FULL:
        return WriteProblem::disk_full;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
        return WriteProblem::read_only;
    case SQLITE_IOERR:
        if (system_errno == ENOSPC || system_errno == EDQUOT) {
            return WriteProblem::disk_full;
        }
        if (system_errno == EROFS || system_errno == EPERM || system_errno == EACCES) {
            return WriteProblem::read_only;
        }
        return WriteProblem::io_error;
    default:
        return WriteProblem::none;
    }
}

std::string action_for(WriteProblem problem, const std::filesystem::path& path) {
    const std::string resumes = "; musubi keeps what it could not write, sends nothing "
                                "meanwhile, and resumes by itself, losing nothing";
    switch (problem) {
    case WriteProblem::disk_full:
        return "free space on the disk that holds the store (" + path.parent_path().string() + ")" +
               resumes;
    case WriteProblem::read_only:
        return "make the store writable for the musubi service again (" + path.string() +
               ", its -wal and -shm files and its folder: a read-only mount, permissions or "
               "file attributes)" +
               resumes;
    case WriteProblem::io_error:
        return "check the disk that holds the store (" + path.string() + "; dmesg)" + resumes;
    case WriteProblem::none:
        break;
    }
    return {};
}

// A write was refused: count it, and say so once per episode. Returns the operator's hint
// for the StoreError (empty: not a problem of the disk).
std::string note_refusal(sqlite3* db, int code, const std::filesystem::path& path,
                         const std::string& message) {
    const auto problem = classify(code, sqlite3_system_errno(db));
    if (problem == WriteProblem::none) {
        return {};
    }
    auto& state = health_state();
    std::lock_guard lock(state.mutex);
    const auto now = SteadyClock::now();
    ++state.health.refused_writes;
    state.health.detail = message;
    state.last_refusal = now;
    if (state.health.problem != problem) {
        if (state.health.problem == WriteProblem::none) {
            state.first_refusal = now;
        }
        state.health.problem = problem;
        g_not_writable.store(true);
        store_logger().error("store.not_writable", {{"problem", write_problem_name(problem)},
                                                    {"path", path},
                                                    {"error", message},
                                                    {"action", action_for(problem, path)}});
    }
    return action_for(problem, path);
}

// A write committed: if the store was not writable, it is again.
void note_committed() {
    if (!g_not_writable.load(std::memory_order_relaxed)) {
        return;
    }
    auto& state = health_state();
    std::lock_guard lock(state.mutex);
    const auto now = SteadyClock::now();
    if (state.health.problem == WriteProblem::none ||
        now - state.last_refusal < k_recovered_after) {
        return;
    }
    store_logger().info("store.writable_again",
                        {{"was", write_problem_name(state.health.problem)},
                         {"refused_writes", state.health.refused_writes},
                         {"lasted", std::chrono::duration_cast<std::chrono::milliseconds>(
                                        now - state.first_refusal)},
                         {"action", "none: the workers write what they kept and sending resumes"}});
    state.health.problem = WriteProblem::none;
    g_not_writable.store(false);
}

} // namespace

WriteHealth write_health() {
    auto& state = health_state();
    std::lock_guard lock(state.mutex);
    return state.health;
}

const char* write_problem_name(WriteProblem problem) {
    switch (problem) {
    case WriteProblem::none:
        return "none";
    case WriteProblem::disk_full:
        return "disk_full";
    case WriteProblem::read_only:
        return "read_only";
    case WriteProblem::io_error:
        return "io_error";
    }
    return "unknown";
}

void reset_write_health() {
    auto& state = health_state();
    std::lock_guard lock(state.mutex);
    state.health = {};
    g_not_writable.store(false);
}

Statement::Statement(Statement&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr))
    , m_statement(std::exchange(other.m_statement, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        statement_cache().give_back(m_statement);
        m_db = std::exchange(other.m_db, nullptr);
        m_statement = std::exchange(other.m_statement, nullptr);
    }
    return *this;
}

Statement::~Statement() {
    statement_cache().give_back(m_statement);
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
        if (sqlite3_get_autocommit(m_db) != 0 && sqlite3_changes64(m_db) > 0 &&
            sqlite3_stmt_readonly(m_statement) == 0) {
            note_committed(); // a write outside a transaction
        }
        return false;
    }
    StoreError error{std::string("database error: ") + sqlite3_errmsg(m_db), {}};
    const char* filename = sqlite3_db_filename(m_db, "main");
    error.hint = note_refusal(m_db, result, filename != nullptr ? filename : "", error.message);
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
        statement_cache().finalize_all(m_db);
        sqlite3_close(m_db);
        m_db = std::exchange(other.m_db, nullptr);
        m_path = std::move(other.m_path);
    }
    return *this;
}

Database::~Database() {
    statement_cache().finalize_all(m_db);
    sqlite3_close(m_db);
}

StoreError Database::error(std::string_view doing) const {
    return {std::string(doing) + " failed on " + m_path.string() + ": " + sqlite3_errmsg(m_db), {}};
}

tl::expected<void, StoreError> Database::exec(std::string_view sql) {
    char* message = nullptr;
    const std::string text(sql);
    if (const int result = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &message);
        result != SQLITE_OK) {
        StoreError error{"database error on " + m_path.string() + ": " +
                             (message != nullptr ? message : "unknown"),
                         {}};
        sqlite3_free(message);
        error.hint = note_refusal(m_db, result, m_path, error.message);
        return tl::unexpected(std::move(error));
    }
    return {};
}

tl::expected<Statement, StoreError> Database::prepare(std::string_view sql) {
    if (auto* kept = statement_cache().take(m_db, sql); kept != nullptr) {
        return Statement(m_db, kept);
    }
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
    Transaction transaction(db);
    transaction.m_changes_before = sqlite3_total_changes64(db.handle());
    return transaction;
}

Transaction::Transaction(Transaction&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr))
    , m_changes_before(other.m_changes_before) {}

Transaction::~Transaction() {
    if (m_db != nullptr) {
        (void)m_db->exec("ROLLBACK");
    }
}

tl::expected<void, StoreError> Transaction::commit() {
    if (auto committed = m_db->exec("COMMIT"); !committed) {
        return tl::unexpected(committed.error());
    }
    if (sqlite3_total_changes64(m_db->handle()) > m_changes_before) {
        note_committed();
    }
    m_db = nullptr;
    return {};
}

} // namespace musubi::store::sqlite
