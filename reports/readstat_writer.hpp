#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "questionnaires/questionnaire.hpp"
#include "reports/export_columns.hpp"
#include "reports/export_scan.hpp"
#include "reports/language.hpp"
#include "reports/variable_names.hpp"

namespace sipas::reports {

// Writes the exported columns of `data` as an SPSS .sav or a Stata .dta file
// (format 118, UTF-8) through ReadStat, atomically (reports/README.md,
// "SPSS and Stata"):
// - variable names made valid for the format (clean_variable_names);
// - variable labels from the item texts in `language` (cut to what the
//   format holds: 255 bytes in .sav, 80 characters in .dta), and words for the
//   id and design columns;
// - integer codes as numbers with value labels from the item's scale; string
//   codes as strings (with value labels in .sav; Stata cannot label strings);
// - a multiple choice as one 0/1 variable per choice, named ITEM_CODE;
// - numbers as numbers, empty cells as system missing, texts as strings as
//   wide as the longest value; in .dta at most 2045 bytes (Stata's str), so a
//   longer text is cut there, at a character.
// `scan` is the first pass over the same file (scan_responses). Returns how
// many values were cut, by column name. Throws ReportError
// export.name_collision, export.too_long or export.write_failed, and
// io::IoError.
std::map<std::string, std::size_t> write_stat_file(
    const std::filesystem::path& data, const questionnaires::Questionnaire& questionnaire,
    const std::vector<ExportColumn>& columns, const ExportScan& scan, Language language,
    StatFormat format, const std::filesystem::path& out);

// `text` cut to at most `max_bytes` bytes and `max_characters` UTF-8
// characters, never inside a character.
std::string cut_utf8(std::string_view text, std::size_t max_bytes, std::size_t max_characters);

}  // namespace sipas::reports
