#include "io/csv_writer.hpp"

#include <stdexcept>

#include "io/formula_guard.hpp"

namespace sipas::io {
namespace {

constexpr std::size_t buffer_bytes = std::size_t{1} << 20;

// Checked before the file is created, so that a bad delimiter leaves nothing.
void check_delimiter(char d) {
  if (d == '"' || d == '\n' || d == '\r') {
    throw std::invalid_argument("CsvWriter: the delimiter cannot be a quote or a line break");
  }
}

}  // namespace

CsvWriter::CsvWriter(const std::filesystem::path& path, CsvWriterOptions options)
    : file_((check_delimiter(options.delimiter), path), options.access), options_(options) {
  buffer_.reserve(buffer_bytes + buffer_bytes / 4);
  if (options_.bom) buffer_ += "\xEF\xBB\xBF";
}

void append_csv_row(std::string& out, std::span<const std::string_view> fields,
                    const CsvWriterOptions& options) {
  const char d = options.delimiter;
  if (fields.size() == 1 && fields[0].empty()) {
    out += "\"\"";
  } else {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out.push_back(d);
      std::string_view field = fields[i];
      const bool guard = options.neutralise_formulas && needs_formula_guard(field);
      // A leading U+FEFF is quoted too: at the start of a file, a reader would
      // take it for a byte order mark and drop it. (A guarded field starts with
      // the apostrophe, not with its own first character.)
      bool quote = !field.empty() && ((!guard && (field.front() == ' ' || field.front() == '\t' ||
                                                  field.starts_with("\xEF\xBB\xBF"))) ||
                                      field.back() == ' ' || field.back() == '\t');
      for (std::size_t k = 0; !quote && k < field.size(); ++k) {
        char c = field[k];
        quote = c == d || c == '"' || c == '\n' || c == '\r';
      }
      if (!quote) {
        if (guard) out.push_back(formula_guard);
        out.append(field);
        continue;
      }
      out.push_back('"');
      if (guard) out.push_back(formula_guard);
      for (char c : field) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
      }
      out.push_back('"');
    }
  }
  out += options.crlf ? "\r\n" : "\n";
}

void CsvWriter::write_row(std::span<const std::string_view> fields) {
  if (!file_.is_open()) throw std::logic_error("CsvWriter: write_row after commit");
  append_csv_row(buffer_, fields, options_);
  ++rows_;
  if (buffer_.size() >= buffer_bytes) flush();
}

void CsvWriter::write_row(std::initializer_list<std::string_view> fields) {
  write_row(std::span<const std::string_view>(fields.begin(), fields.size()));
}

void CsvWriter::flush() {
  file_.write(buffer_);
  buffer_.clear();
}

void CsvWriter::commit() {
  if (!file_.is_open()) throw std::logic_error("CsvWriter: commit called twice");
  flush();
  file_.commit();
}

}  // namespace sipas::io
