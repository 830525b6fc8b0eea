#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sipas::sampling {

// Options for the sample size of a proportion (sampling/README.md, "Sample size").
struct ProportionSizeOptions {
  double margin = 0.05;              // e: half-width of the confidence interval
  double confidence = 0.95;          // c
  double proportion = 0.5;           // anticipated p
  double design_effect = 1;          // deff
  double response_rate = 1;          // expected share who answer, in (0, 1]
  std::optional<double> population;  // N, for the finite population correction
};

// Every step of the calculation, so a reader can follow it.
struct ProportionSize {
  double z = 0;          // standard normal quantile for c
  double n0 = 0;         // z² p (1 - p) / e²
  double with_deff = 0;  // n0 × deff
  double with_fpc = 0;   // with_deff / (1 + (with_deff - 1) / N), or with_deff without N
  double to_draw = 0;    // with_fpc / response rate
  std::int64_t n = 0;    // to_draw rounded up, at most N
};

ProportionSize size_for_proportion(const ProportionSizeOptions& options);

// Slovin (Yamane): n = N / (1 + N e²), the formula of the Vietnamese guidance.
struct SlovinSize {
  double exact = 0;
  std::int64_t n = 0;  // rounded up
};
SlovinSize slovin(double population, double margin);

// The standard normal quantile z with P(|Z| <= z) = confidence.
double normal_quantile_two_sided(double confidence);

// Rounds up, forgiving floating-point noise: 385.0000000001 is 385.
std::int64_t round_up(double x);

}  // namespace sipas::sampling

namespace sipas::sampling {

// The sample size of each domain (stratum) from its population N_h.
struct DomainSize {
  std::string domain;
  double population = 0;
  double exact = 0;    // before rounding (Slovin's N/(1+Ne²) or Cochran's to_draw)
  std::int64_t n = 0;  // rounded up, raised to the minimum, at most N_h
  bool raised_to_minimum = false;
};

enum class SizeFormula { Cochran, Slovin };

std::vector<DomainSize> domain_sizes(const std::vector<std::pair<std::string, double>>& domains,
                                     SizeFormula formula, const ProportionSizeOptions& options,
                                     std::int64_t minimum);

}  // namespace sipas::sampling
