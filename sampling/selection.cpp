#include "sampling/selection.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

#include "sampling/error.hpp"
#include "sampling/max_entropy.hpp"

namespace sipas::sampling {
namespace {

// Accumulated rounding in Σπ must not lose the last unit of a systematic pass.
constexpr double cumulative_slack = 1e-9;
constexpr int sampford_max_tries = 1000000;
// Frames whose Sampford acceptance takes more than this many steps (N m) to
// compute exactly get the Poisson approximation instead.
constexpr double sampford_exact_max_work = 0x1p26;

// The units with 0 < π < 1 and their Σπ, rounded.
struct Drawable {
  std::vector<std::size_t> units;
  std::size_t m = 0;
};
Drawable drawable(std::span<const double> pi) {
  Drawable d;
  double sum = 0;
  for (std::size_t i = 0; i < pi.size(); ++i) {
    if (pi[i] > 0 && pi[i] < 1) {
      d.units.push_back(i);
      sum += pi[i];
    }
  }
  d.m = static_cast<std::size_t>(std::llround(sum));
  return d;
}

}  // namespace

std::vector<std::uint64_t> srs_order(Rng& rng, std::uint64_t population, std::uint64_t count) {
  if (count > population) {
    throw SamplingError("selection.too_many", "cannot draw " + std::to_string(count) + " of " +
                                                  std::to_string(population));
  }
  std::vector<std::uint64_t> chosen;
  chosen.reserve(count);
  std::unordered_set<std::uint64_t> seen;
  seen.reserve(count * 2);
  for (std::uint64_t j = population - count; j < population; ++j) {
    std::uint64_t t = rng.below(j + 1);
    std::uint64_t pick = seen.contains(t) ? j : t;
    seen.insert(pick);
    chosen.push_back(pick);
  }
  // The hash set's order is not portable; the draw's order must be.
  std::sort(chosen.begin(), chosen.end());
  for (std::uint64_t i = chosen.size(); i > 1; --i) {
    std::swap(chosen[i - 1], chosen[rng.below(i)]);
  }
  return chosen;
}

std::vector<std::uint64_t> reserve_positions(Rng& rng, std::uint64_t population,
                                             std::vector<std::uint64_t> main_positions,
                                             std::uint64_t count) {
  std::sort(main_positions.begin(), main_positions.end());
  std::vector<std::uint64_t> out;
  out.reserve(count);
  for (auto r : srs_order(rng, population - main_positions.size(), count)) {
    // The r-th position (from 0) that is not a main position.
    std::uint64_t p = r;
    for (auto m : main_positions) {
      if (m > p) break;
      ++p;
    }
    out.push_back(p);
  }
  return out;
}

std::vector<std::uint64_t> systematic_positions(Rng& rng, std::uint64_t population,
                                                std::uint64_t n) {
  if (n > population) {
    throw SamplingError("selection.too_many",
                        "cannot draw " + std::to_string(n) + " of " + std::to_string(population));
  }
  std::vector<std::uint64_t> positions;
  if (n == 0) return positions;
  const double interval = static_cast<double>(population) / static_cast<double>(n);
  const double start = rng.uniform() * interval;
  positions.reserve(n);
  for (std::uint64_t j = 0; j < n; ++j) {
    auto p = static_cast<std::uint64_t>(std::floor(start + static_cast<double>(j) * interval));
    positions.push_back(std::min(p, population - 1));
  }
  return positions;
}

std::vector<double> pps_inclusion_probabilities(std::span<const double> sizes, std::int64_t n) {
  std::vector<double> pi(sizes.size(), 0);
  if (n <= 0) return pi;
  std::int64_t positive = 0;
  for (double x : sizes) {
    if (!(x >= 0) || !std::isfinite(x)) {
      throw SamplingError("selection.invalid_size", "sizes must be finite numbers >= 0");
    }
    positive += x > 0;
  }
  if (n > positive) {
    throw SamplingError("selection.too_many",
                        "cannot draw " + std::to_string(n) + " units by size: only " +
                            std::to_string(positive) + " have a size above 0");
  }
  std::vector<bool> certain(sizes.size(), false);
  std::int64_t certain_count = 0;
  for (;;) {
    double total = 0;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      if (!certain[i]) total += sizes[i];
    }
    const double left = static_cast<double>(n - certain_count);
    bool changed = false;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      if (certain[i]) continue;
      pi[i] = left * sizes[i] / total;
      if (pi[i] >= 1) {
        certain[i] = true;
        pi[i] = 1;
        ++certain_count;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return pi;
}

bool SystematicPps::take(double pi) {
  if (pi >= 1) return true;
  cumulative_ += pi;
  if (cumulative_ + cumulative_slack > next_point_) {
    next_point_ += 1;
    return true;
  }
  return false;
}

std::vector<std::size_t> pps_systematic(Rng& rng, std::span<const double> pi) {
  SystematicPps cursor(rng);
  std::vector<std::size_t> chosen;
  for (std::size_t i = 0; i < pi.size(); ++i) {
    if (cursor.take(pi[i])) chosen.push_back(i);
  }
  return chosen;
}

std::vector<std::size_t> pps_sampford(Rng& rng, std::span<const double> pi) {
  std::vector<std::size_t> certain, rest;
  for (std::size_t i = 0; i < pi.size(); ++i) {
    if (pi[i] >= 1) {
      certain.push_back(i);
    } else if (pi[i] > 0) {
      rest.push_back(i);
    }
  }
  double m_real = 0;
  for (auto i : rest)
    m_real += pi[i];
  const auto m = static_cast<std::size_t>(std::llround(m_real));
  std::vector<std::size_t> chosen = certain;
  if (m > 0) {
    // Cumulated probabilities for the first draw (π_i) and the others (π_i/(1-π_i)).
    std::vector<double> first(rest.size()), later(rest.size());
    double a = 0, b = 0;
    for (std::size_t k = 0; k < rest.size(); ++k) {
      a += pi[rest[k]];
      b += pi[rest[k]] / (1 - pi[rest[k]]);
      first[k] = a;
      later[k] = b;
    }
    auto draw = [&](const std::vector<double>& cumulative) {
      double u = rng.uniform() * cumulative.back();
      auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
      return static_cast<std::size_t>(std::min<std::ptrdiff_t>(
          it - cumulative.begin(), static_cast<std::ptrdiff_t>(rest.size()) - 1));
    };
    std::vector<std::size_t> sample;
    std::vector<bool> taken(rest.size());
    bool accepted = false;
    for (int attempt = 0; attempt < sampford_max_tries && !accepted; ++attempt) {
      sample.clear();
      std::fill(taken.begin(), taken.end(), false);
      accepted = true;
      for (std::size_t d = 0; d < m; ++d) {
        std::size_t k = draw(d == 0 ? first : later);
        if (taken[k]) {
          accepted = false;
          break;
        }
        taken[k] = true;
        sample.push_back(k);
      }
    }
    if (!accepted) {
      throw SamplingError("selection.sampford_failed",
                          "Sampford's method found no sample without repeats in " +
                              std::to_string(sampford_max_tries) +
                              " tries; use `method` pps-systematic for this design");
    }
    for (auto k : sample)
      chosen.push_back(rest[k]);
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

SampfordAcceptance sampford_acceptance(std::span<const double> pi) {
  const Drawable d = drawable(pi);
  const auto& units = d.units;
  const std::size_t m = d.m;
  SampfordAcceptance a;
  if (m <= 1) return a;
  const auto n = static_cast<double>(units.size());
  double equal = 1;
  for (std::size_t j = 1; j + 1 < m; ++j)
    equal *= 1 - static_cast<double>(j) / n;
  if (equal < min_sampford_acceptance) return {equal, SampfordAcceptance::Kind::UpperBound};
  // The first draw takes unit i with p_i = π_i/m, the m − 1 others with
  // q_i = λ_i/Λ, λ_i = π_i/(1 − π_i), Λ = Σλ (pps_sampford).
  double lambda_sum = 0;
  for (auto i : units)
    lambda_sum += pi[i] / (1 - pi[i]);
  auto first = [&](std::size_t i) { return pi[i] / static_cast<double>(m); };
  auto later = [&](std::size_t i) { return pi[i] / (1 - pi[i]) / lambda_sum; };
  if (n * static_cast<double>(m - 1) > sampford_exact_max_work) {
    const double pairs = static_cast<double>(m - 1) * static_cast<double>(m - 2) / 2;
    double mu = 0;
    for (auto i : units)
      mu += pairs * later(i) * later(i) + static_cast<double>(m - 1) * first(i) * later(i);
    return {std::exp(-mu), SampfordAcceptance::Kind::Approximate};
  }
  // Over the units taken so far: f[k], the probability that k draws by q are
  // distinct and among them; h[k], the same for the first draw and k draws
  // by q. A new unit is either none of them, the first draw, or one of the k.
  std::vector<double> f(m, 0.0), h(m, 0.0);
  f[0] = 1;
  for (std::size_t seen = 0; seen < units.size(); ++seen) {
    const double p = first(units[seen]), q = later(units[seen]);
    for (std::size_t k = std::min(m - 1, seen + 1); k >= 1; --k) {
      const double kq = static_cast<double>(k) * q;
      h[k] += p * f[k] + kq * h[k - 1];
      f[k] += kq * f[k - 1];
    }
    h[0] += p;
  }
  return {h[m - 1], SampfordAcceptance::Kind::Exact};
}

std::string to_string(SampfordAcceptance::Kind kind) {
  switch (kind) {
    case SampfordAcceptance::Kind::Exact:
      return "exact";
    case SampfordAcceptance::Kind::UpperBound:
      return "upper bound";
    case SampfordAcceptance::Kind::Approximate:
      return "Poisson approximation";
  }
  return "";
}

std::string to_string(PpsAlgorithm algorithm) {
  return algorithm == PpsAlgorithm::Sampford ? "sampford" : "maximum-entropy";
}

PpsChoice choose_pps_algorithm(std::span<const double> pi) {
  PpsChoice choice;
  choice.sampford = sampford_acceptance(pi);
  if (choice.sampford.value >= min_sampford_acceptance) return choice;
  choice.algorithm = PpsAlgorithm::MaxEntropy;
  const Drawable d = drawable(pi);
  const std::size_t n = d.units.size();
  const double work = static_cast<double>(n) * static_cast<double>(std::min(d.m, n - d.m));
  if (work > max_entropy_max_work) {
    throw SamplingError("selection.pps_too_large",
                        "drawing " + std::to_string(d.m) + " of " + std::to_string(n) +
                            " units by size without replacement is too large for Sampford's "
                            "method and for the maximum-entropy design; use `method` "
                            "pps-systematic, or strata or stages");
  }
  return choice;
}

PpsDraw pps_fixed_size(Rng& rng, std::span<const double> pi) {
  PpsDraw draw;
  draw.choice = choose_pps_algorithm(pi);
  draw.chosen = draw.choice.algorithm == PpsAlgorithm::Sampford ? pps_sampford(rng, pi)
                                                                : pps_max_entropy(rng, pi);
  return draw;
}

}  // namespace sipas::sampling
