#pragma once

// Reads an SPSS .sav or Stata .dta file back with ReadStat's reader (its
// parser shares no code with the writer's), for the export tests: variable
// names, labels, value label sets and every value.

#include <readstat.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace sipas::test {

struct StatValue {
  bool missing = false;  // system missing (numbers)
  bool is_string = false;
  double number = 0;
  std::string text;
};

struct StatVariable {
  std::string name, label, label_set, format;
  bool is_string = false;
};

struct StatFile {
  long row_count = -1;
  std::vector<StatVariable> variables;
  std::map<std::string, std::map<double, std::string>> number_labels;       // by label set
  std::map<std::string, std::map<std::string, std::string>> string_labels;  // by label set
  std::vector<std::vector<StatValue>> rows;

  int index(const std::string& name) const {
    for (std::size_t i = 0; i < variables.size(); ++i) {
      if (variables[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }
  const StatVariable& variable(const std::string& name) const {
    int i = index(name);
    if (i < 0) throw std::runtime_error("no variable " + name);
    return variables[static_cast<std::size_t>(i)];
  }
  const StatValue& value(std::size_t row, const std::string& name) const {
    int i = index(name);
    if (i < 0) throw std::runtime_error("no variable " + name);
    return rows.at(row).at(static_cast<std::size_t>(i));
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& v : variables)
      out.push_back(v.name);
    return out;
  }
};

namespace readback_detail {

inline int on_metadata(readstat_metadata_t* metadata, void* context) {
  static_cast<StatFile*>(context)->row_count = readstat_get_row_count(metadata);
  return READSTAT_HANDLER_OK;
}

inline int on_variable(int index, readstat_variable_t* variable, const char* label_set,
                       void* context) {
  auto* file = static_cast<StatFile*>(context);
  StatVariable v;
  v.name = readstat_variable_get_name(variable);
  const char* label = readstat_variable_get_label(variable);
  v.label = label ? label : "";
  const char* format = readstat_variable_get_format(variable);
  v.format = format ? format : "";
  v.label_set = label_set ? label_set : "";
  v.is_string = readstat_variable_get_type_class(variable) == READSTAT_TYPE_CLASS_STRING;
  if (static_cast<std::size_t>(index) != file->variables.size())
    throw std::runtime_error("variables out of order");
  file->variables.push_back(v);
  return READSTAT_HANDLER_OK;
}

inline double number_of(readstat_value_t value) {
  switch (readstat_value_type(value)) {
    case READSTAT_TYPE_INT8:
      return readstat_int8_value(value);
    case READSTAT_TYPE_INT16:
      return readstat_int16_value(value);
    case READSTAT_TYPE_INT32:
      return readstat_int32_value(value);
    case READSTAT_TYPE_FLOAT:
      return readstat_float_value(value);
    default:
      return readstat_double_value(value);
  }
}

inline int on_value(int row, readstat_variable_t* variable, readstat_value_t value, void* context) {
  auto* file = static_cast<StatFile*>(context);
  if (static_cast<std::size_t>(row) >= file->rows.size()) file->rows.resize(row + 1);
  StatValue v;
  if (readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING) {
    v.is_string = true;
    const char* text = readstat_string_value(value);
    v.text = text ? text : "";
  } else if (readstat_value_is_system_missing(value)) {
    v.missing = true;
  } else {
    v.number = number_of(value);
  }
  auto& cells = file->rows[static_cast<std::size_t>(row)];
  if (static_cast<std::size_t>(readstat_variable_get_index(variable)) != cells.size())
    throw std::runtime_error("values out of order");
  cells.push_back(v);
  return READSTAT_HANDLER_OK;
}

inline int on_value_label(const char* label_set, readstat_value_t value, const char* label,
                          void* context) {
  auto* file = static_cast<StatFile*>(context);
  if (readstat_value_type_class(value) == READSTAT_TYPE_CLASS_STRING) {
    file->string_labels[label_set][readstat_string_value(value)] = label;
  } else {
    file->number_labels[label_set][number_of(value)] = label;
  }
  return READSTAT_HANDLER_OK;
}

}  // namespace readback_detail

// Throws std::runtime_error with ReadStat's message when the file does not parse.
inline StatFile read_stat_file(const std::filesystem::path& path) {
  StatFile file;
  readstat_parser_t* parser = readstat_parser_init();
  readstat_set_metadata_handler(parser, &readback_detail::on_metadata);
  readstat_set_variable_handler(parser, &readback_detail::on_variable);
  readstat_set_value_handler(parser, &readback_detail::on_value);
  readstat_set_value_label_handler(parser, &readback_detail::on_value_label);
  const bool sav = path.extension() == ".sav";
  readstat_error_t error = sav ? readstat_parse_sav(parser, path.c_str(), &file)
                               : readstat_parse_dta(parser, path.c_str(), &file);
  readstat_parser_free(parser);
  if (error != READSTAT_OK) {
    throw std::runtime_error(path.string() + ": " + readstat_error_message(error));
  }
  return file;
}

}  // namespace sipas::test
