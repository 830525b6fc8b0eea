#pragma once

// Differences between domains of one design, and between a domain and the
// whole population it is part of, with the covariance of the two estimates
// (analysis/README.md, "Comparisons").

#include <string>
#include <utility>
#include <vector>

#include "analysis/engine.hpp"
#include "analysis/estimate.hpp"
#include "analysis/multiple_testing.hpp"
#include "analysis/run.hpp"
#include "analysis/table.hpp"

namespace sipas::analysis {

// The name the whole population goes by in a comparison (`--pair A,all`,
// each domain against all).
inline constexpr const char* everyone_label = "all";

// A mean or a proportion in the whole population and in every domain of one
// column, each with the piece its variance and covariances need.
struct DomainPieces {
  std::string by;
  std::vector<std::string> levels;  // the domains, in byte order (R's svyby)
  Piece everyone;
  std::vector<Piece> domains;       // one per level
  std::vector<Estimate> estimates;  // everyone, then one per level, as `sipas analyze` gives them

  // The piece and estimate of a level, or of everyone for "all"; nullptr
  // when it is neither.
  const Piece* piece(const std::string& level) const;
  const Estimate* estimate(const std::string& level) const;
};

// The estimates of `statistic` (a mean or a proportion) by `by`, through the
// same engine call and with the same values as `sipas analyze --by`: every
// domain from one Engine::ratios pass, everyone first. A domain with no row
// that has a value is analysis.empty_domain.
DomainPieces domain_pieces(const Engine& engine, const Table& data,
                           const StatisticRequest& statistic, const std::string& by, double level);

// One comparison: a − b with its standard error, interval and test.
struct Difference {
  std::string a, b;  // levels; b may be "all"
  double estimate_a = not_available, estimate_b = not_available;
  double n_a = 0, n_b = 0;
  double difference = not_available;  // a − b
  double covariance = not_available;  // of the two estimates
  double se = not_available;
  double df = not_available;  // NaN: normal reference
  double ci_low = not_available, ci_high = not_available;
  double p = not_available;  // two-sided
  double p_adjusted = not_available;
  bool significant = false;  // p_adjusted < 1 − level
  std::string direction;     // above, below, none
};

// a − b of two pieces of one engine: Var = V_aa + V_bb − 2 V_ab from
// Engine::covariance (the joint influence values, or the replicates), an
// interval a − b ± t(df) SE and p = 2 P(T_df > |a − b| / SE), df the
// design's (normal when infinite or unknown).
Difference difference(const Engine& engine, const Piece& a, const Piece& b, double level);

// The pairs asked for, each `a − b`, and every domain against everyone.
// Unknown levels are compare.unknown_level naming the --pair; a pair of a
// level with itself is compare.invalid_pair.
std::vector<Difference> compare_pairs(const Engine& engine, const DomainPieces& pieces,
                                      const std::vector<std::pair<std::string, std::string>>& pairs,
                                      double level);
std::vector<Difference> compare_each_with_all(const Engine& engine, const DomainPieces& pieces,
                                              double level);

// Two-sided p of a difference d with standard error se: 2 P(T_df > |d/se|),
// the normal for infinite or NaN df; NaN when se is not positive.
double two_sided_p(double difference, double se, double df);

// Fills p_adjusted over the family, then significant and direction.
void adjust(std::vector<Difference>& family, Adjustment adjustment, double level);

}  // namespace sipas::analysis
