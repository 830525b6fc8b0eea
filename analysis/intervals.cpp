#include "analysis/intervals.hpp"

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>

#include "analysis/error.hpp"
#include "io/enum_names.hpp"

namespace sipas::analysis {
namespace {

constexpr io::EnumName<IntervalMethod> interval_method_names[] = {
    {IntervalMethod::Wald, "wald"},
    {IntervalMethod::Logit, "logit"},
    {IntervalMethod::XLogit, "xlogit"},
    {IntervalMethod::Beta, "beta"}};

double expit(double x) {
  return 1 / (1 + std::exp(-x));
}

double beta_quantile(double p, double a, double b) {
  if (!(a > 0)) return 0;  // qbeta(p, 0, b) = 0
  if (!(b > 0)) return 1;
  boost::math::beta_distribution<double> dist(a, b);
  return boost::math::quantile(dist, p);
}

}  // namespace

std::optional<IntervalMethod> interval_method_from_string(std::string_view name) {
  return io::enum_from_name(interval_method_names, name);
}

IntervalMethod parse_interval_method(std::string_view name) {
  if (auto method = interval_method_from_string(name)) return *method;
  throw AnalysisError("analysis.invalid_option",
                      "`interval` must be " + io::enum_names_text(interval_method_names));
}

std::string to_string(IntervalMethod method) {
  return io::enum_name(interval_method_names, method);
}

double t_quantile(double p, double df) {
  if (std::isnan(df) || std::isinf(df))
    return boost::math::quantile(boost::math::normal_distribution<double>(), p);
  if (!(df > 0)) return not_available;
  return boost::math::quantile(boost::math::students_t_distribution<double>(df), p);
}

void add_interval(Estimate& e, IntervalMethod method, double level, double rows) {
  if (!(level > 0 && level < 1)) {
    throw AnalysisError("analysis.invalid_level", "`level` must be between 0 and 1 (e.g. 0.95)");
  }
  const double alpha = 1 - level;
  const double t = t_quantile(1 - alpha / 2, e.df);
  e.ci_method = to_string(method);
  const double p = e.estimate;
  if (method != IntervalMethod::Wald && !(p >= 0 && p <= 1)) {
    throw AnalysisError("analysis.not_a_proportion", "the " + to_string(method) +
                                                         " interval is for proportions, and " +
                                                         e.variable + " is " + std::to_string(p));
  }
  switch (method) {
    case IntervalMethod::Wald:
      e.ci_low = p - t * e.se;
      e.ci_high = p + t * e.se;
      return;
    case IntervalMethod::Logit:
    case IntervalMethod::XLogit: {
      // Delta method on the logit scale: se(logit p) = se(p) / (p (1 - p)).
      const double centre = std::log(p / (1 - p));
      const double half = t * e.se / (p * (1 - p));
      e.ci_low = expit(centre - half);
      e.ci_high = expit(centre + half);
      return;
    }
    case IntervalMethod::Beta: {
      // Korn and Graubard (1998): an effective sample size from the design
      // variance, with the ratio of t quantiles for the degrees of freedom.
      double n_eff = p * (1 - p) / (e.se * e.se);
      const double ratio = t_quantile(alpha / 2, rows - 1) / t_quantile(alpha / 2, e.df);
      n_eff *= ratio * ratio;
      e.ci_low = beta_quantile(alpha / 2, n_eff * p, n_eff * (1 - p) + 1);
      e.ci_high = beta_quantile(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p));
      return;
    }
  }
}

}  // namespace sipas::analysis
