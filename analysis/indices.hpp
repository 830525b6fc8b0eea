#pragma once

#include <string>
#include <vector>

#include "analysis/engine.hpp"
#include "analysis/intervals.hpp"
#include "analysis/table.hpp"
#include "questionnaires/questionnaire.hpp"

namespace sipas::analysis {

// A domain: the rows it covers and its labels (column = level).
struct Domain {
  std::vector<std::pair<std::string, std::string>> labels;  // empty: everyone
  RowMask rows;                                             // empty: all rows
};

// The domains of `by` columns: everyone first, then every combination of
// levels present, in sorted order (R's svyby). Missing levels form no domain.
// With `row_domain`, also each row's domain among them (they are disjoint but
// for everyone, 0): its index, or -1 for a row with a missing level.
std::vector<Domain> domains_of(const Table& data, const std::vector<std::string>& by,
                               std::vector<std::int32_t>* row_domain = nullptr);

struct IndexOptions {
  IntervalMethod interval = IntervalMethod::Wald;
  double level = 0.95;
  bool distributions = true;  // the share of every answer code of every scored item
};

// Satisfaction indices as the questionnaire's scoring defines them
// (questionnaires/FORMAT.md "Scoring", domain.md §1.4), in percent:
// - item: 100 × Σw·1[satisfied] / Σw·1[valid] (excluded codes and missing
//   answers leave the denominator), a ratio estimator;
// - element: mean of its item indices (or weighted, or one item's);
// - group and overall: as the scoring block says;
// - expectation and indicator shares; answer distributions.
// Composites get standard errors by linearizing the composite: their
// influence values (or replicate estimates) are the same combination of the
// items', so covariances between items are accounted for.
// Data columns are named by item id and hold the answer codes.
std::vector<Estimate> satisfaction_indices(const Engine& engine, const Table& data,
                                           const questionnaires::Questionnaire& questionnaire,
                                           const std::vector<Domain>& domains,
                                           const IndexOptions& options);

}  // namespace sipas::analysis
