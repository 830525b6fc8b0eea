#include "reports/labelled_csv.hpp"

#include "io/csv_reader.hpp"
#include "io/csv_writer.hpp"
#include "reports/export_cells.hpp"

namespace sipas::reports {

void write_responses_csv(const std::filesystem::path& data,
                         const std::vector<ExportColumn>& columns,
                         std::optional<std::size_t> label_language,
                         const std::filesystem::path& out, bool neutralise_formulas) {
  // The reader takes off the apostrophes `sipas responses export` put in, the
  // writer puts them back (or not): no cell gets a second one.
  io::CsvReader reader(data);
  io::CsvWriter writer(
      out, {.neutralise_formulas = neutralise_formulas, .access = io::FileAccess::owner_only});
  std::vector<std::string_view> views;
  for (const auto& column : columns)
    views.emplace_back(column.name);
  writer.write_row(views);
  std::vector<std::string> labelled(columns.size());
  CellPlace place{reader.source(), 0, 0};
  while (reader.next()) {
    place.line = reader.line();
    views.clear();
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const auto& column = columns[c];
      const auto cell = reader.field(column.index);
      if (!label_language || column.item == nullptr || !is_coded(*column.item) || cell.empty()) {
        views.push_back(cell);
        continue;
      }
      place.column = column.index + 1;
      auto& text = labelled[c];
      text.clear();
      for (auto choice : parse_choices(*column.item, cell, place)) {
        if (!text.empty()) text += label_separator;
        text += choice_label(*column.item, choice, *label_language);
      }
      views.emplace_back(text);
    }
    writer.write_row(views);
  }
  writer.commit();
}

}  // namespace sipas::reports
