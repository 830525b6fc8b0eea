// Issue 17, audit replay: two runs of `sipas demo` with one seed write the same
// files, but for what records when (and in which order) the answers arrived.
//
// The demo runs twice into the same folder (renamed in between, so that no
// path differs) on the same loopback port (--port: the links files hold the
// server's address). Every file the first run wrote must exist after the
// second, and be the same bytes, except these, which are masked:
//
// - `received_at` of the responses exports (*-responses.csv) and of the
//   database's responses: when the server received each answer;
// - `seq`, in those exports, the labelled CSV, the SPSS and Stata files and
//   the database: the server's number for an answer in order of arrival (the
//   export cursor and the id a review names). The simulated respondents answer
//   on several connections at once (--clients), so the order of arrival, and
//   with it seq, changes from run to run; the rows themselves come in the
//   order of the invitations, not of arrival;
// - the other times of the database (survey created, opened, closed;
//   invitations activated and opened; migrations applied; the audit
//   trail's `at`);
// - the creation time in the SPSS and Stata files' headers (they are compared
//   by their contents, read back with ReadStat: every variable, label and
//   value), and `dcterms:created` / `dcterms:modified` in results.xlsx's
//   docProps/core.xml (the workbook is compared member by member).
//
// And what follows from these: a file that records another output file's
// SHA-256 (the results record the responses export's, the PAR index the
// results', the reports and the workbook show them) would differ with the
// masked fields of that file, so every output file's SHA-256 is read as that
// file's name ("<sha256 of citizens-responses.csv>"): the file itself is
// compared on its own.
//
// Nothing else is masked: the samples, tokens and links (drawn from the seed),
// answers, results, PAR index and reports are the same bytes.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <readstat.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "io/csv_reader.hpp"
#include "io/sha256.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace sipas::test {
namespace {

namespace fs = std::filesystem;

// A port nobody listens on now (the kernel's choice for port 0).
unsigned short free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("no free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// A CSV file with the cells of the masked columns replaced by "*".
std::string masked_csv(const fs::path& path, const std::set<std::string>& masked) {
  io::CsvReader reader(path);
  std::string out;
  for (const auto& name : reader.header())
    out += name + ",";
  out += "\n";
  while (reader.next()) {
    for (std::size_t c = 0; c < reader.header().size(); ++c)
      out +=
          (masked.contains(reader.header()[c]) ? std::string("*") : std::string(reader.field(c))) +
          "\x1f";
    out += "\n";
  }
  return out;
}

// An SPSS or Stata file's contents as text: its metadata (not its creation
// time), variables, value labels and every value, the values of `masked`
// variables as "*".
struct StatFile {
  std::string text;
  std::set<int> masked_columns;
  std::set<std::string> masked;
};

int on_metadata(readstat_metadata_t* metadata, void* ctx) {
  auto& f = *static_cast<StatFile*>(ctx);
  const char* label = readstat_get_file_label(metadata);
  f.text += "rows " + std::to_string(readstat_get_row_count(metadata)) + " variables " +
            std::to_string(readstat_get_var_count(metadata)) + " label " + (label ? label : "") +
            " version " + std::to_string(readstat_get_file_format_version(metadata)) + "\n";
  return READSTAT_HANDLER_OK;
}

int on_variable(int index, readstat_variable_t* variable, const char* labels, void* ctx) {
  auto& f = *static_cast<StatFile*>(ctx);
  const std::string name = readstat_variable_get_name(variable);
  const char* label = readstat_variable_get_label(variable);
  const char* format = readstat_variable_get_format(variable);
  f.text += "variable " + name + " label " + (label ? label : "") + " format " +
            (format ? format : "") + " labels " + (labels ? labels : "") + " type " +
            std::to_string(readstat_variable_get_type(variable)) + "\n";
  if (f.masked.contains(name)) f.masked_columns.insert(index);
  return READSTAT_HANDLER_OK;
}

std::string value_text(readstat_value_t value) {
  if (readstat_value_is_system_missing(value)) return "NA";
  switch (readstat_value_type(value)) {
    case READSTAT_TYPE_STRING: {
      const char* s = readstat_string_value(value);
      return s ? s : "";
    }
    case READSTAT_TYPE_DOUBLE: {
      char buffer[40];
      std::snprintf(buffer, sizeof buffer, "%.17g", readstat_double_value(value));
      return buffer;
    }
    case READSTAT_TYPE_FLOAT:
      return std::to_string(readstat_float_value(value));
    default:
      return std::to_string(readstat_int32_value(value));
  }
}

int on_value(int row, readstat_variable_t* variable, readstat_value_t value, void* ctx) {
  auto& f = *static_cast<StatFile*>(ctx);
  const int index = readstat_variable_get_index(variable);
  f.text += std::to_string(row) + ":" + std::to_string(index) + "=" +
            (f.masked_columns.contains(index) ? std::string("*") : value_text(value)) + "\n";
  return READSTAT_HANDLER_OK;
}

int on_value_label(const char* set, readstat_value_t value, const char* label, void* ctx) {
  static_cast<StatFile*>(ctx)->text +=
      std::string("value label ") + set + " " + value_text(value) + " " + label + "\n";
  return READSTAT_HANDLER_OK;
}

std::string stat_file(const fs::path& path, const std::set<std::string>& masked) {
  StatFile f;
  f.masked = masked;
  readstat_parser_t* parser = readstat_parser_init();
  readstat_set_metadata_handler(parser, on_metadata);
  readstat_set_variable_handler(parser, on_variable);
  readstat_set_value_handler(parser, on_value);
  readstat_set_value_label_handler(parser, on_value_label);
  const auto error = path.extension() == ".sav"
                         ? readstat_parse_sav(parser, path.string().c_str(), &f)
                         : readstat_parse_dta(parser, path.string().c_str(), &f);
  readstat_parser_free(parser);
  if (error != READSTAT_OK)
    return "cannot read " + path.string() + ": " + readstat_error_message(error);
  return f.text;
}

// An XLSX workbook member by member (unzip), the creation and modification
// times of docProps/core.xml masked.
std::string workbook(const fs::path& path) {
  const auto list = run_process({"/usr/bin/unzip", "-Z1", path.string()});
  std::string out;
  std::istringstream members(list.out);
  for (std::string member; std::getline(members, member);) {
    std::string content = run_process({"/usr/bin/unzip", "-p", path.string(), member}).out;
    if (member == "docProps/core.xml") {
      static const std::regex times(R"((<dcterms:(created|modified)[^>]*>)[^<]*(<))");
      content = std::regex_replace(content, times, "$1*$3");
    }
    out += "== " + member + "\n" + content + "\n";
  }
  return out;
}

// Every table of the database, rows in the order of their non-masked columns,
// the masked columns as "*".
std::string database(const fs::path& path) {
  const std::set<std::string> masked = {"seq",       "received_at", "reviewed_at",  "created_at",
                                        "opened_at", "closed_at",   "activated_at", "applied_at",
                                        "saved_at",  "at"};
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.string().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return "cannot open " + path.string();
  }
  auto query = [&](const std::string& sql) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> names;
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
      return std::make_pair(names, rows);
    for (int c = 0; c < sqlite3_column_count(statement); ++c)
      names.emplace_back(sqlite3_column_name(statement, c));
    while (sqlite3_step(statement) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(statement); ++c) {
        const auto* text = sqlite3_column_text(statement, c);
        row.push_back(masked.contains(names[static_cast<std::size_t>(c)])
                          ? "*"
                          : (text ? reinterpret_cast<const char*>(text) : "NULL"));
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(statement);
    return std::make_pair(names, rows);
  };
  std::string out;
  for (const auto& table :
       query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").second) {
    auto [names, rows] = query("SELECT * FROM \"" + table[0] + "\"");
    std::sort(rows.begin(), rows.end());
    out += "== " + table[0] + "\n";
    for (const auto& name : names)
      out += name + "\x1f";
    out += "\n";
    for (const auto& row : rows) {
      for (const auto& cell : row)
        out += cell + "\x1f";
      out += "\n";
    }
  }
  sqlite3_close(db);
  return out;
}

// Every SHA-256 of an output file in `text` as that file's name.
using Hashes = std::map<std::string, std::string>;  // hex SHA-256 → "<sha256 of NAME>"

std::string named_hashes(std::string text, const Hashes& hashes) {
  for (const auto& [hash, name] : hashes) {
    for (auto at = text.find(hash); at != std::string::npos; at = text.find(hash, at))
      text.replace(at, hash.size(), name);
  }
  return text;
}

// What of a file two runs must agree on.
std::string comparable(const fs::path& path, const Hashes& hashes) {
  const std::string name = path.filename().string();
  if (name.ends_with("-responses.csv")) return masked_csv(path, {"seq", "received_at"});
  if (name.ends_with("-responses-labelled.csv")) return masked_csv(path, {"seq"});
  if (name.ends_with(".sav") || name.ends_with(".dta")) return stat_file(path, {"seq"});
  if (name.ends_with(".xlsx")) return named_hashes(workbook(path), hashes);
  if (name.ends_with(".db")) return database(path);
  return named_hashes(slurp(path), hashes);
}

Hashes hashes_of(const fs::path& dir) {
  Hashes out;
  for (const auto& entry : fs::directory_iterator(dir))
    out[io::sha256_file(entry.path())] = "<sha256 of " + entry.path().filename().string() + ">";
  return out;
}

TEST(DemoReplayTest, TwoRunsWithOneSeedWriteTheSameFilesButForArrival) {
  TempDir dir("sipas-demo-replay");
  const fs::path out = dir / "demo";
  const std::string port = std::to_string(free_port());
  for (const char* run : {"first", "second"}) {
    const auto r = sipas({"demo", "--out", out.string(), "--citizens", "4000", "--districts", "3",
                          "--clients", "4", "--seed", "17", "--port", port});
    ASSERT_EQ(r.exit_code, 0) << run << ": " << r.out << r.err;
    fs::rename(out, dir / run);
  }
  std::set<std::string> first, second;
  for (const auto& entry : fs::directory_iterator(dir / "first"))
    first.insert(entry.path().filename().string());
  for (const auto& entry : fs::directory_iterator(dir / "second"))
    second.insert(entry.path().filename().string());
  EXPECT_EQ(first, second);
  EXPECT_TRUE(first.contains("survey.db"));
  EXPECT_TRUE(first.contains("citizens-responses.sav"));
  EXPECT_TRUE(first.contains("results-citizens.json"));
  const Hashes first_hashes = hashes_of(dir / "first"), second_hashes = hashes_of(dir / "second");
  for (const auto& name : first) {
    if (!second.contains(name)) continue;
    const std::string a = comparable(dir / "first" / name, first_hashes);
    const std::string b = comparable(dir / "second" / name, second_hashes);
    EXPECT_FALSE(a.starts_with("cannot ")) << a;
    if (a == b) continue;
    // The first line that differs, to say what.
    std::size_t at = 0;
    while (at < a.size() && at < b.size() && a[at] == b[at])
      ++at;
    const std::size_t from = a.rfind('\n', at) == std::string::npos ? 0 : a.rfind('\n', at) + 1;
    ADD_FAILURE() << name << " differs between the runs, first at byte " << at << ":\n"
                  << a.substr(from, 300) << "\n---\n"
                  << b.substr(from, 300);
  }
}

}  // namespace
}  // namespace sipas::test
