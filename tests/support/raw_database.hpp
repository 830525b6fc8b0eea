#pragma once

// A connection of the tests' own to the database a store uses, past the
// store: to count rows, read what no store call returns, or change what no
// route changes. The SQLite file or the postgresql:// URL, alike.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "store/database.hpp"
#include "store/postgres.hpp"
#include "store/sqlite.hpp"

namespace sipas::store::db {

// GoogleTest prints a backend parameter by its name.
inline void PrintTo(Backend backend, std::ostream* out) {
  *out << (backend == Backend::Sqlite ? "sqlite" : "postgres");
}

}  // namespace sipas::store::db

namespace sipas::test {

inline std::unique_ptr<store::db::Connection> raw_connection(const std::filesystem::path& db) {
  if (store::db::is_postgres_url(db.string()))
    return std::make_unique<store::postgres::Connection>(db.string(), false);
  return std::make_unique<store::sqlite::Connection>(
      store::sqlite::Database(db, store::sqlite::Database::Mode::ReadWrite));
}

// The first column of the first row of `sql` (a count, a setting).
inline std::int64_t scalar(const std::filesystem::path& db, const std::string& sql) {
  auto raw = raw_connection(db);
  auto& query = raw->statement(sql);
  query.step();
  return query.column_int64(0);
}

// The suffix of a test run on a backend (INSTANTIATE_TEST_SUITE_P's name
// generator): .../sqlite, .../postgres.
inline std::string backend_name(const ::testing::TestParamInfo<store::db::Backend>& param) {
  return param.param == store::db::Backend::Sqlite ? "sqlite" : "postgres";
}

}  // namespace sipas::test
