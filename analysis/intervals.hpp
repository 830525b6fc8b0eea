#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "analysis/estimate.hpp"

namespace sipas::analysis {

// Confidence interval methods: Wald with t(df) for any estimate; for
// proportions also logit, xlogit and Korn-Graubard beta (R's svyciprop).
enum class IntervalMethod { Wald, Logit, XLogit, Beta };
// "wald", "logit", "xlogit", "beta"; nullopt for another word.
std::optional<IntervalMethod> interval_method_from_string(std::string_view name);
// The same, or AnalysisError analysis.invalid_option naming `interval`.
IntervalMethod parse_interval_method(std::string_view name);
std::string to_string(IntervalMethod method);

// The t quantile with df degrees of freedom; the normal one for infinite or
// missing df (R: qt(p, Inf) = qnorm(p)).
double t_quantile(double p, double df);

// Fills ci_low, ci_high and ci_method of `e` at confidence `level`. The
// proportion methods need an estimate in [0, 1]; `rows` is the number of rows
// of the design (Korn-Graubard's n - 1 degrees of freedom).
void add_interval(Estimate& e, IntervalMethod method, double level, double rows);

}  // namespace sipas::analysis
