#pragma once

// This year's estimate of a unit beside last year's for the same territory:
// from a results file of `sipas analyze`, across a reorganisation of the
// units when a unit map says how the old units became the new ones
// (analysis/README.md, "Comparisons", year on year).

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analysis/estimate.hpp"
#include "analysis/multiple_testing.hpp"

namespace sipas::analysis {

// One unit's estimate: from a results file or from the data.
struct UnitValue {
  std::string unit;
  double estimate = not_available;
  double se = not_available;
  double n = 0;
  double weighted_n = not_available;  // the estimated count of its rows with a value; NaN: absent
};

// The estimates of one statistic of one variable by one column, read from a
// results.json of `sipas analyze`: every estimate whose statistic and
// variable are these and whose domain is the one column `by`. Units whose
// estimate is null are listed with NaN (they are units, without a value).
struct ResultsUnits {
  std::string file, sha256;  // the file's name and SHA-256
  std::vector<UnitValue> units;
  const UnitValue* find(const std::string& unit) const;
};
// Throws AnalysisError compare.invalid_results (not a results file, naming
// the file and the JSON path) or compare.no_estimates (none of this
// statistic, variable and column: the message lists what the file holds).
ResultsUnits read_results_units(const std::filesystem::path& path, const std::string& statistic,
                                const std::string& variable, const std::string& by);

// The unit map: CSV with a header old_unit,new_unit,date (other columns are
// ignored); one line per old unit and the new unit it became (or part of
// it), the date of the change as YYYY-MM-DD. A unit that did not change is
// listed with old = new; a unit the map does not list as new has no
// comparable past.
struct UnitMapLine {
  std::string old_unit, new_unit, date;
  std::size_t line = 0;
};
struct UnitMap {
  std::string file, sha256;
  std::vector<UnitMapLine> lines;
  // The old units a new unit is made of, in the map's order.
  std::vector<const UnitMapLine*> parts_of(const std::string& new_unit) const;
  // The new units an old unit went to (more than one: it was split).
  std::vector<std::string> new_units_of(const std::string& old_unit) const;
};
// Throws io::CsvError (a malformed file, a missing column), AnalysisError
// unit_map.empty_field, unit_map.invalid_date, unit_map.duplicate_line,
// unit_map.empty (no line), each naming file:line and the column.
UnitMap load_unit_map(const std::filesystem::path& path);
// Every old unit of the map must be one of `known` (last year's units):
// unit_map.unknown_unit names the first line that is not, file:line, column
// old_unit, and where the known units come from (`known_from`).
void check_old_units(const UnitMap& map, const std::set<std::string>& known,
                     const std::string& known_from);

// One old unit's share of a new unit's past.
struct PastPart {
  std::string unit;
  std::string date;               // from the map ("" without one)
  double weight = not_available;  // w_k / Σw (results), NaN for data
  double weighted_n = not_available;
  double estimate = not_available, se = not_available;
};

struct YearOnYear {
  std::string unit;
  double this_year = not_available, this_se = not_available, n_this = 0;
  double last_year = not_available, last_se = not_available;
  double difference = not_available, se = not_available;
  double ci_low = not_available, ci_high = not_available;
  double p = not_available, p_adjusted = not_available;
  bool significant = false;
  std::string direction = "none";
  std::string past = "none";  // same, mapped, combined, none
  std::string source;         // "results" or "data" ("" for none)
  std::string weights;        // combined: "weighted_n" or "equal"
  std::vector<PastPart> from;
  std::string note;  // why there is no past
};

// Last year's values for this year's units: (a) from last year's answers, the
// new units estimated as domains of the old design (`mapped`, keyed by new
// unit: a new unit absent there has none from the data), or (b) from the old
// units' estimates in a results file.
struct LastYear {
  std::optional<ResultsUnits> results;
  std::optional<std::map<std::string, UnitValue>> mapped;
  // The old units the data hold: (a) needs all the old units of a new unit.
  std::set<std::string> data_units;
  const UnitMap* map = nullptr;  // none: units matched by identical code
};

// Every unit of this year beside its past, a difference with
// var = se_this² + se_last² (independent samples) and a normal reference:
// interval d ± z SE, p = 2 P(Z > |d| / SE). Combined pasts from the results
// file: Σ_k w_k ȳ_k / Σ w_k with w_k the old units' weighted_n (equal
// weights when one lacks it), variance Σ_k (w_k/Σw)² se_k², the old units'
// estimates taken as independent. p_adjusted over the units with a past.
std::vector<YearOnYear> year_on_year(const std::vector<UnitValue>& this_year, const LastYear& last,
                                     double level, Adjustment adjustment);

// The rows of last year's data each new unit is made of: the new unit of
// each old unit of the map that went to exactly one new unit (a split old
// unit cannot be divided row by row); without a map every unit is its own.
std::map<std::string, std::string> old_to_new(const UnitMap* map,
                                              const std::vector<std::string>& old_units);

}  // namespace sipas::analysis
