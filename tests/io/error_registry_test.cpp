// The error-id registry (io/error_ids.tsv): every sipas::Error id the code
// raises is listed there once, with its library and meaning; every id listed
// is raised somewhere; and each library's README lists its ids as the
// registry does.
//
// The sources are scanned, not run. An id is a string literal shaped
// `family.name` (lowercase letters, digits, underscores; a file name such as
// "margins.csv" is not one) that is
//   - an argument of a call to a constructor or function whose name ends in
//     `Error` (sipas::Error, AnalysisError, ApiError, SqliteError, ...;
//     braces too: `UsageError{"cli.unknown_option", ...}`),
//   - an argument of one of the helpers that raise or record one (`fail`,
//     `problem`, `send_protocol_error`, `json_error`; the second argument of
//     the response validator's `add`, the first of `emplace`), or
//   - compared with an error's id (`e.id() == "store.busy"`, `id != "..."`).
// Ids reached in other ways (the store maps SQLite's codes to ids in
// sqlite.cpp's error_id(); a problem list built with braces) count as raised
// when they appear as such a literal anywhere in the code. An id passed on
// (`ApiError(400, e.id(), e.what())`) is the caught error's, registered where
// that was raised; no id is built from pieces.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path source_dir = SIPAS_SOURCE_DIR;

// The folders whose code raises sipas errors.
const std::vector<std::string> libraries = {
    "io",    "texts", "questionnaires", "sampling", "analysis", "reports",
    "store", "app",   "survey_server",  "demo",     "cli"};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_id_shaped(const std::string& s) {
  const auto dot = s.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == s.size()) return false;
  if (s.find('.', dot + 1) != std::string::npos) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok) return false;
    if ((i == 0 || i == dot + 1) && !(c >= 'a' && c <= 'z')) return false;
  }
  static const std::set<std::string> extensions = {"csv", "json", "db",  "html", "xlsx", "sav",
                                                   "dta", "txt",  "tsv", "md",   "js",   "css"};
  return !extensions.contains(s.substr(dot + 1));
}

struct Token {
  enum Kind { Identifier, String, Punct } kind;
  std::string text;
};

// Identifiers, string literals (their contents, escapes kept as written) and
// punctuation; comments, character literals, numbers and raw strings dropped.
std::vector<Token> tokenize(const std::string& s) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
      i = s.find('\n', i);
      if (i == std::string::npos) break;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      i = s.find("*/", i + 2);
      if (i == std::string::npos) break;
      i += 2;
    } else if (c == 'R' && i + 1 < s.size() && s[i + 1] == '"' &&
               (i == 0 || !is_ident_char(s[i - 1]))) {
      const auto open = s.find('(', i);
      const std::string close = ")" + s.substr(i + 2, open - i - 2) + "\"";
      i = s.find(close, open);
      if (i == std::string::npos) break;
      i += close.size();
    } else if (c == '"') {
      std::string text;
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) text += s[i++];
        text += s[i++];
      }
      ++i;
      out.push_back({Token::String, text});
    } else if (c == '\'') {
      ++i;
      while (i < s.size() && s[i] != '\'') {
        if (s[i] == '\\') ++i;
        ++i;
      }
      ++i;
    } else if (is_ident_char(c)) {
      std::size_t j = i;
      while (j < s.size() && is_ident_char(s[j]))
        ++j;
      // Digits start numbers (1'000 and 0x1F included), skipped.
      if (!(c >= '0' && c <= '9')) out.push_back({Token::Identifier, s.substr(i, j - i)});
      i = j;
    } else if ((c == '=' || c == '!') && i + 1 < s.size() && s[i + 1] == '=') {
      out.push_back({Token::Punct, std::string(1, c) + "="});
      i += 2;
    } else {
      if (c != ' ' && c != '\n' && c != '\t' && c != '\r') out.push_back({Token::Punct, {c}});
      ++i;
    }
  }
  return out;
}

struct Scan {
  std::map<std::string, std::set<std::string>> raised;  // id → files that raise it
  std::set<std::string> mentioned;                      // every id-shaped literal
};

// Literals in such a place that are not ids: JSON paths given to reports'
// InputReader::fail(path, why).
const std::set<std::string> not_ids = {"design.level"};

bool raises(const std::string& call, std::size_t argument) {
  if (call.size() >= 5 && call.ends_with("Error")) return true;
  if (call == "fail" || call == "problem" || call == "send_protocol_error" ||
      call == "json_error") {
    return true;
  }
  if (call == "add") return argument == 1;
  if (call == "emplace") return argument == 0;
  return false;
}

void scan_file(const fs::path& path, const std::string& name, Scan& scan) {
  const auto tokens = tokenize(slurp(path));
  struct Group {
    std::string call;  // the function called, "" for other brackets
    std::size_t argument = 0;
  };
  std::vector<Group> groups;
  for (std::size_t k = 0; k < tokens.size(); ++k) {
    const auto& t = tokens[k];
    if (t.kind == Token::Punct) {
      if (t.text == "(" || t.text == "{" || t.text == "[") {
        std::string call;
        if ((t.text == "(" || t.text == "{") && k > 0 && tokens[k - 1].kind == Token::Identifier) {
          call = tokens[k - 1].text;
        }
        // Not a call: the body of `class X : public Error {`, `struct X {`, ...
        static const std::set<std::string> declares = {"class",   "struct",    "public",
                                                       "private", "protected", "namespace"};
        if (t.text == "{" && k > 1 && declares.contains(tokens[k - 2].text)) call.clear();
        groups.push_back({call, 0});
      } else if ((t.text == ")" || t.text == "}" || t.text == "]") && !groups.empty()) {
        groups.pop_back();
      } else if (t.text == "," && !groups.empty()) {
        ++groups.back().argument;
      }
      continue;
    }
    if (t.kind != Token::String || !is_id_shaped(t.text)) continue;
    scan.mentioned.insert(t.text);
    bool raised = !groups.empty() && raises(groups.back().call, groups.back().argument);
    // e.id() == "x", id != "x"
    if (k >= 2 && (tokens[k - 1].text == "==" || tokens[k - 1].text == "!=")) {
      const auto& before = tokens[k - 2];
      if (before.text == "id") raised = true;
      if (before.text == ")" && k >= 4 && tokens[k - 3].text == "(" && tokens[k - 4].text == "id") {
        raised = true;
      }
    }
    if (raised && !not_ids.contains(t.text)) scan.raised[t.text].insert(name);
  }
}

const Scan& scanned() {
  static const Scan scan = [] {
    Scan s;
    for (const auto& library : libraries) {
      for (const auto& entry : fs::recursive_directory_iterator(source_dir / library)) {
        const auto ext = entry.path().extension();
        if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
        scan_file(entry.path(), fs::relative(entry.path(), source_dir).string(), s);
      }
    }
    return s;
  }();
  return scan;
}

struct Entry {
  std::string library, meaning;
};

// io/error_ids.tsv: a header line, then "id<TAB>library<TAB>meaning", sorted.
std::map<std::string, Entry> registry(std::vector<std::string>* problems = nullptr) {
  std::ifstream in(source_dir / "io" / "error_ids.tsv");
  std::map<std::string, Entry> out;
  std::string line, previous;
  std::getline(in, line);  // header
  std::size_t number = 1;
  while (std::getline(in, line)) {
    ++number;
    const auto a = line.find('\t');
    const auto b = a == std::string::npos ? a : line.find('\t', a + 1);
    const std::string where = "io/error_ids.tsv:" + std::to_string(number) + ": ";
    if (b == std::string::npos || line.find('\t', b + 1) != std::string::npos) {
      if (problems) problems->push_back(where + "not three tab-separated columns");
      continue;
    }
    const std::string id = line.substr(0, a);
    Entry e{line.substr(a + 1, b - a - 1), line.substr(b + 1)};
    if (problems) {
      if (!is_id_shaped(id)) problems->push_back(where + "'" + id + "' is not an id");
      if (std::find(libraries.begin(), libraries.end(), e.library) == libraries.end()) {
        problems->push_back(where + "no library '" + e.library + "'");
      }
      if (e.meaning.empty()) problems->push_back(where + id + " has no meaning");
      if (id <= previous) problems->push_back(where + id + " is out of order or repeated");
    }
    previous = id;
    out[id] = e;
  }
  return out;
}

TEST(ErrorRegistryTest, IsWellFormed) {
  std::vector<std::string> problems;
  const auto ids = registry(&problems);
  EXPECT_GT(ids.size(), 100u);
  for (const auto& p : problems)
    ADD_FAILURE() << p;
}

TEST(ErrorRegistryTest, EveryRaisedIdIsRegistered) {
  const auto ids = registry();
  for (const auto& [id, files] : scanned().raised) {
    if (!ids.contains(id)) {
      ADD_FAILURE() << id << " (raised in " << *files.begin()
                    << ") is not in io/error_ids.tsv: add a line \"" << id
                    << "\\tLIBRARY\\tMEANING\" in order";
    }
  }
}

TEST(ErrorRegistryTest, EveryRegisteredIdIsRaised) {
  for (const auto& [id, entry] : registry()) {
    if (!scanned().mentioned.contains(id)) {
      ADD_FAILURE() << id << " is in io/error_ids.tsv but no code raises it: take its line out";
    }
  }
}

// The "## Error ids" section of each library's README: one line per id,
// "- `id`: meaning", in the registry's order.
TEST(ErrorRegistryTest, ReadmesListTheirIds) {
  std::map<std::string, std::vector<std::string>> expected;
  for (const auto& [id, entry] : registry())
    expected[entry.library].push_back("- `" + id + "`: " + entry.meaning);
  for (const auto& [library, lines] : expected) {
    const auto readme = source_dir / library / "README.md";
    std::ifstream in(readme);
    std::vector<std::string> listed;
    std::string line;
    bool inside = false;
    while (std::getline(in, line)) {
      if (line.starts_with("## ")) inside = line == "## Error ids";
      if (inside && line.starts_with("- `")) listed.push_back(line);
    }
    std::string want;
    for (const auto& l : lines)
      want += l + "\n";
    EXPECT_EQ(listed, lines) << library << "/README.md: its \"## Error ids\" section should list:\n"
                             << want << "(scripts/error-ids.sh writes it)";
  }
}

}  // namespace
