#include "reports/xlsx_results.hpp"

#include <xlsxwriter.h>

#include <map>
#include <string>

#include "io/atomic_file.hpp"
#include "reports/error.hpp"

namespace sipas::reports {
namespace {

std::string number_format(NumberFormat format, int precision) {
  switch (format) {
    case NumberFormat::Fixed4:
      return "0.0000";
    case NumberFormat::Fixed2:
      return "0.00";
    case NumberFormat::Fixed1:
      return "#,##0.0";
    case NumberFormat::Whole:
      return "0";
    case NumberFormat::Count:
      return "#,##0";
    case NumberFormat::Precision:
      return precision > 0 ? "0." + std::string(static_cast<std::size_t>(precision), '0') : "0";
    case NumberFormat::General:
      break;
  }
  return {};
}

class Workbook {
 public:
  explicit Workbook(const std::filesystem::path& path) : path_(path) {
    // Not constant_memory: results are small, and shared strings (rather than
    // inline ones) are what every reader expects.
    workbook_ = workbook_new(path.c_str());
    if (workbook_ == nullptr) {
      throw ReportError("export.write_failed", path_.string() + ": cannot create the workbook");
    }
    bold_ = workbook_add_format(workbook_);
    format_set_bold(bold_);
  }
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;
  ~Workbook() {
    // Closing writes the file; after a failure the temporary is removed anyway.
    if (workbook_ != nullptr) workbook_close(workbook_);
  }

  void add(const ResultsTable& table) {
    lxw_worksheet* sheet = workbook_add_worksheet(workbook_, table.sheet.c_str());
    if (sheet == nullptr) fail("cannot add sheet '" + table.sheet + "'");
    std::vector<lxw_format*> formats;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      const auto& column = table.columns[c];
      formats.push_back(format(number_format(column.format, table.precision)));
      const auto col = static_cast<lxw_col_t>(c);
      check(worksheet_set_column(sheet, col, col, column.width, nullptr), table.sheet);
    }
    worksheet_freeze_panes(sheet, 1, 0);
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      check(worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c),
                                   table.columns[c].label.c_str(), bold_),
            table.sheet);
    }
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      const auto row = static_cast<lxw_row_t>(r + 1);
      for (std::size_t c = 0; c < table.rows[r].size(); ++c) {
        const TableCell& cell = table.rows[r][c];
        const auto col = static_cast<lxw_col_t>(c);
        if (cell.kind == TableCell::Kind::Number) {
          check(worksheet_write_number(sheet, row, col, cell.number, formats[c]), table.sheet);
        } else if (cell.kind == TableCell::Kind::Text) {
          // Always a string cell, never a formula: a unit's name or a domain's
          // level that begins with = stays the text it is (no apostrophe needed).
          check(worksheet_write_string(sheet, row, col, cell.text.c_str(), nullptr), table.sheet);
        }
      }
    }
    if (!table.columns.empty()) {
      check(worksheet_autofilter(sheet, 0, 0, static_cast<lxw_row_t>(table.rows.size()),
                                 static_cast<lxw_col_t>(table.columns.size() - 1)),
            table.sheet);
    }
  }

  void close() {
    lxw_workbook* workbook = workbook_;
    workbook_ = nullptr;
    const lxw_error error = workbook_close(workbook);
    if (error != LXW_NO_ERROR) fail(lxw_strerror(error));
  }

 private:
  lxw_format* format(const std::string& number_format) {
    if (number_format.empty()) return nullptr;
    auto found = formats_.find(number_format);
    if (found != formats_.end()) return found->second;
    lxw_format* f = workbook_add_format(workbook_);
    format_set_num_format(f, number_format.c_str());
    formats_.emplace(number_format, f);
    return f;
  }
  void check(lxw_error error, const std::string& sheet) const {
    if (error != LXW_NO_ERROR) fail("sheet '" + sheet + "': " + lxw_strerror(error));
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw ReportError("export.write_failed", path_.string() + ": " + what);
  }

  std::filesystem::path path_;
  lxw_workbook* workbook_ = nullptr;
  lxw_format* bold_ = nullptr;
  std::map<std::string, lxw_format*> formats_;
};

}  // namespace

void write_xlsx(const std::vector<ResultsTable>& tables, const std::filesystem::path& out) {
  // Estimates and indices, no record-level data: shared. libxlsxwriter opens
  // the path itself, so it is given the temporary file, which it truncates and
  // fills in place (AtomicFile::commit checks it is still that file).
  io::AtomicFile output(out, io::FileAccess::shared);
  {
    Workbook workbook(output.temporary());
    for (const auto& table : tables)
      workbook.add(table);
    workbook.close();
  }
  output.commit();
}

}  // namespace sipas::reports
