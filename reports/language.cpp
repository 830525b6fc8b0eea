#include "reports/language.hpp"

#include "reports/error.hpp"

namespace sipas::reports {

Language parse_language(const std::string& code) {
  if (code == "vi") return Language::Vi;
  if (code == "en") return Language::En;
  throw ReportError("reports.invalid_language",
                    "language '" + code + "' is not supported: use vi or en");
}

std::string language_code(Language language) {
  return language == Language::Vi ? "vi" : "en";
}

}  // namespace sipas::reports
