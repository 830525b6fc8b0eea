#include "store/postgres.hpp"

#include <libpq-fe.h>

#include <array>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace sipas::store::postgres {
namespace {

// libpq's messages end in a newline and may hold more lines ("\n\tIs the
// server running ..."): every error sipas prints is one line.
std::string one_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\n' || c == '\t' || c == '\r') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// A password written in the URL would be on command lines, in shell history
// and in every message that names the database.
void refuse_password(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    std::string why = error != nullptr ? one_line(error) : "not a valid URL";
    if (error != nullptr) PQfreemem(error);
    throw StoreError("store.open_failed", url + ": " + why);
  }
  bool has_password = false;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (std::strcmp(option->keyword, "password") == 0 && option->val != nullptr &&
        option->val[0] != '\0')
      has_password = true;
  }
  PQconninfoFree(options);
  if (has_password) {
    throw StoreError("store.password_in_url",
                     "the database URL holds a password: take it out and put it in the file "
                     "PGPASSFILE names (~/.pgpass by default, mode 0600) or in PGPASSWORD");
  }
}

void ignore_notice(void*, const char*) {}

}  // namespace

std::string error_id(std::string_view sqlstate) {
  if (sqlstate.empty()) return "store.unavailable";
  if (starts_with(sqlstate, "23")) return "store.constraint";
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") return "store.busy";
  if (sqlstate == "25006") return "store.read_only";
  if (sqlstate == "53100") return "store.full";
  if (starts_with(sqlstate, "53")) return "store.busy";
  if (starts_with(sqlstate, "08") || starts_with(sqlstate, "57P")) return "store.unavailable";
  if (starts_with(sqlstate, "22")) return "store.bad_value";
  if (sqlstate == "58030") return "store.io";
  if (sqlstate == "XX001" || sqlstate == "XX002") return "store.corrupt";
  return "store.error";
}

std::string dollar_parameters(std::string_view sql, int* highest) {
  std::string out;
  out.reserve(sql.size());
  int top = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] != '?' || i + 1 >= sql.size() || sql[i + 1] < '0' || sql[i + 1] > '9') {
      out += sql[i];
      continue;
    }
    out += '$';
    int number = 0;
    while (i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      number = number * 10 + (sql[i + 1] - '0');
      out += sql[++i];
    }
    top = std::max(top, number);
  }
  if (highest != nullptr) *highest = top;
  return out;
}

// ---------------------------------------------------------------------------
// Connection

Connection::Connection(std::string url, bool read_only)
    : url_(std::move(url)), read_only_(read_only) {
  refuse_password(url_);
  // connect_timeout first, so that one the URL gives overrides it.
  const std::array<const char*, 4> keywords{"connect_timeout", "application_name", "dbname",
                                            nullptr};
  const std::array<const char*, 4> values{"10", "sipas", url_.c_str(), nullptr};
  conn_ = PQconnectdbParams(keywords.data(), values.data(), 1);
  if (conn_ == nullptr) throw StoreError("store.open_failed", url_ + ": out of memory");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string why = one_line(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw StoreError("store.open_failed", url_ + ": cannot connect: " + why);
  }
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
  try {
    configure();
  } catch (...) {
    PQfinish(conn_);
    conn_ = nullptr;
    throw;
  }
}

Connection::~Connection() {
  cache_.clear();
  if (conn_ != nullptr) PQfinish(conn_);
}

void Connection::configure() {
  // An answer is acknowledged after COMMIT returns: with synchronous_commit
  // on, that is after the server flushed it to its WAL (and to a synchronous
  // standby, when the cluster has one), whatever the server's default.
  exec("SET synchronous_commit = on; SET client_min_messages = warning; SET TimeZone = 'UTC'");
  if (read_only_) exec("SET default_transaction_read_only = on");
}

void Connection::ensure_open() {
  if (PQstatus(conn_) == CONNECTION_OK) return;
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) fail(nullptr, "reconnecting");
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
  ++generation_;
  configure();
}

void Connection::fail(const pg_result* result, std::string_view what) const {
  std::string sqlstate;
  std::string message;
  if (result != nullptr) {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    if (state != nullptr) sqlstate = state;
    message = one_line(PQresultErrorMessage(result));
  }
  if (message.empty()) message = one_line(PQerrorMessage(conn_));
  if (sqlstate.empty() && PQstatus(conn_) == CONNECTION_OK) sqlstate = "XX000";
  std::string id = error_id(sqlstate);
  std::string text = url_ + ": ";
  if (id == "store.unavailable") text += "the database server cannot be reached: ";
  text += message;
  if (!what.empty()) {
    text += " (";
    text += what;
    text += ")";
  }
  throw PostgresError(id, text, sqlstate);
}

std::string Connection::next_statement_name() {
  return "sipas_" + std::to_string(++statements_);
}

db::Statement& Connection::statement(std::string_view sql) {
  auto found = cache_.find(sql);
  if (found != cache_.end()) return *found->second;
  auto made = std::make_unique<Statement>(*this, sql);
  auto& out = *made;
  cache_.emplace(std::string(sql), std::move(made));
  return out;
}

bool Connection::lost_between_transactions(bool was_idle) {
  if (!was_idle || PQstatus(conn_) != CONNECTION_BAD) return false;
  ensure_open();
  return true;
}

void Connection::exec(const std::string& sql) {
  ensure_open();
  const bool idle = PQtransactionStatus(conn_) == PQTRANS_IDLE;
  PGresult* result = PQexec(conn_, sql.c_str());
  auto status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && lost_between_transactions(idle)) {
    PQclear(result);
    result = PQexec(conn_, sql.c_str());
    status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  }
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    try {
      fail(result, sql.size() <= 80 ? sql : sql.substr(0, 80) + "...");
    } catch (...) {
      PQclear(result);
      throw;
    }
  }
  PQclear(result);
}

bool Connection::in_transaction() const noexcept {
  const auto status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

// ---------------------------------------------------------------------------
// Statement

Statement::Statement(Connection& connection, std::string_view sql)
    : connection_(connection), name_(connection.next_statement_name()) {
  int highest = 0;
  sql_ = dollar_parameters(sql, &highest);
  parameters_ = highest;
  values_.resize(static_cast<std::size_t>(parameters_));
}

Statement::~Statement() {
  PQclear(result_);
}

void Statement::bind(int index, std::int64_t value) {
  std::array<char, 24> text{};
  auto [end, ec] = std::to_chars(text.data(), text.data() + text.size(), value);
  (void)ec;
  bind(index, std::string_view(text.data(), static_cast<std::size_t>(end - text.data())));
}

void Statement::bind(int index, double value) {
  // The shortest text that reads back as the same double.
  std::array<char, 32> text{};
  auto [end, ec] = std::to_chars(text.data(), text.data() + text.size(), value);
  (void)ec;
  bind(index, std::string_view(text.data(), static_cast<std::size_t>(end - text.data())));
}

void Statement::bind(int index, std::string_view text) {
  if (index < 1 || index > parameters_) {
    throw StoreError("store.error", connection_.name() + ": no parameter " + std::to_string(index) +
                                        " in \"" + sql_ + "\"");
  }
  // Parameters go as C strings: a NUL would cut the value short, silently.
  if (text.find('\0') != std::string_view::npos) {
    throw StoreError("store.bad_value", connection_.name() +
                                            ": a value holds a NUL byte, which PostgreSQL "
                                            "cannot store in text (parameter " +
                                            std::to_string(index) + ")");
  }
  values_[static_cast<std::size_t>(index - 1)] = std::string(text);
}

void Statement::bind_null(int index) {
  if (index < 1 || index > parameters_) {
    throw StoreError("store.error", connection_.name() + ": no parameter " + std::to_string(index) +
                                        " in \"" + sql_ + "\"");
  }
  values_[static_cast<std::size_t>(index - 1)].reset();
}

void Statement::execute() {
  connection_.ensure_open();
  const bool idle = PQtransactionStatus(connection_.handle()) == PQTRANS_IDLE;
  send();
  const auto status = result_ != nullptr ? PQresultStatus(result_) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK &&
      connection_.lost_between_transactions(idle)) {
    PQclear(result_);
    result_ = nullptr;
    send();
  }
  finish();
}

void Statement::send() {
  PGconn* conn = connection_.handle();
  if (parameters_ == 0) {
    result_ = PQexec(conn, sql_.c_str());
  } else {
    if (prepared_in_ != connection_.generation()) {
      PGresult* prepared = PQprepare(conn, name_.c_str(), sql_.c_str(), parameters_, nullptr);
      if (prepared == nullptr || PQresultStatus(prepared) != PGRES_COMMAND_OK) {
        result_ = prepared;  // the failure, for execute() and finish()
        return;
      }
      PQclear(prepared);
      prepared_in_ = connection_.generation();
    }
    std::vector<const char*> values(values_.size());
    for (std::size_t i = 0; i < values_.size(); ++i)
      values[i] = values_[i] ? values_[i]->c_str() : nullptr;
    result_ = PQexecPrepared(conn, name_.c_str(), parameters_, values.data(), nullptr, nullptr, 0);
  }
}

void Statement::finish() {
  const auto status = result_ != nullptr ? PQresultStatus(result_) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    try {
      connection_.fail(result_, "\"" + sql_ + "\"");
    } catch (...) {
      PQclear(result_);
      result_ = nullptr;
      throw;
    }
  }
  rows_ = PQntuples(result_);
  row_ = -1;
  const char* tuples = PQcmdTuples(result_);
  changes_ = (tuples != nullptr && tuples[0] != '\0') ? std::strtoll(tuples, nullptr, 10) : 0;
}

bool Statement::step() {
  if (result_ == nullptr) execute();
  if (row_ < rows_) ++row_;
  return row_ < rows_;
}

void Statement::run() {
  if (result_ == nullptr) execute();
  row_ = rows_;
}

void Statement::reset() noexcept {
  PQclear(result_);
  result_ = nullptr;
  row_ = -1;
  rows_ = 0;
  for (auto& value : values_)
    value.reset();
}

std::int64_t Statement::changes() const {
  return changes_;
}

const char* Statement::value(int column) const {
  if (result_ == nullptr || row_ < 0 || row_ >= rows_ || column < 0 ||
      column >= PQnfields(result_)) {
    throw StoreError("store.error", connection_.name() + ": no column " + std::to_string(column) +
                                        " in the current row of \"" + sql_ + "\"");
  }
  return PQgetvalue(result_, row_, column);
}

bool Statement::is_null(int column) const {
  value(column);
  return PQgetisnull(result_, row_, column) == 1;
}

std::int64_t Statement::column_int64(int column) const {
  const char* text = value(column);
  // A boolean column reads as 1 or 0, as it does in SQLite.
  if (text[0] == 't' && text[1] == '\0') return 1;
  if (text[0] == 'f' && text[1] == '\0') return 0;
  std::int64_t out = 0;
  std::from_chars(text, text + std::strlen(text), out);
  return out;
}

double Statement::column_double(int column) const {
  const char* text = value(column);
  double out = 0;
  std::from_chars(text, text + std::strlen(text), out);
  return out;
}

std::string Statement::column_text(int column) const {
  const char* text = value(column);
  return std::string(text, static_cast<std::size_t>(PQgetlength(result_, row_, column)));
}

}  // namespace sipas::store::postgres
