#pragma once

#include <cstdint>
#include <span>
#include <string>
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
// Throws SamplingError "selection.sampford_failed" after 1,000,000 tries;
// pps_fixed_size below never lets it come to that.
std::vector<std::size_t> pps_sampford(Rng& rng, std::span<const double> pi);

// The probability that one try of Sampford's rejective step gives m distinct
// units (m = Σπ of the units with 0 < π < 1; 1 when m <= 1), and how it was
// found: exactly, by a recursion over the units (O(N m)); as an upper bound,
// the value for equal probabilities ∏_{j<m−1} (1 − j/N), when that is already
// below min_sampford_acceptance (the chance that m − 1 draws with replacement
// are distinct is largest when all units are equally likely); or, for frames
// too large for the recursion (N m > 2^26), by the Poisson approximation
// exp(−μ), μ the expected number of pairs of draws that repeat a unit.
struct SampfordAcceptance {
  enum class Kind { Exact, UpperBound, Approximate };
  double value = 1;
  Kind kind = Kind::Exact;
};
SampfordAcceptance sampford_acceptance(std::span<const double> pi);
std::string to_string(SampfordAcceptance::Kind kind);

// Sampford's method is used when a try succeeds with probability at least
// this (at most 1,000 tries expected, so the cap of 1,000,000 is never met);
// otherwise the maximum-entropy design (sampling/max_entropy.hpp).
inline constexpr double min_sampford_acceptance = 1e-3;

// The two fixed-size πps designs behind `--method pps`.
enum class PpsAlgorithm { Sampford, MaxEntropy };
std::string to_string(PpsAlgorithm algorithm);  // "sampford", "maximum-entropy"

struct PpsChoice {
  PpsAlgorithm algorithm = PpsAlgorithm::Sampford;
  SampfordAcceptance sampford;
};

// Chooses from π alone, before anything is drawn: Sampford's method where it
// finishes, the maximum-entropy design elsewhere (a third of a frame, or 2,000
// of the 6,157 api schools with an enrolment). Throws SamplingError
// "selection.pps_too_large" when the maximum-entropy design would be needed
// but N min(m, N − m) > max_entropy_max_work (at 2^30, 17,000 of 60,000 units
// take 14 s and 73 MB in a Release build; 2,000 api schools are 1 % of it).
PpsChoice choose_pps_algorithm(std::span<const double> pi);
inline constexpr double max_entropy_max_work = 0x1p30;

struct PpsDraw {
  std::vector<std::size_t> chosen;  // sorted indices
  PpsChoice choice;
};

// A fixed-size πps sample without replacement (`--method pps`): the units
// with π >= 1 and, among the others, a sample by the chosen algorithm.
PpsDraw pps_fixed_size(Rng& rng, std::span<const double> pi);

}  // namespace sipas::sampling
