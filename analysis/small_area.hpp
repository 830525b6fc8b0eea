#pragma once

// Small-area estimates with the Fay–Herriot area-level model (Fay and Herriot
// 1979; Rao and Molina, Small Area Estimation, 2nd ed., 2015, ch. 6): per
// area a direct estimate y_i with a known sampling variance D_i and
// covariates x_i (an intercept first),
//
//   y_i = x_i'β + v_i + e_i,   v_i ~ N(0, σ²_v),   e_i ~ N(0, D_i),
//
// σ²_v by REML or ML (Fisher scoring), β by GLS, the EBLUP
// θ̂_i = γ_i y_i + (1 − γ_i) x_i'β̂ with γ_i = σ²_v / (σ²_v + D_i), its MSE
// (Prasad–Rao for REML, Datta–Lahiri for ML), and ranks with bootstrap rank
// intervals. analysis/README.md ("Small-area estimates") gives every formula
// with its source. The EBLUP is shown beside the direct estimate, never in
// its place.
//
// Errors are AnalysisError with ids small_area.*: too_few_areas,
// invalid_variance, missing_value, not_numeric, duplicate_area,
// singular_covariates, not_converged, invalid_option.

#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "io/rng.hpp"

namespace sipas::analysis {

class Table;

enum class VarianceFit { Reml, Ml };
// "reml" or "ml" (any case).
std::optional<VarianceFit> variance_fit_from_string(const std::string& name);
std::string to_string(VarianceFit method);  // "reml", "ml"

// The model's data, one entry per area, in the input's order.
struct AreaData {
  std::string source;                // the file, for messages ("" for data built in memory)
  std::vector<std::string> areas;    // unique names
  std::vector<std::size_t> lines;    // each area's CSV line (empty: none known)
  Eigen::VectorXd direct;            // y_i
  Eigen::VectorXd variance;          // D_i > 0, known
  Eigen::MatrixXd x;                 // m × p; column 0 is the intercept
  std::vector<std::string> x_names;  // "(intercept)", the covariates, then "COL=LEVEL" dummies
};

// Which columns of a table hold the data. Exactly one of `variance` and `se`
// (then D_i = se²).
struct AreaColumns {
  std::string area, direct, variance, se;
  std::vector<std::string> covariates;  // numeric, in this order after the intercept
  // Categorical: a dummy for every level but the first (levels in numeric
  // order when all are numbers, else in byte order), after the covariates.
  std::vector<std::string> factors;
};

// The areas of `table` (one row each). Every problem names the file, line
// and column: small_area.missing_value, not_numeric, invalid_variance (not
// > 0), duplicate_area; data.missing_column for a column the table lacks.
AreaData read_area_data(const Table& table, const AreaColumns& columns);

// Checks what the fit needs, naming the area (and its line when known):
// sizes, finite values, D_i > 0, unique names, at least p + 2 areas
// (small_area.too_few_areas: the p coefficients and σ²_v, plus one), and
// covariates that are not combinations of the ones before them
// (small_area.singular_covariates).
void check_area_data(const AreaData& data);

struct FayHerriotOptions {
  VarianceFit method = VarianceFit::Reml;
  // Scoring stops when |σ²_{k+1} − σ²_k| / σ²_k falls below this (R's
  // sae::eblupFH uses 1e-4; tighter so that a fit is the same to ~1e-10
  // whatever the start), or after max_iterations.
  double tolerance = 1e-10;
  int max_iterations = 100;
};

struct ResidualCheck {
  double mean = 0, sd = 0;   // of the standardized residuals; SD with divisor m − 1
  std::size_t beyond = 0;    // |r_i| > 1.96
  double skewness = 0;       // m3 / m2^1.5 (moments about the mean, divisor m)
  double kurtosis = 0;       // excess: m4 / m2² − 3
  double jarque_bera = 0;    // m/6 (skewness² + kurtosis²/4)
  double jarque_bera_p = 0;  // against χ² with 2 df: exp(−JB/2)
};

struct FayHerriotFit {
  VarianceFit method = VarianceFit::Reml;
  double sigma2_v = 0;
  bool truncated = false;  // the maximum over σ²_v ≥ 0 is at 0
  int iterations = 0;
  bool converged = false;
  Eigen::VectorXd beta, beta_se;
  Eigen::MatrixXd beta_cov;  // (X'V⁻¹X)⁻¹
  // Per area: x_i'β̂, γ_i, the EBLUP, the MSE's terms and the MSE, and the
  // standardized residual (y_i − x_i'β̂) / √(σ̂²_v + D_i).
  Eigen::VectorXd synthetic, gamma, eblup, g1, g2, g3, mse, residual;
  double sigma2_v_variance = 0;  // V̄ = 2 / Σ (σ̂²_v + D_i)⁻², the asymptotic variance of σ̂²_v
  double bias_ml = 0;            // b_ML(σ̂²_v) of Datta–Lahiri (ML only; 0 for REML)
  // As sae::eblupFH: the normal log-likelihood of y at (β̂, σ̂²_v), with
  // p + 1 parameters in AIC and BIC.
  double loglik = 0, aic = 0, bic = 0;
  ResidualCheck residual_check;
};

// Checks the data (check_area_data), then fits. Throws
// small_area.not_converged when the scoring does not settle in
// max_iterations.
FayHerriotFit fit_fay_herriot(const AreaData& data, const FayHerriotOptions& options = {});

// The fit on data already checked, for the bootstrap and simulations: does
// not throw on non-convergence (see `converged`).
FayHerriotFit fit_fay_herriot_unchecked(const Eigen::VectorXd& direct,
                                        const Eigen::VectorXd& variance, const Eigen::MatrixXd& x,
                                        const FayHerriotOptions& options);

// A standard normal draw: the inverse normal CDF of a uniform in (0, 1) from
// the project's generator, so a seed gives the same draws everywhere.
double standard_normal(io::Rng& rng);

struct RankOptions {
  std::size_t replicates = 1000;  // B
  std::uint64_t seed = 1;
  double level = 0.95;           // of the rank intervals
  bool lower_is_better = false;  // rank 1 = the highest EBLUP unless set
};

struct AreaRanks {
  // Per area: the rank of its EBLUP (1 = best; equal EBLUPs share the better
  // rank), and the interval of its bootstrap ranks at `level`.
  std::vector<std::size_t> rank, low, high;
  // The parametric bootstrap MSE, (1/B) Σ_b (θ̂*_i − θ*_i)².
  Eigen::VectorXd mse_boot;
  std::size_t replicates = 0;
  std::size_t redrawn = 0;  // replicates whose fit did not converge, drawn again
};

// The ranks of the EBLUPs of `fit` (made from `data` with `fit_options`) and
// their intervals by parametric bootstrap: analysis/README.md, "Ranks".
// Throws small_area.invalid_option for a level outside (0, 1), and
// small_area.not_converged when more than B replicates fail.
AreaRanks bootstrap_ranks(const AreaData& data, const FayHerriotFit& fit,
                          const FayHerriotOptions& fit_options, const RankOptions& options);

// The ranks of `values` (1 = largest, or smallest with lower_is_better);
// equal values share the better rank (1, 2, 2, 4).
std::vector<std::size_t> rank_values(const Eigen::VectorXd& values, bool lower_is_better);

struct SmallAreaOutputOptions {
  double level = 0.95;  // of ci_low / ci_high
  std::vector<std::string> factors;
};

// The results document (`sipas-small-area/1`, analysis/README.md): the
// command adds `inputs` and `command_line`. `ranks` may be null.
nlohmann::json small_area_json(const AreaData& data, const FayHerriotFit& fit,
                               const AreaRanks* ranks, const RankOptions& rank_options,
                               const SmallAreaOutputOptions& options);

// The few lines `sipas small-area` prints.
std::string small_area_summary(const AreaData& data, const FayHerriotFit& fit,
                               const AreaRanks* ranks, const RankOptions& rank_options);

}  // namespace sipas::analysis
