#pragma once

// Reads cells of an XLSX workbook back with `unzip -p` and a few regular
// expressions over the sheet XML and xl/sharedStrings.xml: enough to check
// the cells an export wrote, independently of libxlsxwriter.

#include <filesystem>
#include <map>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace sipas::test {

struct XlsxCell {
  bool is_string = false;
  std::string text;  // strings
  double number = 0;
  std::string style;  // the s attribute
};

inline std::string unzip_member(const std::filesystem::path& xlsx, const std::string& member) {
  auto r = run_process({"/usr/bin/unzip", "-p", xlsx.string(), member});
  if (r.exit_code != 0) throw std::runtime_error("unzip " + member + ": " + r.err);
  return r.out;
}

inline std::string xml_unescape(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    static const std::pair<const char*, char> entities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool done = false;
    for (const auto& [entity, c] : entities) {
      const std::string e(entity);
      if (text.compare(i, e.size(), e) == 0) {
        out += c;
        i += e.size() - 1;
        done = true;
        break;
      }
    }
    if (!done) out += '&';
  }
  return out;
}

class XlsxBook {
 public:
  explicit XlsxBook(std::filesystem::path path) : path_(std::move(path)) {
    const std::string workbook = unzip_member(path_, "xl/workbook.xml");
    const std::regex sheet(R"re(<sheet name="([^"]*)")re");
    for (std::sregex_iterator it(workbook.begin(), workbook.end(), sheet), end; it != end; ++it)
      sheet_names_.push_back(xml_unescape((*it)[1]));
    const std::string shared = unzip_member(path_, "xl/sharedStrings.xml");
    const std::regex si("<si>([\\s\\S]*?)</si>");
    const std::regex t("<t[^>]*>([\\s\\S]*?)</t>");
    for (std::sregex_iterator it(shared.begin(), shared.end(), si), end; it != end; ++it) {
      const std::string item = (*it)[1];
      std::string text;
      for (std::sregex_iterator jt(item.begin(), item.end(), t); jt != end; ++jt)
        text += xml_unescape((*jt)[1]);
      shared_strings_.push_back(text);
    }
  }

  const std::vector<std::string>& sheet_names() const { return sheet_names_; }
  const std::vector<std::string>& shared_strings() const { return shared_strings_; }

  // The XML of sheet `index` (1-based, in workbook order).
  std::string sheet_xml(int index) const {
    return unzip_member(path_, "xl/worksheets/sheet" + std::to_string(index) + ".xml");
  }

  // Every cell of sheet `index` by reference ("A1").
  std::map<std::string, XlsxCell> cells(int index) const {
    const std::string xml = sheet_xml(index);
    std::map<std::string, XlsxCell> out;
    const std::regex cell(R"re(<c r="([A-Z]+[0-9]+)"([^>]*?)(?:/>|>([\s\S]*?)</c>))re");
    const std::regex value(R"re(<v>([^<]*)</v>)re");
    const std::regex type(R"re(t="(\w+)")re");
    const std::regex style(R"re(s="(\d+)")re");
    for (std::sregex_iterator it(xml.begin(), xml.end(), cell), end; it != end; ++it) {
      const std::string attributes = (*it)[2];
      const std::string body = (*it)[3];
      XlsxCell c;
      std::smatch m;
      if (std::regex_search(attributes, m, style)) c.style = m[1];
      const bool shared = std::regex_search(attributes, m, type) && m[1] == "s";
      if (!std::regex_search(body, m, value)) continue;  // a blank, formatted cell
      if (shared) {
        c.is_string = true;
        c.text = shared_strings_.at(std::stoul(m[1]));
      } else {
        c.number = std::stod(m[1]);
      }
      out[(*it)[1]] = c;
    }
    return out;
  }

 private:
  std::filesystem::path path_;
  std::vector<std::string> sheet_names_;
  std::vector<std::string> shared_strings_;
};

// "A".."Z", "AA", ... for a 0-based column.
inline std::string column_letters(int column) {
  std::string out;
  for (int c = column + 1; c > 0; c = (c - 1) / 26)
    out.insert(out.begin(), static_cast<char>('A' + (c - 1) % 26));
  return out;
}

}  // namespace sipas::test
