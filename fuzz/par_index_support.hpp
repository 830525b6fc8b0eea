#pragma once

// The PAR index computed from what a fuzz target read (a scheme, an
// appraisal), with the properties every result must have: an index between 0
// and 100 (or none, when nothing applies), points within the applicable
// maximum, ranks from 1 for ranked units only, and the result's JSON and CSV
// written.

#include <cmath>
#include <string>
#include <vector>

#include "analysis/par_index.hpp"
#include "analysis/par_index_scheme.hpp"
#include "fuzz/fuzz_support.hpp"

namespace sipas::fuzz {

inline void check_par_index(const analysis::IndexScheme& scheme,
                            const std::vector<analysis::IndexUnit>& units,
                            const analysis::Appraisal& appraisal) {
  constexpr double slack = 1e-9;
  analysis::ParIndexResult result;
  result.scheme = scheme;
  result.thresholds =
      scheme.thresholds.empty() ? analysis::default_thresholds() : scheme.thresholds;
  result.precision = scheme.precision;
  result.units = analysis::compute_par_index(scheme, units, appraisal, analysis::SurveyPoints{},
                                             result.thresholds, result.precision);
  expect(result.units.size() == units.size(), "an index per unit");
  for (const auto& unit : result.units) {
    expect(unit.nodes.size() == scheme.nodes.size(), "a score per node");
    const double index = unit.total.index();
    expect(std::isnan(index) || (index >= -slack && index <= 100 + slack),
           "an index is between 0 and 100");
    expect(unit.total.points <= unit.total.max_points * (1 + slack) + slack,
           "points stay within the applicable maximum");
    expect(!unit.rank || (unit.unit.ranked && *unit.rank >= 1), "only ranked units have a rank");
  }
  (void)analysis::par_index_json(result).dump();
  (void)analysis::par_index_csv(result);
}

}  // namespace sipas::fuzz
