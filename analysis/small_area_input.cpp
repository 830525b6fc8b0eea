// The areas of a table (one row each) as the Fay–Herriot model's data: the
// direct estimates, their sampling variances, the covariates and the factors'
// dummies, every problem named by file, line and column.

#include <algorithm>
#include <cmath>
#include <map>

#include "analysis/error.hpp"
#include "analysis/small_area.hpp"
#include "analysis/table.hpp"

namespace sipas::analysis {
namespace {

class Reader {
 public:
  Reader(const Table& table, const Column& area) : table_(table), area_(area) {}

  std::string where(std::size_t row, const std::string& column) const {
    std::string place =
        table_.source() + ":" + std::to_string(table_.line_of(row)) + ": column '" + column + "'";
    if (!area_.is_missing(row)) place += " (area '" + area_.text(row) + "')";
    return place;
  }

  // The column's numbers; missing values and text are errors.
  Eigen::VectorXd numbers(const std::string& name) const {
    const Column& c = table_.column(name);
    Eigen::VectorXd out(static_cast<Eigen::Index>(table_.rows()));
    for (std::size_t row = 0; row < table_.rows(); ++row) {
      if (c.is_missing(row)) {
        throw AnalysisError("small_area.missing_value",
                            where(row, name) + ": no value (every area needs one)");
      }
      const double x = c.number(row);
      if (std::isnan(x)) {
        throw AnalysisError(
            "small_area.not_numeric",
            where(row, name) + ": must be a number, not '" + c.text(row).substr(0, 40) + "'");
      }
      out[static_cast<Eigen::Index>(row)] = x;
    }
    return out;
  }

  // Sampling variances (or standard errors, squared): > 0.
  Eigen::VectorXd variances(const std::string& name, bool standard_errors) const {
    Eigen::VectorXd v = numbers(name);
    const Column& c = table_.column(name);
    for (Eigen::Index i = 0; i < v.size(); ++i) {
      if (!(v[i] > 0)) {
        const auto row = static_cast<std::size_t>(i);
        throw AnalysisError("small_area.invalid_variance",
                            where(row, name) + ": the sampling " +
                                (standard_errors ? "standard error" : "variance") +
                                " must be > 0, not " + c.text(row) +
                                " (an area whose direct estimate has no sampling error cannot be "
                                "modelled; leave it out)");
      }
      if (standard_errors) v[i] *= v[i];
    }
    return v;
  }

  // A factor's levels in order: numeric order when every level is a number,
  // else byte order; and each row's level.
  std::pair<std::vector<std::string>, std::vector<std::size_t>> levels(
      const std::string& name) const {
    const Column& c = table_.column(name);
    for (std::size_t row = 0; row < table_.rows(); ++row) {
      if (c.is_missing(row)) {
        throw AnalysisError("small_area.missing_value",
                            where(row, name) + ": no value (every area needs one)");
      }
    }
    std::vector<std::size_t> used;
    std::vector<bool> seen(c.levels().size(), false);
    for (std::size_t row = 0; row < table_.rows(); ++row) {
      if (!seen[c.code(row)]) {
        seen[c.code(row)] = true;
        used.push_back(c.code(row));
      }
    }
    const bool numeric = std::all_of(used.begin(), used.end(), [&](std::size_t l) {
      return !std::isnan(c.numbers_of_level(l));
    });
    std::sort(used.begin(), used.end(), [&](std::size_t a, std::size_t b) {
      if (numeric && c.numbers_of_level(a) != c.numbers_of_level(b))
        return c.numbers_of_level(a) < c.numbers_of_level(b);
      return c.levels()[a] < c.levels()[b];
    });
    std::vector<std::size_t> position(c.levels().size(), 0);
    std::vector<std::string> names;
    for (std::size_t k = 0; k < used.size(); ++k) {
      position[used[k]] = k;
      names.push_back(c.levels()[used[k]]);
    }
    std::vector<std::size_t> of_row(table_.rows());
    for (std::size_t row = 0; row < table_.rows(); ++row)
      of_row[row] = position[c.code(row)];
    return {names, of_row};
  }

 private:
  const Table& table_;
  const Column& area_;
};

}  // namespace

AreaData read_area_data(const Table& table, const AreaColumns& columns) {
  if (columns.variance.empty() == columns.se.empty()) {
    throw AnalysisError("small_area.invalid_option",
                        "give the sampling variances (`variance` COL) or their standard errors "
                        "(`se` COL), one of the two");
  }
  const Column& area = table.column(columns.area);
  const Reader reader(table, area);
  AreaData data;
  data.source = table.source();
  std::map<std::string, std::size_t> first_row;
  for (std::size_t row = 0; row < table.rows(); ++row) {
    if (area.is_missing(row)) {
      throw AnalysisError("small_area.missing_value",
                          reader.where(row, columns.area) + ": no area name");
    }
    const auto [it, added] = first_row.emplace(area.text(row), row);
    if (!added) {
      throw AnalysisError("small_area.duplicate_area",
                          reader.where(row, columns.area) + ": appears twice (first on line " +
                              std::to_string(table.line_of(it->second)) +
                              "); the model takes one row per area");
    }
    data.areas.push_back(area.text(row));
    data.lines.push_back(table.line_of(row));
  }
  data.direct = reader.numbers(columns.direct);
  data.variance = columns.se.empty() ? reader.variances(columns.variance, false)
                                     : reader.variances(columns.se, true);

  const auto m = static_cast<Eigen::Index>(table.rows());
  std::vector<Eigen::VectorXd> x_columns{Eigen::VectorXd::Ones(m)};
  data.x_names = {"(intercept)"};
  for (const auto& name : columns.covariates) {
    x_columns.push_back(reader.numbers(name));
    data.x_names.push_back(name);
  }
  for (const auto& name : columns.factors) {
    const auto [levels, of_row] = reader.levels(name);
    for (std::size_t k = 1; k < levels.size(); ++k) {
      Eigen::VectorXd dummy = Eigen::VectorXd::Zero(m);
      for (Eigen::Index i = 0; i < m; ++i)
        if (of_row[static_cast<std::size_t>(i)] == k) dummy[i] = 1;
      x_columns.push_back(dummy);
      data.x_names.push_back(name + "=" + levels[k]);
    }
  }
  data.x.resize(m, static_cast<Eigen::Index>(x_columns.size()));
  for (std::size_t j = 0; j < x_columns.size(); ++j)
    data.x.col(static_cast<Eigen::Index>(j)) = x_columns[j];
  return data;
}

}  // namespace sipas::analysis
