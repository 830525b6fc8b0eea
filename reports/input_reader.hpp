#pragma once

// Reading one JSON input of the report field by field: every error is a
// ReportError naming the file and the path of the field. Internal to
// reports/report_inputs*.cpp.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "io/file.hpp"
#include "reports/error.hpp"
#include "reports/report_inputs.hpp"

namespace sipas::reports::input {

using Json = nlohmann::json;

// Reads one document, naming the file and the field (a path such as
// "estimates[3].ci_low") in every error.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  Json parse(std::string_view text) const {
    try {
      return Json::parse(text);
    } catch (const Json::parse_error& e) {
      // e.byte is 1-based; give the line as an editor shows it.
      const std::size_t end = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
      const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(end), '\n');
      throw ReportError("report.invalid_json", source_ + ":" + std::to_string(line) +
                                                   ": not valid JSON (" + e.what() + ")");
    } catch (const Json::out_of_range& e) {
      // A number past a double's range (1e400) is not a parse_error.
      const std::string what = e.what();
      throw ReportError("report.invalid_json",
                        source_ + ": not valid JSON (" + what.substr(what.find(']') + 2) + ")");
    }
  }

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw ReportError("report.invalid_field", source_ + ": " + path + ": " + what);
  }

  const Json& object(const Json& parent, const std::string& path, const char* key) const {
    const Json& v = member(parent, path, key);
    if (!v.is_object()) fail(join(path, key), "expected an object");
    return v;
  }
  const Json& array(const Json& parent, const std::string& path, const char* key) const {
    const Json& v = member(parent, path, key);
    if (!v.is_array()) fail(join(path, key), "expected an array");
    return v;
  }
  // A number; null (or, when not required, an absent key) reads as NaN.
  double number(const Json& parent, const std::string& path, const char* key,
                bool required = true) const {
    if (!parent.contains(key)) {
      if (required) fail(join(path, key), "missing");
      return absent;
    }
    const Json& v = parent.at(key);
    if (v.is_null()) return absent;
    if (!v.is_number()) fail(join(path, key), "expected a number or null");
    return v.get<double>();
  }
  // A number that may not be null.
  double real(const Json& parent, const std::string& path, const char* key) const {
    const Json& v = member(parent, path, key);
    if (!v.is_number()) fail(join(path, key), "expected a number");
    return v.get<double>();
  }
  std::int64_t count(const Json& parent, const std::string& path, const char* key,
                     bool required = true) const {
    if (!parent.contains(key)) {
      if (required) fail(join(path, key), "missing");
      return 0;
    }
    const Json& v = parent.at(key);
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0)
      fail(join(path, key), "expected a whole number >= 0");
    return v.get<std::int64_t>();
  }
  // A string; null or an absent optional key read as "". Numbers are accepted
  // as text where an identifier may be written either way (a year, a code).
  std::string text(const Json& parent, const std::string& path, const char* key,
                   bool required = true, bool number_ok = false) const {
    if (!parent.contains(key)) {
      if (required) fail(join(path, key), "missing");
      return "";
    }
    return text_of(parent.at(key), join(path, key), number_ok);
  }
  std::string text_of(const Json& v, const std::string& path, bool number_ok = false) const {
    if (v.is_null()) return "";
    if (v.is_string()) return v.get<std::string>();
    if (number_ok && v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
    if (number_ok && v.is_number()) return v.dump();
    fail(path, number_ok ? "expected a string or a number" : "expected a string");
  }
  bool flag(const Json& parent, const std::string& path, const char* key) const {
    if (!parent.contains(key) || parent.at(key).is_null()) return false;
    if (!parent.at(key).is_boolean()) fail(join(path, key), "expected true or false");
    return parent.at(key).get<bool>();
  }
  std::vector<std::string> texts(const Json& parent, const std::string& path,
                                 const char* key) const {
    std::vector<std::string> out;
    if (!parent.contains(key) || parent.at(key).is_null()) return out;
    const Json& v = parent.at(key);
    if (v.is_string()) return {v.get<std::string>()};
    if (!v.is_array()) fail(join(path, key), "expected an array of strings");
    for (std::size_t i = 0; i < v.size(); ++i)
      out.push_back(text_of(v[i], join(path, key) + "[" + std::to_string(i) + "]"));
    return out;
  }
  // {"vi": ..., "en": ...}, or one string for both.
  BilingualText bilingual(const Json& parent, const std::string& path, const char* key,
                          bool required = true) const {
    if (!parent.contains(key) || parent.at(key).is_null()) {
      if (required) fail(join(path, key), "missing");
      return {};
    }
    const Json& v = parent.at(key);
    if (v.is_string()) return {v.get<std::string>(), v.get<std::string>()};
    if (!v.is_object()) fail(join(path, key), "expected {\"vi\": ..., \"en\": ...} or a string");
    BilingualText out{text(v, join(path, key), "vi", false), text(v, join(path, key), "en", false)};
    if (out.vi.empty()) out.vi = out.en;
    if (out.en.empty()) out.en = out.vi;
    return out;
  }

  static std::string join(const std::string& path, const char* key) {
    return path.empty() ? std::string(key) : path + "." + key;
  }
  static std::string index(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
  }

 private:
  const Json& member(const Json& parent, const std::string& path, const char* key) const {
    if (!parent.contains(key)) fail(join(path, key), "missing");
    return parent.at(key);
  }

  std::string source_;
};

inline std::string display_name(const std::filesystem::path& path) {
  return path.string();
}

inline std::string read_input(const std::filesystem::path& path) {
  return io::read_file(path, max_report_input_bytes);
}

inline void require_object(const Reader& r, const Json& doc) {
  if (!doc.is_object()) r.fail("(document)", "expected a JSON object");
}

}  // namespace sipas::reports::input
