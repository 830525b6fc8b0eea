#include "analysis/engine.hpp"

#include <cmath>

namespace sipas::analysis {

Piece combine(const std::vector<std::pair<double, const Piece*>>& terms) {
  Piece out;
  out.value = 0;
  for (const auto& [a, piece] : terms) {
    out.value += a * piece->value;
    if (out.detail.size() == 0) {
      out.detail = a * piece->detail;
      out.base = piece->base;
    } else {
      out.detail += a * piece->detail;
      out.base.n = std::max(out.base.n, piece->base.n);
      out.base.weighted_n = std::max(out.base.weighted_n, piece->base.weighted_n);
    }
  }
  return out;
}

Estimate Engine::estimate(const Piece& piece, const std::string& statistic,
                          const std::string& variable) const {
  Estimate e = piece.base;
  e.statistic = statistic;
  e.variable = variable;
  e.estimate = piece.value;
  e.se = std::sqrt(variance(piece));
  return e;
}

namespace {
// The piece keeps the cluster totals of the influence values, not the rows.
Piece from(const Design& design, Linearized l) {
  Piece p;
  p.value = l.estimate.estimate;
  p.detail = design.cluster_totals(l.influence);
  p.base = std::move(l.estimate);
  return p;
}
}  // namespace

Piece LinearizationEngine::total(const std::vector<double>& y, const RowMask& domain) const {
  return from(design_, analysis::total(design_, y, domain));
}

Piece LinearizationEngine::mean(const std::vector<double>& y, const RowMask& domain) const {
  return from(design_, analysis::mean(design_, y, domain));
}

Piece LinearizationEngine::ratio(const std::vector<double>& y, const std::vector<double>& z,
                                 const RowMask& domain) const {
  return from(design_, analysis::ratio(design_, y, z, domain));
}

double LinearizationEngine::variance(const Piece& piece) const {
  Eigen::MatrixXd totals = piece.detail;
  return design_.variance_diagonal_of_totals(totals)[0];
}

Eigen::MatrixXd LinearizationEngine::covariance(const std::vector<const Piece*>& pieces) const {
  Eigen::MatrixXd totals(static_cast<Eigen::Index>(design_.variance_stage().clusters),
                         static_cast<Eigen::Index>(pieces.size()));
  for (std::size_t j = 0; j < pieces.size(); ++j)
    totals.col(static_cast<Eigen::Index>(j)) = pieces[j]->detail;
  return design_.variance_of_totals(totals);
}

namespace {
Piece from(const Replicated& r) {
  Piece p;
  p.value = r.estimate.estimate;
  p.detail = r.replicates;
  p.base = r.estimate;
  return p;
}
}  // namespace

Piece ReplicateEngine::total(const std::vector<double>& y, const RowMask& domain) const {
  return from(analysis::total(design_, y, domain));
}

Piece ReplicateEngine::mean(const std::vector<double>& y, const RowMask& domain) const {
  return from(analysis::mean(design_, y, domain));
}

Piece ReplicateEngine::ratio(const std::vector<double>& y, const std::vector<double>& z,
                             const RowMask& domain) const {
  return from(analysis::ratio(design_, y, z, domain));
}

double ReplicateEngine::variance(const Piece& piece) const {
  return design_.variance(piece.detail, piece.value);
}

Eigen::MatrixXd ReplicateEngine::covariance(const std::vector<const Piece*>& pieces) const {
  const auto k = static_cast<Eigen::Index>(pieces.size());
  const Eigen::Index r = design_.count();
  Eigen::MatrixXd deviations(r, k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const Piece& p = *pieces[static_cast<std::size_t>(j)];
    const double centre = design_.mse ? p.value : p.detail.mean();
    deviations.col(j) = (p.detail.array() - centre).matrix();
  }
  // scale · Σ_r rscales_r d_r d_rᵀ (svrVar for several statistics at once)
  Eigen::MatrixXd weighted = deviations.array().colwise() * design_.rscales.array();
  return design_.scale * (deviations.transpose() * weighted);
}

std::string ReplicateEngine::description() const {
  return "replicate weights (" + to_string(design_.type) + ", " + std::to_string(design_.count()) +
         " replicates, R's svrVar)";
}

}  // namespace sipas::analysis
