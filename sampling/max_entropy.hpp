#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "io/rng.hpp"

namespace sipas::sampling {

// The maximum-entropy πps design of fixed size m, also called conditional
// Poisson sampling (CPS): among all designs of size m with the given
// first-order inclusion probabilities it has the largest entropy, and
// P(s) ∝ ∏_{i∈s} w_i for working odds w (Hájek 1964; Chen, Dempster and Liu
// 1994; Tillé, "Sampling Algorithms", 2006, ch. 5; R's sampling::UPmaxentropy).
// Unlike Sampford's method it has no rejective step, so it works at any
// sampling fraction. Its second-order probabilities follow from w.
//
// The computations run on ratios of elementary symmetric polynomials
// (e_z / e_{z-1} over the units i..N-1), never on the polynomials themselves,
// which overflow a double long before a third of a frame of 6,000 is drawn.
// Each pass costs O(N m) time and O(m √N) memory.

// First-order inclusion probabilities of the CPS design of size m with odds w
// (all > 0; m <= w.size()).
std::vector<double> conditional_poisson_inclusion(std::span<const double> odds, std::size_t m);

// The working odds w whose CPS design of size m = Σπ has inclusion
// probabilities π (all in (0, 1), Σπ a whole number), unique up to a common
// factor: the fixed point of w_i ← w_i · [π_i / (1 − π_i)] / [π_i(w) /
// (1 − π_i(w))] (Tillé's iteration, on the odds scale so that w stays
// positive), started at w_i = π_i / (1 − π_i), with the step cut by a line
// search where it overshoots, until max |π_i(w) − π_i| <=
// max_entropy_tolerance. Throws SamplingError "selection.max_entropy_diverged"
// if it does not get there.
std::vector<double> max_entropy_working_odds(std::span<const double> pi);

// How close the design's inclusion probabilities come to the targets.
inline constexpr double max_entropy_tolerance = 1e-11;

// A maximum-entropy design for inclusion probabilities π: units with π >= 1
// are taken, units with π <= 0 never; the others (Σπ = m, a whole number) are
// drawn by the sequential CPS scheme, one uniform per unit in order: unit i is
// taken with probability w_i e_{z−1}(i+1..) / e_z(i..), z the number still to
// draw (Chen, Dempster and Liu 1994; Tillé 2006, ch. 5; R's UPMEsfromq). When m
// is more than half of those units, the units left out are drawn instead (a
// CPS of size N − m with odds 1/w, the same design), at lower cost. The
// working odds are found once, in the constructor; each draw then costs
// O(N m). Immutable after construction, so it may be drawn from by several
// threads, each with its own generator.
class MaxEntropyDesign {
 public:
  explicit MaxEntropyDesign(std::span<const double> pi);
  // Sorted indices of one sample of size() units.
  std::vector<std::size_t> draw(io::Rng& rng) const;
  std::size_t size() const { return sample_size_; }

 private:
  std::vector<std::size_t> certain_, units_;  // π >= 1; 0 < π < 1
  bool complement_ = false;                   // the draw picks the units left out
  std::size_t draw_size_ = 0, sample_size_ = 0;
  std::vector<double> odds_;  // of units_ (of their complement when complement_)
  std::size_t block_ = 1;
  std::vector<double> checkpoints_;  // ratios every block_ units (max_entropy.cpp)
};

// One sample of MaxEntropyDesign(pi).
std::vector<std::size_t> pps_max_entropy(io::Rng& rng, std::span<const double> pi);

}  // namespace sipas::sampling
