// Linear calibration (GREG), unbounded (R's regcalibrate) or bounded (grake
// with cal.linear), with the variance adjustment of svyrecvar.

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "analysis/calibration_variables.hpp"
#include "analysis/error.hpp"

namespace sipas::analysis::calibrating {
namespace {

// MASS::ginv's tolerance, relative to the largest singular value, as grake uses it.
constexpr double ginv_tolerance = 256 * std::numeric_limits<double>::epsilon();
// grake rescales the weights when every population / sample total ratio
// exceeds this (R's SOMETHRESHOLD).
constexpr double grake_rescale_threshold = 20;
// A pivot of the column-normalised calibration matrix below this: collinear.
constexpr double collinear_tolerance = 1e-10;

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

}  // namespace

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

}  // namespace sipas::analysis::calibrating
