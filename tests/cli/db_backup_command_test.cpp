// sipas db backup: a consistent copy of a database while another connection
// keeps writing to it, as the server would; an existing --out is refused.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace sipas::test {
namespace {

namespace fs = std::filesystem;

// A connection of the test's own, closed at the end of the scope.
class Sqlite {
 public:
  explicit Sqlite(const fs::path& path, int flags = SQLITE_OPEN_READWRITE) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK)
      throw std::runtime_error("cannot open " + path.string() + ": " + sqlite3_errmsg(db_));
    sqlite3_busy_timeout(db_, 10000);
  }
  ~Sqlite() { sqlite3_close_v2(db_); }
  Sqlite(const Sqlite&) = delete;
  Sqlite& operator=(const Sqlite&) = delete;

  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error != nullptr ? error : "?";
      sqlite3_free(error);
      throw std::runtime_error(sql + ": " + message);
    }
  }
  // The first column of the first row, as text.
  std::string value(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt, 0);
      if (text != nullptr) out = reinterpret_cast<const char*>(text);
    }
    sqlite3_finalize(stmt);
    return out;
  }
  std::int64_t integer(const std::string& sql) { return std::stoll(value(sql)); }

 private:
  sqlite3* db_ = nullptr;
};

// A survey database made by sipas, with a table of the test's own big
// enough for many backup steps (about 3000 pages of 4 KiB).
std::string make_database(const TempDir& dir) {
  const std::string db = (dir / "survey.db").string();
  const auto r =
      sipas({"survey", "create", "--db", db, "--survey", "hn-2026", "--standard", "sipas-short"});
  if (r.exit_code != 0) throw std::runtime_error("survey create: " + r.err);
  Sqlite c(db);
  c.exec(
      "CREATE TABLE backup_rows (id INTEGER PRIMARY KEY, payload BLOB NOT NULL);"
      "CREATE TABLE backup_tally (n INTEGER NOT NULL);"
      "INSERT INTO backup_tally VALUES (0);"
      "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 3000) "
      "INSERT INTO backup_rows (id, payload) SELECT i, randomblob(3000) FROM k;"
      "UPDATE backup_tally SET n = 3000;");
  return db;
}

std::string mode_of(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "missing";
  char text[8];
  std::snprintf(text, sizeof text, "%04o", st.st_mode & 07777);
  return text;
}

// The names in the folder, for "nothing else was left".
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(DbBackupCommandTest, CopiesALiveDatabaseConsistently) {
  TempDir dir;
  const std::string db = make_database(dir);

  // The writer: one row and the tally in each transaction, as fast as it can,
  // until the backup is done.
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> committed{3000};
  std::atomic<std::int64_t> slowest_ms{0};
  std::string writer_error;
  std::thread writer([&] {
    try {
      Sqlite c(db);
      c.exec("PRAGMA synchronous=NORMAL");
      while (!stop) {
        const auto start = std::chrono::steady_clock::now();
        c.exec(
            "BEGIN IMMEDIATE;"
            "INSERT INTO backup_rows (payload) VALUES (randomblob(3000));"
            "UPDATE backup_tally SET n = n + 1;"
            "COMMIT;");
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
        if (ms > slowest_ms) slowest_ms = ms;
        ++committed;
      }
    } catch (const std::exception& e) {
      writer_error = e.what();
    }
  });
  while (committed < 3020)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const std::int64_t before = committed;
  const std::string out = (dir / "copy.db").string();
  const auto r = sipas({"db", "backup", "--db", db, "--out", out, "--step-pages", "50"});
  const std::int64_t after = committed;
  stop = true;
  writer.join();
  ASSERT_EQ(writer_error, "");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("written to " + out), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pages of 4096 bytes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("quick_check ok"), std::string::npos) << r.out;
  // More than ten steps: progress on standard error.
  EXPECT_NE(r.err.find("sipas: backup: 100% ("), std::string::npos) << r.err;
  EXPECT_GT(after, before) << "the writer made no commit while the backup ran";
  // The writer was never held up for long (WAL: the backup blocks no writer).
  EXPECT_LT(slowest_ms, 5000);

  EXPECT_EQ(mode_of(out), "0600");
  {
    Sqlite copy(out, SQLITE_OPEN_READONLY);
    EXPECT_EQ(copy.value("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(copy.value("PRAGMA journal_mode"), "wal");
    const auto rows = copy.integer("SELECT count(*) FROM backup_rows");
    // One snapshot: every row committed before the backup began, none after
    // it ended, no gap, and the tally of the same transactions.
    EXPECT_GE(rows, before);
    EXPECT_LE(rows, after);
    EXPECT_EQ(copy.integer("SELECT max(id) FROM backup_rows"), rows);
    EXPECT_EQ(copy.integer("SELECT n FROM backup_tally"), rows);
    EXPECT_EQ(copy.value("SELECT id FROM surveys"), "hn-2026");
  }
  // sipas opens the copy.
  const auto list = sipas({"survey", "list", "--db", out});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("hn-2026"), std::string::npos) << list.out;
  // No temporary left beside it.
  for (const auto& name : names_in(dir.path()))
    EXPECT_TRUE(name.rfind("survey.db", 0) == 0 || name.rfind("copy.db", 0) == 0) << name;
}

TEST(DbBackupCommandTest, RefusesAnExistingOutUnlessForced) {
  TempDir dir;
  const std::string db = make_database(dir);
  const std::string out = (dir / "copy.db").string();
  std::ofstream(out) << "an older copy\n";
  ::chmod(out.c_str(), 0644);
  const auto before = names_in(dir.path());

  auto r = sipas({"db", "backup", "--db", db, "--out", out});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("[store.exists]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(out), "an older copy\n");
  EXPECT_EQ(mode_of(out), "0644");
  EXPECT_EQ(names_in(dir.path()), before);

  // The database itself, even with --force.
  r = sipas({"db", "backup", "--db", db, "--out", db, "--force"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("[store.exists]"), std::string::npos) << r.err;
  {
    Sqlite c(db, SQLITE_OPEN_READONLY);
    EXPECT_EQ(c.value("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(c.integer("SELECT count(*) FROM backup_rows"), 3000);
  }

  r = sipas({"db", "backup", "--db", db, "--out", out, "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(out), "0600");
  Sqlite copy(out, SQLITE_OPEN_READONLY);
  EXPECT_EQ(copy.integer("SELECT count(*) FROM backup_rows"), 3000);
}

TEST(DbBackupCommandTest, MissingDatabaseOrFolder) {
  TempDir dir;
  auto r = sipas(
      {"db", "backup", "--db", (dir / "nope.db").string(), "--out", (dir / "copy.db").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("[store.not_found]"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "nope.db"));

  const std::string db = make_database(dir);
  r = sipas({"db", "backup", "--db", db, "--out", (dir / "no-such-folder" / "copy.db").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("[store.backup_failed]"), std::string::npos) << r.err;

  // A PostgreSQL database is not copied this way (nor is its URL printed).
  r = sipas({"db", "backup", "--db", "postgresql://sipas:secret@127.0.0.1:1/x", "--out",
             (dir / "copy.db").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("pg_dump"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("secret"), std::string::npos) << r.err;

  // Not a database.
  std::ofstream(dir / "text.db") << "not a database, but long enough to have a header ...........";
  r = sipas(
      {"db", "backup", "--db", (dir / "text.db").string(), "--out", (dir / "copy.db").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("[store.corrupt]"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "copy.db"));
}

TEST(DbBackupCommandTest, Help) {
  const auto r = sipas({"db", "backup", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* word : {"--db", "--out", "--force", "--step-pages", "0600", "quick_check"})
    EXPECT_NE(r.out.find(word), std::string::npos) << word << "\n" << r.out;
  const auto group = sipas({"db", "--help"});
  EXPECT_NE(group.out.find("backup"), std::string::npos) << group.out;
}

}  // namespace
}  // namespace sipas::test
