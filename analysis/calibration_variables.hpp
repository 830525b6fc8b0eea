#pragma once

// The internals of calibrate() (calibration.cpp): the margin variables
// resolved against the data (calibration_variables.cpp), post-stratification
// and raking (calibration_raking.cpp), linear calibration
// (calibration_linear.cpp). Not for use outside analysis/.

#include <Eigen/Dense>
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analysis/calibration.hpp"
#include "analysis/design.hpp"
#include "analysis/table.hpp"

namespace sipas::analysis::calibrating {

using Index = Eigen::Index;

// 10 significant digits, for messages.
std::string number(double x);
// "sex=female", or the variable of a numeric margin.
std::string label(const Margin& m);
// "margins.csv:4: ", where the margin was read.
std::string prefix(const Margin& m);

// Duplicates and variables given both with and without levels; shared by the
// file reader and calibrate() (margins can be built in code).
void check_margins(const std::vector<Margin>& margins);

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

// The margins grouped by variable (in order of first appearance) and checked
// against the data.
std::vector<Variable> resolve(const Table& data, const std::vector<Margin>& margins);

struct MarginError {
  double error = 0;  // |achieved − total| / (1 + |total|)
  const Margin* margin = nullptr;
  double achieved = 0;
};

MarginError worst_margin(const std::vector<Variable>& variables, const Eigen::VectorXd& w);
std::string describe(const MarginError& e);

// The three methods: the calibrated design, and what they did in `report`.
Design do_post_stratify(const Design& design, const std::vector<Variable>& variables,
                        CalibrationReport& report);
Design do_rake(const Design& design, const std::vector<Variable>& variables,
               const CalibrationOptions& options, CalibrationReport& report);
Design do_linear(const Design& design, const std::vector<Variable>& variables,
                 const CalibrationOptions& options, CalibrationReport& report);

}  // namespace sipas::analysis::calibrating
