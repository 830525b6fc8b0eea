#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/design.hpp"
#include "analysis/estimate.hpp"
#include "analysis/estimators.hpp"
#include "analysis/table.hpp"

namespace sipas::analysis {

// The kinds of replicate weights (R's svyrep.design$type).
enum class ReplicateType { JK1, JKn, Bootstrap, BRR, Fay, Other };
// "JK1", "JKn", "bootstrap", "BRR", "Fay", "other" (R's names, any case).
std::optional<ReplicateType> replicate_type_from_string(std::string_view name);
// The same, or AnalysisError analysis.invalid_option naming `reptype`.
ReplicateType parse_replicate_type(std::string_view name);
std::string to_string(ReplicateType type);  // R's name: "JKn"
// "JKn" → "jkn": the word of `reptype` (sipas analyze --reptype).
std::string reptype_option(ReplicateType type);

// How to build replicate weights from a linearization design (the request's
// `replicates`: jk1, jkn, bootstrap[:R], brr[:FAY]).
struct ReplicateMethod {
  enum class Kind { JK1, JKn, Bootstrap, BRR };
  Kind kind = Kind::JK1;
  // Bootstrap: the number of replicates R, whole, from 2 to 100000; BRR:
  // Fay's rho in [0, 1). Absent: R = 50, rho = 0 (plain BRR).
  std::optional<double> argument;

  int bootstrap_replicates() const { return static_cast<int>(argument.value_or(50)); }
  double fay_rho() const { return argument.value_or(0); }
  bool operator==(const ReplicateMethod&) const = default;
};
// "bootstrap:50" → {Bootstrap, 50}. Throws AnalysisError
// analysis.invalid_option naming `replicates` for anything else.
ReplicateMethod parse_replicate_method(std::string_view text);
// The text parse_replicate_method reads back: "jkn", "bootstrap", "bootstrap:50".
std::string to_string(const ReplicateMethod& method);

// A replicate-weight design, as R's svyrep.design with combined weights: the
// full-sample weights, one column of analysis weights per replicate, and how
// the spread of the replicate estimates becomes a variance (svrVar):
//   v = scale · Σ_r rscales_r (θ_r − c)²,  c = θ̂ (mse) or the mean of the θ_r.
// Built from a linearization design (first-stage strata, PSUs and fpc, as
// as.svrepdesign) or read from columns (svrepdesign). Immutable once built;
// estimators take it by const reference.
//
// The analysis weights W (n × R) are held in one of two forms. Read from
// columns (or set by hand) they are `replicates`, n × R. Built from a design
// they are factored: W(i, r) = factors(psu[i], r) · weights[i], with
// `factors` PSUs × R and `replicates` left empty, so a million rows with
// 1,260 replicates take 4 MB of PSU ids and 13 MB of factors instead of 10 GB,
// and Wᵀ X is factorsᵀ times the PSU totals of w·X.
struct ReplicateDesign {
  Eigen::VectorXd weights;         // full-sample weights (n)
  Eigen::MatrixXd replicates;      // n × R analysis weights (empty when factored)
  Eigen::MatrixXd factors;         // factored: PSUs × R replication factors
  std::vector<std::uint32_t> psu;  // factored: each row's PSU, a row of `factors`
  double scale = 1;                // R's scale
  Eigen::VectorXd rscales;         // R's rscales (R)
  bool mse =
      false;  // centre on the full-sample estimate (true) or the replicate mean (R's default)
  ReplicateType type = ReplicateType::Other;
  double df = not_available;  // R's degf: rank of the replicate weights − 1

  // Jackknife dropping one PSU at a time, unstratified: factors n/(n−1),
  // scale (1 − n/N)(n − 1)/n (jk1weights). Throws for a stratified design.
  static ReplicateDesign jk1(const Design& design);
  // Jackknife dropping one PSU at a time within its stratum: factors
  // n_h/(n_h − 1) in the stratum, rscales (1 − n_h/N_h)(n_h − 1)/n_h, census
  // strata dropped, lonely PSUs as the design says (jknweights).
  static ReplicateDesign jkn(const Design& design);
  // Bootstrap of PSUs within strata: n_h PSUs drawn with replacement, or
  // without replacement from N_h copies when the design has an fpc; scale
  // p/((p − 1)(R − 1)), p the harmonic mean of n_h (bootweights). The draws
  // come from `seed` (xoshiro256**), the same on every platform.
  static ReplicateDesign bootstrap(const Design& design, int replicates, std::uint64_t seed);
  // Balanced repeated replication over strata of exactly two PSUs, with R's
  // Hadamard matrix: factors 2 − ρ and ρ, scale 1/(R (1 − ρ)²) (brrweights).
  // ρ = 0 is BRR, 0 < ρ < 1 Fay's method. The fpc is not used (as R).
  static ReplicateDesign brr(const Design& design, double fay_rho = 0);
  // Replicate weights read from columns `prefix`1, `prefix`2, ... (ordered by
  // number), which hold analysis weights, and full-sample weights from
  // `weights_column` (1 when empty). Defaults as svrepdesign: BRR scale 1/R
  // (giving one is an error), Fay needs its scale 1/(R (1 − ρ)²), bootstrap
  // 1/(R − 1), JK1 (R − 1)/R, JKn needs rscales, other 1; rscales 1.
  static ReplicateDesign from_columns(const Table& data, const std::string& weights_column,
                                      const std::string& prefix, ReplicateType type,
                                      std::optional<double> scale,
                                      std::optional<std::vector<double>> rscales, bool mse);

  std::size_t rows() const { return static_cast<std::size_t>(weights.size()); }
  bool factored() const { return !psu.empty(); }
  Eigen::Index count() const { return factored() ? factors.cols() : replicates.cols(); }
  // The n × R analysis weights (R's weights(design, "analysis")), formed from
  // the factors when factored.
  Eigen::MatrixXd analysis_weights() const;
  // Wᵀ X (R × k) for X n × k: every replicate's weighted totals of X's columns.
  Eigen::MatrixXd replicate_totals(const Eigen::MatrixXd& x) const;
  // Throws replicate.invalid_design when the weights, the analysis weights
  // (or the PSUs and factors) and rscales do not fit together.
  void check() const;

  // svrVar: replicates whose estimate is NaN are left out (R drops NA
  // replicates); NaN when all are; 0 when the design has no replicates (a
  // census).
  double variance(const Eigen::VectorXd& replicate_estimates, double full_estimate) const;
};

// The replicate design `method` builds from `design` (the bootstrap's draws
// from `seed`).
ReplicateDesign build_replicates(const Design& design, const ReplicateMethod& method,
                                 std::uint64_t seed);

// An estimate with its replicate estimates θ_r (R: return.replicates = TRUE).
struct Replicated {
  Estimate estimate;
  Eigen::VectorXd replicates;
};

// svytotal, svymean (Hájek, also proportions of a 0/1 variable) and svyratio
// on a replicate design. Rows with a missing value (NaN) or outside `domain`
// get weight 0 in the full sample and in every replicate (na.rm = TRUE,
// domains on the whole design). deff is not computed (NaN).
Replicated total(const ReplicateDesign& design, const std::vector<double>& y,
                 const RowMask& domain = {});
Replicated mean(const ReplicateDesign& design, const std::vector<double>& y,
                const RowMask& domain = {});
Replicated ratio(const ReplicateDesign& design, const std::vector<double>& numerator,
                 const std::vector<double>& denominator, const RowMask& domain = {});

}  // namespace sipas::analysis
