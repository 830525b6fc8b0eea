// Calibration of a linearization design to population totals (R's survey
// package: postStratify, rake, calibrate with regcalibrate / grake and
// cal.linear; the variance adjustments are those of svyrecvar). Deville and
// Särndal (1992), JASA 87:376; Lumley (2010), Complex Surveys, ch. 7.

#include "analysis/calibration.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <unordered_map>

#include "analysis/error.hpp"
#include "io/csv_reader.hpp"

namespace sipas::analysis {
namespace {

using Index = Eigen::Index;

// Two categorical variables' totals count the same population when they agree
// to this relative distance.
constexpr double totals_agree = 1e-8;
// svyrecvar sweeps the raking margins this many times (R: `for (iterations in 1:10)`).
constexpr int raking_variance_sweeps = 10;
// MASS::ginv's tolerance, relative to the largest singular value, as grake uses it.
constexpr double ginv_tolerance = 256 * std::numeric_limits<double>::epsilon();
// grake rescales the weights when every population / sample total ratio
// exceeds this (R's SOMETHRESHOLD).
constexpr double grake_rescale_threshold = 20;
// A pivot of the column-normalised calibration matrix below this: collinear.
constexpr double collinear_tolerance = 1e-10;

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

// The cell of every row of a categorical variable, and the rows per cell.
struct Cells {
  std::vector<std::uint32_t> cell;
  std::vector<double> count;
};

// Sums by cell over the rows, in 4 interleaved lanes (row i adds to lane
// i mod 4) that are added in lane order at the end: with few cells, one chain
// of additions per cell would make every row wait for the previous one. The
// order is fixed, so the sums are the same on every run and platform.
template <typename T>
class CellSums {
 public:
  static constexpr std::size_t lanes = 4;
  explicit CellSums(std::size_t cells = 0) : cells_(cells), sums_(lanes * cells, T{}) {}
  void clear() { std::fill(sums_.begin(), sums_.end(), T{}); }
  void add(std::size_t row, std::uint32_t cell, T x) { sums_[(row % lanes) * cells_ + cell] += x; }
  T total(std::size_t cell) const {
    T t = sums_[cell];
    for (std::size_t l = 1; l < lanes; ++l)
      t += sums_[l * cells_ + cell];
    return t;
  }
  std::size_t cells() const { return cells_; }

 private:
  std::size_t cells_;
  std::vector<T> sums_;
};

// A margin variable resolved against the data.
struct Variable {
  std::string name;
  bool categorical = false;
  // Categorical: the margins of the levels present in the data, in byte
  // order of the level (R's factor levels); numeric: the one margin.
  std::vector<const Margin*> margins;
  // categorical: index into margins; shared with the variance adjustment
  std::shared_ptr<Cells> cells = std::make_shared<Cells>();
  std::vector<double> values;  // numeric: per row
  double sum_of_totals() const {
    double s = 0;
    for (const Margin* m : margins)
      s += m->total;
    return s;
  }
};

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

struct MarginError {
  double error = 0;  // |achieved − total| / (1 + |total|)
  const Margin* margin = nullptr;
  double achieved = 0;
};

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

// ---- variance adjustments (svyrecvar) --------------------------------------------------------

// Ordinary post-stratification: x − psw · (Σ_cell x·oldw/psw) / (Σ_cell oldw).
class PostStratumAdjustment : public CalibrationAdjustment {
 public:
  PostStratumAdjustment(std::shared_ptr<const Cells> cells, Eigen::VectorXd oldw,
                        Eigen::VectorXd psw)
      : cells_(std::move(cells)), oldw_(std::move(oldw)), psw_(std::move(psw)) {}

  void adjust(Eigen::MatrixXd& x) const override {
    const auto& cell = cells_->cell;
    const std::size_t n = cell.size();
    std::vector<double> oldw_sum(cells_->count.size(), 0), means(cells_->count.size());
    for (std::size_t i = 0; i < n; ++i)
      oldw_sum[cell[i]] += oldw_[static_cast<Index>(i)];
    // Columns are independent and contiguous (column-major).
    for (Index j = 0; j < x.cols(); ++j) {
      double* column = x.col(j).data();
      std::fill(means.begin(), means.end(), 0.0);
      for (std::size_t i = 0; i < n; ++i) {
        const auto k = static_cast<Index>(i);
        means[cell[i]] += column[i] * (oldw_[k] / psw_[k]);
      }
      for (std::size_t c = 0; c < means.size(); ++c)
        means[c] /= oldw_sum[c];
      for (std::size_t i = 0; i < n; ++i)
        column[i] -= means[cell[i]] * psw_[static_cast<Index>(i)];
    }
  }

 private:
  std::shared_ptr<const Cells> cells_;
  Eigen::VectorXd oldw_, psw_;
};

// Raking: ten sweeps of x − psw · ave(x/psw, margin) over the margins, each
// with the weights right after its post-stratification in the last pass.
class RakingAdjustment : public CalibrationAdjustment {
 public:
  RakingAdjustment(std::vector<std::shared_ptr<const Cells>> margins,
                   std::vector<Eigen::VectorXd> psw)
      : margins_(std::move(margins)), psw_(std::move(psw)) {}

  void adjust(Eigen::MatrixXd& x) const override {
    std::vector<double> means;
    // Columns are independent and contiguous (column-major).
    for (Index j = 0; j < x.cols(); ++j) {
      double* column = x.col(j).data();
      for (int sweep = 0; sweep < raking_variance_sweeps; ++sweep) {
        for (std::size_t k = 0; k < margins_.size(); ++k) {
          const auto& cell = margins_[k]->cell;
          const auto& count = margins_[k]->count;
          const double* psw = psw_[k].data();
          means.assign(count.size(), 0.0);
          for (std::size_t i = 0; i < cell.size(); ++i)
            means[cell[i]] += column[i] / psw[i];
          for (std::size_t c = 0; c < means.size(); ++c)
            means[c] /= count[c];
          for (std::size_t i = 0; i < cell.size(); ++i)
            column[i] -= means[cell[i]] * psw[i];
        }
      }
    }
  }

 private:
  std::vector<std::shared_ptr<const Cells>> margins_;
  std::vector<Eigen::VectorXd> psw_;
};

// GREG at stage 0: qr.resid(qr(mm·√w₀), x/w)·w with w = g·√w₀.
class RegressionAdjustment : public CalibrationAdjustment {
 public:
  RegressionAdjustment(Eigen::HouseholderQR<Eigen::MatrixXd> qr, Eigen::VectorXd w)
      : qr_(std::move(qr)), w_(std::move(w)) {}

  void adjust(Eigen::MatrixXd& x) const override {
    Eigen::MatrixXd y = x.array().colwise() / w_.array();
    Eigen::MatrixXd qty = qr_.householderQ().transpose() * y;
    qty.topRows(qr_.matrixQR().cols()).setZero();
    y.noalias() = qr_.householderQ() * qty;
    x = y.array().colwise() * w_.array();
  }

 private:
  Eigen::HouseholderQR<Eigen::MatrixXd> qr_;
  Eigen::VectorXd w_;
};

// ---- the three methods -------------------------------------------------------------------------

// R's postStratify on one variable: each cell's weights scaled to its count.
void post_stratify_in_place(Eigen::VectorXd& w, const Variable& v) {
  const auto& cell = v.cells->cell;
  std::vector<double> sums(v.margins.size(), 0);
  for (std::size_t i = 0; i < cell.size(); ++i)
    sums[cell[i]] += w[static_cast<Index>(i)];
  std::vector<double> factor(sums.size());
  for (std::size_t c = 0; c < sums.size(); ++c)
    factor[c] = v.margins[c]->total / sums[c];
  for (std::size_t i = 0; i < cell.size(); ++i)
    w[static_cast<Index>(i)] *= factor[cell[i]];
}

Eigen::VectorXd post_stratify(const Eigen::VectorXd& w, const Variable& v) {
  Eigen::VectorXd out = w;
  post_stratify_in_place(out, v);
  return out;
}

Design do_post_stratify(const Design& design, const std::vector<Variable>& variables,
                        CalibrationReport& report) {
  if (variables.size() != 1) {
    throw AnalysisError("calibration.method_variables",
                        "post-stratification takes one categorical variable; the margins give " +
                            std::to_string(variables.size()) +
                            ": use raking or linear calibration");
  }
  const Variable& v = variables[0];
  if (!v.categorical) {
    throw AnalysisError("calibration.method_variables",
                        "post-stratification takes a categorical variable; " + v.name +
                            " has a total without levels: use linear calibration");
  }
  Eigen::VectorXd w = post_stratify(design.weights(), v);
  report.iterations = 1;
  auto adjustment = std::make_shared<PostStratumAdjustment>(v.cells, design.weights(), w);
  return design.with_calibration(std::move(w), std::move(adjustment));
}

// The weighted joint table of several categorical variables, over the
// combinations that occur (the others are 0 before and after).
// With few combinations (the product of the variables' levels), a row's
// joint cell is their mixed-radix number, found on the fly from the cells the
// raking loops read anyway; otherwise the combinations present are numbered
// and stored per row. Empty combinations stay 0 in every table.
struct JointCells {
  std::vector<std::uint32_t> cell;                   // stored; empty when on the fly
  std::vector<const std::uint32_t*> variable_cells;  // on the fly: per variable
  std::vector<std::uint32_t> stride;
  std::size_t cells = 0;

  std::uint32_t of(std::size_t row) const {
    if (!cell.empty()) return cell[row];
    std::uint32_t c = 0;
    for (std::size_t k = 0; k < stride.size(); ++k)
      c += variable_cells[k][row] * stride[k];
    return c;
  }
};

JointCells joint_cells(const std::vector<Variable>& variables, std::size_t rows) {
  JointCells j;
  double combinations = 1;
  for (const Variable& v : variables)
    combinations *= static_cast<double>(v.margins.size());
  if (combinations <= (1 << 16)) {
    j.stride.resize(variables.size());
    j.cells = 1;
    for (std::size_t k = variables.size(); k-- > 0;) {
      j.variable_cells.insert(j.variable_cells.begin(), variables[k].cells->cell.data());
      j.stride[k] = static_cast<std::uint32_t>(j.cells);
      j.cells *= variables[k].margins.size();
    }
    return j;
  }
  j.cell.assign(rows, 0);
  j.cells = 1;
  constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
  for (const Variable& v : variables) {
    // The combinations (joint cell so far, level) numbered in order of first
    // appearance, through a table when there are few of them.
    const std::size_t levels = v.margins.size();
    const std::size_t pairs = j.cells * levels;
    if (pairs <= (std::size_t{1} << 22)) {
      std::vector<std::uint32_t> number(pairs, none);
      std::uint32_t next = 0;
      for (std::size_t i = 0; i < rows; ++i) {
        std::uint32_t& n = number[j.cell[i] * levels + v.cells->cell[i]];
        if (n == none) n = next++;
        j.cell[i] = n;
      }
      j.cells = next;
      continue;
    }
    std::unordered_map<std::uint64_t, std::uint32_t> dense;
    for (std::size_t i = 0; i < rows; ++i) {
      const std::uint64_t key = (static_cast<std::uint64_t>(j.cell[i]) << 32) | v.cells->cell[i];
      j.cell[i] = dense.emplace(key, static_cast<std::uint32_t>(dense.size())).first->second;
    }
    j.cells = dense.size();
  }
  return j;
}

// R's rake(): each pass post-stratifies on every margin in turn; it stops
// when the weighted joint table moved less than epsilon in a pass.
Design do_rake(const Design& design, const std::vector<Variable>& variables,
               const CalibrationOptions& options, CalibrationReport& report) {
  std::string names;
  for (const Variable& v : variables) {
    if (!v.categorical) {
      throw AnalysisError("calibration.method_variables",
                          "raking takes categorical variables; " + v.name +
                              " has a total without levels: use linear calibration");
    }
    names += (names.empty() ? "" : " x ") + v.name;
  }
  const double limit =
      options.epsilon < 1 ? options.epsilon * design.weights().sum() : options.epsilon;
  const JointCells joint = joint_cells(variables, design.rows());
  const std::size_t m = variables.size(), n = design.rows();
  Eigen::VectorXd w = design.weights();
  // The passes of post-stratification, fused: the cell sums a
  // post-stratification needs are added up in the loop before it, and the
  // joint table in the last loop of a pass.
  std::vector<CellSums<double>> sums;
  for (const Variable& v : variables)
    sums.emplace_back(v.margins.size());
  CellSums<double> table(joint.cells);
  for (std::size_t i = 0; i < n; ++i) {
    table.add(i, joint.of(i), w[static_cast<Index>(i)]);
    sums[0].add(i, variables[0].cells->cell[i], w[static_cast<Index>(i)]);
  }
  Eigen::VectorXd old_table(static_cast<Index>(joint.cells)), new_table(old_table.size());
  for (std::size_t c = 0; c < joint.cells; ++c)
    old_table[static_cast<Index>(c)] = table.total(c);
  // The weights right after each post-stratification of the last pass; the
  // last one's are the calibrated weights.
  std::vector<Eigen::VectorXd> psw(m);
  for (std::size_t k = 0; k + 1 < m; ++k)
    psw[k].resize(static_cast<Index>(n));
  std::vector<double> factor;
  double delta = 0;
  for (int pass = 1; pass <= options.maxit; ++pass) {
    for (std::size_t k = 0; k < m; ++k) {
      const Variable& v = variables[k];
      factor.resize(sums[k].cells());
      for (std::size_t c = 0; c < factor.size(); ++c)
        factor[c] = v.margins[c]->total / sums[k].total(c);
      const std::uint32_t* cell = v.cells->cell.data();
      double* wd = w.data();
      if (k + 1 < m) {
        CellSums<double>& next = sums[k + 1];
        next.clear();
        const std::uint32_t* next_cell = variables[k + 1].cells->cell.data();
        double* after = psw[k].data();
        for (std::size_t i = 0; i < n; ++i) {
          wd[i] *= factor[cell[i]];
          after[i] = wd[i];
          next.add(i, next_cell[i], wd[i]);
        }
      } else {
        table.clear();
        CellSums<double>& first = sums[0];  // for the next pass
        first.clear();
        const std::uint32_t* first_cell = variables[0].cells->cell.data();
        for (std::size_t i = 0; i < n; ++i) {
          wd[i] *= factor[cell[i]];
          table.add(i, joint.of(i), wd[i]);
          first.add(i, first_cell[i], wd[i]);
        }
      }
    }
    for (std::size_t c = 0; c < joint.cells; ++c)
      new_table[static_cast<Index>(c)] = table.total(c);
    delta = (new_table - old_table).cwiseAbs().maxCoeff();
    if (delta < limit) {
      report.iterations = pass;
      psw[m - 1] = w;
      std::vector<std::shared_ptr<const Cells>> margins;
      for (const Variable& v : variables)
        margins.push_back(v.cells);
      auto adjustment = std::make_shared<RakingAdjustment>(std::move(margins), std::move(psw));
      return design.with_calibration(std::move(w), std::move(adjustment));
    }
    old_table = new_table;
  }
  throw AnalysisError(
      "calibration.not_converged",
      "raking did not converge in " + std::to_string(options.maxit) +
          " passes: the weighted table of " + names + " still changed by " + number(delta) +
          " in the last pass (limit " + number(limit) + "); the largest margin error is " +
          describe(worst_margin(variables, w)) +
          ". Raise maxit, or check that the margins can be met together (empty cells)");
}

// Linear calibration (GREG), as R's calibrate(calfun = "linear"): the columns
// of R's model matrix (an intercept, each categorical variable's levels but
// the first, the numeric variables) and their population totals.
struct ModelMatrix {
  Eigen::MatrixXd x;
  Eigen::VectorXd totals;
  std::vector<std::string> names;
};

ModelMatrix model_matrix(const std::vector<Variable>& variables, std::size_t rows) {
  std::vector<std::pair<std::string, double>> columns;
  const Variable* first = nullptr;
  for (const Variable& v : variables) {
    if (v.categorical && !first) first = &v;
  }
  if (first)
    columns.emplace_back("the population size (sum of the " + first->name + " totals)",
                         first->sum_of_totals());
  for (const Variable& v : variables) {
    if (v.categorical) {
      for (std::size_t k = 1; k < v.margins.size(); ++k)
        columns.emplace_back(label(*v.margins[k]), v.margins[k]->total);
    } else {
      columns.emplace_back(v.name, v.margins[0]->total);
    }
  }
  ModelMatrix m;
  const auto n = static_cast<Index>(rows), p = static_cast<Index>(columns.size());
  m.x = Eigen::MatrixXd::Zero(n, p);
  m.totals.resize(p);
  Index j = 0;
  if (first) m.x.col(j++).setOnes();
  for (const Variable& v : variables) {
    if (v.categorical) {
      for (std::size_t i = 0; i < rows; ++i) {
        const auto c = static_cast<Index>(v.cells->cell[i]);
        if (c > 0) m.x(static_cast<Index>(i), j + c - 1) = 1;
      }
      j += static_cast<Index>(v.margins.size()) - 1;
    } else {
      m.x.col(j++) = Eigen::Map<const Eigen::VectorXd>(v.values.data(), n);
    }
  }
  for (Index k = 0; k < p; ++k) {
    m.totals[k] = columns[static_cast<std::size_t>(k)].second;
    m.names.push_back(std::move(columns[static_cast<std::size_t>(k)].first));
  }
  return m;
}

// Moore–Penrose inverse as MASS::ginv (singular values below tol · the largest dropped).
Eigen::MatrixXd pseudo_inverse(const Eigen::MatrixXd& a) {
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(a, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::VectorXd& d = svd.singularValues();
  Eigen::VectorXd inv = Eigen::VectorXd::Zero(d.size());
  for (Index k = 0; k < d.size(); ++k) {
    if (d[k] > std::max(ginv_tolerance * d[0], 0.0)) inv[k] = 1 / d[k];
  }
  return svd.matrixV() * inv.asDiagonal() * svd.matrixU().transpose();
}

// cal.linear with bounds: F⁻¹(u) = min(max(u + 1, L), U) − 1, and its
// derivative 1 strictly inside the bounds, else 0.
struct TruncatedLinear {
  double lower, upper;
  double g(double u) const { return std::min(std::max(u + 1, lower), upper); }
  double derivative(double u) const { return (u < upper - 1 && u > lower - 1) ? 1 : 0; }
};

Design do_linear(const Design& design, const std::vector<Variable>& variables,
                 const CalibrationOptions& options, CalibrationReport& report) {
  const ModelMatrix m = model_matrix(variables, design.rows());
  const Eigen::VectorXd& w0 = design.weights();
  const Eigen::VectorXd whalf = w0.cwiseSqrt();
  const Index p = m.x.cols();

  // Collinear columns: totals that cannot all be met (R's solve() fails).
  Eigen::MatrixXd a = m.x.array().colwise() * whalf.array();
  {
    Eigen::MatrixXd normalised = a;
    for (Index k = 0; k < p; ++k) {
      const double norm = normalised.col(k).norm();
      if (norm == 0) {
        throw AnalysisError("calibration.collinear",
                            m.names[static_cast<std::size_t>(k)] +
                                " is 0 in every row of the sample, so its total cannot be met");
      }
      normalised.col(k) /= norm;
    }
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> pivoted(normalised);
    pivoted.setThreshold(collinear_tolerance);
    if (pivoted.rank() < p) {
      const auto k = static_cast<std::size_t>(pivoted.colsPermutation().indices()[pivoted.rank()]);
      throw AnalysisError("calibration.collinear",
                          "the calibration variables are collinear in the sample (" + m.names[k] +
                              " is a combination of the other margins), so the totals cannot all "
                              "be met: drop a margin");
    }
  }

  // grake: Newton steps on the calibration equations Σ w₀ g(x'η) x = totals.
  // Without bounds one step solves them exactly (regcalibrate).
  const bool bounded = options.bounds.has_value();
  const TruncatedLinear f{
      bounded ? options.bounds->first : -std::numeric_limits<double>::infinity(),
      bounded ? options.bounds->second : std::numeric_limits<double>::infinity()};
  Eigen::VectorXd ww = w0;
  double scale = 1;
  if (bounded) {
    // R interprets the bounds after rescaling when the weights are far below the population.
    const Eigen::VectorXd sample_totals = m.x.transpose() * w0;
    const Eigen::ArrayXd scales = m.totals.array() / sample_totals.array();
    if (scales.minCoeff() > grake_rescale_threshold) {
      scale = scales.mean();
      ww *= scale;
    }
  }
  Eigen::VectorXd eta = Eigen::VectorXd::Zero(p);
  Eigen::VectorXd u = Eigen::VectorXd::Zero(m.x.rows());
  Eigen::VectorXd g = u.unaryExpr([&](double v) { return f.g(v); });
  Eigen::VectorXd derivative = u.unaryExpr([&](double v) { return f.derivative(v); });
  auto misfit_of = [&](const Eigen::VectorXd& gg) -> Eigen::VectorXd {
    return m.totals - m.x.transpose() * ww.cwiseProduct(gg);
  };
  int iteration = 1;
  for (;;) {
    const Eigen::MatrixXd xd = m.x.array().colwise() * (ww.cwiseProduct(derivative)).array();
    const Eigen::MatrixXd t = m.x.transpose() * xd;
    // Equilibrated, so the tolerance acts on the shape of the problem, not its units.
    Eigen::VectorXd d = t.diagonal().cwiseMax(0).cwiseSqrt();
    for (Index k = 0; k < p; ++k)
      d[k] = d[k] > 0 ? 1 / d[k] : 1;
    const Eigen::MatrixXd scaled = d.asDiagonal() * t * d.asDiagonal();
    eta += d.asDiagonal() * (pseudo_inverse(scaled) * (d.asDiagonal() * misfit_of(g)));
    u = m.x * eta;
    g = u.unaryExpr([&](double v) { return f.g(v); });
    derivative = u.unaryExpr([&](double v) { return f.derivative(v); });
    if (!bounded) break;
    const Eigen::VectorXd misfit = misfit_of(g);
    const double worst = (misfit.array().abs() / (1 + m.totals.array().abs())).maxCoeff();
    if (worst < options.epsilon) break;
    if (++iteration > options.maxit) {
      const Eigen::VectorXd w = w0.cwiseProduct(g * scale);
      throw AnalysisError(
          "calibration.not_converged",
          "linear calibration with bounds [" + number(f.lower) + ", " + number(f.upper) +
              "] did not converge in " + std::to_string(options.maxit) +
              " iterations: the largest margin error is " + describe(worst_margin(variables, w)) +
              "; the bounds may make the totals impossible to meet: widen them");
    }
  }
  g *= scale;
  report.iterations = iteration;

  Eigen::VectorXd w = w0.cwiseProduct(g);
  Index smallest = 0;
  if (w.minCoeff(&smallest) <= 0) {
    const auto count = (w.array() <= 0).count();
    throw AnalysisError("calibration.nonpositive_weight",
                        "linear calibration gives " + std::to_string(count) +
                            " row(s) a weight <= 0 (the smallest g is " + number(g[smallest]) +
                            ", row " + std::to_string(smallest + 1) +
                            "); give bounds (such as 0.5 to 2) to keep the weights positive");
  }
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
  auto adjustment = std::make_shared<RegressionAdjustment>(std::move(qr), g.cwiseProduct(whalf));
  return design.with_calibration(std::move(w), std::move(adjustment));
}

void check_options(const CalibrationOptions& options) {
  if (options.maxit < 1) {
    throw AnalysisError("calibration.invalid_options",
                        "maxit must be at least 1, not " + std::to_string(options.maxit));
  }
  if (!(options.epsilon > 0) || !std::isfinite(options.epsilon)) {
    throw AnalysisError("calibration.invalid_options",
                        "epsilon must be a positive number, not " + number(options.epsilon));
  }
  if (!options.bounds) return;
  if (options.method != CalibrationOptions::Linear) {
    throw AnalysisError("calibration.invalid_options", "bounds apply to linear calibration only");
  }
  const auto [lower, upper] = *options.bounds;
  if (!(lower > 0) || !(lower < upper) || std::isinf(lower)) {
    throw AnalysisError("calibration.invalid_bounds",
                        "the bounds on g must satisfy 0 < lower < upper; got [" + number(lower) +
                            ", " + number(upper) + "]");
  }
}

}  // namespace

std::vector<Margin> load_margins(const std::filesystem::path& path) {
  io::CsvReader reader(path);
  const std::size_t variable = reader.require_column("variable");
  const std::size_t level = reader.require_column("level");
  const std::size_t total = reader.require_column("total");
  std::vector<Margin> margins;
  while (reader.next()) {
    Margin m;
    m.variable = std::string(reader.field(variable));
    m.level = std::string(reader.field(level));
    m.where = reader.where();
    const std::string_view text = reader.field(total);
    const char* end = text.data() + text.size();
    auto [stop, ec] = std::from_chars(text.data(), end, m.total);
    if (text.empty() || ec != std::errc() || stop != end || !std::isfinite(m.total)) {
      throw AnalysisError("calibration.invalid_total",
                          m.where + ": the total of " + (m.variable.empty() ? "?" : label(m)) +
                              " is '" + std::string(text) + "', not a number");
    }
    margins.push_back(std::move(m));
  }
  if (margins.empty())
    throw AnalysisError("calibration.no_margins", reader.source() + ": no margins");
  check_margins(margins);
  return margins;
}

Design calibrate(const Design& design, const Table& data, const std::vector<Margin>& margins,
                 const CalibrationOptions& options, CalibrationReport* report) {
  check_options(options);
  if (data.rows() != design.rows()) {
    throw AnalysisError("calibration.size_mismatch",
                        data.source() + " has " + std::to_string(data.rows()) +
                            " rows but the design has " + std::to_string(design.rows()));
  }
  const std::vector<Variable> variables = resolve(data, margins);
  CalibrationReport r;
  Design out = [&] {
    switch (options.method) {
      case CalibrationOptions::PostStratify:
        return do_post_stratify(design, variables, r);
      case CalibrationOptions::Raking:
        return do_rake(design, variables, options, r);
      case CalibrationOptions::Linear:
        break;
    }
    return do_linear(design, variables, options, r);
  }();
  const Eigen::VectorXd& w = out.weights();
  r.min_weight = r.max_weight = w[0];
  r.min_g = r.max_g = w[0] / design.weights()[0];
  for (Index i = 1; i < w.size(); ++i) {
    const double g = w[i] / design.weights()[i];
    r.min_weight = std::min(r.min_weight, w[i]);
    r.max_weight = std::max(r.max_weight, w[i]);
    r.min_g = std::min(r.min_g, g);
    r.max_g = std::max(r.max_g, g);
  }
  r.max_margin_error = worst_margin(variables, w).error;
  if (report) *report = r;
  return out;
}

}  // namespace sipas::analysis
