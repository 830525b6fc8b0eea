#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <vector>

#include "reports/export_columns.hpp"

namespace sipas::reports {

// How a multiple choice's labels are joined in a labelled CSV (its codes are
// joined by spaces, as in the input).
inline constexpr std::string_view label_separator = "; ";

// Writes the exported columns of `data` as CSV, atomically: the header as it
// is; with `label_language` (an index into the questionnaire's languages) every
// code of a coded item is replaced by its label in that language, otherwise the
// cells are copied. The cells must have been checked (scan_responses). The
// file is owner-only (answers are personal data); cells a spreadsheet would
// run as formulas are guarded unless `neutralise_formulas` is false.
void write_responses_csv(const std::filesystem::path& data,
                         const std::vector<ExportColumn>& columns,
                         std::optional<std::size_t> label_language,
                         const std::filesystem::path& out, bool neutralise_formulas = true);

}  // namespace sipas::reports
