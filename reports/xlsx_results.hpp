#pragma once

#include <filesystem>
#include <vector>

#include "reports/results_tables.hpp"

namespace sipas::reports {

// Writes the tables as the sheets of one XLSX workbook (libxlsxwriter),
// atomically: a bold header row that stays in view (frozen), numbers as
// numbers in each column's format (the full double is kept; the format only
// shows it), empty cells for missing values, and an autofilter on the header.
// Throws ReportError export.write_failed, io::IoError.
void write_xlsx(const std::vector<ResultsTable>& tables, const std::filesystem::path& out);

}  // namespace sipas::reports
