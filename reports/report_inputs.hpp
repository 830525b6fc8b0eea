#pragma once

// The files `sipas report` reads, checked field by field: results.json
// (sipas analyze), the PAR index result (sipas index), fieldwork progress
// (the admin API's GET /api/v1/surveys/{id}/progress), the weights report
// (sipas weights) and the sample's design record (sipas sample). Every error
// is a ReportError naming the file and the field, e.g. "results.json:
// estimates[3].ci_low: expected a number or null".

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipas::reports {

// A number the input gives as null (or does not give).
inline constexpr double absent = std::numeric_limits<double>::quiet_NaN();

// Largest input file read (a results file of many domains runs to megabytes).
inline constexpr std::size_t max_report_input_bytes = 512u * 1024 * 1024;

// One estimate of results.json. Missing numbers (null) are NaN.
struct ResultEstimate {
  std::string statistic, variable;
  std::vector<std::pair<std::string, std::string>> domain;  // column = level; empty: everyone
  double estimate = absent, se = absent, ci_low = absent, ci_high = absent, df = absent;
  double n = absent, weighted_n = absent, deff = absent;
  std::string ci_method;
  // By the publishing rule (analysis/publishing_rule.hpp); older results
  // files have none: flag "".
  double n_eff = absent, cv = absent, ci_width = absent;
  std::string flag, flag_reason;
  bool suppressed() const { return flag == "suppressed"; }
  bool caution() const { return flag == "caution"; }
};

struct InputFile {
  std::string role;  // the key in design.inputs: data, questionnaire, scheme, ...
  std::string file, sha256;
  std::string id, version;  // the questionnaire's, when recorded
};

struct CalibrationSummary {
  std::string method;  // poststratify, raking, linear
  std::string margins_file, margins_sha256;
  double iterations = absent, weight_min = absent, weight_max = absent;
  double g_min = absent, g_max = absent, max_margin_error = absent;
  std::optional<std::pair<double, double>> bounds;
};

struct ReplicateSummary {
  std::string type, columns;
  double replicates = absent, scale = absent;
  bool mse = false;
};

// The "design" block: how the estimates were made.
// A text in both report languages.
struct BilingualText {
  std::string vi, en;
};

struct PublishingRuleSummary {
  std::string name, file, sha256;
  BilingualText source;
  bool example = false;
  double min_n = absent, min_n_eff = absent, caution_cv = absent, suppress_cv = absent;
};

// design.nonresponse: the weights of `sipas weights` read with their
// weighting classes, so that the variance treats the nonresponse adjustment
// as a calibration step. Older results files have none.
struct NonresponseDesignSummary {
  std::string weights_file, sha256, class_column;
  double classes = absent;
  bool calibrated = false;
};

struct DesignSummary {
  std::string kind;      // linearization or replicate
  std::string variance;  // the engine's description
  std::string strata, weights, lonely_psu, command;
  std::vector<std::string> psu, fpc;
  double rows = absent, weight_sum = absent, df = absent, level = absent;
  std::optional<CalibrationSummary> calibration;
  std::optional<ReplicateSummary> replicates;
  std::optional<PublishingRuleSummary> publishing_rule;
  std::optional<NonresponseDesignSummary> nonresponse;
  std::vector<InputFile> inputs;
};

// One scale of results.json's "scales" (analysis/README.md, "Scale
// quality"): the per-item values are in the order of `items`.
struct ScaleSummary {
  std::string name, source;
  std::vector<std::string> items;
  std::vector<std::string> no_variance;  // items left out of the alpha
  double alpha = absent, std_alpha = absent, alpha_weighted = absent;
  std::vector<double> item_rest, alpha_if_dropped, dont_know_share, missing_share;
};

struct ResultsFile {
  std::string source;  // the file's name, for messages
  DesignSummary design;
  std::vector<ResultEstimate> estimates;
  std::vector<ScaleSummary> scales;  // empty when the file has none
};

ResultsFile parse_results(std::string_view json, const std::string& source);
ResultsFile load_results(const std::filesystem::path& path);

struct ParNode {
  std::string id, parent;  // parent empty: a top-level node
  int depth = 0;
  BilingualText label;
  double max_points = absent;
  std::string method;
};

struct ParUnitNode {
  double points = absent, max_points = absent, index = absent;
};

struct ParUnit {
  std::string unit, name;
  bool ranked = true;
  double points = absent, max_points = absent, index = absent;
  std::optional<int> rank;
  std::optional<std::string> group;
  bool rescaled = false;
  std::vector<std::string> survey_missing;
  std::map<std::string, ParUnitNode> nodes;
};

struct ParThreshold {
  std::string group;
  double min = absent;
};

// sipas-par-index-result/1 (analysis/README.md, "PAR index").
struct ParIndexResult {
  std::string source;
  std::string scheme_id, decision, year, level;
  BilingualText title;
  double survey_max = absent;
  std::vector<ParThreshold> thresholds;
  int precision = 2;
  std::vector<ParNode> nodes;
  std::vector<ParUnit> units;
};

ParIndexResult parse_par_index(std::string_view json, const std::string& source);
ParIndexResult load_par_index(const std::filesystem::path& path);

struct FieldworkRow {
  std::string stratum;  // empty for the whole survey
  std::int64_t invited = 0, opened = 0, responded = 0;
  double response_rate = absent, open_rate = absent;  // 0-1, NaN when none was invited
  std::int64_t reserves_waiting = 0;
};

struct FieldworkProgress {
  std::string source;
  std::string survey;
  FieldworkRow overall;
  std::int64_t open_link_responses = 0;
  std::vector<FieldworkRow> strata;
};

// weights.json of `sipas weights` (sipas-weights/1; analysis/README.md,
// "Nonresponse adjustment"): what the methods page says about the response
// rates and the weighting steps.

// AAPOR's counts and rates (Standard Definitions, 10th edition, 2023) of one
// stratum or of all fielded cases; a rate without a denominator is NaN.
struct ResponseRateRow {
  std::string stratum;  // empty for the overall row
  std::int64_t respondents = 0, nonrespondents = 0, ineligible = 0, unknown = 0;
  double e = absent, rr1 = absent, rr3 = absent;
};

// One weighting step's spread over the respondents.
struct WeightStepSpread {
  std::string column;  // w_design, w_eligible, w_nonresponse, w_calibrated
  std::int64_t n = 0;
  double sum = absent, min = absent, max = absent, mean = absent, cv = absent, deff_kish = absent;
};

// One merge of weighting classes; the reason is English text from the file.
struct ClassCollapse {
  std::string label, into, reason;
  std::int64_t respondents = 0;
};

struct WeightsReplicates {
  std::string type, reptype;
  double count = absent, scale = absent;
};

struct WeightsSummary {
  std::string source;
  // Without a "response_rates" block (files written before it): no rates.
  bool has_rates = false;
  std::vector<ResponseRateRow> strata;  // in the file's order
  ResponseRateRow overall;
  std::vector<WeightStepSpread> steps;
  std::vector<std::string> class_columns;
  std::size_t classes = 0;                               // after collapsing
  double min_respondents = absent, max_factor = absent;  // the rule; max_factor NaN: no limit
  std::vector<ClassCollapse> collapsed;
  std::string calibration_method;  // empty: no calibration
  std::optional<WeightsReplicates> replicates;
};

// Throws ReportError: report.invalid_json, report.invalid_format (not
// sipas-weights/1), report.invalid_field ("weights.json: steps[2].cv:
// expected a number").
WeightsSummary parse_weights(std::string_view json, const std::string& source);
WeightsSummary load_weights(const std::filesystem::path& path);

// The design record of `sipas sample` (sample.design.json,
// sipas-sample-design/1; sampling/README.md, "Output"): how the sample was
// drawn, for the methods page.

// One stratum of the record; N_h is the number of frame rows in it.
struct SampleStratum {
  std::string stratum;  // the stratum columns' values joined by "|"; "all" without strata
  std::int64_t population = 0;
  // Single-stage only (the rows of a multi-stage record have none).
  std::int64_t n = 0, reserve = 0;
  std::string pps_algorithm;  // --method pps: sampford or maximum-entropy
};

// A stage's units in one stratum: how many the frame has and how many were
// selected.
struct SampleStageUnits {
  std::string stratum;
  std::int64_t units = 0, selected = 0;
};

// One stage of a multi-stage design.
struct SampleStage {
  std::int64_t stage = 0;        // 1, 2, ...
  std::string unit;              // the frame column of the units; "rows": the people themselves
  std::string method;            // srs, systematic, pps, pps-systematic
  std::int64_t n = 0;            // per unit selected at the stage before (per stratum at stage 1)
  std::int64_t reserve = 0;      // the last stage's reserves per cluster
  std::string size;              // "rows" or the size column; clusters only
  std::string certainty_column;  // empty: no unit is certain
  std::vector<std::string> certainty_values;           // the column's values that make it so
  std::map<std::string, std::int64_t> pps_algorithms;  // selections per algorithm (pps)
  std::string pps_rule;                                // how pps chose (English, from the file)
  std::vector<SampleStageUnits> units;                 // per stratum; empty for rows
  std::int64_t selected = 0, certain = 0;              // units selected, of them with certainty
  bool rows() const { return unit == "rows"; }
};

struct SampleAllocation {
  std::string method;       // proportional, equal, neyman, power, optimal, given
  std::int64_t total = 0;   // --n (not for given)
  std::string file;         // given: the --n-per-stratum file
  double power_q = absent;  // power only
};

struct SampleDesignSummary {
  std::string source;
  std::string command;
  std::string frame_file, frame_sha256;
  std::int64_t frame_rows = 0;
  std::string id_column;
  std::vector<std::string> strata_columns;  // empty: one stratum, "all"
  std::vector<SampleStratum> strata;        // in the record's order (sorted by key)
  std::string method;                       // srs, systematic, pps, pps-systematic, multi-stage
  // Single-stage.
  std::optional<SampleAllocation> allocation;
  std::map<std::string, std::int64_t> pps_algorithms;
  std::string pps_rule, size_column, sort_column;
  // Multi-stage.
  std::vector<SampleStage> stages;
  std::int64_t main = 0, reserve = 0;  // rows of sample.csv by role
  std::uint64_t seed = 0;
  bool seed_given = false;  // false: drawn from the operating system
  std::string generator;

  bool multi_stage() const { return method == "multi-stage"; }
  std::int64_t population() const {
    std::int64_t sum = 0;
    for (const auto& s : strata)
      sum += s.population;
    return sum;
  }
};

// Throws ReportError: report.invalid_json, report.invalid_format (not
// sipas-sample-design/1), report.invalid_field ("sample.design.json:
// stages[1].method: expected srs, systematic, pps or pps-systematic").
SampleDesignSummary parse_sample_design(std::string_view json, const std::string& source);
// The file as `sipas sample` wrote it; errors name it as given.
SampleDesignSummary load_sample_design(const std::filesystem::path& path);

// compare.json of `sipas compare` (sipas-compare/1; analysis/README.md,
// "Comparisons"): units against the province (or against each other) and
// against last year, for the comparisons' section and the methods.

// One comparison a − b ("all": the whole population).
struct CompareEntry {
  std::string a, b;
  double estimate_a = absent, estimate_b = absent, difference = absent, se = absent;
  double ci_low = absent, ci_high = absent, p = absent, p_adjusted = absent;
  bool significant = false;
  std::string direction;  // above, below, none
};

// One of last year's units a unit's past was made of.
struct YearOnYearPart {
  std::string unit;
  double weight = absent;
};

// One unit this year against the same territory last year.
struct YearOnYearEntry {
  std::string unit;
  double this_year = absent, last_year = absent, difference = absent;
  double ci_low = absent, ci_high = absent, p = absent, p_adjusted = absent;
  bool significant = false;
  std::string direction;
  std::string past;     // same, mapped, combined, none
  std::string weights;  // combined: weighted_n or equal
  std::vector<YearOnYearPart> from;
  std::string note;  // English text from the file (why there is no past)
};

struct CompareSummary {
  std::string source;
  std::string statistic, variable, by, adjust;  // adjust: holm, BH, none
  double level = absent;
  std::string test;    // the comparisons' test (English, from the file)
  double df = absent;  // design.df: the t reference's degrees of freedom
  std::vector<CompareEntry> comparisons;
  bool has_year_on_year = false;
  std::vector<YearOnYearEntry> year_on_year;
  std::string year_on_year_test;  // year_on_year_method.test
  bool proportion() const { return statistic == "proportion"; }
};

// Throws ReportError: report.invalid_json, report.invalid_format (not
// sipas-compare/1), report.invalid_field ("compare.json:
// comparisons[2].p_adjusted: expected a number or null").
CompareSummary parse_compare(std::string_view json, const std::string& source);
CompareSummary load_compare(const std::filesystem::path& path);

// The small-area estimates of `sipas small-area` (sipas-small-area/1;
// analysis/README.md, "Small-area estimates").
struct SmallAreaEstimate {
  std::string area;
  double direct = absent, direct_se = absent, eblup = absent, rmse = absent, gamma = absent;
  double ci_low = absent, ci_high = absent;
  std::optional<std::int64_t> rank, rank_low, rank_high;  // none without the bootstrap
};

struct SmallAreaSummary {
  std::string source;
  std::string method;  // reml, ml
  double level = absent;
  double sigma2_v = absent;
  std::vector<std::string> covariates;  // beta[k + 1] belongs to covariates[k]
  std::vector<double> beta;             // the intercept first
  double loglik = absent, aic = absent, bic = absent;
  bool truncated_at_zero = false;
  // The standardized residuals.
  double residual_mean = absent, residual_sd = absent, jarque_bera_p = absent;
  std::int64_t beyond_1_96 = 0;
  double expected_beyond_1_96 = absent;
  // The rank intervals' bootstrap; replicates 0: no ranks.
  std::int64_t rank_replicates = 0;
  double rank_level = absent;
  bool lower_is_better = false;
  std::vector<SmallAreaEstimate> areas;  // in the file's order
};

// Throws ReportError: report.invalid_json, report.invalid_format (not
// sipas-small-area/1), report.invalid_field ("small-area.json:
// areas[4].gamma: expected a number").
SmallAreaSummary parse_small_area(std::string_view json, const std::string& source);
SmallAreaSummary load_small_area(const std::filesystem::path& path);

FieldworkProgress parse_progress(std::string_view json, const std::string& source);
FieldworkProgress load_progress(const std::filesystem::path& path);

}  // namespace sipas::reports
