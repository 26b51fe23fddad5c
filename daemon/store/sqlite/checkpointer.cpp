#include "daemon/store/sqlite/checkpointer.hpp"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace musubi::store::sqlite {

namespace {

// SQLite's own threshold: a checkpoint is asked for once the log holds this many pages.
constexpr int k_pages = 1000;
// While readers keep a checkpoint from finishing, every commit asks again: one try per file
// in this time is enough.
constexpr auto k_at_most_every = std::chrono::milliseconds(100);

// One for the process, never destroyed: its thread is detached and simply ends with the process
// (a checkpoint cut short is safe by SQLite's design), so exiting — or a forked child that
// exits — never waits for it.
class Checkpointer {
public:
    void ask(const char* file) {
        {
            std::lock_guard lock(m_mutex);
            m_asked.insert(file);
            if (!m_started) {
                m_started = true;
                std::thread([this] { run(); }).detach();
            }
        }
        m_wake.notify_one();
    }

private:
    using Clock = std::chrono::steady_clock;

    [[noreturn]] void run() {
        std::map<std::string, Clock::time_point> last_run;
        std::unique_lock lock(m_mutex);
        for (;;) {
            if (m_asked.empty()) {
                m_wake.wait(lock);
                continue;
            }
            const auto now = Clock::now();
            const std::string file = *m_asked.begin();
            if (const auto ran = last_run.find(file);
                ran != last_run.end() && now < ran->second + k_at_most_every) {
                m_wake.wait_until(lock, ran->second + k_at_most_every);
                continue;
            }
            m_asked.erase(m_asked.begin());
            last_run[file] = now;
            lock.unlock();
            checkpoint(file);
            lock.lock();
        }
    }

    // A connection for each checkpoint: nothing stays open on a file that its owner has
    // closed (or deleted). A failure (a full disk, a read-only file) leaves the pages in the
    // log, where readers find them; the next commit asks again, and the writers' own errors
    // say what is wrong.
    static void checkpoint(const std::string& file) {
        sqlite3* db = nullptr;
        if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                            nullptr) == SQLITE_OK) {
            // A new connection knows the file is in WAL mode only once it has read it.
            sqlite3_exec(db, "SELECT 1 FROM sqlite_master LIMIT 1", nullptr, nullptr, nullptr);
            sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        }
        sqlite3_close(db);
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::set<std::string> m_asked;
    bool m_started = false;
};

Checkpointer& checkpointer() {
    static auto* instance = new Checkpointer;
    return *instance;
}

int on_commit(void*, sqlite3* db, const char* name, int pages) {
    if (pages >= k_pages) {
        if (const char* file = sqlite3_db_filename(db, name); file != nullptr && *file != '\0') {
            checkpointer().ask(file);
        }
    }
    return SQLITE_OK;
}

} // namespace

void checkpoint_in_background(sqlite3* db) {
    sqlite3_wal_hook(db, on_commit, nullptr);
}

} // namespace musubi::store::sqlite
