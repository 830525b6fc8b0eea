// What `sipas small-area` writes (`sipas-small-area/1`) and prints.

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "analysis/small_area.hpp"

namespace sipas::analysis {
namespace {

constexpr const char* note =
    "The EBLUP is a model-based estimate shown beside the direct estimate, never replacing it: "
    "it borrows strength from the other areas through the covariates, and leans on the direct "
    "estimate by the share gamma (more where the direct estimate is precise).";

constexpr const char* rank_method =
    "Parametric bootstrap (Rao and Molina 2015, section 6.2.4; Butar and Lahiri 2003): B "
    "replicate populations theta* = x'beta + v*, v* ~ N(0, sigma2_v), with direct estimates "
    "y* = theta* + e*, e* ~ N(0, D); the model fitted again on y*; in each replicate the areas "
    "ranked on theta_hat - (theta_hat* - theta*) (exact ties in random order); the rank "
    "interval is the (1 - level)/2 and (1 + level)/2 quantiles (type 1) of an area's ranks over "
    "the replicates (Goldstein and Spiegelhalter 1996; Hall and Miller 2009).";

nlohmann::json vector_json(const Eigen::VectorXd& v) {
  return std::vector<double>(v.data(), v.data() + v.size());
}

std::string fixed(double x, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << x;
  return s.str();
}

std::string general(double x) {
  std::ostringstream s;
  s << std::setprecision(4) << x;
  return s.str();
}

}  // namespace

nlohmann::json small_area_json(const AreaData& data, const FayHerriotFit& fit,
                               const AreaRanks* ranks, const RankOptions& rank_options,
                               const SmallAreaOutputOptions& options) {
  const double z =
      boost::math::quantile(boost::math::normal_distribution<double>(), (1 + options.level) / 2);
  nlohmann::json j;
  j["format"] = "sipas-small-area/1";
  j["model"] =
      "Fay-Herriot area-level model: direct_i = x_i'beta + v_i + e_i, v_i ~ N(0, sigma2_v), "
      "e_i ~ N(0, D_i) with D_i the known sampling variance";
  j["method"] = to_string(fit.method);
  j["note"] = note;
  j["n_areas"] = data.direct.size();
  j["covariates"] = std::vector<std::string>(data.x_names.begin() + 1, data.x_names.end());
  j["factors"] = options.factors;
  j["sigma2_v"] = fit.sigma2_v;
  j["sigma2_v_se"] = std::sqrt(fit.sigma2_v_variance);
  j["beta"] = vector_json(fit.beta);
  j["beta_se"] = vector_json(fit.beta_se);
  j["fit"] = {{"iterations", fit.iterations},
              {"converged", fit.converged},
              {"truncated_at_zero", fit.truncated},
              {"loglik", fit.loglik},
              {"aic", fit.aic},
              {"bic", fit.bic},
              {"note",
               "loglik is the normal log-likelihood of the direct estimates at (beta, sigma2_v), "
               "for REML and ML alike, with p + 1 parameters in AIC and BIC (as R's "
               "sae::eblupFH)"}};
  if (fit.method == VarianceFit::Ml) j["fit"]["bias_ml"] = fit.bias_ml;
  const ResidualCheck& r = fit.residual_check;
  j["residual_check"] = {
      {"mean", r.mean},
      {"sd", r.sd},
      {"beyond_1_96", r.beyond},
      {"expected_beyond_1_96", 0.05 * static_cast<double>(data.direct.size())},
      {"skewness", r.skewness},
      {"kurtosis", r.kurtosis},
      {"jarque_bera", r.jarque_bera},
      {"jarque_bera_p", r.jarque_bera_p},
      {"note",
       "standardized residuals (direct - x'beta) / sqrt(sigma2_v + D): under the model about "
       "N(0, 1); kurtosis is the excess kurtosis; the Jarque-Bera p-value is asymptotic "
       "(chi-squared, 2 df) and only a rough guide with few areas"}};
  j["level"] = options.level;
  if (ranks) {
    j["ranks"] = {
        {"replicates", ranks->replicates},
        {"seed", rank_options.seed},
        {"level", rank_options.level},
        {"direction", rank_options.lower_is_better ? "lower_is_better" : "higher_is_better"},
        {"redrawn", ranks->redrawn},
        {"method", rank_method}};
  } else {
    j["ranks"] = nullptr;
  }
  nlohmann::json areas = nlohmann::json::array();
  for (Eigen::Index i = 0; i < data.direct.size(); ++i) {
    const auto k = static_cast<std::size_t>(i);
    const double rmse = std::sqrt(fit.mse[i]);
    nlohmann::json a = {{"area", data.areas[k]},
                        {"direct", data.direct[i]},
                        {"direct_se", std::sqrt(data.variance[i])},
                        {"eblup", fit.eblup[i]},
                        {"mse", fit.mse[i]},
                        {"rmse", rmse},
                        {"ci_low", fit.eblup[i] - z * rmse},
                        {"ci_high", fit.eblup[i] + z * rmse},
                        {"gamma", fit.gamma[i]},
                        {"synthetic", fit.synthetic[i]},
                        {"residual", fit.residual[i]},
                        {"g1", fit.g1[i]},
                        {"g2", fit.g2[i]},
                        {"g3", fit.g3[i]}};
    if (ranks) {
      a["rank"] = ranks->rank[k];
      a["rank_low"] = ranks->low[k];
      a["rank_high"] = ranks->high[k];
      a["mse_boot"] = ranks->mse_boot[i];
    } else {
      a["rank"] = a["rank_low"] = a["rank_high"] = a["mse_boot"] = nullptr;
    }
    areas.push_back(std::move(a));
  }
  j["areas"] = std::move(areas);
  return j;
}

std::string small_area_summary(const AreaData& data, const FayHerriotFit& fit,
                               const AreaRanks* ranks, const RankOptions& rank_options) {
  const Eigen::Index m = data.direct.size();
  std::ostringstream s;
  s << m << " areas, Fay-Herriot " << (fit.method == VarianceFit::Reml ? "REML" : "ML") << " ("
    << fit.iterations << " iterations): sigma2_v = " << general(fit.sigma2_v)
    << (fit.truncated ? " (at 0: the direct estimates vary no more than their sampling "
                        "variances explain, so every EBLUP is the regression's)"
                      : "")
    << "\n";
  s << "beta:";
  for (Eigen::Index k = 0; k < fit.beta.size(); ++k) {
    s << (k ? ", " : " ") << data.x_names[static_cast<std::size_t>(k)] << " "
      << general(fit.beta[k]) << " (SE " << general(fit.beta_se[k]) << ")";
  }
  s << "\n";
  std::size_t better = 0;
  for (Eigen::Index i = 0; i < m; ++i)
    if (fit.mse[i] < data.variance[i]) ++better;
  s << "gamma (weight of the direct estimate): mean " << fixed(fit.gamma.mean(), 2) << ", from "
    << fixed(fit.gamma.minCoeff(), 2) << " to " << fixed(fit.gamma.maxCoeff(), 2)
    << "; the EBLUP's MSE is below the direct variance in " << better << " of " << m << " areas\n";
  const ResidualCheck& r = fit.residual_check;
  s << "standardized residuals: mean " << fixed(r.mean, 2) << ", SD " << fixed(r.sd, 2) << ", "
    << r.beyond << " beyond +-1.96 (" << fixed(0.05 * static_cast<double>(m), 1)
    << " expected), skewness " << fixed(r.skewness, 2) << ", excess kurtosis "
    << fixed(r.kurtosis, 2) << ", Jarque-Bera p " << fixed(r.jarque_bera_p, 3) << "\n";
  if (ranks) {
    const double tenth = static_cast<double>(m) / 10;
    std::size_t narrow = 0;
    for (std::size_t i = 0; i < ranks->low.size(); ++i)
      if (static_cast<double>(ranks->high[i] - ranks->low[i]) < tenth) ++narrow;
    s << "ranks: " << ranks->replicates << " bootstrap replicates (seed " << rank_options.seed
      << "), " << fixed(100 * rank_options.level, 0) << "% rank intervals: " << narrow << " of "
      << m << " narrower than " << fixed(tenth, 1) << " places (a tenth of the areas)";
    if (ranks->redrawn) s << "; " << ranks->redrawn << " replicates drawn again (fit not settled)";
    s << "\n";
  }
  return s.str();
}

}  // namespace sipas::analysis
