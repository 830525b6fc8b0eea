#include "reports/export_cells.hpp"

#include <charconv>
#include <cmath>

#include "reports/error.hpp"

namespace sipas::reports {

using questionnaires::Item;
using questionnaires::ItemType;

std::string CellPlace::describe() const {
  return std::string(source) + ":" + std::to_string(line) + ":" + std::to_string(column);
}

bool is_coded(const Item& item) {
  return item.scale != nullptr && item.answerable();
}

bool has_integer_codes(const Item& item) {
  return is_coded(item) && !item.scale->has_string_codes();
}

namespace {

std::string codes_of(const Item& item) {
  std::string out;
  for (const auto& choice : item.scale->choices)
    out += (out.empty() ? "" : ", ") + choice.code.to_string();
  return out;
}

std::optional<std::uint16_t> find_code(const questionnaires::Scale& scale, std::string_view token) {
  if (scale.has_number_codes()) {
    std::int64_t number = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), number);
    if (ec == std::errc() && end == token.data() + token.size()) {
      if (auto found = scale.find(number)) return found;
    }
  }
  if (scale.has_string_codes()) return scale.find(token);
  return std::nullopt;
}

}  // namespace

std::vector<std::uint16_t> parse_choices(const Item& item, std::string_view cell,
                                         const CellPlace& place) {
  std::vector<std::uint16_t> choices;
  auto add = [&](std::string_view token) {
    auto found = find_code(*item.scale, token);
    if (!found) {
      throw ReportError("export.unknown_code", place.describe() + ": column '" + item.id + "': '" +
                                                   std::string(token) + "' is not a code of item " +
                                                   item.id + " (its codes: " + codes_of(item) +
                                                   ")");
    }
    choices.push_back(*found);
  };
  if (cell.empty()) return choices;
  if (item.type != ItemType::Multiple) {
    add(cell);
    return choices;
  }
  std::size_t start = 0;
  while (start < cell.size()) {
    auto space = cell.find(' ', start);
    if (space == std::string_view::npos) space = cell.size();
    if (space > start) add(cell.substr(start, space - start));
    start = space + 1;
  }
  return choices;
}

std::optional<double> parse_number(std::string_view cell) {
  double value = 0;
  auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (cell.empty() || ec != std::errc() || end != cell.data() + cell.size() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

bool is_plain_number(std::string_view cell) {
  std::size_t i = 0;
  if (i < cell.size() && cell[i] == '-') ++i;
  const std::size_t digits_start = i;
  while (i < cell.size() && cell[i] >= '0' && cell[i] <= '9')
    ++i;
  const std::size_t digits = i - digits_start;
  if (digits == 0 || (digits > 1 && cell[digits_start] == '0')) return false;
  if (i == cell.size()) return true;
  if (cell[i] != '.') return false;
  ++i;
  const std::size_t fraction_start = i;
  while (i < cell.size() && cell[i] >= '0' && cell[i] <= '9')
    ++i;
  return i == cell.size() && i > fraction_start;
}

void check_cell(const ExportColumn& column, std::string_view cell, const CellPlace& place) {
  if (cell.empty()) return;
  bool number = role_is_numeric(column.role);
  if (column.role == ColumnRole::Item) {
    const Item& item = *column.item;
    if (is_coded(item)) {
      parse_choices(item, cell, place);
      return;
    }
    number = item.type == ItemType::Integer || item.type == ItemType::Decimal ||
             item.type == ItemType::Rating;
  }
  if (number && !parse_number(cell)) {
    throw ReportError("export.invalid_number", place.describe() + ": column '" + column.name +
                                                   "': '" + std::string(cell) +
                                                   "' is not a number");
  }
}

std::size_t language_index(const questionnaires::Questionnaire& questionnaire, Language language) {
  const auto code = language_code(language);
  auto index = questionnaire.language_index(code);
  if (!index) {
    throw ReportError("export.unknown_language",
                      "questionnaire '" + questionnaire.id() + "' has no texts in '" + code + "'");
  }
  return *index;
}

const std::string& choice_label(const Item& item, std::uint16_t choice,
                                std::size_t language_index) {
  return item.scale->choices.at(choice).label.in(language_index);
}

}  // namespace sipas::reports
