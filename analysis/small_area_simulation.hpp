#pragma once

// A check of the Fay–Herriot intervals by simulation: many samples drawn from
// a known model, each fitted, and the share of intervals that hold the true
// value counted (bench/small_area_coverage.cpp, and a small run in the
// tests). The areas' covariate and sampling variances stay fixed over the
// repetitions; the random effects and sampling errors are drawn anew.

#include <cstddef>
#include <cstdint>

#include "analysis/small_area.hpp"

namespace sipas::analysis {

struct CoverageStudy {
  std::size_t areas = 40;  // m
  std::size_t repetitions = 1000;
  double sigma2_v = 1;
  // D_i from d_low to d_high in geometric steps over the areas.
  double d_low = 0.5, d_high = 5;
  // θ_i = beta0 + beta1 x_i + v_i, x_i ~ N(0, 1) drawn once.
  double beta0 = 0, beta1 = 1;
  double level = 0.95;
  VarianceFit method = VarianceFit::Reml;
  // Bootstrap replicates for rank intervals in every repetition (0: none).
  std::size_t rank_replicates = 0;
  std::uint64_t seed = 20240601;
};

struct CoverageGroup {
  double eblup_coverage = 0;   // share of EBLUP ± z √mse that hold θ_i
  double direct_coverage = 0;  // share of y_i ± z √D_i that hold θ_i
  // Mean over the group's areas of (mean estimated MSE) / (empirical MSE,
  // the mean of (θ̂_i − θ_i)² over the repetitions).
  double mse_ratio = 0;
  double empirical_mse = 0;  // mean over the areas
  double direct_mse = 0;     // mean over the areas of the empirical MSE of y_i
};

struct CoverageResult {
  CoverageGroup all, smallest_d,
      largest_d;  // the tenth of the areas with the smallest / largest D_i
  std::size_t group_size = 0;
  std::size_t not_converged = 0;  // repetitions left out
  std::size_t truncated = 0;      // fits with σ̂²_v = 0
  double mean_sigma2_v = 0;
  // With rank_replicates: the share of rank intervals that hold the area's
  // true rank (the rank of θ_i among the θ), and their mean width.
  double rank_coverage = 0, rank_width = 0;
};

CoverageResult simulate_coverage(const CoverageStudy& study);

}  // namespace sipas::analysis
