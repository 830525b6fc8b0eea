#include "sampling/allocation.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "io/enum_names.hpp"
#include "sampling/error.hpp"

namespace sipas::sampling {

namespace {

constexpr io::EnumName<AllocationMethod> allocation_method_names[] = {
    {AllocationMethod::Proportional, "proportional"},
    {AllocationMethod::Equal, "equal"},
    {AllocationMethod::Neyman, "neyman"},
    {AllocationMethod::Power, "power"},
    {AllocationMethod::Optimal, "optimal"}};

}  // namespace

std::optional<AllocationMethod> allocation_method_from_string(const std::string& name) {
  return io::enum_from_name(allocation_method_names, name);
}

std::string to_string(AllocationMethod method) {
  return io::enum_name(allocation_method_names, method);
}

namespace {

double weight_of(const StratumFacts& s, const AllocationOptions& o) {
  const double N = static_cast<double>(s.population);
  switch (o.method) {
    case AllocationMethod::Proportional:
      return N;
    case AllocationMethod::Equal:
      return 1;
    case AllocationMethod::Neyman:  // Neyman (1934): n_h ∝ N_h S_h
      return N * s.sd;
    case AllocationMethod::Optimal:  // Cochran (1977) 5.25: n_h ∝ N_h S_h / √c_h
      return N * s.sd / std::sqrt(s.cost);
    case AllocationMethod::Power:  // Bankier (1988): n_h ∝ CV_h · N_h^q
      return (o.use_cv ? s.sd / s.mean : 1.0) * std::pow(N, o.power_q);
  }
  return 0;
}

}  // namespace

Allocation allocate(const std::vector<StratumFacts>& strata, const AllocationOptions& o) {
  const std::size_t H = strata.size();
  if (H == 0) throw SamplingError("allocation.no_strata", "there are no strata to allocate to");
  if (o.total < 0)
    throw SamplingError("allocation.invalid_total", "the sample size must not be negative");
  std::vector<double> a(H), lo(H), hi(H);
  std::int64_t sum_lo = 0, sum_hi = 0;
  for (std::size_t h = 0; h < H; ++h) {
    const auto& s = strata[h];
    a[h] = weight_of(s, o);
    if (!std::isfinite(a[h]) || a[h] < 0) {
      throw SamplingError("allocation.invalid_weight",
                          "stratum '" + s.key +
                              "': the allocation weight is not a finite number >= 0 "
                              "(check its standard deviation, mean and cost)");
    }
    std::int64_t low = std::min(std::max<std::int64_t>(s.min, 0), s.population);
    std::int64_t high = std::min(s.max.value_or(s.population), s.population);
    if (high < low) {
      throw SamplingError("allocation.invalid_bounds",
                          "stratum '" + s.key + "': the maximum " + std::to_string(high) +
                              " is below the minimum " + std::to_string(low));
    }
    lo[h] = static_cast<double>(low);
    hi[h] = static_cast<double>(high);
    sum_lo += low;
    sum_hi += high;
  }
  if (o.total < sum_lo) {
    throw SamplingError("allocation.total_below_minimum",
                        "the sample size " + std::to_string(o.total) +
                            " is smaller than the per-stratum minimums, which add up to " +
                            std::to_string(sum_lo));
  }
  if (o.total > sum_hi) {
    throw SamplingError("allocation.total_above_population",
                        "the sample size " + std::to_string(o.total) +
                            " is larger than the strata can hold (" + std::to_string(sum_hi) +
                            " units within their maximums)");
  }

  // Real allocation: fix strata at a violated bound, re-allocate the rest, until
  // every stratum is within its bounds.
  std::vector<double> x(H, 0);
  std::vector<bool> fixed(H, false);
  for (;;) {
    double remaining = static_cast<double>(o.total);
    double weight = 0;
    for (std::size_t h = 0; h < H; ++h) {
      if (fixed[h]) {
        remaining -= x[h];
      } else {
        weight += a[h];
      }
    }
    bool any_free = false;
    for (std::size_t h = 0; h < H; ++h)
      any_free |= !fixed[h];
    if (!any_free) break;
    if (weight <= 0) {
      if (remaining > 1e-9) {
        throw SamplingError("allocation.zero_weight",
                            "cannot allocate: every stratum left has allocation weight 0 "
                            "(standard deviation 0?)");
      }
      for (std::size_t h = 0; h < H; ++h) {
        if (!fixed[h]) x[h] = lo[h];
      }
      break;
    }
    for (std::size_t h = 0; h < H; ++h) {
      if (!fixed[h]) x[h] = remaining * a[h] / weight;
    }
    // Over-allocated strata are fixed first: capping them frees sample for the
    // others, which may then rise above their minimums.
    bool changed = false;
    for (std::size_t h = 0; h < H; ++h) {
      if (!fixed[h] && x[h] > hi[h]) {
        x[h] = hi[h];
        fixed[h] = true;
        changed = true;
      }
    }
    if (!changed) {
      for (std::size_t h = 0; h < H; ++h) {
        if (!fixed[h] && x[h] < lo[h]) {
          x[h] = lo[h];
          fixed[h] = true;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }

  // Largest remainder: floors, then one more to the largest fractional parts;
  // equal fractions go to the earlier stratum (stable sort).
  Allocation result;
  result.target = x;
  result.n.resize(H);
  std::int64_t assigned = 0;
  std::vector<double> fraction(H);
  for (std::size_t h = 0; h < H; ++h) {
    double f = std::floor(x[h] + 1e-9);
    f = std::clamp(f, lo[h], hi[h]);
    result.n[h] = static_cast<std::int64_t>(f);
    fraction[h] = x[h] - f;
    assigned += result.n[h];
  }
  std::vector<std::size_t> order(H);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t i, std::size_t j) { return fraction[i] > fraction[j]; });
  std::int64_t left = o.total - assigned;
  for (std::size_t k = 0; left > 0; k = (k + 1) % H) {
    std::size_t h = order[k];
    if (static_cast<double>(result.n[h]) < hi[h]) {
      ++result.n[h];
      --left;
    }
  }
  return result;
}

}  // namespace sipas::sampling
