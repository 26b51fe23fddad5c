#include "daemon/app/memory_bounds.hpp"

#include <cstdint>
#include <malloc.h>
#include <memory>

#include <sqlite3.h>

namespace musubi::app {

namespace {

// What musubid's memory does over a month was measured with scripts/soak (30 simulated days,
// 76,000 orders, the store growing to 250 MB): with glibc's and SQLite's defaults the
// resident set grew 8% after the third day and kept growing; with the settings below it
// is flat (under 5%, the soak's limit). See the README's "Memory".

// musubid runs some 25 threads for its whole life (workers, servers, pollers). glibc gives a
// thread that meets contention an arena of its own, up to 8 per core, and memory freed in one
// arena only serves that arena again: in the soak musubid held 16 arenas, 18.8 MB taken from
// the system of which 4.5 to 7 MB were in use. Two arenas (musubi's machines have one or two
// cores, so no more than two threads allocate at once) let memory one thread frees serve the
// next; the small allocations of the hot paths come from each thread's own cache (tcache).
constexpr int k_malloc_arenas = 2;

// Setting the mmap threshold fixes it (glibc otherwise raises it up to 32 MB after the first
// large free): a poll's 100 orders of JSON or a big status report are mapped and unmapped
// whole instead of leaving holes in an arena. 128 kB is glibc's own starting value.
constexpr int k_mmap_threshold = 128 * 1024;

// SQLite's page caches (about 14 connections, each with a cache of 2 MB, the poller's of
// 32 MB) take their pages from one buffer set aside at start instead of from malloc. In WAL
// mode a connection drops its whole cache whenever another one has committed, so pages were
// freed and allocated again all the time across the threads, and each new peak (SQLite's heap
// reached 8 MB during the first poll, then crept to 14 MB as the database grew) left the heap
// larger for good. 2,048 pages (8.6 MB, resident only as far as they have been used) is what
// the first poll of a month of orders needed; when they are nearly all taken, caches reuse
// their own pages (only pages a statement holds overflow to malloc).
constexpr int k_page_cache_pages = 2048;
constexpr int k_page_size = 4096; // SQLite's default, which musubi's store keeps

// The rest of SQLite's heap (statements, schemas, overflow pages), 1 MB in the soak once the
// pages had their buffer: above this soft limit SQLite reuses cache pages rather than
// allocating more, a bound should a bigger shop's caches overflow the buffer.
constexpr sqlite3_int64 k_sqlite_soft_heap_limit = 8 * 1024 * 1024;

} // namespace

void bound_memory() {
    mallopt(M_ARENA_MAX, k_malloc_arenas);
    mallopt(M_MMAP_THRESHOLD, k_mmap_threshold);
    // Before SQLite is initialised (the first connection does that); should this fail, the
    // caches simply come from malloc as before.
    int header = 0;
    if (sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &header) == SQLITE_OK) {
        const int slot = k_page_size + header;
        // Not initialised: a page of the buffer is only resident once SQLite has used it.
        static const auto buffer = std::make_unique_for_overwrite<std::uint64_t[]>(
            static_cast<std::size_t>(slot) * k_page_cache_pages / sizeof(std::uint64_t) + 1);
        sqlite3_config(SQLITE_CONFIG_PAGECACHE, buffer.get(), slot, k_page_cache_pages);
    }
    sqlite3_soft_heap_limit64(k_sqlite_soft_heap_limit);
}

} // namespace musubi::app
