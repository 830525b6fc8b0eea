#include "reports/readstat_writer.hpp"

#include <readstat.h>

#include <algorithm>
#include <exception>
#include <map>
#include <memory>
#include <optional>

#include "io/atomic_file.hpp"
#include "io/csv_reader.hpp"
#include "reports/error.hpp"
#include "reports/export_cells.hpp"
#include "reports/export_words.hpp"

namespace sipas::reports {

using questionnaires::Item;
using questionnaires::ItemType;

namespace {

// What each format holds (ReadStat 1.1.8 cuts longer texts at a byte, which
// can split a UTF-8 character; we cut first, at a character).
constexpr std::size_t sav_variable_label_bytes = 255;
constexpr std::size_t sav_value_label_bytes = 120;
constexpr std::size_t sav_file_label_bytes = 64;
constexpr std::size_t sav_max_string_bytes = 32767;
constexpr std::size_t dta_variable_label_characters = 80;
constexpr std::size_t dta_variable_label_bytes = 320;
constexpr std::size_t dta_value_label_bytes = 32000;
constexpr std::size_t dta_file_label_characters = 80;
// Stata's longest str. Longer values are cut: ReadStat 1.1.8 writes strL
// columns that its own reader cannot read back (the file map is written before
// the strLs), so we do not rely on them.
constexpr std::size_t dta_max_str_bytes = 2045;
constexpr std::size_t no_limit = static_cast<std::size_t>(-1);

struct LabelSet {
  std::string name;
  bool strings = false;
  std::vector<std::pair<questionnaires::ChoiceCode, std::string>> labels;
  readstat_label_set_t* handle = nullptr;
};

enum class Kind { Number, String };

struct Variable {
  std::string name;  // before cleaning
  std::string label;
  Kind kind = Kind::Number;
  std::size_t column = 0;               // into the exported columns
  std::optional<std::uint16_t> choice;  // the 0/1 variable of one choice
  std::size_t width = 0;                // strings
  int label_set = -1;
  readstat_measure_t measure = READSTAT_MEASURE_UNKNOWN;
  bool whole = false;  // codes, 0/1, integer answers: shown without decimals
  readstat_variable_t* handle = nullptr;
};

struct WriterDeleter {
  void operator()(readstat_writer_t* writer) const { readstat_writer_free(writer); }
};

// The file ReadStat writes to, and the first error writing it: ReadStat only
// learns that a write failed, the error says why (a full disk).
struct StatOutput {
  io::AtomicFile file;
  std::exception_ptr error;
};

ssize_t write_to_output(const void* data, size_t size, void* context) {
  auto* output = static_cast<StatOutput*>(context);
  try {
    output->file.write(std::string_view(static_cast<const char*>(data), size));
  } catch (...) {
    if (!output->error) output->error = std::current_exception();
    // ReadStat counts a short write as an error (a negative size would not be).
    return 0;
  }
  return static_cast<ssize_t>(size);
}

class StatWriter {
 public:
  StatWriter(const questionnaires::Questionnaire& questionnaire,
             const std::vector<ExportColumn>& columns, const ExportScan& scan, Language language,
             StatFormat format)
      : questionnaire_(questionnaire),
        columns_(columns),
        scan_(scan),
        language_(language),
        language_index_(reports::language_index(questionnaire, language)),
        format_(format) {
    plan();
  }

  // Returns the values cut to fit, by column.
  std::map<std::string, std::size_t> write(const std::filesystem::path& data,
                                           const std::filesystem::path& out);

 private:
  bool sav() const { return format_ == StatFormat::Sav; }
  std::string variable_label(std::string_view text) const {
    return sav() ? cut_utf8(text, sav_variable_label_bytes, no_limit)
                 : cut_utf8(text, dta_variable_label_bytes, dta_variable_label_characters);
  }
  std::string value_label(std::string_view text) const {
    return cut_utf8(text, sav() ? sav_value_label_bytes : dta_value_label_bytes, no_limit);
  }
  int scale_label_set(const Item& item);
  int selected_label_set();
  void plan();
  void add_string(Variable variable, std::size_t max_bytes);
  void check(readstat_error_t error, const std::string& what) const;
  template <typename What>
  void check_cell(readstat_error_t error, const What& what) const;

  const questionnaires::Questionnaire& questionnaire_;
  const std::vector<ExportColumn>& columns_;
  const ExportScan& scan_;
  Language language_;
  std::size_t language_index_;
  StatFormat format_;
  std::vector<Variable> variables_;
  std::vector<LabelSet> label_sets_;
  std::map<const questionnaires::Scale*, int> set_of_scale_;
  int selected_set_ = -1;
  std::filesystem::path out_;
  const StatOutput* output_ = nullptr;  // while write() runs
  std::map<std::string, std::size_t> cut_;
};

int StatWriter::scale_label_set(const Item& item) {
  const bool strings = item.scale->has_string_codes();
  if (strings && !sav()) return -1;  // Stata labels numbers only
  auto found = set_of_scale_.find(item.scale.get());
  if (found != set_of_scale_.end()) return found->second;
  LabelSet set;
  set.name = item.scale->id.empty() ? item.id : item.scale->id;
  set.strings = strings;
  for (const auto& choice : item.scale->choices)
    set.labels.emplace_back(choice.code, value_label(choice.label.in(language_index_)));
  label_sets_.push_back(std::move(set));
  const int index = static_cast<int>(label_sets_.size()) - 1;
  set_of_scale_.emplace(item.scale.get(), index);
  return index;
}

int StatWriter::selected_label_set() {
  if (selected_set_ >= 0) return selected_set_;
  LabelSet set;
  set.name = "selected";
  for (int value : {0, 1}) {
    set.labels.emplace_back(questionnaires::ChoiceCode{true, value, {}},
                            std::string(selected_label(value == 1, language_)));
  }
  label_sets_.push_back(std::move(set));
  selected_set_ = static_cast<int>(label_sets_.size()) - 1;
  return selected_set_;
}

void StatWriter::add_string(Variable variable, std::size_t max_bytes) {
  variable.width = std::max<std::size_t>(max_bytes, 1);
  variable.kind = Kind::String;
  if (!sav()) variable.width = std::min(variable.width, dta_max_str_bytes);
  if (sav() && variable.width > sav_max_string_bytes) {
    throw ReportError("export.too_long", "column '" + columns_[variable.column].name +
                                             "' holds a value of " + std::to_string(max_bytes) +
                                             " bytes; an SPSS string holds at most " +
                                             std::to_string(sav_max_string_bytes));
  }
  if (variable.measure == READSTAT_MEASURE_UNKNOWN) variable.measure = READSTAT_MEASURE_NOMINAL;
  variables_.push_back(std::move(variable));
}

void StatWriter::plan() {
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    const ExportColumn& column = columns_[c];
    const ColumnStats& stats = scan_.columns[c];
    Variable v;
    v.name = column.name;
    v.column = c;
    if (column.role != ColumnRole::Item) {
      v.label = variable_label(column_label(column, language_));
      const bool number = role_is_numeric(column.role) || (column.role == ColumnRole::Kept &&
                                                           stats.any_value && stats.plain_numbers);
      if (number) {
        v.measure = READSTAT_MEASURE_SCALE;
        variables_.push_back(std::move(v));
      } else {
        add_string(std::move(v), stats.max_bytes);
      }
      continue;
    }
    const Item& item = *column.item;
    const std::string& text = item.text.in(language_index_);
    if (item.type == ItemType::Multiple) {
      // One 0/1 variable per choice: neither format can label a list of codes.
      const int set = selected_label_set();
      const auto& choices = item.scale->choices;
      for (std::size_t k = 0; k < choices.size(); ++k) {
        Variable d;
        d.name = item.id + "_" + choices[k].code.to_string();
        d.label = variable_label(text + ": " + choices[k].label.in(language_index_));
        d.column = c;
        d.choice = static_cast<std::uint16_t>(k);
        d.label_set = set;
        d.measure = READSTAT_MEASURE_NOMINAL;
        d.whole = true;
        variables_.push_back(std::move(d));
      }
      continue;
    }
    v.label = variable_label(text);
    if (is_coded(item)) {
      v.label_set = scale_label_set(item);
      v.measure =
          item.type == ItemType::Single ? READSTAT_MEASURE_NOMINAL : READSTAT_MEASURE_ORDINAL;
      if (has_integer_codes(item)) {
        v.whole = true;
        variables_.push_back(std::move(v));
      } else {
        // As wide as the longest code too: SPSS stores each labelled value at
        // the variable's width, and a wider one would break the file.
        std::size_t width = stats.max_bytes;
        for (const auto& choice : item.scale->choices)
          width = std::max(width, choice.code.to_string().size());
        add_string(std::move(v), width);
      }
    } else if (item.type == ItemType::Integer || item.type == ItemType::Decimal ||
               item.type == ItemType::Rating) {
      v.measure = READSTAT_MEASURE_SCALE;
      v.whole = item.type != ItemType::Decimal;
      variables_.push_back(std::move(v));
    } else {  // date, text, long text
      add_string(std::move(v), stats.max_bytes);
    }
  }
  std::vector<std::string> names;
  for (const auto& v : variables_)
    names.push_back(v.name);
  names = clean_variable_names(names, format_);
  for (std::size_t i = 0; i < variables_.size(); ++i)
    variables_[i].name = names[i];
  // Value label set names follow the variable name rules in Stata, and must
  // differ from each other.
  std::map<std::string, int> used;
  for (auto& set : label_sets_) {
    std::string name = clean_variable_name(set.name, format_);
    const std::string base = name.substr(0, 28);
    for (int n = 2; used.count(name) != 0; ++n)
      name = base + "_" + std::to_string(n);
    used.emplace(name, 0);
    set.name = name;
  }
}

void StatWriter::check(readstat_error_t error, const std::string& what) const {
  if (error == READSTAT_OK) return;
  if (output_ != nullptr && output_->error) std::rethrow_exception(output_->error);
  throw ReportError("export.write_failed",
                    out_.string() + ": " + what + ": " + readstat_error_message(error));
}

template <typename What>
void StatWriter::check_cell(readstat_error_t error, const What& what) const {
  if (error != READSTAT_OK) check(error, what());
}

std::map<std::string, std::size_t> StatWriter::write(const std::filesystem::path& data,
                                                     const std::filesystem::path& out) {
  out_ = out;
  std::unique_ptr<readstat_writer_t, WriterDeleter> owner(readstat_writer_init());
  readstat_writer_t* writer = owner.get();
  if (writer == nullptr) throw std::bad_alloc();
  check(readstat_set_data_writer(writer, &write_to_output), "setting the output");
  const std::string file_label = questionnaire_.id() + " " + questionnaire_.version();
  check(readstat_writer_set_file_label(
            writer, (sav() ? cut_utf8(file_label, sav_file_label_bytes, no_limit)
                           : cut_utf8(file_label, no_limit, dta_file_label_characters))
                        .c_str()),
        "setting the file label");
  for (auto& set : label_sets_) {
    set.handle = readstat_add_label_set(
        writer, set.strings ? READSTAT_TYPE_STRING : READSTAT_TYPE_DOUBLE, set.name.c_str());
    for (const auto& [code, label] : set.labels) {
      if (set.strings) {
        readstat_label_string_value(set.handle, code.to_string().c_str(), label.c_str());
      } else {
        readstat_label_double_value(set.handle, static_cast<double>(code.number), label.c_str());
      }
    }
  }
  for (auto& v : variables_) {
    const readstat_type_t type =
        v.kind == Kind::String ? READSTAT_TYPE_STRING : READSTAT_TYPE_DOUBLE;
    v.handle =
        readstat_add_variable(writer, v.name.c_str(), type, v.kind == Kind::Number ? 0 : v.width);
    if (!v.label.empty()) readstat_variable_set_label(v.handle, v.label.c_str());
    if (v.label_set >= 0)
      readstat_variable_set_label_set(v.handle, label_sets_[v.label_set].handle);
    readstat_variable_set_measure(v.handle, v.measure);
    // SPSS shows numbers as F8.2 unless told; Stata's default (%9.0g) suits all.
    if (sav() && v.kind == Kind::Number)
      readstat_variable_set_format(v.handle, v.whole ? "F8.0" : "F12.6");
  }

  // Answers, free text included: owner-only, like every response export.
  StatOutput output{io::AtomicFile(out, io::FileAccess::owner_only), nullptr};
  output_ = &output;
  const long rows = static_cast<long>(scan_.rows);
  if (sav()) {
    // Row compression: what SPSS writes by default; much smaller for codes.
    check(readstat_writer_set_compression(writer, READSTAT_COMPRESS_ROWS), "setting compression");
    check(readstat_begin_writing_sav(writer, &output, rows), "starting the file");
  } else {
    check(readstat_begin_writing_dta(writer, &output, rows), "starting the file");
  }
  check(readstat_validate_metadata(writer), "checking the file's metadata");
  for (const auto& v : variables_)
    check(readstat_validate_variable(writer, v.handle), "checking variable " + v.name);

  io::CsvReader reader(data);
  CellPlace place{reader.source(), 0, 0};
  std::vector<std::vector<std::uint16_t>> choices(columns_.size());
  while (reader.next()) {
    place.line = reader.line();
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      const ExportColumn& column = columns_[c];
      choices[c].clear();
      if (column.item != nullptr && is_coded(*column.item)) {
        place.column = column.index + 1;
        choices[c] = parse_choices(*column.item, reader.field(column.index), place);
      }
    }
    check(readstat_begin_row(writer), "starting a row");
    for (const auto& v : variables_) {
      const ExportColumn& column = columns_[v.column];
      const std::string_view cell = reader.field(column.index);
      // Only built when a call fails: this loop runs for every cell.
      const auto what = [&] { return "writing " + v.name + " at " + reader.where(); };
      if (cell.empty()) {
        check_cell(readstat_insert_missing_value(writer, v.handle), what);
        continue;
      }
      const auto& chosen = choices[v.column];
      if (v.choice) {
        const bool selected = std::find(chosen.begin(), chosen.end(), *v.choice) != chosen.end();
        check_cell(readstat_insert_double_value(writer, v.handle, selected ? 1 : 0), what);
      } else if (v.kind == Kind::String) {
        std::string text(cell);
        if (text.size() > v.width) {
          text = cut_utf8(text, v.width, no_limit);
          ++cut_[columns_[v.column].name];
        }
        check_cell(readstat_insert_string_value(writer, v.handle, text.c_str()), what);
      } else if (column.item != nullptr && is_coded(*column.item)) {
        const auto& code = column.item->scale->choices.at(chosen.at(0)).code;
        check_cell(readstat_insert_double_value(writer, v.handle, static_cast<double>(code.number)),
                   what);
      } else {
        check_cell(readstat_insert_double_value(writer, v.handle, parse_number(cell).value()),
                   what);
      }
    }
    check(readstat_end_row(writer), "ending a row");
  }
  check(readstat_end_writing(writer), "ending the file");
  output_ = nullptr;
  output.file.commit();
  return cut_;
}

}  // namespace

std::string cut_utf8(std::string_view text, std::size_t max_bytes, std::size_t max_characters) {
  std::size_t end = 0, characters = 0;
  while (end < text.size() && characters < max_characters) {
    std::size_t next = end + 1;
    while (next < text.size() && (static_cast<unsigned char>(text[next]) & 0xC0) == 0x80)
      ++next;
    if (next > max_bytes) break;
    end = next;
    ++characters;
  }
  return std::string(text.substr(0, end));
}

std::map<std::string, std::size_t> write_stat_file(
    const std::filesystem::path& data, const questionnaires::Questionnaire& questionnaire,
    const std::vector<ExportColumn>& columns, const ExportScan& scan, Language language,
    StatFormat format, const std::filesystem::path& out) {
  return StatWriter(questionnaire, columns, scan, language, format).write(data, out);
}

}  // namespace sipas::reports
