#include "sampling/max_entropy.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "sampling/error.hpp"

namespace sipas::sampling {
namespace {

// The fixed point gains several digits per step on large frames and about one
// on small ones; 400 evaluations of π(w) are far more than any frame needs.
constexpr int max_evaluations = 400;
// A pass changes no odds by more than a factor e^30 (a probability computed as
// exactly 0 or 1 would ask for an infinite one).
constexpr double max_log_step = 30;

// ρ(z) = e_z(U) / e_{z−1}(U), z = 1..m (stored at z − 1), for a set U of
// units with odds w: the elementary symmetric polynomials of U as consecutive
// ratios, which stay within a double's range. ρ(z) = 0 for z > |U|.
//
// Putting a unit with odds w in front of U (e_z(U') = w e_{z−1}(U) + e_z(U)):
//   ρ'(1) = w + ρ(1),   ρ'(z) = ρ(z−1) (w + ρ(z)) / (w + ρ(z−1)),
// a product of positive numbers, so no precision is lost to cancellation.
void prepend(std::vector<double>& rho, std::size_t units_before, double w) {
  const std::size_t top = std::min(rho.size(), units_before + 1);
  for (std::size_t z = top; z >= 2; --z) {
    rho[z - 1] = rho[z - 2] * (w + rho[z - 1]) / (w + rho[z - 2]);
  }
  rho[0] += w;
}

std::size_t block_size(std::size_t units) {
  return std::max<std::size_t>(
      1, static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(units)))));
}

// One backward pass over the units, keeping the ratios of the units s..N−1
// for every s that is a multiple of `block` (row s / block).
std::vector<double> ratio_checkpoints(std::span<const double> odds, std::size_t m,
                                      std::size_t block) {
  const std::size_t n = odds.size();
  std::vector<double> rows((n / block + 1) * m, 0.0);
  std::vector<double> rho(m, 0.0);
  for (std::size_t s = n; s-- > 0;) {
    prepend(rho, n - 1 - s, odds[s]);
    if (s % block == 0) {
      std::copy(rho.begin(), rho.end(), rows.begin() + static_cast<std::ptrdiff_t>(s / block * m));
    }
  }
  return rows;
}

// Visits the units in order 0, 1, ..., N−1 and gives, at unit i, the ratios ρ
// of the units after it (i+1..N−1), which only a backward recursion can make:
// each block of units is recomputed from the checkpoint after it when the
// walk reaches it. With the checkpoints, two backward passes in all and
// O(m (N/B + B)) doubles for blocks of B = ⌈√N⌉ units, instead of the N × m
// table.
class ForwardRatios {
 public:
  ForwardRatios(std::span<const double> odds, std::size_t m, std::size_t block,
                std::span<const double> checkpoints)
      : odds_(odds), m_(m), block_(block), checkpoints_(checkpoints), buffer_(block * m, 0.0) {}

  // The ratios of units i+1..N−1; i must not decrease between calls.
  std::span<const double> after(std::size_t i) {
    const std::size_t n = odds_.size();
    const std::size_t block = i / block_;
    const std::size_t start = block * block_;
    const std::size_t end = std::min(start + block_, n);
    if (block != current_) {
      // Slot j holds the ratios of units start+1+j.. ; the last slot is the
      // checkpoint at `end` (all zeros at the end of the list).
      std::vector<double> rho(m_, 0.0);
      if (end < n) {
        auto from = checkpoints_.subspan(end / block_ * m_, m_);
        rho.assign(from.begin(), from.end());
      }
      for (std::size_t s = end; s > start; --s) {
        if (s < end) prepend(rho, n - 1 - s, odds_[s]);
        std::copy(rho.begin(), rho.end(),
                  buffer_.begin() + static_cast<std::ptrdiff_t>((s - start - 1) * m_));
      }
      current_ = block;
    }
    return std::span<const double>(buffer_).subspan((i - start) * m_, m_);
  }

 private:
  std::span<const double> odds_;
  std::size_t m_, block_;
  std::span<const double> checkpoints_;
  std::vector<double> buffer_;
  std::size_t current_ = static_cast<std::size_t>(-1);
};

// The probability that the sequential scheme takes unit i when z units are
// still to draw: w_i e_{z−1}(i+1..) / e_z(i..) = w_i / (w_i + ρ_{i+1}(z)), and
// its complement, each without subtracting from 1.
struct Take {
  double yes, no;
};
Take take(double w, double rho_after) {
  const double d = w + rho_after;
  return {w / d, rho_after / d};
}

std::size_t whole_number(double sum) {
  const double m = std::round(sum);
  if (std::fabs(sum - m) > 1e-6) {
    throw SamplingError("selection.not_whole", "the inclusion probabilities add up to " +
                                                   std::to_string(sum) +
                                                   ", not a whole number of units");
  }
  return static_cast<std::size_t>(m);
}

}  // namespace

std::vector<double> conditional_poisson_inclusion(std::span<const double> odds, std::size_t m) {
  const std::size_t n = odds.size();
  std::vector<double> pi(n, 0.0);
  if (m == 0) return pi;
  if (m > n) {
    throw SamplingError("selection.too_many",
                        "cannot draw " + std::to_string(m) + " of " + std::to_string(n));
  }
  const std::size_t block = block_size(n);
  const auto checkpoints = ratio_checkpoints(odds, m, block);
  ForwardRatios ratios(odds, m, block, checkpoints);
  // pro[z − 1]: the probability that z units are still to draw on reaching
  // unit i (Tillé's UPMEpikfromq, one row at a time).
  std::vector<double> pro(m, 0.0);
  pro[m - 1] = 1;
  for (std::size_t i = 0; i < n; ++i) {
    auto rho = ratios.after(i);
    // Reachable counts: at least m − i are left, at most the units left.
    const std::size_t low = m > i ? m - i : 1;
    const std::size_t high = std::min(m, n - i);
    double p = 0;
    double carried = 0;  // pro(z + 1) × P(take | z + 1), moving down to z
    for (std::size_t z = high + 1; z-- > low;) {
      const Take t = take(odds[i], rho[z - 1]);
      const double here = pro[z - 1];
      p += here * t.yes;
      pro[z - 1] = here * t.no + carried;
      carried = here * t.yes;
    }
    if (low > 1) pro[low - 2] += carried;
    pi[i] = p;
  }
  return pi;
}

std::vector<double> max_entropy_working_odds(std::span<const double> pi) {
  double sum = 0;
  for (double p : pi) {
    if (!(p > 0 && p < 1)) {
      throw SamplingError("selection.invalid_probability",
                          "working odds need inclusion probabilities strictly between 0 and 1");
    }
    sum += p;
  }
  const std::size_t m = whole_number(sum);
  std::vector<double> odds(pi.size());
  for (std::size_t i = 0; i < pi.size(); ++i)
    odds[i] = pi[i] / (1 - pi[i]);
  if (m == 0) return odds;
  // F(θ) = log e_m(e^θ) − Σ π_i θ_i is convex in θ = log w with gradient
  // π(w) − π, so the fixed point is its minimum. Each pass steps along
  // δ_i = logit π_i − logit π_i(w) (Newton's step with the Hessian's diagonal
  // π_i(1 − π_i)); on large frames the whole step is right. On small frames
  // whose units compete strongly (3 units with π = 0.99, 0.99, 0.02) it goes
  // past the minimum and would swing back and forth for ever, so the fraction
  // t of the step is searched for: the slope of F along the step,
  // φ'(t) = (π(w e^{tδ}) − π)·δ, rises from below 0 at t = 0, and t is taken
  // once |φ'(t)| <= |φ'(0)| / 2 (or φ'(1) <= 0: the whole step undershoots),
  // by safeguarded false position between the last t below and above 0.
  auto got = conditional_poisson_inclusion(odds, m);
  std::vector<double> step(pi.size()), trial(pi.size()), trial_got;
  auto slope = [&](const std::vector<double>& at) {
    double s = 0;
    for (std::size_t i = 0; i < pi.size(); ++i)
      s += (at[i] - pi[i]) * step[i];
    return s;
  };
  int evaluations = 1;
  while (evaluations < max_evaluations) {
    double worst = 0;
    for (std::size_t i = 0; i < pi.size(); ++i)
      worst = std::max(worst, std::fabs(got[i] - pi[i]));
    if (worst <= max_entropy_tolerance) return odds;
    for (std::size_t i = 0; i < pi.size(); ++i) {
      const double ratio = pi[i] * (1 - got[i]) / ((1 - pi[i]) * got[i]);
      step[i] = std::clamp(std::log(ratio), -max_log_step, max_log_step);
    }
    const double start = slope(got);  // < 0
    double below = 0, below_slope = start, above = 1, above_slope = 0;
    double t = 1;
    bool taken = false;
    while (!taken && evaluations < max_evaluations) {
      for (std::size_t i = 0; i < pi.size(); ++i)
        trial[i] = odds[i] * std::exp(t * step[i]);
      trial_got = conditional_poisson_inclusion(trial, m);
      ++evaluations;
      const double s = slope(trial_got);
      if (std::fabs(s) <= -0.5 * start || (t == 1 && s <= 0)) {
        taken = true;
      } else if (s < 0) {
        below = t;
        below_slope = s;
      } else {
        above = t;
        above_slope = std::isfinite(s) ? s : std::numeric_limits<double>::max();
      }
      if (!taken) {
        // False position, kept within the middle 80 % of the bracket.
        const double width = above - below;
        const double guess = below - below_slope * width / (above_slope - below_slope);
        t = std::clamp(guess, below + 0.1 * width, above - 0.1 * width);
      }
    }
    if (!taken) break;
    odds.swap(trial);
    got.swap(trial_got);
  }
  throw SamplingError("selection.max_entropy_diverged",
                      "the maximum-entropy design's working probabilities did not reach the "
                      "inclusion probabilities in " +
                          std::to_string(max_evaluations) + " passes");
}

MaxEntropyDesign::MaxEntropyDesign(std::span<const double> pi) {
  double sum = 0;
  for (std::size_t i = 0; i < pi.size(); ++i) {
    if (pi[i] >= 1) {
      certain_.push_back(i);
    } else if (pi[i] > 0) {
      units_.push_back(i);
      sum += pi[i];
    }
  }
  const std::size_t m = whole_number(sum);
  // Draw the smaller side: the sample, or the units left out of it.
  complement_ = 2 * m > units_.size();
  draw_size_ = complement_ ? units_.size() - m : m;
  sample_size_ = certain_.size() + m;
  if (draw_size_ == 0) return;
  std::vector<double> target(units_.size());
  for (std::size_t k = 0; k < units_.size(); ++k)
    target[k] = complement_ ? 1 - pi[units_[k]] : pi[units_[k]];
  odds_ = max_entropy_working_odds(target);
  block_ = block_size(units_.size());
  checkpoints_ = ratio_checkpoints(odds_, draw_size_, block_);
}

std::vector<std::size_t> MaxEntropyDesign::draw(io::Rng& rng) const {
  std::vector<std::size_t> chosen = certain_;
  chosen.reserve(sample_size_);
  std::vector<bool> taken(units_.size(), false);
  if (draw_size_ > 0) {
    ForwardRatios ratios(odds_, draw_size_, block_, checkpoints_);
    std::size_t left = draw_size_;
    for (std::size_t k = 0; k < units_.size() && left > 0; ++k) {
      if (rng.uniform() < take(odds_[k], ratios.after(k)[left - 1]).yes) {
        taken[k] = true;
        --left;
      }
    }
  }
  for (std::size_t k = 0; k < units_.size(); ++k) {
    if (taken[k] != complement_) chosen.push_back(units_[k]);
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

std::vector<std::size_t> pps_max_entropy(io::Rng& rng, std::span<const double> pi) {
  return MaxEntropyDesign(pi).draw(rng);
}

}  // namespace sipas::sampling
