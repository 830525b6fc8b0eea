#pragma once

#include <Eigen/Dense>
#include <memory>
#include <string>
#include <vector>

#include "analysis/design.hpp"
#include "analysis/estimate.hpp"
#include "analysis/estimators.hpp"
#include "analysis/replicate.hpp"

namespace sipas::analysis {

// An estimate together with what its variance needs: the influence values
// (linearization) or the replicate estimates (replicate designs). Linear
// combinations of pieces are pieces, which is how composite indices get a
// standard error that accounts for the covariance of their parts.
struct Piece {
  double value = not_available;
  Eigen::VectorXd detail;
  Estimate base;  // counts and df of the estimate the piece came from
};

Piece combine(const std::vector<std::pair<double, const Piece*>>& terms);

// The estimators behind one design, whatever its kind: the same calls for a
// linearization design and a replicate design (style.md).
class Engine {
 public:
  virtual ~Engine() = default;
  virtual Piece total(const std::vector<double>& y, const RowMask& domain) const = 0;
  virtual Piece mean(const std::vector<double>& y, const RowMask& domain) const = 0;
  virtual Piece ratio(const std::vector<double>& y, const std::vector<double>& z,
                      const RowMask& domain) const = 0;
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
  explicit LinearizationEngine(Design design) : design_(std::move(design)) {}
  Piece total(const std::vector<double>& y, const RowMask& domain) const override;
  Piece mean(const std::vector<double>& y, const RowMask& domain) const override;
  Piece ratio(const std::vector<double>& y, const std::vector<double>& z,
              const RowMask& domain) const override;
  double variance(const Piece& piece) const override;
  Eigen::MatrixXd covariance(const std::vector<const Piece*>& pieces) const override;
  double degrees_of_freedom() const override { return design_.degrees_of_freedom(); }
  std::size_t rows() const override { return design_.rows(); }
  std::string description() const override {
    return "Taylor linearization (ultimate cluster, R's svyrecvar)";
  }
  const Design& design() const { return design_; }

 private:
  Design design_;
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
