#pragma once
// WAL checkpoints off the writers' path. SQLite's default runs a checkpoint inside the commit
// that takes the write-ahead log past 1,000 pages: that commit then copies the pages into the
// database file and waits for two fsyncs, and while another connection still reads an older
// snapshot the checkpoint cannot finish, so every following commit tries again. With a
// connection per worker that was most of an engine tick's worst times at 1,000,000 friends
// (tests/bench/scale). Instead each connection only asks; one background thread checkpoints
// (PASSIVE: it never waits for readers or writers) on a connection of its own.

#include <sqlite3.h>

namespace musubi::store::sqlite {

// Makes `db` leave checkpoints to the background thread (replaces wal_autocheckpoint).
void checkpoint_in_background(sqlite3* db);

} // namespace musubi::store::sqlite
