#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sipas::reports {

// The statistical file formats written through ReadStat.
enum class StatFormat { Sav, Dta };
std::string_view format_name(StatFormat format);  // "SPSS .sav", "Stata .dta"

// A variable name the format accepts, made from a column name:
// - Stata: [A-Za-z_][A-Za-z0-9_]*, at most 32 characters, not a reserved word
//   (_all, byte, int, str1, strL, using, ...);
// - SPSS: a letter first, then [A-Za-z0-9_], at most 64 bytes, not a reserved
//   word (ALL, AND, BY, EQ, GE, GT, LE, LT, NE, NOT, OR, TO, WITH).
// Every other character (one per UTF-8 character) becomes '_'; a name that may
// not start as it does gets '_' (Stata) or 'v' (SPSS) in front; a reserved word
// gets '_' at the end; a long name is cut.
std::string clean_variable_name(std::string_view name, StatFormat format);

// clean_variable_name() of every column name, checked to be distinct (SPSS
// names ignore case). Throws ReportError export.name_collision naming both
// columns when two become the same name.
std::vector<std::string> clean_variable_names(const std::vector<std::string>& names,
                                              StatFormat format);

}  // namespace sipas::reports
