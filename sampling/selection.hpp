#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "io/rng.hpp"

namespace sipas::sampling {

using io::Rng;

// `count` distinct positions of [0, N) in random order: an SRS without
// replacement whose first n positions are the main sample and the rest the
// ordered reserve list. Floyd's algorithm, sorted, then a Fisher-Yates shuffle.
std::vector<std::uint64_t> srs_order(Rng& rng, std::uint64_t population, std::uint64_t count);

// An ordered reserve list: `count` positions of [0, N) that are not among
// `main_positions`, an SRS of them in random order.
std::vector<std::uint64_t> reserve_positions(Rng& rng, std::uint64_t population,
                                             std::vector<std::uint64_t> main_positions,
                                             std::uint64_t count);

// Systematic sample of n of N positions (sorted): interval k = N / n, random
// start u in [0, k), positions floor(u + j k). Every position has π = n / N.
std::vector<std::uint64_t> systematic_positions(Rng& rng, std::uint64_t population,
                                                std::uint64_t n);

// Inclusion probabilities proportional to size for n draws, with certainty
// units: π_i = n x_i / Σx; units with π_i >= 1 get π = 1 and the rest is
// recomputed with n less the certainty units, until none is left (R's
// sampling::inclusionprobabilities). Sizes must be >= 0.
std::vector<double> pps_inclusion_probabilities(std::span<const double> sizes, std::int64_t n);

// Systematic πps selection, one unit at a time, so that it can run while a
// frame streams by: a random start u in [0, 1) and the points u, u+1, ...;
// a unit is taken when a point falls in its interval of the cumulated π.
// Units with π = 1 are always taken.
class SystematicPps {
 public:
  explicit SystematicPps(Rng& rng) : next_point_(rng.uniform()) {}
  bool take(double pi);

 private:
  double cumulative_ = 0;
  double next_point_;
};

// Indices selected by systematic πps (in the given order).
std::vector<std::size_t> pps_systematic(Rng& rng, std::span<const double> pi);

// Indices selected by Sampford's method (1967), an exact πps design without
// replacement whose joint inclusion probabilities are all positive: certainty
// units are taken; of the rest (Σπ = m), the first draw has probability π_i/m,
// m-1 further draws with replacement have probability ∝ π_i/(1-π_i), and the
// sample is accepted when all m are distinct. Sorted indices.
std::vector<std::size_t> pps_sampford(Rng& rng, std::span<const double> pi);

}  // namespace sipas::sampling
