#include "store/backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>  // renameat2 (glibc 2.28)
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

namespace sipas::store {
namespace {

namespace fs = std::filesystem;

// The store id of an SQLite result code (as sqlite.cpp maps them).
std::string id_of(int code) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "store.busy";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return "store.corrupt";
    case SQLITE_FULL:
      return "store.full";
    case SQLITE_IOERR:
      return "store.io";
    default:
      return "store.backup_failed";
  }
}

[[noreturn]] void fail_sqlite(int code, sqlite3* db, const std::string& what) {
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  throw StoreError(id_of(code), "backup: " + what + ": " + detail);
}

[[noreturn]] void fail_errno(const std::string& what, int error) {
  throw StoreError(
      "store.backup_failed",
      "backup: " + what + ": " + std::error_code(error, std::generic_category()).message());
}

class Connection {
 public:
  Connection(const fs::path& path, int flags, const char* role) {
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) fail(rc, std::string("cannot open the ") + role + " " + path.string());
    sqlite3_extended_result_codes(db_, 1);
  }
  ~Connection() { close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void close() noexcept {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = nullptr;
  }
  // Closes, reporting an error (the last checkpoint of a WAL file).
  void close_checked(const std::string& what) {
    const int rc = sqlite3_close(db_);
    if (rc != SQLITE_OK) fail(rc, what);
    db_ = nullptr;
  }
  sqlite3* get() const { return db_; }

  void exec(const char* sql, const std::string& what) {
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) fail(rc, what);
  }
  // The rows of a statement's first column, as text.
  std::vector<std::string> column(const char* sql, const std::string& what) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr);
    if (rc != SQLITE_OK) fail(rc, what);
    std::vector<std::string> rows;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt, 0);
      rows.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) fail(rc, what);
    return rows;
  }
  std::int64_t integer(const char* sql, const std::string& what) {
    const auto rows = column(sql, what);
    return rows.empty() ? 0 : std::stoll(rows.front());
  }
  [[noreturn]] void fail(int rc, const std::string& what) const { fail_sqlite(rc, db_, what); }

 private:
  sqlite3* db_ = nullptr;
};

// The temporary copy and SQLite's files beside it, removed unless kept.
class Temporary {
 public:
  explicit Temporary(const fs::path& destination) {
    std::string pattern =
        (destination.parent_path() / ("." + destination.filename().string() + ".backup-XXXXXX"))
            .string();
    const int fd = ::mkstemp(pattern.data());  // O_EXCL, mode 0600
    if (fd < 0) fail_errno("cannot create a temporary file beside " + destination.string(), errno);
    path_ = pattern;
    // 0600 whatever the umask: the database holds personal data.
    if (::fchmod(fd, 0600) != 0) {
      const int error = errno;
      ::close(fd);
      remove();
      fail_errno("cannot set the mode of " + path_.string(), error);
    }
    ::close(fd);
  }
  ~Temporary() {
    if (!kept_) remove();
  }
  Temporary(const Temporary&) = delete;
  Temporary& operator=(const Temporary&) = delete;

  const fs::path& path() const { return path_; }
  void keep() { kept_ = true; }

 private:
  void remove() noexcept {
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
      std::error_code ec;
      fs::remove(path_.string() + suffix, ec);
    }
  }
  fs::path path_;
  bool kept_ = false;
};

void fsync_path(const fs::path& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (directory) return;  // best effort, as io::AtomicFile
    fail_errno("cannot open " + path.string() + " to sync it", errno);
  }
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0 && !directory) fail_errno("fsync of " + path.string() + " failed", error);
}

// Renames the finished copy into place; without `overwrite`, never over a
// file that appeared meanwhile.
void move_into_place(const fs::path& from, const fs::path& to, bool overwrite) {
  if (overwrite) {
    if (::rename(from.c_str(), to.c_str()) != 0)
      fail_errno("cannot rename the copy to " + to.string(), errno);
    return;
  }
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return;
  int error = errno;
  if (error == EINVAL || error == ENOSYS) {
    // A file system without RENAME_NOREPLACE: link() refuses an existing name too.
    if (::link(from.c_str(), to.c_str()) == 0) {
      ::unlink(from.c_str());
      return;
    }
    error = errno;
  }
  if (error == EEXIST)
    throw StoreError("store.exists", to.string() +
                                         " appeared during the backup: not replaced (the copy "
                                         "is discarded; give --force to replace it)");
  fail_errno("cannot rename the copy to " + to.string(), error);
}

void sleep_ms(int ms) {
  sqlite3_sleep(ms);
}

}  // namespace

BackupResult backup_database(const fs::path& source, const fs::path& destination,
                             const BackupOptions& options) {
  std::error_code ec;
  const std::string name = source.string();
  if (name.starts_with("postgresql://") || name.starts_with("postgres://"))
    throw StoreError("store.backup_failed",
                     "backup: " + name.substr(0, name.find(':')) +
                         ": this backup copies an SQLite database file; back up a PostgreSQL "
                         "database with pg_dump or pg_basebackup");
  if (!fs::is_regular_file(source, ec))
    throw StoreError("store.not_found", source.string() + ": no such database file");
  const fs::path folder = destination.has_parent_path() ? destination.parent_path() : ".";
  if (!fs::is_directory(folder, ec))
    throw StoreError("store.backup_failed", "backup: the folder " + folder.string() + " of " +
                                                destination.string() + " does not exist");
  const fs::path& target = destination;
  if (fs::exists(target, ec)) {
    if (fs::equivalent(source, target, ec))
      throw StoreError("store.exists",
                       target.string() + " is the database itself: back up to another file");
    if (!options.overwrite)
      throw StoreError("store.exists",
                       target.string() + " exists: not replaced (give --force to replace it)");
    // A -wal beside the old file would be read into the new one.
    const fs::path wal = target.string() + "-wal";
    if (fs::exists(wal, ec) && fs::file_size(wal, ec) > 0)
      throw StoreError("store.exists", wal.string() + " is not empty: " + target.string() +
                                           " is open or was not closed cleanly; not replaced");
  }
  const int pages_per_step = options.pages_per_step > 0 ? options.pages_per_step : 1;

  Connection src(source, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, "database");
  sqlite3_busy_timeout(src.get(), 5000);
  // A read transaction: in WAL mode it is the snapshot copied, and it blocks
  // no writer.
  src.exec("BEGIN", "cannot begin a read transaction on " + source.string());
  src.column("SELECT count(*) FROM sqlite_schema", source.string() + " cannot be read");
  const auto mode = src.column("PRAGMA journal_mode", "journal mode of " + source.string());
  const bool wal = !mode.empty() && mode.front() == "wal";
  // In a rollback journal mode a read transaction held across steps would
  // keep every writer out: each step takes its own lock instead.
  if (!wal) src.exec("COMMIT", "end of the read transaction on " + source.string());

  Temporary temporary(target);
  BackupResult result;
  {
    Connection dst(temporary.path(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, "copy");
    sqlite3_backup* backup = sqlite3_backup_init(dst.get(), "main", src.get(), "main");
    if (backup == nullptr) dst.fail(sqlite3_errcode(dst.get()), "cannot start the backup");
    int waited_ms = 0;
    int rc = SQLITE_OK;
    while (true) {
      rc = sqlite3_backup_step(backup, pages_per_step);
      if (rc == SQLITE_OK || rc == SQLITE_DONE) {
        ++result.steps;
        waited_ms = 0;
        if (options.progress) {
          const std::int64_t total = sqlite3_backup_pagecount(backup);
          options.progress(total - sqlite3_backup_remaining(backup), total);
        }
        if (rc == SQLITE_DONE) break;
        if (!wal) sleep_ms(5);  // room for a writer between steps
        continue;
      }
      if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
        if (waited_ms >= options.busy_timeout_ms) break;
        sleep_ms(20);
        waited_ms += 20;
        continue;
      }
      break;
    }
    const int finish = sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) {
      if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        throw StoreError("store.busy", "backup: " + source.string() + " stayed busy for " +
                                           std::to_string(options.busy_timeout_ms / 1000) +
                                           " s: no copy made");
      dst.fail(rc, "copying " + source.string() + " failed");
    }
    if (finish != SQLITE_OK) dst.fail(finish, "finishing the copy of " + source.string());
    if (wal) src.exec("COMMIT", "end of the read transaction on " + source.string());
    src.close();

    dst.exec("PRAGMA synchronous=FULL", "the copy's settings");
    const auto copy_mode = dst.column("PRAGMA journal_mode=WAL", "WAL mode for the copy");
    if (copy_mode.empty() || copy_mode.front() != "wal")
      throw StoreError("store.backup_failed", "backup: the copy cannot be put in WAL mode");
    const auto check = dst.column("PRAGMA quick_check", "quick_check of the copy");
    if (check.size() != 1 || check.front() != "ok")
      throw StoreError("store.backup_failed",
                       "backup: the copy of " + source.string() + " fails PRAGMA quick_check: " +
                           (check.empty() ? std::string("no answer") : check.front()));
    result.pages = dst.integer("PRAGMA page_count", "page count of the copy");
    result.page_size = dst.integer("PRAGMA page_size", "page size of the copy");
    // The last connection: its WAL is checkpointed into the file and removed.
    dst.close_checked("closing the copy");
  }
  for (const char* suffix : {"-wal", "-journal"}) {
    if (fs::exists(temporary.path().string() + suffix, ec))
      throw StoreError("store.backup_failed",
                       "backup: " + temporary.path().string() + suffix + " was left behind");
  }
  fsync_path(temporary.path(), false);
  move_into_place(temporary.path(), target, options.overwrite);
  temporary.keep();
  std::error_code ignored;
  fs::remove(temporary.path().string() + "-shm", ignored);
  fsync_path(folder, true);
  result.bytes = fs::file_size(target, ec);
  return result;
}

}  // namespace sipas::store
