#pragma once

#include <Eigen/Dense>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/design.hpp"
#include "analysis/estimate.hpp"
#include "analysis/estimators.hpp"
#include "analysis/replicate.hpp"

namespace sipas::analysis {

// An estimate together with what its variance needs: the totals of its
// influence values by the design's variance clusters (linearization, see
// Design::cluster_totals) or the replicate estimates (replicate designs).
// Linear combinations of pieces are pieces, which is how composite indices
// get a standard error that accounts for the covariance of their parts.
struct Piece {
  double value = not_available;
  Eigen::VectorXd detail;
  Estimate base;  // counts and df of the estimate the piece came from
};

Piece combine(const std::vector<std::pair<double, const Piece*>>& terms);

// A ratio Σ w·y / Σ w·z whose y and z are functions of one coded (categorical)
// column: a row with level l has y = numerator[l], z = denominator[l], and a
// NaN in either leaves the row out (a missing or excluded answer). The share
// of some answer codes among the valid answers is such a ratio; giving it by
// levels lets many ratios be estimated in one pass over the rows without a
// column of doubles per ratio.
struct CodedRatio {
  const Column* column = nullptr;
  std::vector<double> numerator, denominator;  // per level of the column
};

// Pieces of several ratios in one domain: one per CodedRatio, empty when no
// row of the domain has both values.
using RatioPieces = std::vector<std::optional<Piece>>;

// The estimators behind one design, whatever its kind: the same calls for a
// linearization design and a replicate design (style.md).
class Engine {
 public:
  virtual ~Engine() = default;
  virtual Piece total(const std::vector<double>& y, const RowMask& domain) const = 0;
  virtual Piece mean(const std::vector<double>& y, const RowMask& domain) const = 0;
  virtual Piece ratio(const std::vector<double>& y, const std::vector<double>& z,
                      const RowMask& domain) const = 0;
  // The pieces of every ratio in every domain (a null or empty mask: all
  // rows), as ratio() gives them one at a time (equal to rounding): calls
  // consume(d, pieces) for each domain d in order. A ratio with rows in the
  // domain whose denominator totals 0 is analysis.zero_denominator, as in
  // ratio(). This default calls ratio() for each; the engines override it
  // with one pass over the rows for all ratios and domains.
  virtual void ratios(const std::vector<CodedRatio>& ratios,
                      const std::vector<const RowMask*>& domains,
                      const std::function<void(std::size_t, RatioPieces&)>& consume) const;
  virtual double variance(const Piece& piece) const = 0;
  // The covariance matrix of several pieces (ranking needs the covariances).
  virtual Eigen::MatrixXd covariance(const std::vector<const Piece*>& pieces) const = 0;
  virtual double degrees_of_freedom() const = 0;
  virtual std::size_t rows() const = 0;
  virtual std::string description() const = 0;

  // A finished estimate of a piece: value, SE and the base's counts and df.
  Estimate estimate(const Piece& piece, const std::string& statistic,
                    const std::string& variable) const;
};

class LinearizationEngine : public Engine {
 public:
  explicit LinearizationEngine(Design design)
      : design_(std::move(design)), df_(design_.degrees_of_freedom()) {}
  Piece total(const std::vector<double>& y, const RowMask& domain) const override;
  Piece mean(const std::vector<double>& y, const RowMask& domain) const override;
  Piece ratio(const std::vector<double>& y, const std::vector<double>& z,
              const RowMask& domain) const override;
  // The weighted sums of y and z by variance cluster, domain and ratio from
  // one pass over the rows give every estimate and, without calibration, the
  // cluster totals of its influence values, (Y_c − R Z_c) / Z. A calibrated
  // design needs the calibration residuals of the rows' influence values,
  // w (y − R z) / Z, formed for one estimate at a time.
  void ratios(const std::vector<CodedRatio>& ratios, const std::vector<const RowMask*>& domains,
              const std::function<void(std::size_t, RatioPieces&)>& consume) const override;
  double variance(const Piece& piece) const override;
  Eigen::MatrixXd covariance(const std::vector<const Piece*>& pieces) const override;
  double degrees_of_freedom() const override { return df_; }
  std::size_t rows() const override { return design_.rows(); }
  std::string description() const override {
    return "Taylor linearization (ultimate cluster, R's svyrecvar)";
  }
  const Design& design() const { return design_; }

 private:
  Design design_;
  double df_;  // the design's, counted once (every estimate reports it)
};

// Pieces carry the R replicate estimates; the variance is R's svrVar, and
// covariances follow the same formula with products of deviations.
class ReplicateEngine : public Engine {
 public:
  explicit ReplicateEngine(ReplicateDesign design) : design_(std::move(design)) {}
  Piece total(const std::vector<double>& y, const RowMask& domain) const override;
  Piece mean(const std::vector<double>& y, const RowMask& domain) const override;
  Piece ratio(const std::vector<double>& y, const std::vector<double>& z,
              const RowMask& domain) const override;
  // θ_r of every ratio and domain from matrix products: the weighted sums by
  // PSU, domain and ratio (one pass over the rows) times the replication
  // factors (PSUs × R) for built designs, or the analysis weights times the
  // row values, a block of rows at a time, for replicate weights read from
  // columns.
  void ratios(const std::vector<CodedRatio>& ratios, const std::vector<const RowMask*>& domains,
              const std::function<void(std::size_t, RatioPieces&)>& consume) const override;
  double variance(const Piece& piece) const override;
  Eigen::MatrixXd covariance(const std::vector<const Piece*>& pieces) const override;
  double degrees_of_freedom() const override { return design_.df; }
  std::size_t rows() const override { return design_.rows(); }
  std::string description() const override;
  const ReplicateDesign& design() const { return design_; }

 private:
  ReplicateDesign design_;
};

}  // namespace sipas::analysis
