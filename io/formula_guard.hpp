#pragma once

#include <string_view>

namespace sipas::io {

// Spreadsheet formula injection (CSV injection): Excel, LibreOffice Calc and
// Google Sheets take a cell that begins with =, +, -, @, a tab or a carriage
// return for a formula, so a respondent who types =HYPERLINK("http://x","y")
// in a text answer would put a live formula into the manager's spreadsheet.
// OWASP's rule: put an apostrophe in front of such a cell, which spreadsheets
// take as "this is text" and do not show.
//
// sipas's rule is OWASP's, made reversible: a cell is guarded (one apostrophe
// put in front) when, after any apostrophes it already begins with, its next
// character is one of = + - @ TAB CR, and it is not a number. So `=1+1`
// becomes `'=1+1`, and a text that itself begins `'=` becomes `''=`: reading
// back takes exactly one apostrophe off a guarded cell and gives every cell
// as it was (restore_formula_guarded), and a spreadsheet shows the text as
// typed. Numbers stay numbers: a cell that is wholly a decimal number
// (`-5`, `-0.25`, `+3`, `-1e3`, `.5`) is left as it is.

inline constexpr char formula_guard = '\'';

// True when `cell` is wholly a decimal number: an optional sign, digits with
// at most one decimal point (at least one digit), and an optional exponent
// (e or E, optional sign, digits). No spaces, no thousands separators, no
// inf or nan.
bool is_decimal_number(std::string_view cell);

// True when the writer puts an apostrophe in front of `cell` (above).
bool needs_formula_guard(std::string_view cell);

// The cell as it was before the writer guarded it: without its first
// apostrophe when what follows would have been guarded, unchanged otherwise.
std::string_view restore_formula_guarded(std::string_view cell);

}  // namespace sipas::io
