// The margins checked, and resolved against the data: each margin variable's
// cells (categorical) or values (numeric), and how far weights are from the
// totals.

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <unordered_map>

#include "analysis/calibration_variables.hpp"
#include "analysis/error.hpp"
#include "io/csv_reader.hpp"

namespace sipas::analysis::calibrating {
namespace {

// Two categorical variables' totals count the same population when they agree
// to this relative distance.
constexpr double totals_agree = 1e-8;

AnalysisError missing_value(const Table& data, std::size_t row, const std::string& name) {
  return AnalysisError("calibration.missing_value",
                       data.source() + ":" + std::to_string(data.line_of(row)) + ": '" + name +
                           "' is empty; a calibration variable cannot have missing values");
}

Variable resolve_categorical(const Table& data, std::string name,
                             const std::vector<const Margin*>& given) {
  Variable v;
  v.name = std::move(name);
  v.categorical = true;
  const Column& column = data.column(v.name);
  std::unordered_map<std::string, std::size_t> by_level;
  for (std::size_t k = 0; k < given.size(); ++k)
    by_level.emplace(given[k]->level, k);
  // Column codes to margins, once per distinct value.
  constexpr auto none = std::numeric_limits<std::size_t>::max();
  std::vector<std::size_t> of_code(column.levels().size(), none);
  for (std::size_t c = 0; c < of_code.size(); ++c) {
    auto it = by_level.find(column.levels()[c]);
    if (it != by_level.end()) of_code[c] = it->second;
  }
  CellSums<std::size_t> counts(given.size());
  // The index into `given` first, replaced by the cell once the kept levels are known.
  std::vector<std::uint32_t>& given_cell = v.cells->cell;
  given_cell.resize(data.rows());
  for (std::size_t i = 0; i < data.rows(); ++i) {
    const std::size_t k = of_code[column.code(i)];
    if (k == none) {
      // Named at the first row of the file without a margin.
      i = data.first_in_file([&](std::size_t j) { return of_code[column.code(j)] == none; });
      if (column.is_missing(i)) throw missing_value(data, i, v.name);
      throw AnalysisError("calibration.missing_level",
                          data.source() + ":" + std::to_string(data.line_of(i)) + ": level '" +
                              column.text(i) + "' of " + v.name +
                              " occurs in the data but has no total in the margins");
    }
    given_cell[i] = static_cast<std::uint32_t>(k);
    counts.add(i, static_cast<std::uint32_t>(k), 1);
  }
  std::vector<std::size_t> rows_of(given.size());
  for (std::size_t k = 0; k < given.size(); ++k)
    rows_of[k] = counts.total(k);
  std::vector<std::size_t> kept;
  for (std::size_t k = 0; k < given.size(); ++k) {
    const Margin& m = *given[k];
    if (rows_of[k] == 0) {
      if (m.total == 0) continue;  // an empty level of the population, empty in the sample too
      std::string levels;
      for (std::size_t c = 0; c < column.levels().size(); ++c) {
        if (column.levels()[c].empty()) continue;
        levels += (levels.empty() ? "" : ", ") + column.levels()[c];
      }
      throw AnalysisError("calibration.unknown_level", prefix(m) + "level '" + m.level + "' of " +
                                                           v.name + " (total " + number(m.total) +
                                                           ") does not occur in " + data.source() +
                                                           " (levels: " + levels + ")");
    }
    if (m.total == 0) {
      throw AnalysisError("calibration.zero_total",
                          prefix(m) + label(m) + " has total 0 but " + std::to_string(rows_of[k]) +
                              " rows of the data; calibrated weights must stay positive");
    }
    kept.push_back(k);
  }
  std::sort(kept.begin(), kept.end(),
            [&](std::size_t a, std::size_t b) { return given[a]->level < given[b]->level; });
  std::vector<std::uint32_t> cell_of(given.size(), 0);
  for (std::size_t j = 0; j < kept.size(); ++j) {
    v.margins.push_back(given[kept[j]]);
    v.cells->count.push_back(static_cast<double>(rows_of[kept[j]]));
    cell_of[kept[j]] = static_cast<std::uint32_t>(j);
  }
  for (std::size_t i = 0; i < data.rows(); ++i)
    given_cell[i] = cell_of[given_cell[i]];
  return v;
}

Variable resolve_numeric(const Table& data, std::string name, const Margin* margin) {
  Variable v;
  v.name = std::move(name);
  v.margins = {margin};
  v.values = data.numbers(v.name);  // a value that is not a number: an error naming the line
  auto missing = [&](std::size_t i) { return std::isnan(v.values[i]); };
  for (std::size_t i = 0; i < v.values.size(); ++i) {
    if (missing(i)) throw missing_value(data, data.first_in_file(missing), v.name);
  }
  return v;
}

}  // namespace

std::string number(double x) {
  std::ostringstream out;
  out.precision(10);
  out << x;
  return out.str();
}

std::string label(const Margin& m) {
  return m.level.empty() ? m.variable : m.variable + "=" + m.level;
}
std::string prefix(const Margin& m) {
  return (m.where.empty() ? "margins" : m.where) + ": ";
}

// Duplicates and variables given both with and without levels; shared by the
// file reader and calibrate() (margins can be built in code).
void check_margins(const std::vector<Margin>& margins) {
  std::map<std::pair<std::string, std::string>, const Margin*> seen;
  std::unordered_map<std::string, const Margin*> first_of;
  for (const Margin& m : margins) {
    if (m.variable.empty())
      throw AnalysisError("calibration.empty_variable", prefix(m) + "the variable is empty");
    if (!std::isfinite(m.total)) {
      throw AnalysisError("calibration.invalid_total",
                          prefix(m) + "the total of " + label(m) + " is not a finite number");
    }
    if (!m.level.empty() && m.total < 0) {
      throw AnalysisError("calibration.negative_total",
                          prefix(m) + "the total of " + label(m) + " is " + number(m.total) +
                              "; a population count cannot be negative");
    }
    auto [it, inserted] = seen.emplace(std::make_pair(m.variable, m.level), &m);
    if (!inserted) {
      throw AnalysisError("calibration.duplicate_margin",
                          prefix(m) + label(m) + " is given twice (first at " +
                              (it->second->where.empty() ? "an earlier row" : it->second->where) +
                              ")");
    }
    auto [first, fresh] = first_of.emplace(m.variable, &m);
    if (!fresh && first->second->level.empty() != m.level.empty()) {
      throw AnalysisError("calibration.mixed_margin",
                          prefix(m) + m.variable +
                              " has rows with and without a level; a numeric variable has one row "
                              "with an empty level, a categorical variable one row per level");
    }
  }
}

// The margins grouped by variable (in order of first appearance) and checked
// against the data.
std::vector<Variable> resolve(const Table& data, const std::vector<Margin>& margins) {
  if (margins.empty()) throw AnalysisError("calibration.no_margins", "no margins to calibrate to");
  check_margins(margins);
  std::vector<std::string> order;
  std::unordered_map<std::string, std::vector<const Margin*>> grouped;
  for (const Margin& m : margins) {
    auto& group = grouped[m.variable];
    if (group.empty()) order.push_back(m.variable);
    group.push_back(&m);
  }
  std::vector<Variable> out;
  for (const auto& name : order) {
    const auto& group = grouped[name];
    if (!data.has(name)) {
      throw AnalysisError("calibration.unknown_variable",
                          prefix(*group.front()) + "no column '" + name + "' in " + data.source() +
                              " (columns: " + io::list_columns(data.file_columns()) + ")");
    }
    if (group.front()->level.empty()) {
      out.push_back(resolve_numeric(data, name, group.front()));
    } else {
      out.push_back(resolve_categorical(data, name, group));
    }
  }
  // Every categorical variable counts the same population.
  const Variable* first = nullptr;
  for (const Variable& v : out) {
    if (!v.categorical) continue;
    if (!first) {
      first = &v;
      continue;
    }
    const double a = first->sum_of_totals(), b = v.sum_of_totals();
    if (std::fabs(a - b) > totals_agree * std::max(std::fabs(a), std::fabs(b))) {
      throw AnalysisError("calibration.inconsistent_totals",
                          "the totals of " + v.name + " sum to " + number(b) + " but those of " +
                              first->name + " to " + number(a) +
                              "; the levels of every categorical variable must count the same "
                              "population, or the totals cannot all be met");
    }
  }
  return out;
}

MarginError worst_margin(const std::vector<Variable>& variables, const Eigen::VectorXd& w) {
  MarginError worst;
  auto consider = [&](const Margin* m, double achieved) {
    const double e = std::fabs(achieved - m->total) / (1 + std::fabs(m->total));
    if (!worst.margin || e > worst.error) worst = {e, m, achieved};
  };
  for (const Variable& v : variables) {
    if (v.categorical) {
      CellSums<double> sums(v.margins.size());
      for (std::size_t i = 0; i < v.cells->cell.size(); ++i)
        sums.add(i, v.cells->cell[i], w[static_cast<Index>(i)]);
      for (std::size_t k = 0; k < sums.cells(); ++k)
        consider(v.margins[k], sums.total(k));
    } else {
      double s = 0;
      for (std::size_t i = 0; i < v.values.size(); ++i)
        s += w[static_cast<Index>(i)] * v.values[i];
      consider(v.margins[0], s);
    }
  }
  return worst;
}

std::string describe(const MarginError& e) {
  return label(*e.margin) + " totals " + number(e.achieved) + " against " + number(e.margin->total);
}

}  // namespace sipas::analysis::calibrating
