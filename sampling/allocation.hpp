#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sipas::sampling {

enum class AllocationMethod { Proportional, Equal, Neyman, Power, Optimal };

std::optional<AllocationMethod> allocation_method_from_string(const std::string& name);
std::string to_string(AllocationMethod method);

// What allocation knows of one stratum.
struct StratumFacts {
  std::string key;
  std::int64_t population = 0;  // N_h
  double sd = 1;                // S_h (Neyman, optimal, power)
  double mean = 1;              // Ȳ_h (power: S_h / Ȳ_h is the stratum's CV)
  double cost = 1;              // c_h (optimal)
  std::int64_t min = 0;         // at least this many (never more than N_h)
  std::optional<std::int64_t> max;
};

struct AllocationOptions {
  AllocationMethod method = AllocationMethod::Proportional;
  std::int64_t total = 0;
  double power_q = 0.5;  // Bankier's exponent
  bool use_cv = false;   // power: weight by S_h / Ȳ_h (else 1)
};

struct Allocation {
  std::vector<double> target;   // the real-valued allocation within the bounds
  std::vector<std::int64_t> n;  // integers adding up to the total exactly
};

// Allocates `total` across strata (sampling/README.md, "Allocation"):
// weights a_h by method, bounds [max(min_h, 0), min(max_h, N_h)] met by fixing
// strata at a violated bound and re-allocating the rest, then largest-remainder
// rounding. Ties between equal remainders go to the stratum that comes first in
// the given order. Throws SamplingError when the bounds make the total
// impossible.
Allocation allocate(const std::vector<StratumFacts>& strata, const AllocationOptions& options);

}  // namespace sipas::sampling
