// The PostgreSQL of the tests (the CTest fixture `postgres`, test_postgres.hpp):
// the server takes the role sipas only with its password, read through
// PGPASSFILE, and a TestDatabase is created, used and dropped.

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/stat.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "tests/support/test_postgres.hpp"

namespace sipas::test {
namespace {

struct ConnectionDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Connection = std::unique_ptr<PGconn, ConnectionDeleter>;

Connection connect(const std::string& url, const char* passfile = nullptr) {
  const char* keywords[] = {"dbname", "connect_timeout", passfile ? "passfile" : nullptr, nullptr};
  const char* values[] = {url.c_str(), "10", passfile, nullptr};
  return Connection(PQconnectdbParams(keywords, values, 1));
}

// The first value of a query's one row, or nullopt (with the error in `error`).
std::optional<std::string> query_value(PGconn* c, const std::string& sql, std::string& error) {
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c, sql.c_str()), &PQclear);
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    error = PQerrorMessage(c);
    return std::nullopt;
  }
  if (PQntuples(r.get()) == 0) return std::string();
  return std::string(PQgetvalue(r.get(), 0, 0));
}

bool database_exists(const std::string& server_url, const std::string& name) {
  auto c = connect(server_url);
  EXPECT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
  std::string error;
  const auto value = query_value(
      c.get(), "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'", error);
  EXPECT_TRUE(value) << error;
  return value && *value == "1";
}

TEST(PostgresFixtureTest, ServerUrlHasNoPasswordAndThePasswordFileIsPrivate) {
  SIPAS_SKIP_WITHOUT_POSTGRES();
  const std::string url = *test_postgres_url();
  EXPECT_EQ(url.rfind("postgresql://sipas@127.0.0.1:", 0), 0u) << url;
  EXPECT_EQ(url.substr(url.size() - 9), "/postgres") << url;
  const char* passfile = std::getenv("PGPASSFILE");
  ASSERT_NE(passfile, nullptr) << "PGPASSFILE is not set beside SIPAS_TEST_POSTGRES";
  struct stat st {};
  ASSERT_EQ(::stat(passfile, &st), 0) << passfile;
  EXPECT_EQ(st.st_mode & 0777, 0600u) << passfile;
}

TEST(PostgresFixtureTest, LoginNeedsThePasswordOfPgpassfile) {
  SIPAS_SKIP_WITHOUT_POSTGRES();
  const std::string url = *test_postgres_url();
  auto c = connect(url);
  ASSERT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
  EXPECT_TRUE(PQconnectionUsedPassword(c.get())) << "the server let sipas in without a password";
  std::string error;
  EXPECT_EQ(query_value(c.get(), "SELECT current_user", error), "sipas") << error;
  // SCRAM, not md5 or trust.
  EXPECT_EQ(query_value(c.get(), "SHOW password_encryption", error), "scram-sha-256") << error;

  // Without the password file, the server refuses.
  auto refused = connect(url, "/nonexistent/pgpass");
  EXPECT_NE(PQstatus(refused.get()), CONNECTION_OK);
}

TEST(PostgresFixtureTest, TestDatabaseIsCreatedUsedAndDropped) {
  SIPAS_SKIP_WITHOUT_POSTGRES();
  const std::string server = *test_postgres_url();
  std::string name;
  {
    Connection c;  // outlives db: the drop must force it closed
    TestDatabase db;
    name = db.name();
    EXPECT_EQ(name.rfind("t_postgresfixturetest_testdatabase", 0), 0u) << name;
    EXPECT_LE(name.size(), 63u);
    EXPECT_EQ(db.url(), postgres_url_with_database(server, name));
    EXPECT_TRUE(database_exists(server, name));

    c = connect(db.url());
    ASSERT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
    EXPECT_TRUE(PQconnectionUsedPassword(c.get()));
    std::string error;
    EXPECT_EQ(query_value(c.get(), "SELECT current_database()", error), name) << error;
    EXPECT_TRUE(query_value(c.get(),
                            "CREATE TABLE t (id integer PRIMARY KEY, name text);"
                            "INSERT INTO t VALUES (1, 'Hà Nội'), (2, 'Huế');"
                            "SELECT count(*) FROM t",
                            error))
        << error;
    EXPECT_EQ(query_value(c.get(), "SELECT name FROM t WHERE id = 1", error), "Hà Nội") << error;

    // A second database in the same test has a name of its own.
    TestDatabase other;
    EXPECT_NE(other.name(), name);
  }
  EXPECT_FALSE(database_exists(server, name)) << name << " was not dropped";
}

TEST(PostgresFixtureTest, UrlWithDatabase) {
  EXPECT_EQ(postgres_url_with_database("postgresql://sipas@127.0.0.1:5432/postgres", "x"),
            "postgresql://sipas@127.0.0.1:5432/x");
  EXPECT_EQ(postgres_url_with_database("postgresql://sipas@h:1", "x"), "postgresql://sipas@h:1/x");
  EXPECT_EQ(postgres_url_with_database("postgresql://sipas@h:1/db?sslmode=disable", "x"),
            "postgresql://sipas@h:1/x?sslmode=disable");
  EXPECT_EQ(postgres_url_with_database("postgresql://sipas@h:1?sslmode=disable", "x"),
            "postgresql://sipas@h:1/x?sslmode=disable");
}

}  // namespace
}  // namespace sipas::test
