// The Fay–Herriot fit: σ²_v by Fisher scoring (REML or ML), β by GLS, the
// EBLUP and its MSE, fit statistics and the residual check. Formulas and
// sources: analysis/README.md, "Small-area estimates".

#include "analysis/small_area.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>
#include <set>
#include <sstream>

#include "analysis/error.hpp"

namespace sipas::analysis {
namespace {

// A standardized residual beyond this is counted (the two-sided 5 % normal
// quantile).
constexpr double residual_bound = 1.96;

std::string where(const AreaData& data, Eigen::Index i) {
  const auto k = static_cast<std::size_t>(i);
  std::string place = data.source.empty() ? std::string("area") : data.source;
  // Appended piece by piece: g++ 12 at -O3 warns (stringop-overflow) about
  // the temporaries of `":" + std::to_string(...)` here.
  if (k < data.lines.size() && data.lines[k] > 0) {
    place += ':';
    place += std::to_string(data.lines[k]);
  }
  if (k < data.areas.size()) {
    place += ": area '";
    place += data.areas[k];
    place += '\'';
  }
  return place;
}

std::string number_text(double x) {
  std::ostringstream s;
  s.precision(6);
  s << x;
  return s.str();
}

// R's median: the mean of the two middle values when m is even.
double median(Eigen::VectorXd v) {
  std::sort(v.data(), v.data() + v.size());
  const Eigen::Index n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The first column of x that is a linear combination of the ones before it,
// or -1. Columns are scaled to unit length first, so that the rank does not
// depend on their units.
Eigen::Index first_dependent_column(const Eigen::MatrixXd& x) {
  Eigen::MatrixXd scaled = x;
  for (Eigen::Index j = 0; j < scaled.cols(); ++j) {
    const double norm = scaled.col(j).norm();
    if (norm == 0) return j;
    scaled.col(j) /= norm;
  }
  for (Eigen::Index j = 1; j < scaled.cols(); ++j) {
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(scaled.leftCols(j + 1));
    qr.setThreshold(1e-10);
    if (qr.rank() < j + 1) return j;
  }
  return -1;
}

// GLS at σ²_v = a: w_i = 1/(a + D_i), Q = (X'WX)⁻¹, β = Q X'W y.
struct Gls {
  Eigen::VectorXd w, beta, r;
  Eigen::MatrixXd q;
};

Gls gls(const Eigen::VectorXd& y, const Eigen::VectorXd& d, const Eigen::MatrixXd& x, double a) {
  Gls g;
  g.w = (d.array() + a).inverse().matrix();
  const Eigen::MatrixXd xtw = x.transpose() * g.w.asDiagonal();
  const Eigen::MatrixXd xtwx = xtw * x;
  const Eigen::LLT<Eigen::MatrixXd> llt(xtwx);
  g.q = llt.solve(Eigen::MatrixXd::Identity(x.cols(), x.cols()));
  g.beta = g.q * (xtw * y);
  g.r = y - x * g.beta;
  return g;
}

// One Fisher-scoring step's score and expected information at a
// (Rao and Molina 2015, §6.1.2). REML: s = −tr(P)/2 + y'P²y/2,
// I = tr(P²)/2, with P = W − WXQX'W, whose traces are taken through p × p
// matrices: tr(P) = Σw − tr(Q X'W²X) and
// tr(P²) = Σw² − 2 tr(Q X'W³X) + tr((Q X'W²X)²); P y = W r.
// ML: s = −Σw/2 + Σ w² r²/2, I = Σ w²/2.
std::pair<double, double> score_and_information(const Gls& g, const Eigen::MatrixXd& x,
                                                VarianceFit method) {
  const Eigen::ArrayXd w = g.w.array();
  const double sum_w = w.sum(), sum_w2 = w.square().sum();
  const double py2 = (w * g.r.array()).square().sum();
  if (method == VarianceFit::Ml) return {-0.5 * sum_w + 0.5 * py2, 0.5 * sum_w2};
  const Eigen::MatrixXd qw2 = g.q * (x.transpose() * w.square().matrix().asDiagonal() * x);
  const Eigen::MatrixXd qw3 = g.q * (x.transpose() * w.cube().matrix().asDiagonal() * x);
  const double tr_p = sum_w - qw2.trace();
  const double tr_pp = sum_w2 - 2 * qw3.trace() + (qw2 * qw2).trace();
  return {-0.5 * tr_p + 0.5 * py2, 0.5 * tr_pp};
}

ResidualCheck check_residuals(const Eigen::VectorXd& r) {
  ResidualCheck c;
  const auto m = static_cast<double>(r.size());
  c.mean = r.mean();
  const Eigen::ArrayXd centred = r.array() - c.mean;
  const double m2 = centred.square().mean(), m3 = centred.cube().mean(),
               m4 = centred.square().square().mean();
  c.sd = std::sqrt(centred.square().sum() / (m - 1));
  for (Eigen::Index i = 0; i < r.size(); ++i)
    if (std::fabs(r[i]) > residual_bound) ++c.beyond;
  if (m2 > 0) {
    c.skewness = m3 / std::pow(m2, 1.5);
    c.kurtosis = m4 / (m2 * m2) - 3;
  }
  c.jarque_bera = m / 6 * (c.skewness * c.skewness + c.kurtosis * c.kurtosis / 4);
  // The χ² survival function with 2 df is exp(−x/2).
  c.jarque_bera_p = std::exp(-c.jarque_bera / 2);
  return c;
}

}  // namespace

std::optional<VarianceFit> variance_fit_from_string(const std::string& name) {
  std::string lower;
  for (char c : name)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "reml") return VarianceFit::Reml;
  if (lower == "ml") return VarianceFit::Ml;
  return std::nullopt;
}

std::string to_string(VarianceFit method) {
  return method == VarianceFit::Reml ? "reml" : "ml";
}

void check_area_data(const AreaData& data) {
  const Eigen::Index m = data.direct.size(), p = data.x.cols();
  const std::string file = data.source.empty() ? std::string("the data") : data.source;
  if (data.variance.size() != m || data.x.rows() != m ||
      (!data.areas.empty() && static_cast<Eigen::Index>(data.areas.size()) != m) ||
      (!data.lines.empty() && static_cast<Eigen::Index>(data.lines.size()) != m) ||
      (!data.x_names.empty() && static_cast<Eigen::Index>(data.x_names.size()) != p)) {
    throw AnalysisError("small_area.invalid_option",
                        file +
                            ": the direct estimates, variances, covariates and names differ in "
                            "length");
  }
  if (p < 1 || (data.x.col(0).array() != 1.0).any()) {
    throw AnalysisError(
        "small_area.invalid_option",
        file + ": the first column of the covariates must be the intercept (all 1)");
  }
  for (Eigen::Index i = 0; i < m; ++i) {
    if (!std::isfinite(data.direct[i]) || !data.x.row(i).allFinite()) {
      throw AnalysisError("small_area.missing_value",
                          where(data, i) + ": the direct estimate and covariates must be numbers");
    }
    if (!(std::isfinite(data.variance[i]) && data.variance[i] > 0)) {
      throw AnalysisError("small_area.invalid_variance",
                          where(data, i) + ": the sampling variance must be a number > 0, not " +
                              number_text(data.variance[i]));
    }
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < data.areas.size(); ++i) {
    if (!seen.insert(data.areas[i]).second) {
      throw AnalysisError("small_area.duplicate_area",
                          where(data, static_cast<Eigen::Index>(i)) + ": appears twice");
    }
  }
  if (m < p + 2) {
    throw AnalysisError("small_area.too_few_areas",
                        file + ": " + std::to_string(m) + " areas for " + std::to_string(p) +
                            " regression coefficients and σ²_v: the model needs at least " +
                            std::to_string(p + 2) + " (the parameters + 1)");
  }
  if (const Eigen::Index j = first_dependent_column(data.x); j >= 0) {
    const std::string name =
        data.x_names.empty() ? "covariate " + std::to_string(j) : "'" + data.x_names[j] + "'";
    throw AnalysisError("small_area.singular_covariates",
                        file + ": " + name +
                            " is a linear combination of the intercept and the covariates before "
                            "it over these areas (a constant, a copy, or a factor level that "
                            "another column already gives): leave it out");
  }
}

FayHerriotFit fit_fay_herriot_unchecked(const Eigen::VectorXd& y, const Eigen::VectorXd& d,
                                        const Eigen::MatrixXd& x,
                                        const FayHerriotOptions& options) {
  FayHerriotFit f;
  f.method = options.method;
  const auto m = static_cast<double>(y.size());
  const auto p = static_cast<double>(x.cols());

  // Fisher scoring from the median of the D_i (as sae::eblupFH), each step
  // kept at σ²_v ≥ 0: a step that would go below 0 stops there, and a second
  // such step from 0 means the likelihood falls from 0 on (the estimate is 0).
  double a = median(d);
  for (int k = 1; k <= options.max_iterations; ++k) {
    const auto [score, information] = score_and_information(gls(y, d, x, a), x, options.method);
    const double next = std::max(0.0, a + score / information);
    f.iterations = k;
    const bool settled =
        a > 0 ? std::fabs(next - a) / a < options.tolerance : next == 0;  // a = 0: stays at 0
    a = next;
    if (settled) {
      f.converged = true;
      break;
    }
  }
  f.sigma2_v = a;
  f.truncated = a == 0;

  const Gls g = gls(y, d, x, a);
  f.beta = g.beta;
  f.beta_cov = g.q;
  f.beta_se = g.q.diagonal().cwiseSqrt();
  f.synthetic = x * g.beta;
  f.gamma = (a * g.w.array()).matrix();
  f.eblup = (f.gamma.array() * y.array() + (1 - f.gamma.array()) * f.synthetic.array()).matrix();

  // MSE (Rao and Molina 2015, §6.2.1): g1 = γD, g2 = (1 − γ)² x'Qx,
  // g3 = (1 − γ)² V̄ / (σ² + D) with V̄ = 2 / Σ(σ² + D)⁻²; REML: Prasad–Rao
  // g1 + g2 + 2 g3 (Datta and Lahiri 2000); ML: less b_ML · ∂g1/∂σ², with
  // ∂g1/∂σ² = (1 − γ)² and b_ML = −tr(Q X'V⁻²X) / Σ(σ² + D)⁻².
  const Eigen::ArrayXd shrink2 = (1 - f.gamma.array()).square();
  const Eigen::ArrayXd w = g.w.array();
  const double sum_w2 = w.square().sum();
  f.sigma2_v_variance = 2 / sum_w2;
  f.g1 = (f.gamma.array() * d.array()).matrix();
  f.g2 = (shrink2 * ((x * g.q).array() * x.array()).rowwise().sum()).matrix();
  f.g3 = (shrink2 * f.sigma2_v_variance * w).matrix();
  f.mse = f.g1 + f.g2 + 2 * f.g3;
  if (options.method == VarianceFit::Ml) {
    f.bias_ml = -(g.q * (x.transpose() * w.square().matrix().asDiagonal() * x)).trace() / sum_w2;
    f.mse -= (f.bias_ml * shrink2).matrix();
  }

  f.loglik = -0.5 * ((2 * std::numbers::pi / w).log() + g.r.array().square() * w).sum();
  f.aic = -2 * f.loglik + 2 * (p + 1);
  f.bic = -2 * f.loglik + (p + 1) * std::log(m);
  f.residual = (g.r.array() * w.sqrt()).matrix();
  f.residual_check = check_residuals(f.residual);
  return f;
}

FayHerriotFit fit_fay_herriot(const AreaData& data, const FayHerriotOptions& options) {
  check_area_data(data);
  if (!(options.tolerance > 0) || options.max_iterations < 1) {
    throw AnalysisError("small_area.invalid_option",
                        "the scoring needs a tolerance > 0 and at least one iteration");
  }
  FayHerriotFit f = fit_fay_herriot_unchecked(data.direct, data.variance, data.x, options);
  if (!f.converged) {
    throw AnalysisError("small_area.not_converged",
                        (data.source.empty() ? std::string("the data") : data.source) + ": the " +
                            to_string(options.method) + " scoring of σ²_v did not settle in " +
                            std::to_string(options.max_iterations) + " iterations (last value " +
                            number_text(f.sigma2_v) + "); try `method` " +
                            (options.method == VarianceFit::Reml ? "ml" : "reml"));
  }
  return f;
}

}  // namespace sipas::analysis
