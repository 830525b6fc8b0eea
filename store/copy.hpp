#pragma once

// A whole installation from one database to another (`sipas db copy`):
// SQLite to PostgreSQL when a province moves to several nodes, and back.
//
// Both are opened as stores first (the source brought to the current schema,
// the destination created or migrated), so they have the same tables. The
// destination must hold no data. Every table of the schema is copied with
// its ids (the export cursor `seq` and the invitations' ids stay what they
// were), read in one snapshot of the source and written in one transaction
// of the destination, and checked inside that transaction before it commits:
// the row count and a content hash of each table, computed the same way on
// both sides from typed values (so 4.0 in SQLite and 4 in PostgreSQL are the
// same number). A mismatch rolls everything back: nothing is written.
// Derived data is not copied but rebuilt by the destination (SQLite's
// progress counts by its triggers, PostgreSQL's view), and the destination's
// own schema_migrations is kept.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace sipas::store {

struct TableCopy {
  std::string table;
  std::int64_t rows = 0;
  std::string hash;  // 64 hex digits: the rows' content, in any order
};

struct CopyOptions {
  // Before each table, and after it with its row count.
  std::function<void(const std::string& table, std::int64_t rows)> progress;
};

// The tables copied, in the order they are written (a row's references come
// before it). A test checks it names every table of the schema.
const std::vector<std::string>& copied_tables();

// Throws StoreError: store.not_found (the source), store.not_empty (the
// destination holds data: the message names the first table with rows),
// store.copy_mismatch (a table's count or hash differ after the copy;
// nothing was written), store.same_database, or the backends' errors.
std::vector<TableCopy> copy_database(const std::string& from, const std::string& to,
                                     const CopyOptions& options = {});

// The count and hash of every copied table of a database, as copy_database
// computes them.
std::vector<TableCopy> table_digests(const std::string& database);

}  // namespace sipas::store
