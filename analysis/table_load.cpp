// Loading a Table from a CSV file: through io::CsvFastScan (the whole file in
// memory, split in one pass, each cell hashed straight from the buffer), or,
// when the file holds anything that scan does not take, through io::CsvReader,
// which reads it as every other command does and names the problem with its
// line. The two give the same tables and errors (tests/analysis compare them).

#include <algorithm>
#include <exception>
#include <thread>

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
  // Two parts on two threads where the file allows it (no quotes), the
  // second's rows then appended to the first's.
  const auto parts = scan.parts(std::thread::hardware_concurrency() > 1 ? 2 : 1);
  std::vector<Table> tables(parts.size());
  const std::size_t expected = scan.estimated_records() / std::max<std::size_t>(parts.size(), 1);
  for (auto& part : tables) {
    part.columns_.resize(indices.size());
    for (auto& column : part.columns_)
      column.reserve(expected);
  }
  std::vector<std::size_t> end_lines(parts.size());
  std::vector<char> taken(parts.size());
  auto scan_part = [&](std::size_t k) {
    taken[k] = scan.scan_part(parts[k], k == 0 ? scan.first_line() : 1, indices,
                              &Table::take_record, &tables[k], &end_lines[k]);
  };
  std::vector<std::thread> threads;
  std::vector<std::exception_ptr> failures(parts.size());
  auto guarded = [&](std::size_t k) {
    try {
      scan_part(k);
    } catch (...) {
      failures[k] = std::current_exception();
    }
  };
  for (std::size_t k = 1; k < parts.size(); ++k)
    threads.emplace_back(guarded, k);
  guarded(0);
  for (auto& thread : threads)
    thread.join();
  for (const auto& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  if (!scan.finish()) return false;
  for (const char ok : taken) {
    if (!ok) return false;
  }
  if (tables.empty()) {
    t.columns_.resize(indices.size());
  } else {
    std::size_t line = end_lines[0];
    const auto names = std::move(t.names_);
    const auto source = std::move(t.source_);
    t = std::move(tables[0]);
    t.names_ = names;
    t.source_ = source;
    for (std::size_t k = 1; k < tables.size(); ++k) {
      t.append(tables[k], line - 1);
      line += end_lines[k] - 1;
    }
  }
  t.file_columns_.assign(scan.header().begin(), scan.header().end());
  t.sha256_ = scan.sha256();
  return true;
}

Table Table::load_streamed(const std::filesystem::path& path, const Selection& selection) {
  io::CsvReader reader(path);
  Table t;
  t.source_ = reader.source();
  t.file_columns_ = reader.header();
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
