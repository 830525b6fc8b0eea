#pragma once

// Weights from the fieldwork itself (`sipas weights`): the design weight of
// every fielded case, then ineligible cases removed from the base (the weight
// of cases of unknown eligibility shared first), a weighting-class adjustment
// for nonresponse with classes collapsed by a stated rule, and calibration to
// margins; each step kept as its own column, with replicate weights that go
// through every step again inside each replicate. Formulas and sources:
// analysis/README.md, "Nonresponse adjustment".

#include <Eigen/Dense>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/calibration.hpp"
#include "analysis/design.hpp"
#include "analysis/replicate.hpp"
#include "analysis/table.hpp"

namespace sipas::analysis {

// What became of a fielded case (AAPOR's final dispositions, grouped).
enum class Disposition : std::uint8_t { Respondent, Nonrespondent, Ineligible, Unknown };
// "respondent", "nonrespondent", "ineligible", "unknown" (exactly).
std::optional<Disposition> disposition_from_string(std::string_view text);
std::string_view to_string(Disposition disposition);

// The columns of a sample file (sampling/README.md, "Output") that weighting reads.
struct FieldworkColumns {
  std::string id = "id", stratum = "stratum", psu = "psu", design_weight = "design_weight",
              role = "role";
  std::string disposition;  // required
};

// A reserve group whose design weights were rescaled because reserves were
// activated in it: the m main units and the k activated reserves together are
// an equal-probability sample of m + k (the reserves are an SRS of the units
// left, in random order), so each has m/(m + k) of its drawn design weight.
struct Substitution {
  std::string group;  // "E", or "E | psu 12" where reserves stand in within a cluster
  std::size_t main = 0, activated = 0;
  double factor = 1;  // m / (m + k)
};

// The fielded cases of a sample: main units and activated reserves, each with
// its disposition and its design weight in the sample actually fielded.
struct FieldworkSample {
  Table data;  // the fielded rows, every column, each keeping its CSV line
  FieldworkColumns columns;
  std::vector<Disposition> disposition;
  Eigen::VectorXd design_weight;      // w_design
  std::size_t rows_read = 0;          // rows of the file
  std::size_t reserves_left_out = 0;  // reserves never activated (no disposition)
  std::vector<Substitution> substitutions;
};

// Reads the fielded cases of a sample file loaded as a table. A main unit
// needs a disposition; a reserve without one was never activated and is not
// in the sample; a reserve with one was. Throws AnalysisError naming the
// file, line and column: weights.missing_column, weights.unknown_disposition,
// weights.missing_disposition, weights.invalid_role, weights.invalid_weight,
// weights.duplicate_id, weights.missing_value (an empty stratum, PSU or id),
// weights.reserve_without_main, weights.no_cases.
FieldworkSample read_fieldwork(const Table& sample, const FieldworkColumns& columns);

// Replicate weights to build from the fielded sample's strata and PSUs.
struct ReplicateRequest {
  enum class Kind { JK1, JKn, Bootstrap };
  Kind kind = Kind::JKn;
  int count = 50;  // bootstrap replicates
  std::uint64_t seed = 1;
  LonelyPsu lonely_psu = LonelyPsu::Fail;
};
// "jk1", "jkn", "bootstrap" or "bootstrap:R"; AnalysisError
// weights.invalid_option naming `replicates` for anything else.
ReplicateRequest parse_replicate_request(std::string_view text);

struct NonresponseOptions {
  std::vector<std::string> class_columns;  // empty: the stratum column
  // A class fails the rule with fewer respondents than this, or with a
  // nonresponse adjustment factor above max_factor (infinity: no limit), or
  // with no respondent at all; failing classes are collapsed (below) unless
  // collapse is false.
  std::size_t min_respondents = 20;
  double max_factor = 2;
  bool collapse = true;
  std::vector<Margin> margins;  // empty: no calibration
  CalibrationOptions calibration;
  std::optional<ReplicateRequest> replicates;
};

// A weighting class after collapsing, with its unweighted counts and its sums
// of design weights by disposition.
struct WeightingClass {
  std::string label;                 // members joined by " + "
  std::vector<std::string> members;  // the classes it was made of, in class order
  std::size_t respondents = 0, nonrespondents = 0, ineligible = 0, unknown = 0;
  double sum_respondents = 0, sum_nonrespondents = 0, sum_ineligible = 0, sum_unknown = 0;
  double eligibility_factor = 1;  // (R + N + I + U) / (R + N + I)
  double nonresponse_factor = 1;  // (R + N) / R
  bool meets_rule = true;
};

// One merge of the collapsing, in the order they were made.
struct CollapsedClass {
  std::string label, into;
  std::size_t respondents = 0;
  double factor = 0;   // its nonresponse factor (infinity without respondents)
  std::string reason;  // "18 respondents, fewer than 20"
};

// The spread of one step's weights over the respondents; Kish's design effect
// of weighting 1 + CV² = n Σw² / (Σw)² (CV with divisor n).
struct WeightSpread {
  std::string column;
  std::size_t n = 0;
  double sum = 0, min = 0, max = 0, mean = 0, cv = 0, deff = 1;
};
WeightSpread spread_of(std::string column, const Eigen::VectorXd& weights);

struct WeightingResult {
  std::vector<std::size_t> respondents;  // rows of FieldworkSample::data, in file order
  // The step columns w_design, w_eligible, w_nonresponse[, w_calibrated],
  // respondents × steps, and the final weight (the last step).
  std::vector<std::string> step_names;
  Eigen::MatrixXd steps;
  Eigen::VectorXd weight;
  std::vector<WeightSpread> spreads;  // one per step
  // Each respondent's weighting class (an index of `classes`), row for row
  // with `respondents`: written as weights.csv's weighting_class, so that
  // `sipas analyze --weights-file` can treat the adjustment as a calibration.
  std::vector<std::uint32_t> respondent_class;
  std::vector<std::string> class_columns;
  std::vector<WeightingClass> classes;  // in class order
  std::vector<CollapsedClass> collapsed;
  std::size_t counts[4] = {0, 0, 0, 0};  // by Disposition
  std::optional<CalibrationReport> calibration;
  // Replicate weights (respondents × R), each replicate adjusted again, and
  // how their spread becomes a variance (svrVar).
  Eigen::MatrixXd replicate_weights;
  ReplicateType replicate_type = ReplicateType::Other;
  double scale = 1;
  Eigen::VectorXd rscales;
};

// Every step for the full sample, and for every replicate when asked. Throws
// AnalysisError: weights.no_respondents, weights.empty_class (a class with
// eligible cases and no respondent that may not be collapsed),
// weights.missing_value (an empty class value), weights.unknown_eligibility
// (a class of unknowns only, not collapsed), weights.replicate_empty_class,
// weights.invalid_option, and the calibration's and replicates' own errors.
WeightingResult adjust_weights(const FieldworkSample& sample, const NonresponseOptions& options);

// ---- the steps, on any weights (the full sample's or a replicate's) ----------------------------

// Each case's class (0 .. classes − 1) and the sums of weights by class and disposition.
struct ClassSums {
  std::vector<double> sum[4];  // by Disposition, then class
};
ClassSums class_sums(const Eigen::VectorXd& weights, const std::vector<Disposition>& disposition,
                     const std::vector<std::uint32_t>& class_of, std::size_t classes);
// Known-eligibility cases × (R + N + I + U)/(R + N + I) in their class; unknowns 0.
Eigen::VectorXd eligibility_step(const Eigen::VectorXd& weights,
                                 const std::vector<Disposition>& disposition,
                                 const std::vector<std::uint32_t>& class_of, std::size_t classes);
// Respondents × (R + N)/R in their class; nonrespondents and unknowns 0;
// ineligible cases keep their weight.
Eigen::VectorXd nonresponse_step(const Eigen::VectorXd& weights,
                                 const std::vector<Disposition>& disposition,
                                 const std::vector<std::uint32_t>& class_of, std::size_t classes);

}  // namespace sipas::analysis
