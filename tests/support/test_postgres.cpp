#include "tests/support/test_postgres.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <stdexcept>

namespace sipas::test {
namespace {

struct ConnectionDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Connection = std::unique_ptr<PGconn, ConnectionDeleter>;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// A connection to `url` (the password from PGPASSFILE), or an exception.
Connection connect(const std::string& url) {
  // dbname first: it is expanded as a URL, and the keywords after it add to it.
  const char* keywords[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {url.c_str(), "10", "sipas-tests", nullptr};
  Connection c(PQconnectdbParams(keywords, values, 1));
  if (!c) throw std::runtime_error("TestDatabase: out of memory connecting to " + url);
  if (PQstatus(c.get()) != CONNECTION_OK)
    throw std::runtime_error("TestDatabase: cannot connect to " + url + ": " +
                             PQerrorMessage(c.get()));
  return c;
}

// Runs a command; the error message when it fails, with the SQLSTATE.
std::optional<std::string> run(PGconn* c, const std::string& sql, std::string* sqlstate = nullptr) {
  Result r(PQexec(c, sql.c_str()));
  if (r && PQresultStatus(r.get()) == PGRES_COMMAND_OK) return std::nullopt;
  if (sqlstate != nullptr && r) {
    const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
    *sqlstate = state != nullptr ? state : "";
  }
  return sql + ": " + PQerrorMessage(c);
}

std::string quoted_identifier(PGconn* c, const std::string& name) {
  char* q = PQescapeIdentifier(c, name.data(), name.size());
  if (q == nullptr) throw std::runtime_error(std::string("TestDatabase: ") + PQerrorMessage(c));
  std::string out(q);
  PQfreemem(q);
  return out;
}

// Lowercase letters, digits and single underscores; at most `max` bytes.
std::string identifier_part(std::string_view text, std::size_t max) {
  std::string out;
  for (char ch : text) {
    if (out.size() >= max) break;
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += static_cast<char>(c);
    } else if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_')
    out.pop_back();
  return out;
}

std::string current_test_label() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return "test";
  return std::string(info->test_suite_name()) + "_" + info->name();
}

std::atomic<unsigned> database_counter{0};

}  // namespace

std::optional<std::string> test_postgres_url() {
  const char* url = std::getenv("SIPAS_TEST_POSTGRES");
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

std::string postgres_url_with_database(const std::string& url, const std::string& database) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos)
    throw std::runtime_error("TestDatabase: not a postgresql:// URL: " + url);
  const auto authority_end = url.find_first_of("/?", scheme + 3);
  if (authority_end == std::string::npos) return url + "/" + database;
  const auto query = url.find('?', authority_end);
  std::string out = url.substr(0, authority_end) + "/" + database;
  if (query != std::string::npos) out += url.substr(query);
  return out;
}

TestDatabase::TestDatabase(std::string_view label) {
  auto server = test_postgres_url();
  if (!server) throw std::runtime_error(no_postgres_message);
  server_url_ = *server;
  const std::string suffix = "_" + std::to_string(::getpid()) + "_";
  // "t_" + label + suffix + counter (up to 10 digits) within 63 bytes.
  const std::string stem =
      "t_" + identifier_part(label.empty() ? current_test_label() : std::string(label),
                             63 - 2 - suffix.size() - 10);
  auto admin = connect(server_url_);
  // A database of the same name can only be a leftover of a killed process
  // that had this pid: the next number.
  for (int attempt = 0;; ++attempt) {
    name_ = stem + suffix + std::to_string(database_counter++);
    std::string sqlstate;
    const auto error =
        run(admin.get(), "CREATE DATABASE " + quoted_identifier(admin.get(), name_), &sqlstate);
    if (!error) break;
    if (sqlstate != "42P04" || attempt >= 100) throw std::runtime_error("TestDatabase: " + *error);
  }
  url_ = postgres_url_with_database(server_url_, name_);
}

TestDatabase::~TestDatabase() {
  try {
    auto admin = connect(server_url_);
    const auto error =
        run(admin.get(),
            "DROP DATABASE IF EXISTS " + quoted_identifier(admin.get(), name_) + " WITH (FORCE)");
    if (error) std::cerr << "TestDatabase: " << *error << "\n";
  } catch (const std::exception& e) {
    std::cerr << "TestDatabase: cannot drop " << name_ << ": " << e.what() << "\n";
  }
}

}  // namespace sipas::test
