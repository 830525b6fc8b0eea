#include "sampling/sample_size.hpp"

#include <boost/math/distributions/normal.hpp>
#include <cmath>

#include "sampling/error.hpp"

namespace sipas::sampling {
namespace {

constexpr double rounding_slack = 1e-9;

// `what`: a field of the options as `field`, or N.
void require(bool ok, const std::string& what, const std::string& rule) {
  if (!ok) throw SamplingError("sample_size.invalid_option", what + " " + rule);
}

}  // namespace

std::int64_t round_up(double x) {
  return static_cast<std::int64_t>(std::ceil(x - rounding_slack));
}

double normal_quantile_two_sided(double confidence) {
  require(confidence > 0 && confidence < 1, "`confidence`", "must be between 0 and 1 (e.g. 0.95)");
  boost::math::normal standard;
  return boost::math::quantile(standard, 1 - (1 - confidence) / 2);
}

ProportionSize size_for_proportion(const ProportionSizeOptions& o) {
  require(o.margin > 0 && o.margin < 1, "`margin`", "must be between 0 and 1 (e.g. 0.05)");
  require(o.proportion >= 0 && o.proportion <= 1, "`proportion`", "must be between 0 and 1");
  require(o.design_effect > 0 && std::isfinite(o.design_effect), "`design_effect`",
          "must be positive");
  require(o.response_rate > 0 && o.response_rate <= 1, "`response_rate`",
          "must be greater than 0 and at most 1");
  if (o.population) require(*o.population >= 1, "N", "must be at least 1");
  ProportionSize s;
  s.z = normal_quantile_two_sided(o.confidence);
  s.n0 = s.z * s.z * o.proportion * (1 - o.proportion) / (o.margin * o.margin);
  s.with_deff = s.n0 * o.design_effect;
  s.with_fpc = o.population ? s.with_deff / (1 + (s.with_deff - 1) / *o.population) : s.with_deff;
  s.to_draw = s.with_fpc / o.response_rate;
  s.n = round_up(s.to_draw);
  if (o.population) s.n = std::min<std::int64_t>(s.n, static_cast<std::int64_t>(*o.population));
  return s;
}

SlovinSize slovin(double population, double margin) {
  require(margin > 0 && margin < 1, "`margin`", "must be between 0 and 1 (e.g. 0.05)");
  require(population >= 1, "N", "must be at least 1");
  SlovinSize s;
  s.exact = population / (1 + population * margin * margin);
  s.n = std::min<std::int64_t>(round_up(s.exact), static_cast<std::int64_t>(population));
  return s;
}

}  // namespace sipas::sampling

namespace sipas::sampling {

std::vector<DomainSize> domain_sizes(const std::vector<std::pair<std::string, double>>& domains,
                                     SizeFormula formula, const ProportionSizeOptions& options,
                                     std::int64_t minimum) {
  if (minimum < 0) throw SamplingError("sample_size.invalid_option", "`minimum` must be >= 0");
  std::vector<DomainSize> out;
  for (const auto& [name, population] : domains) {
    DomainSize d;
    d.domain = name;
    d.population = population;
    if (formula == SizeFormula::Slovin) {
      auto s = slovin(population, options.margin);
      d.exact = s.exact / options.response_rate;
      d.n = round_up(d.exact);
    } else {
      ProportionSizeOptions o = options;
      o.population = population;
      auto s = size_for_proportion(o);
      d.exact = s.to_draw;
      d.n = round_up(s.to_draw);
    }
    if (d.n < minimum) {
      d.n = minimum;
      d.raised_to_minimum = true;
    }
    d.n = std::min<std::int64_t>(d.n, static_cast<std::int64_t>(population));
    out.push_back(d);
  }
  return out;
}

}  // namespace sipas::sampling
