#pragma once

// The store's schema, as a list of numbered migrations (migrations.cpp). The
// version a database is at is PRAGMA user_version; schema_migrations records
// when each step was applied.

#include <filesystem>
#include <string>

#include "store/store.hpp"

namespace sipas::store {

namespace sqlite {
class Database;
}
namespace db {
class Connection;
}

// store.newer_schema: `database` is at schema `found`, past `known`, what
// this sipas knows (or migrates to).
StoreError newer_schema_error(const std::string& database, int found, int known);

// PRAGMA user_version of the main database (0 for a new, empty file). Reading
// it is the first thing done with a file, so a file that is not a database is
// refused (store.corrupt) before anything is written to it.
int user_version(sqlite::Database& db);

// Brings `db` to schema `target` in one BEGIN IMMEDIATE transaction: all the
// steps or none. The version is read again inside the transaction, so two
// processes opening an old file at once migrate it once. Throws StoreError
// store.newer_schema (nothing written) when the database is already past
// `target`; store.migration_failed when a step fails (with SQLite's reason), or
// the SQLite error itself when the disk is full, read-only or failing.
void migrate(sqlite::Database& db, int target);

// PostgreSQL: the highest step in schema_migrations, 0 for a database
// without sipas' tables.
int postgres_schema_version(db::Connection& db);

// Brings a PostgreSQL database to schema `target` in one transaction that
// holds an advisory lock, so that two nodes starting at once migrate it once
// (the second waits, then finds nothing to do). Errors as migrate().
void migrate_postgres(db::Connection& db, int target);

// Creates (or opens) the file at `path` and brings it to schema `version`
// exactly, as a sipas of that version would have left it (WAL). For tests
// that need a database from an older sipas.
void migrate_to(const std::filesystem::path& path, int version);

}  // namespace sipas::store
