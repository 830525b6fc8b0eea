#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace sipas::analysis {

inline constexpr double not_available = std::numeric_limits<double>::quiet_NaN();

// One estimate with everything a results table needs (design.md "Results").
struct Estimate {
  std::string statistic;  // total, mean, ratio, proportion, quantile
  std::string variable;
  std::vector<std::pair<std::string, std::string>> domain;  // column = level; empty: everyone
  double estimate = not_available;
  double se = not_available;
  double df = not_available;            // degrees of freedom for t intervals
  double n = 0;                         // rows used (unweighted)
  double weighted_n = 0;                // sum of their weights
  double deff = not_available;          // design effect against SRS without replacement
  double deff_replace = not_available;  // ... and with replacement
  double ci_low = not_available, ci_high = not_available;
  std::string ci_method;
  // Reliability by a publishing rule (publishing_rule.hpp): effective n,
  // coefficient of variation, interval width, and ok / caution / suppressed
  // with the reason ("" before assess()).
  double n_eff = not_available;
  double cv = not_available;
  double ci_width = not_available;
  std::string flag;
  std::string flag_reason;
};

}  // namespace sipas::analysis
