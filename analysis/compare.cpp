#include "analysis/compare.hpp"

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <optional>

#include "analysis/error.hpp"
#include "analysis/indices.hpp"
#include "analysis/intervals.hpp"
#include "analysis/setup.hpp"

namespace sipas::analysis {
namespace {

std::string levels_text(const std::vector<std::string>& levels) {
  std::string out;
  for (const auto& l : levels)
    out += (out.empty() ? "" : ", ") + l;
  return out;
}

}  // namespace

const Piece* DomainPieces::piece(const std::string& level) const {
  if (level == everyone_label) return &everyone;
  for (std::size_t k = 0; k < levels.size(); ++k) {
    if (levels[k] == level) return &domains[k];
  }
  return nullptr;
}

const Estimate* DomainPieces::estimate(const std::string& level) const {
  if (level == everyone_label) return &estimates[0];
  for (std::size_t k = 0; k < levels.size(); ++k) {
    if (levels[k] == level) return &estimates[k + 1];
  }
  return nullptr;
}

DomainPieces domain_pieces(const Engine& engine, const Table& data,
                           const StatisticRequest& statistic, const std::string& by, double level) {
  if (statistic.kind != StatisticRequest::Kind::Mean &&
      statistic.kind != StatisticRequest::Kind::Proportion) {
    throw AnalysisError("compare.invalid_statistic",
                        "compare takes a `statistics.mean` or a `statistics.proportion`");
  }
  DomainPieces out;
  out.by = by;
  const auto domains = domains_of(data, {by});
  for (std::size_t d = 1; d < domains.size(); ++d) {
    const std::string& name = domains[d].labels.front().second;
    if (name == everyone_label) {
      throw AnalysisError("compare.reserved_level",
                          data.source() + ": column '" + by + "' has a level '" + everyone_label +
                              "', the name compare gives the whole population; recode it");
    }
    out.levels.push_back(name);
  }
  const bool proportion = statistic.kind == StatisticRequest::Kind::Proportion;
  std::vector<const RowMask*> masks;
  for (const auto& domain : domains)
    masks.push_back(&domain.rows);
  std::vector<std::optional<Piece>> pieces(domains.size());
  engine.ratios({coded_mean(data, statistic)}, masks,
                [&](std::size_t d, RatioPieces& p) { pieces[d] = std::move(p[0]); });
  for (std::size_t d = 0; d < domains.size(); ++d) {
    if (!pieces[d]) {
      throw AnalysisError("analysis.empty_domain",
                          "no row with a value and a positive weight to estimate a mean" +
                              (d == 0 ? std::string() : " in " + by + " = " + out.levels[d - 1]));
    }
    Estimate e =
        engine.estimate(*pieces[d], proportion ? "proportion" : "mean", variable_label(statistic));
    e.domain = domains[d].labels;
    e.df = engine.degrees_of_freedom();
    add_interval(e, IntervalMethod::Wald, level, static_cast<double>(engine.rows()));
    out.estimates.push_back(std::move(e));
    if (d == 0) {
      out.everyone = std::move(*pieces[d]);
    } else {
      out.domains.push_back(std::move(*pieces[d]));
    }
  }
  return out;
}

double two_sided_p(double difference, double se, double df) {
  if (!(se > 0) || std::isnan(difference)) return not_available;
  const double t = std::fabs(difference / se);
  if (std::isnan(df) || std::isinf(df))
    return 2 *
           boost::math::cdf(boost::math::complement(boost::math::normal_distribution<double>(), t));
  if (!(df > 0)) return not_available;
  return 2 * boost::math::cdf(
                 boost::math::complement(boost::math::students_t_distribution<double>(df), t));
}

Difference difference(const Engine& engine, const Piece& a, const Piece& b, double level) {
  if (!(level > 0 && level < 1)) {
    throw AnalysisError("analysis.invalid_level", "`level` must be between 0 and 1 (e.g. 0.95)");
  }
  Difference out;
  out.estimate_a = a.value;
  out.estimate_b = b.value;
  out.n_a = a.base.n;
  out.n_b = b.base.n;
  out.difference = a.value - b.value;
  // V(a − b) = V_aa + V_bb − 2 V_ab (R's svycontrast of svyby(covmat =
  // TRUE); Lumley 2010, Complex Surveys), taken as the variance of the piece a − b, whose
  // cluster totals (or replicates) are a's minus b's: the engine's own
  // variance, which for replicates leaves out those where either is NaN.
  out.covariance = engine.covariance({&a, &b})(0, 1);
  out.se = std::sqrt(std::max(engine.variance(combine({{1.0, &a}, {-1.0, &b}})), 0.0));
  out.df = engine.degrees_of_freedom();
  const double t = t_quantile(1 - (1 - level) / 2, out.df);
  out.ci_low = out.difference - t * out.se;
  out.ci_high = out.difference + t * out.se;
  out.p = two_sided_p(out.difference, out.se, out.df);
  out.p_adjusted = out.p;
  return out;
}

std::vector<Difference> compare_pairs(const Engine& engine, const DomainPieces& pieces,
                                      const std::vector<std::pair<std::string, std::string>>& pairs,
                                      double level) {
  std::vector<Difference> out;
  for (const auto& [a, b] : pairs) {
    for (const std::string* side : {&a, &b}) {
      if (!pieces.piece(*side)) {
        throw AnalysisError("compare.unknown_level",
                            "`pairs` " + a + "," + b + ": '" + *side + "' is no level of column '" +
                                pieces.by + "' (levels: " + levels_text(pieces.levels) + "; or " +
                                everyone_label + ")");
      }
    }
    if (a == b) {
      throw AnalysisError("compare.invalid_pair",
                          "`pairs` " + a + "," + b + ": compares a level with itself");
    }
    Difference d = difference(engine, *pieces.piece(a), *pieces.piece(b), level);
    d.a = a;
    d.b = b;
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<Difference> compare_each_with_all(const Engine& engine, const DomainPieces& pieces,
                                              double level) {
  std::vector<Difference> out;
  for (std::size_t k = 0; k < pieces.levels.size(); ++k) {
    // The domain is part of everyone: the covariance of the two estimates
    // comes from their joint influence values (or replicates), so the
    // overlap is accounted for.
    Difference d = difference(engine, pieces.domains[k], pieces.everyone, level);
    d.a = pieces.levels[k];
    d.b = everyone_label;
    out.push_back(std::move(d));
  }
  return out;
}

void adjust(std::vector<Difference>& family, Adjustment adjustment, double level) {
  std::vector<double> p;
  for (const auto& d : family)
    p.push_back(d.p);
  const auto adjusted = adjust_p(p, adjustment);
  for (std::size_t k = 0; k < family.size(); ++k) {
    Difference& d = family[k];
    d.p_adjusted = adjusted[k];
    d.significant = d.p_adjusted < 1 - level;
    d.direction = !d.significant ? "none" : (d.difference > 0 ? "above" : "below");
  }
}

}  // namespace sipas::analysis
