#include "reports/variable_names.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "reports/error.hpp"

namespace sipas::reports {
namespace {

// Stata 14+ limit on a variable name (characters; ours are ASCII).
constexpr std::size_t stata_name_limit = 32;
// SPSS 12+ limit on a variable name, in bytes.
constexpr std::size_t spss_name_limit = 64;

bool is_letter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool stata_reserved(const std::string& name) {
  static constexpr std::array<std::string_view, 20> words = {
      "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if",   "in",    "int",
      "long", "_n", "_N",   "_pi",   "_pred", "_rc",    "_skip", "strL", "using", "with"};
  if (std::find(words.begin(), words.end(), name) != words.end()) return true;
  // str1 ... str2045 are type names.
  return name.size() > 3 && name.compare(0, 3, "str") == 0 &&
         std::all_of(name.begin() + 3, name.end(), is_digit);
}

bool spss_reserved(const std::string& name) {
  static constexpr std::array<std::string_view, 13> words = {
      "ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"};
  const auto u = upper(name);
  return std::find(words.begin(), words.end(), u) != words.end();
}

}  // namespace

std::string_view format_name(StatFormat format) {
  return format == StatFormat::Sav ? "SPSS .sav" : "Stata .dta";
}

std::string clean_variable_name(std::string_view name, StatFormat format) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto byte = static_cast<unsigned char>(name[i]);
    if ((byte & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte: one '_' per character
    const char c = name[i];
    out += is_letter(c) || is_digit(c) || c == '_' ? c : '_';
  }
  if (out.empty()) out = "_";
  const bool sav = format == StatFormat::Sav;
  if (sav ? !is_letter(out[0]) : is_digit(out[0])) out.insert(0, sav ? "v" : "_");
  const std::size_t limit = sav ? spss_name_limit : stata_name_limit;
  if (out.size() > limit) out.resize(limit);
  if (sav ? spss_reserved(out) : stata_reserved(out)) {
    if (out.size() == limit) out.pop_back();
    out += '_';
  }
  return out;
}

std::vector<std::string> clean_variable_names(const std::vector<std::string>& names,
                                              StatFormat format) {
  std::vector<std::string> cleaned;
  std::map<std::string, std::size_t> seen;  // the key ignores case for SPSS
  for (std::size_t i = 0; i < names.size(); ++i) {
    cleaned.push_back(clean_variable_name(names[i], format));
    const auto key = format == StatFormat::Sav ? upper(cleaned.back()) : cleaned.back();
    auto [it, inserted] = seen.emplace(key, i);
    if (!inserted) {
      throw ReportError("export.name_collision",
                        "columns '" + names[it->second] + "' and '" + names[i] +
                            "' both become the variable name '" + cleaned.back() + "' in a " +
                            std::string(format_name(format)) + " file; rename one of them");
    }
  }
  return cleaned;
}

}  // namespace sipas::reports
