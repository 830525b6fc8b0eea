#pragma once

// PostgreSQL for the tests: the server of the CTest fixture `postgres`
// (tests/support/postgres.cmake), and a fresh database a test on it.
//
// A test executable made with sipas_test(NAME POSTGRES ...) runs with
//   SIPAS_TEST_POSTGRES=postgresql://sipas@127.0.0.1:PORT/postgres (no password)
//   PGPASSFILE=<build>/tests/postgres/pgpass (the password, read by libpq)
// A test that needs the server and finds SIPAS_TEST_POSTGRES unset (run by
// hand, without CTest's fixture) is skipped, never passed:
//
//   TEST(MyStore, Works) {
//     SIPAS_SKIP_WITHOUT_POSTGRES();
//     sipas::test::TestDatabase db;   // CREATE DATABASE, dropped at the end
//     SurveyStore store(db.url());
//   }

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

namespace sipas::test {

// SIPAS_TEST_POSTGRES, or nullopt when it is unset or empty.
std::optional<std::string> test_postgres_url();

// Why a test was skipped without it.
inline constexpr const char* no_postgres_message =
    "SIPAS_TEST_POSTGRES is not set: this test needs the PostgreSQL server of the CTest fixture "
    "'postgres' (run it through ctest, or start tests/support/postgres.sh and set "
    "SIPAS_TEST_POSTGRES and PGPASSFILE)";

// A database of its own for one test: created (CREATE DATABASE) on
// construction on the server of SIPAS_TEST_POSTGRES with a name unique among
// the test processes running at once (the test's name, the process id and a
// counter), dropped WITH (FORCE) on destruction, whatever connections are
// left open. Throws std::runtime_error when SIPAS_TEST_POSTGRES is unset or
// the server refuses.
class TestDatabase {
 public:
  // `label` goes into the name; by default the running test's suite and name.
  explicit TestDatabase(std::string_view label = {});
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // The database's name (lowercase letters, digits and _; at most 63 bytes).
  const std::string& name() const { return name_; }
  // The server's URL with this database: postgresql://sipas@127.0.0.1:PORT/NAME.
  const std::string& url() const { return url_; }

 private:
  std::string server_url_, name_, url_;
};

// `url` with its database (the path) replaced by `database`, query kept.
std::string postgres_url_with_database(const std::string& url, const std::string& database);

}  // namespace sipas::test

// In a test body: skips the test, saying why, when SIPAS_TEST_POSTGRES is unset.
#define SIPAS_SKIP_WITHOUT_POSTGRES()                                                            \
  do {                                                                                           \
    if (!::sipas::test::test_postgres_url()) GTEST_SKIP() << ::sipas::test::no_postgres_message; \
  } while (false)
