#pragma once

// A consistent copy of a live SQLite survey database (`sipas db backup`),
// with SQLite's online backup API (https://www.sqlite.org/backup.html).
//
// The copy is one snapshot of the source: in WAL mode (every sipas database)
// the backup holds a read transaction on the source from its first page to
// its last, which never blocks the server's writer (WAL readers and the
// writer do not wait for each other; the WAL only grows past the snapshot
// until the backup ends). Pages are copied in steps (pages_per_step), so that
// no one step holds SQLite's locks long and progress can be shown; SQLITE_BUSY
// and SQLITE_LOCKED are retried after a short sleep. A source in a rollback
// journal mode is copied in steps too, the read lock taken only during each
// step (a write in between restarts the copy, as SQLite does).
//
// The copy is written to a temporary file (0600: the database holds personal
// data) in the destination's folder, converted to WAL mode, checked with
// PRAGMA quick_check, fsynced, and only then renamed into place (and the
// folder fsynced): a failed or interrupted backup leaves no file at the
// destination, or the old one untouched.

#include <cstdint>
#include <filesystem>
#include <functional>

#include "store/store.hpp"

namespace sipas::store {

struct BackupOptions {
  // Replace an existing destination file. Without it: StoreError store.exists,
  // nothing written.
  bool overwrite = false;
  // Pages copied a step (sqlite3_backup_step's nPage), at least 1.
  int pages_per_step = 1000;
  // How long a step may keep meeting SQLITE_BUSY or SQLITE_LOCKED in a row
  // before the backup gives up (store.busy).
  int busy_timeout_ms = 30000;
  // After each step: pages copied so far, and the source's page count.
  std::function<void(std::int64_t copied, std::int64_t total)> progress;
};

struct BackupResult {
  std::int64_t pages = 0;      // page count of the copy
  std::int64_t page_size = 0;  // bytes
  std::uintmax_t bytes = 0;    // the copy's file size
  int steps = 0;               // backup steps taken (retries not counted)
};

// Copies the database `source` (it must exist: store.not_found) to
// `destination`. Throws StoreError: store.not_found, store.exists (the
// destination exists and not options.overwrite, or it is the source itself,
// or its -wal file is not empty: it is open or was not closed cleanly),
// store.corrupt (the source is not a database), store.busy, store.full,
// store.io, store.backup_failed (anything else: the destination's folder
// missing, the copy failing its check).
BackupResult backup_database(const std::filesystem::path& source,
                             const std::filesystem::path& destination,
                             const BackupOptions& options = {});

}  // namespace sipas::store
