// Loading a Table from a CSV file: through io::CsvFastScan (the whole file in
// memory, split in one pass, each cell hashed straight from the buffer), or,
// when the file holds anything that scan does not take, through io::CsvReader,
// which reads it as every other command does and names the problem with its
// line. The two give the same tables and errors (tests/analysis compare them).

#include <algorithm>

#include "analysis/table.hpp"
#include "io/csv_fast_scan.hpp"
#include "io/csv_reader.hpp"

namespace sipas::analysis {

Table Table::load(const std::filesystem::path& path, const std::vector<std::string>& columns) {
  Selection selection;
  selection.names = columns;
  if (columns.empty()) selection.keep = [](std::string_view) { return true; };
  return load_selected(path, selection);
}

Table Table::load_if(const std::filesystem::path& path,
                     const std::function<bool(std::string_view)>& keep) {
  Selection selection;
  selection.keep = keep;
  return load_selected(path, selection);
}

Table Table::load_selected(const std::filesystem::path& path, const Selection& selection) {
  {
    Table t;
    if (load_fast(path, selection, t)) return t;
  }  // the fast scan's copy of the file is freed before the second reading
  return load_streamed(path, selection);
}

void Table::take_record(void* table, std::size_t line, const std::string_view* fields) {
  auto& t = *static_cast<Table*>(table);
  for (std::size_t c = 0; c < t.columns_.size(); ++c)
    t.columns_[c].push(fields[c]);
  t.add_line(line);
  ++t.rows_;
}

bool Table::load_fast(const std::filesystem::path& path, const Selection& selection, Table& t) {
  io::CsvFastScan scan(path);
  if (!scan.header_ok()) return false;
  std::vector<std::size_t> indices;
  if (selection.keep) {
    for (std::size_t i = 0; i < scan.header().size(); ++i) {
      if (!selection.keep(scan.header()[i])) continue;
      indices.push_back(i);
      t.names_.push_back(scan.header()[i]);
    }
  } else {
    for (const auto& name : selection.names) {
      if (t.has(name)) continue;
      const auto index = scan.column(name);
      if (index < 0) return false;  // CsvReader names the missing column
      indices.push_back(static_cast<std::size_t>(index));
      t.names_.push_back(name);
    }
  }
  t.source_ = scan.source();
  t.columns_.resize(indices.size());
  if (!scan.scan(indices, &Table::take_record, &t)) return false;
  t.sha256_ = scan.sha256();
  return true;
}

Table Table::load_streamed(const std::filesystem::path& path, const Selection& selection) {
  io::CsvReader reader(path);
  Table t;
  t.source_ = reader.source();
  std::vector<std::size_t> indices;
  if (selection.keep) {
    for (std::size_t i = 0; i < reader.header().size(); ++i) {
      if (!selection.keep(reader.header()[i])) continue;
      indices.push_back(i);
      t.names_.push_back(reader.header()[i]);
    }
  } else {
    for (const auto& name : selection.names) {
      if (t.has(name)) continue;
      indices.push_back(reader.require_column(name));
      t.names_.push_back(name);
    }
  }
  t.columns_.resize(indices.size());
  while (reader.next()) {
    for (std::size_t c = 0; c < indices.size(); ++c)
      t.columns_[c].push(reader.field(indices[c]));
    t.add_line(reader.line());
    ++t.rows_;
  }
  t.sha256_ = reader.sha256();
  return t;
}

}  // namespace sipas::analysis
