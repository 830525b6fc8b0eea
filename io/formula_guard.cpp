#include "io/formula_guard.hpp"

namespace sipas::io {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The characters that make a spreadsheet read a cell as a formula (OWASP,
// "CSV Injection").
bool is_formula_start(char c) {
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

}  // namespace

bool is_decimal_number(std::string_view cell) {
  std::size_t i = 0;
  if (i < cell.size() && (cell[i] == '+' || cell[i] == '-')) ++i;
  std::size_t digits = 0;
  while (i < cell.size() && is_digit(cell[i])) {
    ++i;
    ++digits;
  }
  if (i < cell.size() && cell[i] == '.') {
    ++i;
    while (i < cell.size() && is_digit(cell[i])) {
      ++i;
      ++digits;
    }
  }
  if (digits == 0) return false;
  if (i < cell.size() && (cell[i] == 'e' || cell[i] == 'E')) {
    ++i;
    if (i < cell.size() && (cell[i] == '+' || cell[i] == '-')) ++i;
    std::size_t exponent_digits = 0;
    while (i < cell.size() && is_digit(cell[i])) {
      ++i;
      ++exponent_digits;
    }
    if (exponent_digits == 0) return false;
  }
  return i == cell.size();
}

bool needs_formula_guard(std::string_view cell) {
  const std::size_t first = cell.find_first_not_of(formula_guard);
  if (first == std::string_view::npos || !is_formula_start(cell[first])) return false;
  // A number has no apostrophe in front; with one it is text and is guarded,
  // so that reading back restores the apostrophe.
  return first > 0 || !is_decimal_number(cell);
}

std::string_view restore_formula_guarded(std::string_view cell) {
  if (cell.empty() || cell.front() != formula_guard) return cell;
  std::string_view rest = cell.substr(1);
  return needs_formula_guard(rest) ? rest : cell;
}

}  // namespace sipas::io
