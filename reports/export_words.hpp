#pragma once

#include <string>
#include <string_view>

#include "reports/export_columns.hpp"
#include "reports/language.hpp"

namespace sipas::reports {

// A word of the exports in both languages.
struct Words {
  std::string_view vi, en;
  std::string_view in(Language language) const { return language == Language::Vi ? vi : en; }
};

// The variable label of an id or design column in .sav/.dta ("Trọng số thiết
// kế" / "Design weight"); empty for items and kept columns.
std::string column_label(const ExportColumn& column, Language language);

// The value labels of a multiple choice's 0/1 variables.
std::string_view selected_label(bool selected, Language language);

}  // namespace sipas::reports
