#pragma once

// Scale quality: Cronbach's alpha (unweighted as R's psych::alpha, and from
// the design-weighted covariance matrix), item–rest correlations, alpha if
// an item is dropped, and each item's shares of "don't know" and missing
// answers (analysis/README.md, "Scale quality").

#include <Eigen/Core>
#include <cstddef>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/table.hpp"
#include "questionnaires/questionnaire.hpp"

namespace sipas::analysis {

// A scale: named items whose answers are summed (or averaged) into a score.
struct ScaleRequest {
  enum class Source { Option, Element };
  std::string name;
  std::vector<std::string> items;
  Source source = Source::Option;  // --scale, or a scoring element of --index
};

// Parses --scale "NAME=ITEM,ITEM[,...]": at least two distinct items.
// Throws AnalysisError analysis.invalid_option naming the option.
ScaleRequest parse_scale(const std::string& text);

// A scale for every scoring element of the questionnaire that items feed:
// the items whose scoring names the element (or, for an element of method
// `item`, that item), in the form's order.
std::vector<ScaleRequest> element_scales(const questionnaires::Questionnaire& form);

// What counts as "don't know" (left out as missing, and counted apart).
struct ScaleCodes {
  // Codes that mean "don't know" in every item (--dont-know), matched as
  // text or, when both are numbers, as numbers.
  std::vector<std::string> dont_know;
  // An item of this questionnaire is scored by its codes: its scale's and its
  // scoring's excluded codes are "don't know", and a code must be a number.
  const questionnaires::Questionnaire* questionnaire = nullptr;
};

inline constexpr double scale_not_available = std::numeric_limits<double>::quiet_NaN();

struct ItemQuality {
  std::string item;
  std::size_t valid = 0;                          // rows with an answer that counts
  double dont_know_share = 0, missing_share = 0;  // of all rows, unweighted
  // Left out of the alpha because its answers do not vary (fewer than two,
  // or all equal): psych::alpha deletes such an item.
  bool no_variance = false;
  double item_rest = scale_not_available;         // psych's r.drop
  double alpha_if_dropped = scale_not_available;  // psych's alpha.drop$raw_alpha
};

struct ScaleQuality {
  std::string name;
  ScaleRequest::Source source = ScaleRequest::Source::Option;
  std::size_t rows = 0;
  // NaN where not defined: fewer than two items that vary, or a pair of items
  // with fewer than two rows answering both.
  double alpha = scale_not_available;           // psych's raw_alpha
  double std_alpha = scale_not_available;       // psych's std.alpha
  double alpha_weighted = scale_not_available;  // from the weighted covariance matrix
  std::vector<ItemQuality> items;
};

// The quality of one scale over all rows of `data`, with `weights` (one per
// row, the design's) for the weighted alpha. Throws AnalysisError:
// data.unknown_code (a questionnaire item's answer that is not one of its
// codes), data.not_numeric (an answer that is no number), scale.not_numeric
// (a questionnaire item whose code is text), and the table's missing-column
// error for an item the data lack.
ScaleQuality scale_quality(const Table& data, const Eigen::VectorXd& weights,
                           const ScaleRequest& scale, const ScaleCodes& codes);

// Cronbach's alpha of a covariance matrix, k/(k − 1) · (1 − tr C / ΣC), and
// of its correlation matrix (the standardized alpha); NaN for k < 2 or a NaN
// entry.
double cronbach_alpha(const Eigen::MatrixXd& covariance);
double standardized_alpha(const Eigen::MatrixXd& covariance);

// Every scale of a run: those asked for (--scale), then one per scoring
// element of `form` (when given) that items feed. A name used twice (by two
// --scale options, or by one and an element) is analysis.duplicate_scale.
std::vector<ScaleQuality> scale_qualities(const Table& data, const Eigen::VectorXd& weights,
                                          const std::vector<ScaleRequest>& asked,
                                          const questionnaires::Questionnaire* form,
                                          const std::vector<std::string>& dont_know);

// results.json's "scales": one object per scale, per-item values in arrays
// in the order of "items" (null where not defined).
nlohmann::json to_json(const std::vector<ScaleQuality>& scales);

}  // namespace sipas::analysis
