#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "reports/export_columns.hpp"

namespace sipas::reports {

// What the first pass over a responses file learns about each exported column.
struct ColumnStats {
  std::size_t max_bytes = 0;  // longest value, for string widths
  bool any_value = false;
  bool plain_numbers = true;  // every value is a plain number (is_plain_number)
};

struct ExportScan {
  std::size_t rows = 0;
  std::vector<ColumnStats> columns;  // parallel to the exported columns
};

// Reads `data` once and checks every exported cell (check_cell), so that an
// export either writes everything or nothing. Throws ReportError (a bad cell,
// naming file:line:column), io::CsvError or io::IoError.
ExportScan scan_responses(const std::filesystem::path& data,
                          const std::vector<ExportColumn>& columns);

}  // namespace sipas::reports
