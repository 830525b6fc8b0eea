#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "questionnaires/questionnaire.hpp"
#include "reports/export_columns.hpp"
#include "reports/language.hpp"

namespace sipas::reports {

// Where a cell is, for messages: "responses.csv:12:7" (physical line, 1-based
// column number of the CSV field).
struct CellPlace {
  std::string_view source;
  std::size_t line = 0;
  std::size_t column = 0;
  std::string describe() const;
};

// Whether an item's answers are codes of a scale: single, multiple, likert and
// matrix rows.
bool is_coded(const questionnaires::Item& item);
// Whether every code of the item's scale is an integer (so the answers are
// numbers that value labels can name in .sav and .dta).
bool has_integer_codes(const questionnaires::Item& item);

// The choices (indices into the item's scale) of a coded cell: none when the
// cell is empty, one for a single choice, any number for a multiple choice,
// whose codes are separated by spaces (as `sipas responses export` writes
// them). Throws ReportError export.unknown_code naming the place, the item and
// its codes when a code is not one of the item's.
std::vector<std::uint16_t> parse_choices(const questionnaires::Item& item, std::string_view cell,
                                         const CellPlace& place);

// The whole cell as a finite number ("2", "-0.5", "1e3"), or nullopt.
std::optional<double> parse_number(std::string_view cell);
// A number written plainly, without leading zeros ("12", "0.25", "-3"): an id
// such as "007" is text, not the number 7.
bool is_plain_number(std::string_view cell);

// Checks one non-empty cell against what its column holds: codes of the item,
// numbers for number items and numeric design columns. Throws ReportError
// export.unknown_code or export.invalid_number.
void check_cell(const ExportColumn& column, std::string_view cell, const CellPlace& place);

// The index of `language` among the questionnaire's languages; ReportError
// export.unknown_language when the questionnaire has no texts in it.
std::size_t language_index(const questionnaires::Questionnaire& questionnaire, Language language);

// The label of choice `choice` of the item in language `language_index`.
const std::string& choice_label(const questionnaires::Item& item, std::uint16_t choice,
                                std::size_t language_index);

}  // namespace sipas::reports
