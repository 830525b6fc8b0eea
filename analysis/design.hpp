#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/table.hpp"

namespace sipas::analysis {

// What to do with a stratum that has a single PSU (R's survey.lonely.psu).
enum class LonelyPsu { Fail, Adjust, Average, Certainty, Remove };
// "fail", "adjust", "average", "certainty", "remove"; nullopt for another word.
std::optional<LonelyPsu> lonely_psu_from_string(std::string_view name);
// The same, or AnalysisError analysis.invalid_option naming `design.lonely_psu`.
LonelyPsu parse_lonely_psu(std::string_view name);
std::string to_string(LonelyPsu option);

// The columns that describe a design (R: svydesign(id, strata, weights, fpc)).
struct DesignColumns {
  std::string strata;                 // empty: one stratum
  std::vector<std::string> clusters;  // PSU, SSU, ... (empty: each row is its own PSU)
  std::string weights;                // empty: from the fpc, or 1
  std::vector<std::string> fpc;  // per stage: population size (> 1) or sampling fraction (<= 1)
  LonelyPsu lonely_psu = LonelyPsu::Fail;
};

// One stage of sampling: for every row, its cluster (PSU at stage 0) and the
// stratum that cluster was drawn in. At stage k > 0 the strata are the
// clusters of stage k - 1 (R's svydesign does the same).
struct DesignStage {
  std::vector<std::uint32_t> cluster;  // per row, dense ids
  std::vector<std::uint32_t> stratum;  // per row, dense ids
  std::uint32_t clusters = 0;
  std::uint32_t strata = 0;
  std::vector<std::uint32_t> cluster_stratum;  // stratum of each cluster
  std::vector<double> sampled;                 // clusters sampled per stratum (n_h)
  std::vector<double> population;  // clusters in the population per stratum (N_h; inf without fpc)
  std::vector<std::string> stratum_names;  // for messages
};

// What a calibration did to the weights, as the variance must see it: R's
// svyrecvar replaces the influence values x by their residuals from the
// calibration (post-strata, raking margins, GREG regression) before the
// multistage accumulation. The implementations live in calibration.cpp.
class CalibrationAdjustment {
 public:
  virtual ~CalibrationAdjustment() = default;
  // x: n × p weighted influence values, replaced in place.
  virtual void adjust(Eigen::MatrixXd& x) const = 0;
};

// A linearization design: weights, strata, clusters and fpc, as R's
// survey.design2. Immutable; estimators take it by const reference. Domains
// and missing values are handled by zeroing rows, never by subsetting, so the
// PSU counts stay those of the whole sample.
class Design {
 public:
  // Throws AnalysisError (a missing column, fpc that varies within a
  // stratum, a stratum whose fpc is below its sample, weights <= 0).
  static Design build(const Table& data, const DesignColumns& columns);

  std::size_t rows() const { return static_cast<std::size_t>(weights_.size()); }
  const Eigen::VectorXd& weights() const { return weights_; }
  const std::vector<DesignStage>& stages() const;
  bool has_fpc() const { return has_fpc_; }
  LonelyPsu lonely_psu() const { return lonely_; }
  const DesignColumns& columns() const { return columns_; }

  // Residual degrees of freedom over the rows with `active` (all when empty):
  // distinct PSUs minus distinct strata (R's degf).
  double degrees_of_freedom(const std::vector<bool>& active = {}) const;

  // The design's covariance of the weighted totals of the columns of `x`
  // (n × p, each row already multiplied by its weight): ultimate-cluster
  // variance at stage 0 plus, with fpc, the later stages (R's svyrecvar).
  Eigen::MatrixXd variance(const Eigen::MatrixXd& x) const;
  // The same, diagonal only (cheaper when p is large).
  Eigen::VectorXd variance_diagonal(const Eigen::MatrixXd& x) const;

  // The variance sees x only through the totals of its calibration residuals
  // by the clusters of one stage: the PSUs without fpc (ultimate clusters),
  // else the last stage, whose clusters nest in those of every stage above.
  // variance(x) = variance_of_totals(cluster_totals(x)), and cluster_totals
  // is linear in x, so linear combinations of estimates can be formed on the
  // totals (clusters × p) instead of the rows (n × p).
  const DesignStage& variance_stage() const;
  Eigen::MatrixXd cluster_totals(const Eigen::MatrixXd& x) const;
  Eigen::MatrixXd variance_of_totals(const Eigen::MatrixXd& totals) const;
  Eigen::VectorXd variance_diagonal_of_totals(const Eigen::MatrixXd& totals) const;

  // A copy with other weights (and the calibration adjustments of this one).
  Design with_weights(Eigen::VectorXd weights) const;
  // A copy with calibrated weights whose variance applies `adjustment` to x
  // after those of earlier calibrations (R appends to design$postStrata).
  Design with_calibration(Eigen::VectorXd weights,
                          std::shared_ptr<const CalibrationAdjustment> adjustment) const;
  bool calibrated() const { return !adjustments_.empty(); }

 private:
  // Calls add(centred cluster totals of one stratum, scale) for every stratum
  // of every stage, and rescale(factor) for lonely-PSU averaging; `totals`
  // are those of cluster_totals().
  template <typename Accumulate, typename Rescale>
  void accumulate_variance(const Eigen::MatrixXd& totals, Accumulate&& add,
                           Rescale&& rescale) const;
  // x itself without calibration, else its calibration residuals in `storage`.
  const Eigen::MatrixXd& calibration_residuals(const Eigen::MatrixXd& x,
                                               Eigen::MatrixXd& storage) const;

  Eigen::VectorXd weights_;
  // Shared by the copies with other weights (calibration, engines): the
  // stages of a million rows are not copied with them.
  std::shared_ptr<const std::vector<DesignStage>> stages_;
  bool has_fpc_ = false;
  LonelyPsu lonely_ = LonelyPsu::Fail;
  DesignColumns columns_;
  std::vector<std::shared_ptr<const CalibrationAdjustment>> adjustments_;  // in order applied
};

}  // namespace sipas::analysis
