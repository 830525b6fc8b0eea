#include "store/copy.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <memory>
#include <optional>

#include "store/postgres.hpp"
#include "store/sqlite.hpp"
#include "store/tokens.hpp"

namespace sipas::store {
namespace {

enum class Type : char { Integer = 'i', Real = 'r', Text = 't' };

struct Column {
  const char* name;
  Type type;
};

struct Table {
  const char* name;
  std::vector<Column> columns;
  std::size_t keys;  // the first `keys` columns are the primary key
};

constexpr Type I = Type::Integer, R = Type::Real, T = Type::Text;

// Schema version 8. A new table or column in a later migration belongs here
// too (the test CopiedTablesAreEveryTableOfTheSchema says so when missing).
const std::vector<Table>& tables() {
  static const std::vector<Table> all{
      {"surveys",
       {{"id", T},
        {"questionnaire_json", T},
        {"questionnaire_id", T},
        {"questionnaire_version", T},
        {"state", T},
        {"created_at", I},
        {"opened_at", I},
        {"closed_at", I},
        {"open_link", I}},
       1},
      {"invitations",
       {{"id", I},
        {"survey", T},
        {"respondent_id", T},
        {"stratum", T},
        {"psu", T},
        {"inclusion_probability", R},
        {"design_weight", R},
        {"reserve", I},
        {"reserve_rank", I},
        {"import_order", I},
        {"token_hash", T},
        {"active", I},
        {"activated_at", I},
        {"opened_at", I}},
       1},
      {"invitation_attributes", {{"invitation", I}, {"position", I}, {"name", T}, {"value", T}}, 2},
      {"invitation_contacts", {{"invitation", I}, {"position", I}, {"name", T}, {"value", T}}, 2},
      {"responses",
       {{"seq", I},
        {"survey", T},
        {"invitation", I},
        {"submission_id", T},
        {"language", T},
        {"answers_json", T},
        {"received_at", I},
        {"client", T},
        {"review_state", T},
        {"reviewed_at", I}},
       1},
      {"drafts", {{"invitation", I}, {"answers_json", T}, {"saved_at", I}, {"page", I}}, 1},
      {"api_keys",
       {{"id", I}, {"name", T}, {"role", T}, {"key_hash", T}, {"created_at", I}, {"revoked_at", I}},
       1},
      {"audit_log",
       {{"seq", I},
        {"at", I},
        {"actor", T},
        {"action", T},
        {"survey", T},
        {"subject", T},
        {"before_json", T},
        {"after_json", T},
        {"note", T}},
       1},
      {"units", {{"id", T}, {"name", T}, {"type", T}, {"parent", T}, {"created_at", I}}, 1},
      {"users",
       {{"id", I},
        {"name", T},
        {"role", T},
        {"unit", T},
        {"password_hash", T},
        {"disabled", I},
        {"created_at", I},
        {"password_set_at", I}},
       1},
      {"sessions", {{"id_hash", T}, {"user_id", I}, {"created_at", I}, {"last_seen_at", I}}, 1},
      {"login_failures", {{"id", I}, {"user_name", T}, {"at", I}}, 1},
  };
  return all;
}

// The identity columns of PostgreSQL, set past the copied ids so that the
// next row gets a new one.
constexpr std::array<std::pair<const char*, const char*>, 6> identities{{
    {"invitations", "id"},
    {"responses", "seq"},
    {"api_keys", "id"},
    {"audit_log", "seq"},
    {"users", "id"},
    {"login_failures", "id"},
}};

constexpr int page_rows = 2000;

std::unique_ptr<db::Connection> connect(const std::string& database) {
  if (db::is_postgres_url(database)) return std::make_unique<postgres::Connection>(database, false);
  sqlite::Database file(database, sqlite::Database::Mode::ReadWrite);
  file.set_busy_timeout(10000);
  return std::make_unique<sqlite::Connection>(std::move(file));
}

std::string column_list(const Table& table) {
  std::string out;
  for (const auto& column : table.columns) {
    if (!out.empty()) out += ", ";
    out += column.name;
  }
  return out;
}

// A page of rows after the last key read, in key order.
std::string page_query(const Table& table, bool first) {
  std::string sql = "SELECT " + column_list(table) + " FROM " + table.name;
  std::string keys;
  std::string after;
  for (std::size_t k = 0; k < table.keys; ++k) {
    keys += (k == 0 ? "" : ", ") + std::string(table.columns[k].name);
    after += (k == 0 ? "?" : ", ?") + std::to_string(k + 1);
  }
  if (!first)
    sql += table.keys == 1 ? " WHERE " + keys + " > " + after
                           : " WHERE (" + keys + ") > (" + after + ")";
  return sql + " ORDER BY " + keys + " LIMIT " + std::to_string(page_rows);
}

// One value, typed, as read from a row.
struct Value {
  bool null = false;
  std::int64_t integer = 0;
  double real = 0;
  std::string text;
};

Value read(const db::Statement& row, int index, Type type) {
  Value value;
  value.null = row.is_null(index);
  if (value.null) return value;
  switch (type) {
    case Type::Integer:
      value.integer = row.column_int64(index);
      break;
    case Type::Real:
      value.real = row.column_double(index);
      break;
    case Type::Text:
      value.text = row.column_text(index);
      break;
  }
  return value;
}

void bind(db::Statement& statement, int index, const Value& value, Type type) {
  if (value.null) return statement.bind_null(index);
  switch (type) {
    case Type::Integer:
      return statement.bind(index, value.integer);
    case Type::Real:
      return statement.bind(index, value.real);
    case Type::Text:
      return statement.bind(index, std::string_view(value.text));
  }
}

// The row as bytes that do not depend on the backend: typed, length-prefixed.
void canonical(std::string& out, const Value& value, Type type) {
  if (value.null) {
    out += "N;";
    return;
  }
  std::array<char, 32> digits{};
  switch (type) {
    case Type::Integer: {
      auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value.integer).ptr;
      out += 'I';
      out.append(digits.data(), end);
      break;
    }
    case Type::Real: {
      auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value.real).ptr;
      out += 'R';
      out.append(digits.data(), end);
      break;
    }
    case Type::Text:
      out += 'T' + std::to_string(value.text.size()) + ':';
      out += value.text;
      break;
  }
  out += ';';
}

// Rows hashed one by one and summed lane by lane (mod 2^64): the same rows
// give the same digest in any order.
class Digest {
 public:
  void add(const std::string& row) {
    const std::string hex = hash_secret(row);
    for (std::size_t lane = 0; lane < 4; ++lane) {
      std::uint64_t part = 0;
      std::from_chars(hex.data() + lane * 16, hex.data() + lane * 16 + 16, part, 16);
      lanes_[lane] += part;
    }
  }
  std::string hex() const {
    std::string out;
    for (std::uint64_t lane : lanes_) {
      std::array<char, 17> text{};
      std::snprintf(text.data(), text.size(), "%016llx", static_cast<unsigned long long>(lane));
      out += text.data();
    }
    return out;
  }

 private:
  std::array<std::uint64_t, 4> lanes_{};
};

// Reads every row of `table` in key order, a page at a time; `row` gets the
// typed values of each.
template <typename F>
std::int64_t each_row(db::Connection& db, const Table& table, F&& row) {
  std::int64_t count = 0;
  std::vector<Value> last;
  for (bool first = true;; first = false) {
    auto& page = db.statement(page_query(table, first));
    db::Reset reset(page);
    for (std::size_t k = 0; !first && k < table.keys; ++k)
      bind(page, static_cast<int>(k + 1), last[k], table.columns[k].type);
    int read_now = 0;
    std::vector<Value> values(table.columns.size());
    while (page.step()) {
      for (std::size_t c = 0; c < table.columns.size(); ++c)
        values[c] = read(page, static_cast<int>(c), table.columns[c].type);
      row(values);
      ++read_now;
      ++count;
    }
    if (read_now < page_rows) return count;
    last.assign(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(table.keys));
  }
}

TableCopy digest_of(db::Connection& db, const Table& table) {
  Digest digest;
  std::string bytes;
  TableCopy out;
  out.table = table.name;
  out.rows = each_row(db, table, [&](const std::vector<Value>& values) {
    bytes.clear();
    for (std::size_t c = 0; c < values.size(); ++c)
      canonical(bytes, values[c], table.columns[c].type);
    digest.add(bytes);
  });
  out.hash = digest.hex();
  return out;
}

std::string insert_sql(const Table& table) {
  std::string values;
  for (std::size_t c = 0; c < table.columns.size(); ++c)
    values += (c == 0 ? "?" : ", ?") + std::to_string(c + 1);
  return "INSERT INTO " + std::string(table.name) + " (" + column_list(table) + ") VALUES (" +
         values + ")";
}

void refuse_data(db::Connection& db, const std::string& name) {
  for (const Table& table : tables()) {
    auto& any = db.statement("SELECT 1 FROM " + std::string(table.name) + " LIMIT 1");
    db::Reset reset(any);
    if (any.step()) {
      throw StoreError("store.not_empty", name + ": the destination already holds data (table " +
                                              table.name + "); copy into a new, empty database");
    }
  }
}

bool same_database(const std::string& from, const std::string& to) {
  if (from == to) return true;
  if (db::is_postgres_url(from) || db::is_postgres_url(to)) return false;
  std::error_code ec;
  return std::filesystem::equivalent(from, to, ec);
}

}  // namespace

const std::vector<std::string>& copied_tables() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const Table& table : tables())
      out.emplace_back(table.name);
    return out;
  }();
  return names;
}

std::vector<TableCopy> table_digests(const std::string& database) {
  {
    SurveyStore::Options o;
    o.create = false;
    SurveyStore check(database, o);
  }
  auto db = connect(database);
  db->exec(db->backend() == db::Backend::Postgres
               ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
               : "BEGIN");
  std::vector<TableCopy> out;
  try {
    for (const Table& table : tables())
      out.push_back(digest_of(*db, table));
  } catch (...) {
    db::rollback_quietly(*db);
    throw;
  }
  db::rollback_quietly(*db);
  return out;
}

std::vector<TableCopy> copy_database(const std::string& from, const std::string& to,
                                     const CopyOptions& options) {
  if (same_database(from, to)) {
    throw StoreError("store.same_database",
                     "--from and --to name the same database (" + from + ")");
  }
  // Opened as stores first: the source must exist and is brought to the
  // current schema, the destination is created or migrated to it.
  {
    SurveyStore::Options source_options;
    source_options.create = false;
    SurveyStore source(from, source_options);
    SurveyStore destination(to);
  }
  auto source = connect(from);
  auto destination = connect(to);
  const bool to_postgres = destination->backend() == db::Backend::Postgres;

  // One snapshot of the source for the whole copy.
  source->exec(source->backend() == db::Backend::Postgres
                   ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                   : "BEGIN");
  destination->exec(to_postgres ? "BEGIN" : "BEGIN IMMEDIATE");
  std::vector<TableCopy> copied;
  try {
    refuse_data(*destination, to);
    for (const Table& table : tables()) {
      if (options.progress) options.progress(table.name, -1);
      auto& insert = destination->statement(insert_sql(table));
      Digest digest;
      std::string bytes;
      TableCopy from_table;
      from_table.table = table.name;
      from_table.rows = each_row(*source, table, [&](const std::vector<Value>& values) {
        db::Reset reset(insert);
        bytes.clear();
        for (std::size_t c = 0; c < values.size(); ++c) {
          bind(insert, static_cast<int>(c + 1), values[c], table.columns[c].type);
          canonical(bytes, values[c], table.columns[c].type);
        }
        insert.run();
        digest.add(bytes);
      });
      from_table.hash = digest.hex();
      // Checked in the destination's own transaction: what it would commit.
      const TableCopy to_table = digest_of(*destination, table);
      if (to_table.rows != from_table.rows || to_table.hash != from_table.hash) {
        throw StoreError("store.copy_mismatch",
                         to + ": table " + table.name + " differs after the copy (" +
                             std::to_string(from_table.rows) + " rows, hash " + from_table.hash +
                             " in " + from + "; " + std::to_string(to_table.rows) + " rows, hash " +
                             to_table.hash + " here); nothing was written");
      }
      if (options.progress) options.progress(table.name, from_table.rows);
      copied.push_back(std::move(from_table));
    }
    if (to_postgres) {
      for (const auto& [table, column] : identities) {
        destination->exec(std::string("SELECT setval(pg_get_serial_sequence('") + table + "', '" +
                          column + "'), COALESCE((SELECT MAX(" + column + ") FROM " + table +
                          "), 0) + 1, false)");
      }
    }
    destination->exec("COMMIT");
  } catch (...) {
    db::rollback_quietly(*destination);
    db::rollback_quietly(*source);
    throw;
  }
  db::rollback_quietly(*source);
  return copied;
}

}  // namespace sipas::store
