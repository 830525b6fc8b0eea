// Post-stratification and raking (R's postStratify and rake), with the
// variance adjustments of svyrecvar.

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <unordered_map>

#include "analysis/calibration_variables.hpp"
#include "analysis/error.hpp"

namespace sipas::analysis::calibrating {
namespace {

// svyrecvar sweeps the raking margins this many times (R: `for (iterations in 1:10)`).
constexpr int raking_variance_sweeps = 10;

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

}  // namespace

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

}  // namespace sipas::analysis::calibrating
