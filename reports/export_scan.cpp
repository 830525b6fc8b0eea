#include "reports/export_scan.hpp"

#include <algorithm>

#include "io/csv_reader.hpp"
#include "reports/export_cells.hpp"

namespace sipas::reports {

ExportScan scan_responses(const std::filesystem::path& data,
                          const std::vector<ExportColumn>& columns) {
  io::CsvReader reader(data);
  ExportScan scan;
  scan.columns.resize(columns.size());
  CellPlace place{reader.source(), 0, 0};
  while (reader.next()) {
    ++scan.rows;
    place.line = reader.line();
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const auto cell = reader.field(columns[c].index);
      if (cell.empty()) continue;
      place.column = columns[c].index + 1;
      check_cell(columns[c], cell, place);
      auto& stats = scan.columns[c];
      stats.any_value = true;
      stats.max_bytes = std::max(stats.max_bytes, cell.size());
      if (stats.plain_numbers && !is_plain_number(cell)) stats.plain_numbers = false;
    }
  }
  return scan;
}

}  // namespace sipas::reports
